"""What staff do with their communities' needs (派单): the queue, sending a need to a
volunteer or a partner unit, and closing it with a reason. Every change is written to the
audit log in its transaction; another community's need is a need that does not exist."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from app import audit
from app.db import write_transaction
from app.errors import NotFound
from app.formfields import Fields, typed_id
from app.i18n import _, localized, ngettext
from app.permissions import Actor, staff_service
from app.queries import in_staff_scope
from needs.logic import loop
from needs.logic.kinds import VolunteerStatus
from needs.logic.labels import CATEGORY_LABELS, STATUS_LABELS, categories_of
from needs.logic.permissions import can_close_need, can_dispatch_need, can_see_need_as_staff
from needs.queries.assignees import branch_members, helper_user_id
from needs.services import dashboard, need_notices
from needs.services.transitions import (
    add_event,
    audit_step,
    lock_key,
    locked,
    need_uuid,
    require_status,
    save_step,
)
from needs.tables import Need, PartnerUnit, PartyBranch, Project, Resource, Volunteer

QUEUE_LIMIT = 500
ACTIVE_FILTER = "active"
ALL_FILTER = "all"
FOLLOWUP_FILTER = "followup"
"""Done and waiting for a 回访 (待回访), as on the dashboard."""


async def need_for(
    actor: Actor, need_id: str, may: Callable[[Actor, int], bool] = can_see_need_as_staff
) -> Need:
    """The need if `may(actor, its community)`; else the same 404 as for no need at all."""
    need = await Need.objects().where(Need.id == need_uuid(need_id)).first()
    if need is None or not may(actor, need.community):
        raise NotFound(_("There is no such need."))
    return need


@staff_service
async def managed_need(actor: Actor, need_id: str) -> Need:
    """The need if the actor is staff of its community (or an administrator); else 404."""
    return await need_for(actor, need_id)


@dataclass
class QueueFilter:
    status: str = ACTIVE_FILTER
    """`active` (open, sent or being handled), `all`, `followup`, or one status."""
    category: str = ""
    community: str = ""
    """A community's slug."""


async def queue(
    actor: Actor, filters: QueueFilter, *, now: datetime | None = None
) -> list[dict[str, Any]]:
    """The needs of the actor's communities: open ones first, then the rest; oldest first.
    The `followup` filter counts the days to a 回访 up to `now` (without it, it finds none)."""
    query = Need.select(
        Need.id,
        Need.category,
        Need.description,
        Need.place,
        Need.status,
        Need.created_at,
        Need.times_reopened,
        Need.reporter_kind,
        Need.photo,
        Need.community.slug.as_alias("community_slug"),
        Need.community.name_zh.as_alias("community_name_zh"),
        Need.community.name_en.as_alias("community_name_en"),
        Need.volunteer._.user._.name.as_alias("volunteer_name"),
        Need.unit.name_zh.as_alias("unit_name_zh"),
        Need.unit.name_en.as_alias("unit_name_en"),
        Need.branch.name_zh.as_alias("branch_name_zh"),
        Need.branch.name_en.as_alias("branch_name_en"),
    ).where(in_staff_scope(actor, Need.community))
    if filters.status == FOLLOWUP_FILTER:
        waiting = await dashboard.followup_scope(actor, now) if now is not None else None
        query = query.where(waiting if waiting is not None else Need.id.is_null())
    elif filters.status in STATUS_LABELS:
        query = query.where(Need.status == filters.status)
    elif filters.status != ALL_FILTER:
        query = query.where(Need.status.is_in(list(loop.ACTIVE)))
    if filters.category in CATEGORY_LABELS:
        query = query.where(Need.category == filters.category)
    if filters.community:
        query = query.where(Need.community.slug == filters.community)
    rows = await query.order_by(Need.created_at).limit(QUEUE_LIMIT)
    return sorted(rows, key=lambda row: loop.queue_order(row["status"], row["created_at"]))


