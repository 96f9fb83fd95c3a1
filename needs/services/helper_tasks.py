"""What a helper does with the needs sent to them (接单): an approved volunteer, or the
contact person of a partner unit. They accept, decline with a reason (the need goes back to
the staff), or record what was done (the reporter is asked to rate it). A need not sent to
them is a need that does not exist."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app.db import write_transaction
from app.errors import NotFound
from app.formfields import Fields
from app.i18n import _
from app.permissions import Actor
from app.tables import User
from needs.logic import loop
from needs.logic.kinds import ReporterKind, VolunteerStatus
from needs.services import need_notices
from needs.services.transitions import (
    add_event,
    lock_key,
    locked,
    need_uuid,
    require_status,
    save_step,
)
from needs.tables import Need, PartnerUnit, Volunteer


@dataclass(frozen=True)
class ResidentContact:
    """How the helper reaches the person who filed the need, to arrange a visit."""

    name: str
    phone: str


def contact_shown(need: Need) -> bool:
    """The resident agreed to be contacted and the work is still to be done: the helper needs
    the phone to arrange a visit, not afterwards."""
    return bool(need.contact_consent) and need.status in loop.ACTIVE


def resident_contact(need: Need, reporter: User | None) -> ResidentContact | None:
    """The name and phone of whoever filed `need` (`reporter`, their account, if any) when
    they agreed that whoever takes it may contact them, while it is still to be done; None
    when they did not, once it is done or closed, when their personal data was erased, when
    there is no phone to call, and always for a need a partner system filed (what it sent is
    for the staff alone)."""
    if need.reporter_kind == ReporterKind.system.value:
        return None
    if not contact_shown(need) or need.personal_data_erased_at is not None:
        return None
    if reporter is not None:
        name, phone = reporter.name, reporter.login if "@" not in reporter.login else ""
    else:
        name, phone = need.reporter_name, need.reporter_contact
    return ResidentContact(name, phone) if phone else None


async def _mine(actor: Actor) -> tuple[list[int], list[int]]:
    """Ids of the actor's volunteer records and of the units they are the contact of."""
    volunteers = await Volunteer.select(Volunteer.id).where(Volunteer.user == actor.id)
    units = await PartnerUnit.select(PartnerUnit.id).where(PartnerUnit.contact_user == actor.id)
    return [row["id"] for row in volunteers], [row["id"] for row in units]


async def is_helper(actor: Actor) -> bool:
    """An approved volunteer somewhere, or the contact of an active partner unit."""
    if await Volunteer.exists().where(
        (Volunteer.user == actor.id) & (Volunteer.status == VolunteerStatus.approved.value)
    ):
        return True
    return await PartnerUnit.exists().where(
        (PartnerUnit.contact_user == actor.id) & (PartnerUnit.active == True)  # noqa: E712
    )


def _assigned_to(volunteer_ids: list[int], unit_ids: list[int]) -> Any:
    return Need.volunteer.is_in(volunteer_ids or [-1]) | Need.unit.is_in(unit_ids or [-1])


async def tasks_of(actor: Actor) -> list[dict[str, Any]]:
    """Needs sent to the actor or their unit: those waiting for an answer first, then those
    being handled, then the finished ones; oldest first within each."""
    volunteer_ids, unit_ids = await _mine(actor)
    if not volunteer_ids and not unit_ids:
        return []
    rows = await (
        Need.select(
            Need.id,
            Need.category,
            Need.description,
            Need.place,
            Need.status,
            Need.created_at,
            Need.dispatched_at,
            Need.done_at,
            Need.rating,
            Need.community.name_zh.as_alias("community_name_zh"),
            Need.community.name_en.as_alias("community_name_en"),
            Need.unit.name_zh.as_alias("unit_name_zh"),
            Need.unit.name_en.as_alias("unit_name_en"),
        )
        .where(_assigned_to(volunteer_ids, unit_ids))
        .order_by(Need.dispatched_at)
        .limit(300)
    )
    rank = {loop.DISPATCHED: 0, loop.ACCEPTED: 1}
    return sorted(rows, key=lambda row: rank.get(row["status"], 2))


async def _is_assignee(actor: Actor, need: Need) -> bool:
    volunteer_ids, unit_ids = await _mine(actor)
    return (need.volunteer is not None and need.volunteer in volunteer_ids) or (
        need.unit is not None and need.unit in unit_ids
    )


async def assigned_need(actor: Actor, need_id: str) -> Need:
    """The need if it was sent to the actor (or to the unit they are the contact of)."""
    need = await Need.objects().where(Need.id == need_uuid(need_id)).first()
    if need is None or not await _is_assignee(actor, need):
        raise NotFound(_("There is no such task."))
    return need


async def _locked_task(actor: Actor, need_id: Any) -> Need:
    """Re-read inside the transaction: staff may have sent it elsewhere meanwhile."""
    need = await locked(need_id)
    if not await _is_assignee(actor, need):
        raise NotFound(_("There is no such task."))
    return need


async def accept(actor: Actor, need_id: str, *, now: datetime) -> Need:
    need = await assigned_need(actor, need_id)
    async with write_transaction(lock_key(need.id)):
        current = await _locked_task(actor, need.id)
        require_status(current, loop.MAY_ACCEPT)
        await save_step(need.id, {Need.status: loop.ACCEPTED, Need.accepted_at: now}, now)
        await add_event(need.id, "accepted", actor_id=actor.id, now=now)
        await need_notices.tell_reporter(current, "accepted", need_notices.ACCEPTED, now=now)
        return await locked(need.id)


async def decline(actor: Actor, need_id: str, *, reason: str, now: datetime) -> Need:
    """Give the need back to the staff with a reason: it is open again, with no helper."""
    need = await assigned_need(actor, need_id)
    fields = Fields()
    reason = fields.text(
        reason,
        "reason",
        max_length=loop.MAX_REASON,
        required=_("Tell the staff why, so they can find someone else."),
    )
    fields.check()
    async with write_transaction(lock_key(need.id)):
        current = await _locked_task(actor, need.id)
        require_status(current, loop.MAY_DECLINE)
        await save_step(
            need.id, {Need.status: loop.OPEN, Need.volunteer: None, Need.unit: None}, now
        )
        await add_event(need.id, "declined", actor_id=actor.id, now=now, detail=reason)
        await need_notices.tell_staff(
            current, "declined", need_notices.DECLINED, now=now, reason=reason
        )
        return await locked(need.id)


async def finish(actor: Actor, need_id: str, *, resolution: str, now: datetime) -> Need:
    """Record what was done: the need is done and its reporter is asked to rate it (by a text
    message too, for a reporter without an account who agreed)."""
    need = await assigned_need(actor, need_id)
    fields = Fields()
    resolution = fields.text(
        resolution,
        "resolution",
        max_length=loop.MAX_RESOLUTION,
        required=_("Say in a few words what was done."),
    )
    fields.check()
    async with write_transaction(lock_key(need.id)):
        current = await _locked_task(actor, need.id)
        require_status(
            current,
            loop.MAY_FINISH,
            _("Accept it first, then record what was done.")
            if current.status == loop.DISPATCHED
            else None,
        )
        await save_step(
            need.id, {Need.status: loop.DONE, Need.resolution: resolution, Need.done_at: now}, now
        )
        await add_event(need.id, "done", actor_id=actor.id, now=now, detail=resolution)
        await need_notices.tell_reporter(current, "done", need_notices.DONE, now=now)
        await need_notices.text_reporter(current, need_notices.TEXT_DONE, now=now)
        return await locked(need.id)
