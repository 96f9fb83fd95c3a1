"""Party branches (党支部) of a community and its party-member volunteers (党员志愿者): staff
create, rename and retire branches and mark a volunteer as a party member of one; the
volunteer sees their own branch on their volunteer page; everyone else sees at most a count
of at least `needs.logic.party.MIN_PUBLIC_COUNT` people (`public_party_members`).

Staff change their own communities only (administrators: all): another community's branches
are `Forbidden`, and a branch or volunteer of another community is `NotFound`, as if it did
not exist; and a volunteer can only
be marked as a member of a branch of their own community. Every change is audited in its
transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from piccolo.query.functions.aggregate import Count

from app import audit
from app.db import existing, write_transaction
from app.errors import Forbidden, NotFound, RuleViolation
from app.formfields import Fields, typed_id
from app.i18n import _
from app.permissions import Actor, staff_service
from app.tables import Community
from needs.logic import loop, party
from needs.logic.kinds import VolunteerStatus
from needs.logic.permissions import can_manage_branches
from needs.tables import Need, PartyBranch, Volunteer


@dataclass
class BranchForm:
    name_zh: str = ""
    name_en: str = ""


@dataclass
class MembershipForm:
    branch: str = ""
    """The id of a branch of the volunteer's community, or empty: not a party member."""


async def _audit(
    actor: Actor, action: str, subject: str, subject_id: int, community_id: int, now: datetime,
    before: Any, after: Any,
) -> None:  # fmt: skip
    await audit.record(
        actor_id=actor.id,
        action=action,
        subject_type=subject,
        subject_id=subject_id,
        community_id=community_id,
        before=before,
        after=after,
        now=now,
    )


def _names(form: BranchForm) -> tuple[str, str]:
    fields = Fields()
    name_zh = fields.text(
        form.name_zh,
        "name_zh",
        max_length=party.MAX_BRANCH_NAME,
        required=_("Enter the branch's Chinese name."),
        single_line=True,
    )
    name_en = fields.text(
        form.name_en, "name_en", max_length=party.MAX_BRANCH_NAME, single_line=True
    )
    fields.check()
    return name_zh, name_en


@staff_service
async def branches_of(actor: Actor, community: Community) -> list[dict[str, Any]]:
    """The community's branches, active first, by name, each with `members`: its approved
    volunteers who are party members."""
    if not can_manage_branches(actor, community.id):
        raise Forbidden(_("Only staff of this community may see its party branches."))
    rows = await PartyBranch.select(*PartyBranch.all_columns()).where(
        PartyBranch.community == community.id
    )
    counts = await (
        Volunteer.select(Volunteer.branch, Count(alias="n"))
        .where(
            Volunteer.branch.is_in([row["id"] for row in rows] or [-1])
            & (Volunteer.status == VolunteerStatus.approved.value)
        )
        .group_by(Volunteer.branch)
    )
    members = {row["branch"]: row["n"] for row in counts}
    return sorted(
        ({**row, "members": members.get(row["id"], 0)} for row in rows),
        key=lambda row: (not row["active"], row["name_zh"], row["id"]),
    )


async def managed_branch(actor: Actor, branch_id: int) -> PartyBranch:
    """The branch if the actor manages its community; else the same 404 as for none."""
    branch = await PartyBranch.objects().where(PartyBranch.id == branch_id).first()
    if branch is None or not can_manage_branches(actor, branch.community):
        raise NotFound(_("There is no such party branch."))
    return branch


@staff_service
async def create_branch(
    actor: Actor, community: Community, form: BranchForm, *, now: datetime
) -> PartyBranch:
    if not can_manage_branches(actor, community.id):
        raise Forbidden(_("Only staff of this community may see its party branches."))
    name_zh, name_en = _names(form)
    async with write_transaction(f"branches:{community.id}"):
        branch = PartyBranch(
            community=community.id,
            name_zh=name_zh,
            name_en=name_en,
            active=True,
            created_at=now,
            updated_at=now,
        )
        await branch.save()
        after = {"name_zh": name_zh, "name_en": name_en}
        await _audit(actor, "branch.created", "branch", branch.id, community.id, now, None, after)
    return branch


@staff_service
async def rename_branch(actor: Actor, branch_id: int, form: BranchForm, *, now: datetime) -> bool:
    """Rename it; False when nothing changed."""
    branch = await managed_branch(actor, branch_id)
    name_zh, name_en = _names(form)
    before = {"name_zh": branch.name_zh, "name_en": branch.name_en}
    after = {"name_zh": name_zh, "name_en": name_en}
    if before == after:
        return False
    async with write_transaction(f"branches:{branch.community}"):
        await PartyBranch.update(
            {
                PartyBranch.name_zh: name_zh,
                PartyBranch.name_en: name_en,
                PartyBranch.updated_at: now,
            }
        ).where(PartyBranch.id == branch.id)
        await _audit(
            actor, "branch.renamed", "branch", branch.id, branch.community, now, before, after
        )
    return True