# --- sending a need to a helper --------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    """A volunteer, a partner unit or a party branch a need can be sent to."""

    key: str
    """`volunteer:3`, `unit:7` or `branch:2`, as the dispatch form sends it."""
    kind: str
    name: str
    categories: list[str]
    detail: str
    """Skills of a volunteer, kind of a unit, members of a branch."""


async def branch_candidates(community_id: int) -> list[Candidate]:
    """The community's active party branches with at least one member to take a need."""
    branches = await (
        PartyBranch.select(PartyBranch.id, PartyBranch.name_zh, PartyBranch.name_en)
        .where((PartyBranch.community == community_id) & (PartyBranch.active == True))  # noqa: E712
        .order_by(PartyBranch.name_zh)
    )
    members = await branch_members([row["id"] for row in branches])
    return [
        Candidate(
            loop.helper_key("branch", row["id"]),
            "branch",
            localized(row, "name"),
            [],
            ngettext(
                "%(num)s party member",
                "%(num)s party members",
                len(members[row["id"]]),
                num=len(members[row["id"]]),
            ),
        )
        for row in branches
        if members[row["id"]]
    ]


async def candidates(need: Need) -> tuple[list[Candidate], list[Candidate]]:
    """Approved volunteers and active partner units of the need's community: the party
    branches (any of their members may take any need), then those whose categories include
    the need's, then the others."""
    volunteers = await Volunteer.select(
        Volunteer.id,
        Volunteer.categories,
        Volunteer.skills,
        Volunteer.user.name.as_alias("name"),
    ).where(
        (Volunteer.community == need.community)
        & (Volunteer.status == VolunteerStatus.approved.value)
    )
    units = await PartnerUnit.select(
        PartnerUnit.id,
        PartnerUnit.categories,
        PartnerUnit.kind,
        PartnerUnit.name_zh,
        PartnerUnit.name_en,
    ).where((PartnerUnit.community == need.community) & (PartnerUnit.active == True))  # noqa: E712
    found = [
        Candidate(
            loop.helper_key("volunteer", row["id"]),
            "volunteer",
            row["name"],
            categories_of(row["categories"]),
            row["skills"],
        )
        for row in sorted(volunteers, key=lambda row: row["name"])
    ] + [
        Candidate(
            loop.helper_key("unit", row["id"]),
            "unit",
            localized(row, "name"),
            categories_of(row["categories"]),
            row["kind"],
        )
        for row in sorted(units, key=lambda row: row["name_zh"])
    ]
    matching = [c for c in found if need.category in c.categories]
    branches = await branch_candidates(need.community)
    return branches + matching, [c for c in found if need.category not in c.categories]


async def projects_of(community_id: int) -> list[dict[str, Any]]:
    return await (
        Project.select(Project.id, Project.title_zh, Project.title_en)
        .where((Project.community == community_id) & (Project.active == True))  # noqa: E712
        .order_by(Project.title_zh)
    )


async def resources_of(community_id: int) -> list[dict[str, Any]]:
    return await (
        Resource.select(
            Resource.id,
            Resource.title_zh,
            Resource.title_en,
            Resource.category,
            Resource.unit.name_zh.as_alias("unit_name_zh"),
            Resource.unit.name_en.as_alias("unit_name_en"),
        )
        .where((Resource.community == community_id) & (Resource.active == True))  # noqa: E712
        .order_by(Resource.category)
        .order_by(Resource.title_zh)
    )


@dataclass
class DispatchForm:
    helper: str = ""
    """`volunteer:<id>`, `unit:<id>` or `branch:<id>`."""
    project: str = ""
    resources: list[str] | str = field(default_factory=list)
    """Ids of resources used; a form with one ticked sends a single string."""
    helper_note: str = ""
    """For the helper: what to look at, whom to call."""


@dataclass(frozen=True)
class _Helper:
    kind: str
    row_id: int
    user_id: int | None
    name: str
    members: tuple[int, ...] = ()
    """For a branch: the user ids of its members, told of the need."""
    names: dict[str, str] | None = None
    """For a branch: `name_zh` and `name_en`, for the members' notifications."""


