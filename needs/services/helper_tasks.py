"""What a helper does with the needs sent to them (接单): an approved volunteer, or the
contact person of a partner unit. They accept, decline with a reason (the need goes back to
the staff), or record what was done (the reporter is asked to rate it). A need not sent to
them is a need that does not exist.

A need sent to a party branch (支部派单) is every member's task until one of them accepts
it: the first accept takes it (it becomes theirs, as if sent to them), a later one is told
that another member took it. A member who declines it while it waits in the branch only
passes on it (it leaves their own list, the others still see it), as a branch secretary
expects of a task given to the whole branch; when every member has passed, it goes back to
the staff like any declined need."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app.db import write_transaction
from app.errors import Conflict, NotFound
from app.formfields import Fields
from app.i18n import _
from app.permissions import Actor
from app.tables import User
from needs.logic import loop, party
from needs.logic.kinds import ReporterKind, VolunteerStatus
from needs.queries.assignees import branch_members
from needs.services import need_notices
from needs.services.transitions import (
    add_event,
    lock_key,
    locked,
    need_uuid,
    require_status,
    save_step,
)
from needs.tables import Need, NeedEvent, PartnerUnit, Volunteer


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


@dataclass(frozen=True)
class _Mine:
    """The actor's volunteer records, the units they are the contact of, and the party
    branches they are an approved member of (branch id → their volunteer id)."""

    volunteers: list[int]
    units: list[int]
    branches: dict[int, int]

    def __bool__(self) -> bool:
        return bool(self.volunteers or self.units or self.branches)


async def _mine(actor: Actor) -> _Mine:
    volunteers = await Volunteer.select(Volunteer.id, Volunteer.status, Volunteer.branch).where(
        Volunteer.user == actor.id
    )
    units = await PartnerUnit.select(PartnerUnit.id).where(PartnerUnit.contact_user == actor.id)
    branches = {
        row["branch"]: row["id"]
        for row in volunteers
        if row["branch"] is not None and row["status"] == VolunteerStatus.approved.value
    }
    return _Mine([row["id"] for row in volunteers], [row["id"] for row in units], branches)


async def is_helper(actor: Actor) -> bool:
    """An approved volunteer somewhere, or the contact of an active partner unit."""
    if await Volunteer.exists().where(
        (Volunteer.user == actor.id) & (Volunteer.status == VolunteerStatus.approved.value)
    ):
        return True
    return await PartnerUnit.exists().where(
        (PartnerUnit.contact_user == actor.id) & (PartnerUnit.active == True)  # noqa: E712
    )


def _waiting_in(branch_ids: list[int]) -> Any:
    return (
        Need.branch.is_in(branch_ids or [-1])
        & Need.volunteer.is_null()
        & (Need.status == loop.DISPATCHED)
    )


def _assigned_to(mine: _Mine) -> Any:
    return (
        Need.volunteer.is_in(mine.volunteers or [-1])
        | Need.unit.is_in(mine.units or [-1])
        | _waiting_in(list(mine.branches))
    )


async def _passed(actor: Actor, needs: list[dict[str, Any]]) -> set[Any]:
    """Ids of the needs waiting in a branch that the actor passed on since they were sent."""
    waiting = {row["id"]: row["dispatched_at"] for row in needs if _waits(row)}
    if not waiting:
        return set()
    rows = await NeedEvent.select(NeedEvent.need, NeedEvent.at).where(
        NeedEvent.need.is_in(list(waiting))
        & (NeedEvent.kind == "passed")
        & (NeedEvent.actor == actor.id)
    )
    return {row["need"] for row in rows if row["at"] >= waiting[row["need"]]}


def _waits(row: dict[str, Any]) -> bool:
    return party.waiting_in_branch(party.BranchTask(row["status"], row["branch"], row["volunteer"]))


async def tasks_of(actor: Actor) -> list[dict[str, Any]]:
    """Needs sent to the actor, their unit, or waiting in their party branch (unless they
    passed on it): those waiting for an answer first, then those being handled, then the
    finished ones; oldest first within each."""
    mine = await _mine(actor)
    if not mine:
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
            Need.branch,
            Need.volunteer,
            Need.community.name_zh.as_alias("community_name_zh"),
            Need.community.name_en.as_alias("community_name_en"),
            Need.unit.name_zh.as_alias("unit_name_zh"),
            Need.unit.name_en.as_alias("unit_name_en"),
            Need.branch.name_zh.as_alias("branch_name_zh"),
            Need.branch.name_en.as_alias("branch_name_en"),
        )
        .where(_assigned_to(mine))
        .order_by(Need.dispatched_at)
        .limit(300)
    )
    passed = await _passed(actor, rows)
    rows = [{**row, "via_branch": _waits(row)} for row in rows if row["id"] not in passed]
    rank = {loop.DISPATCHED: 0, loop.ACCEPTED: 1}
    return sorted(rows, key=lambda row: rank.get(row["status"], 2))


async def _branch_vote(actor: Actor, need: Need, mine: _Mine) -> int | None:
    """The actor's volunteer id in the branch the need waits in, unless they passed on it."""
    task = party.BranchTask(need.status, need.branch, need.volunteer)
    if need.branch not in mine.branches or not party.may_take(task, need.branch):
        return None
    if await NeedEvent.exists().where(
        (NeedEvent.need == need.id)
        & (NeedEvent.kind == "passed")
        & (NeedEvent.actor == actor.id)
        & (NeedEvent.at >= need.dispatched_at)
    ):
        return None
    return mine.branches[need.branch]