@staff_service
async def set_branch_active(
    actor: Actor, branch_id: int, active: bool, *, now: datetime
) -> PartyBranch:
    """Retire a branch (it gets no more needs; its members stay marked, and it keeps its
    history) or bring it back. A branch with needs waiting in it is not retired: staff send
    them elsewhere first."""
    branch = await managed_branch(actor, branch_id)
    async with write_transaction(f"branches:{branch.community}"):
        if not active and await Need.exists().where(
            (Need.branch == branch.id) & Need.volunteer.is_null() & (Need.status == loop.DISPATCHED)
        ):
            raise RuleViolation(
                "branch_has_needs",
                _("Needs are waiting in this branch: send them elsewhere before retiring it."),
            )
        if branch.active != active:
            await PartyBranch.update(
                {PartyBranch.active: active, PartyBranch.updated_at: now}
            ).where(PartyBranch.id == branch.id)
            await _audit(
                actor,
                "branch.reactivated" if active else "branch.retired",
                "branch",
                branch.id,
                branch.community,
                now,
                {"active": branch.active},
                {"active": active},
            )
    branch.active = active
    return branch


@staff_service
async def set_membership(
    actor: Actor, volunteer_id: int, form: MembershipForm, *, now: datetime
) -> Volunteer:
    """Mark the volunteer as a party member of a branch of their community (an active one),
    or unmark them (an empty `branch`)."""
    volunteer = await Volunteer.objects().where(Volunteer.id == volunteer_id).first()
    if volunteer is None or not can_manage_branches(actor, volunteer.community):
        raise NotFound(_("There is no such volunteer."))
    value = form.branch.strip()
    branch_id = typed_id(value) if value else None
    if value and value == str(volunteer.branch):
        return volunteer  # kept as it was, even in a branch retired since
    if value:
        row = (
            await PartyBranch.select(PartyBranch.community, PartyBranch.active)
            .where(PartyBranch.id == (branch_id or -1))
            .first()
        )
        if row is None or row["community"] != volunteer.community or not row["active"]:
            fields = Fields()
            fields.error("branch", _("Choose an active party branch of the volunteer's community."))
            fields.check()
    if volunteer.branch == branch_id:
        return volunteer
    async with write_transaction(f"volunteer:{volunteer.user}"):
        await Volunteer.update({Volunteer.branch: branch_id}).where(Volunteer.id == volunteer.id)
        await _audit(
            actor,
            "volunteer.party_member" if branch_id else "volunteer.not_party_member",
            "volunteer",
            volunteer.id,
            volunteer.community,
            now,
            {"branch": volunteer.branch},
            {"branch": branch_id},
        )
    volunteer.branch = branch_id
    return volunteer


async def own_branch(user_id: int, community_id: int) -> dict[str, Any] | None:
    """The branch the user is a party member of in the community, for their own volunteer
    page (names only)."""
    row = (
        await Volunteer.select(
            Volunteer.branch.name_zh.as_alias("name_zh"),
            Volunteer.branch.name_en.as_alias("name_en"),
            Volunteer.branch.active.as_alias("active"),
        )
        .where(
            (Volunteer.user == user_id)
            & (Volunteer.community == community_id)
            & Volunteer.branch.is_not_null()
        )
        .first()
    )
    return row if row and row["active"] else None


async def party_member_count(community_id: int) -> int:
    """Approved volunteers of the community who are party members of one of its active
    branches."""
    return await Volunteer.count().where(
        (Volunteer.community == community_id)
        & (Volunteer.status == VolunteerStatus.approved.value)
        & (Volunteer.branch.active == True)  # noqa: E712
        & (Volunteer.branch.community == community_id)
    )


async def public_party_members(community_id: int) -> int | None:
    """The count of the community's party-member volunteers that may be shown publicly:
    None below `MIN_PUBLIC_COUNT`."""
    return party.public_count(await party_member_count(community_id))


async def community_of_branch(branch: PartyBranch) -> Community:
    return existing(await Community.objects().where(Community.id == branch.community).first())


async def community_of_volunteer(actor: Actor, volunteer_id: int) -> Community:
    """The community of a volunteer the actor manages; else 404."""
    row = await Volunteer.select(Volunteer.community).where(Volunteer.id == volunteer_id).first()
    if row is None or not can_manage_branches(actor, row["community"]):
        raise NotFound(_("There is no such volunteer."))
    return existing(await Community.objects().where(Community.id == row["community"]).first())