async def _read_branch(need: Need, row_id: int, fields: Fields) -> _Helper | None:
    row = (
        await PartyBranch.select(
            PartyBranch.community, PartyBranch.active, PartyBranch.name_zh, PartyBranch.name_en
        )
        .where(PartyBranch.id == row_id)
        .first()
    )
    if row is None or row["community"] != need.community or not row["active"]:
        fields.error(
            "helper", _("This branch is not an active party branch of the need's community.")
        )
        return None
    members = (await branch_members([row_id]))[row_id]
    if not members:
        fields.error("helper", _("This branch has no party-member volunteers to take the need."))
        return None
    return _Helper("branch", row_id, None, row["name_zh"], tuple(sorted(members)), row)


async def _still_active(need: Need, branch_id: int) -> None:
    """Inside the dispatch's transaction: the branch was not retired since the form was read."""
    fields = Fields()
    await _read_branch(need, branch_id, fields)
    fields.check()


async def _read_helper(need: Need, value: str, fields: Fields) -> _Helper | None:
    parsed = loop.parse_helper_key(value)
    if parsed is None:
        fields.error("helper", _("Choose a volunteer, a partner unit or a party branch."))
        return None
    kind, row_id = parsed
    if kind == "branch":
        return await _read_branch(need, row_id, fields)
    if kind == "volunteer":
        row = (
            await Volunteer.select(
                Volunteer.community,
                Volunteer.status,
                Volunteer.user,
                Volunteer.user.name.as_alias("name"),
            )
            .where(Volunteer.id == row_id)
            .first()
        )
        if (
            row is None
            or row["community"] != need.community
            or row["status"] != VolunteerStatus.approved.value
        ):
            fields.error(
                "helper", _("This volunteer is not an approved volunteer of the need's community.")
            )
            return None
        return _Helper(kind, row_id, row["user"], row["name"])
    row = (
        await PartnerUnit.select(
            PartnerUnit.community,
            PartnerUnit.active,
            PartnerUnit.contact_user,
            PartnerUnit.name_zh,
        )
        .where(PartnerUnit.id == row_id)
        .first()
    )
    if row is None or row["community"] != need.community or not row["active"]:
        fields.error(
            "helper", _("This partner unit is not an active partner of the need's community.")
        )
        return None
    return _Helper(kind, row_id, row["contact_user"], row["name_zh"])


async def _read_project(need: Need, value: str, fields: Fields) -> int | None:
    value = value.strip()
    if not value:
        return None
    row = (
        await Project.select(Project.id)
        .where((Project.id == (typed_id(value) or -1)) & (Project.community == need.community))
        .first()
    )
    if row is None:
        fields.error("project", _("Choose a project of the need's community."))
        return None
    return row["id"]


async def _read_resources(need: Need, value: list[str] | str, fields: Fields) -> list[int]:
    chosen = [value] if isinstance(value, str) else value
    chosen = [item.strip() for item in chosen if item.strip()]
    if not chosen:
        return []
    ids = sorted({number for item in chosen if (number := typed_id(item)) is not None})
    found = await Resource.select(Resource.id).where(
        Resource.id.is_in(ids or [-1]) & (Resource.community == need.community)
    )
    if len(ids) != len(chosen) or len(found) != len(ids):
        fields.error("resources", _("Choose resources of the need's community."))
        return []
    return ids


def _snapshot(need: Need) -> dict[str, Any]:
    return {
        "status": need.status,
        "volunteer": need.volunteer,
        "unit": need.unit,
        "branch": need.branch,
        "project": need.project,
        "resources": loop.resource_ids(need.resources),
    }