async def _is_assignee(actor: Actor, need: Need) -> bool:
    mine = await _mine(actor)
    return (
        (need.volunteer is not None and need.volunteer in mine.volunteers)
        or (need.unit is not None and need.unit in mine.units)
        or await _branch_vote(actor, need, mine) is not None
    )


TAKEN_BY_ANOTHER = "taken"
"""The rule of the refusal a branch member gets who accepts after another one took it."""


async def assigned_need(actor: Actor, need_id: str) -> Need:
    """The need if it was sent to the actor (or to the unit they are the contact of, or to
    their party branch and nobody took it yet)."""
    need = await Need.objects().where(Need.id == need_uuid(need_id)).first()
    if need is None:
        raise NotFound(_("There is no such task."))
    await _require_assignee(actor, need)
    return need


async def _locked_task(actor: Actor, need_id: Any) -> Need:
    """Re-read inside the transaction: staff may have sent it elsewhere meanwhile, or another
    member of the branch taken it."""
    need = await locked(need_id)
    await _require_assignee(actor, need)
    return need


async def _require_assignee(actor: Actor, need: Need) -> None:
    """404 unless the need is the actor's task; a need another member of their branch took
    (and they did not pass on) is a 409 that says so."""
    if await _is_assignee(actor, need):
        return
    mine = await _mine(actor)
    if (
        need.branch in mine.branches
        and need.volunteer is not None
        and need.volunteer not in mine.volunteers
        and need.status in loop.ACTIVE
    ):
        raise Conflict(
            _("Another member of your party branch took this need first."),
            rule=TAKEN_BY_ANOTHER,
        )
    raise NotFound(_("There is no such task."))


async def _taker_branch(need: Need, volunteer_id: int | None) -> int | None:
    """The party branch of the volunteer who accepts: the need counts as taken by a party
    member (and, sent through the branch, stays marked with it)."""
    if volunteer_id is None:
        return None
    row = await Volunteer.select(Volunteer.branch).where(Volunteer.id == volunteer_id).first()
    return row["branch"] if row else None


async def accept(actor: Actor, need_id: str, *, now: datetime) -> Need:
    """Take the need: sent to a party branch, the first member to accept it takes it."""
    need = await assigned_need(actor, need_id)
    async with write_transaction(lock_key(need.id)):
        current = await _locked_task(actor, need.id)
        require_status(current, loop.MAY_ACCEPT)
        taker = current.volunteer
        if taker is None and current.unit is None:
            taker = await _branch_vote(actor, current, await _mine(actor))
        await save_step(
            need.id,
            {
                Need.status: loop.ACCEPTED,
                Need.accepted_at: now,
                Need.volunteer: taker,
                Need.branch: await _taker_branch(current, taker),
            },
            now,
        )
        await add_event(need.id, "accepted", actor_id=actor.id, now=now)
        await need_notices.tell_reporter(current, "accepted", need_notices.ACCEPTED, now=now)
        return await locked(need.id)


async def _pass(actor: Actor, current: Need, reason: str, now: datetime) -> None:
    """A member cannot take a need waiting in their branch: it leaves their list; when no
    member is left who has not passed, it goes back to the staff."""
    await add_event(current.id, "passed", actor_id=actor.id, now=now, detail=reason)
    assert current.branch is not None
    members = set((await branch_members([current.branch]))[current.branch])
    rows = await NeedEvent.select(NeedEvent.actor).where(
        (NeedEvent.need == current.id)
        & (NeedEvent.kind == "passed")
        & (NeedEvent.at >= current.dispatched_at)
    )
    if not party.all_passed(members, {row["actor"] for row in rows}):
        return
    await save_step(current.id, {Need.status: loop.OPEN, Need.branch: None}, now)
    await add_event(current.id, "returned", actor_id=None, now=now)
    await need_notices.tell_staff(current, "returned", need_notices.BRANCH_RETURNED, now=now)


async def decline(actor: Actor, need_id: str, *, reason: str, now: datetime) -> Need:
    """Give the need back to the staff with a reason: it is open again, with no helper. A
    need waiting in the actor's party branch is only passed on (see the module's text)."""
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
        if current.volunteer is None and current.unit is None:
            await _pass(actor, current, reason, now)
            return await locked(need.id)
        await save_step(
            need.id,
            {Need.status: loop.OPEN, Need.volunteer: None, Need.unit: None, Need.branch: None},
            now,
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