@staff_service
async def dispatch(actor: Actor, need_id: str, form: DispatchForm, *, now: datetime) -> Need:
    """Send an open need (or one sent but not yet accepted) to a volunteer, a partner unit
    or a party branch of its community, optionally with a project and the resources used.
    The helper (every member of a branch) and the reporter are told; a helper it is taken
    from is told too. A reporter without an account
    who agreed gets a text message the first time the need is sent, not when it is sent again
    (to another helper, after a decline or a reopening)."""
    need = await need_for(actor, need_id, can_dispatch_need)
    fields = Fields()
    helper = await _read_helper(need, form.helper, fields)
    project_id = await _read_project(need, form.project, fields)
    resources = await _read_resources(need, form.resources, fields)
    note = fields.text(form.helper_note, "helper_note", max_length=loop.MAX_NOTE)
    fields.check()
    assert helper is not None
    # A branch is retired under its community's lock: take it too, and read the branch again.
    branch_lock = (f"branches:{need.community}",) if helper.kind == "branch" else ()
    async with write_transaction(lock_key(need.id), *branch_lock):
        current = await locked(need.id)
        require_status(current, loop.MAY_DISPATCH)
        if helper.kind == "branch":
            await _still_active(need, helper.row_id)
        previous = await helper_user_id(current)
        values = {
            Need.status: loop.DISPATCHED,
            Need.volunteer: helper.row_id if helper.kind == "volunteer" else None,
            Need.unit: helper.row_id if helper.kind == "unit" else None,
            Need.branch: helper.row_id if helper.kind == "branch" else None,
            Need.project: project_id,
            Need.resources: resources,
            Need.dispatched_at: now,
        }
        await save_step(need.id, values, now)
        await add_event(
            need.id,
            "dispatched_branch" if helper.kind == "branch" else "dispatched",
            actor_id=actor.id,
            now=now,
            detail=f"{helper.name}: {note}" if note else helper.name,
        )
        if previous is not None and previous != helper.user_id:
            await need_notices.tell_helper(
                previous, current, "taken_back", need_notices.TAKEN_BACK, now=now
            )
        for user_id in helper.members or (helper.user_id,):
            await need_notices.tell_helper(
                user_id,
                current,
                "dispatched",
                need_notices.DISPATCHED_TO_BRANCH
                if helper.kind == "branch"
                else need_notices.DISPATCHED_TO_HELPER,
                now=now,
                branch=lambda: localized(helper.names or {}, "name"),
            )
        await need_notices.tell_reporter(
            current, "dispatched", need_notices.DISPATCHED_TO_REPORTER, now=now
        )
        if current.dispatched_at is None:  # the first sending only: one text per need
            await need_notices.text_reporter(current, need_notices.TEXT_DISPATCHED, now=now)
        updated = await locked(need.id)
        before, after = audit.changes(_snapshot(current), _snapshot(updated))
        await audit_step(actor.id, "need.dispatched", need, now=now, before=before, after=after)
        return updated


@staff_service
async def withdraw(actor: Actor, need_id: str, *, reason: str, now: datetime) -> Need:
    """Close a need that is not one (or is solved elsewhere), with a reason the reporter reads."""
    need = await need_for(actor, need_id, can_close_need)
    fields = Fields()
    reason = fields.text(
        reason,
        "reason",
        max_length=loop.MAX_REASON,
        required=_("Tell the person who filed it why it is closed."),
    )
    fields.check()
    async with write_transaction(lock_key(need.id)):
        current = await locked(need.id)
        require_status(current, loop.MAY_STAFF_WITHDRAW)
        helper = await helper_user_id(current)
        await save_step(need.id, {Need.status: loop.WITHDRAWN, Need.withdrawn_at: now}, now)
        await add_event(need.id, "withdrawn", actor_id=actor.id, now=now, detail=reason)
        await need_notices.tell_reporter(
            current, "withdrawn", need_notices.WITHDRAWN_BY_STAFF, now=now, reason=reason
        )
        await need_notices.tell_helper(
            helper, current, "withdrawn", need_notices.WITHDRAWN_FOR_HELPER, now=now
        )
        await audit_step(
            actor.id,
            "need.withdrawn",
            need,
            now=now,
            before={"status": current.status},
            after={"status": loop.WITHDRAWN, "reason": reason},
        )
        return await locked(need.id)
