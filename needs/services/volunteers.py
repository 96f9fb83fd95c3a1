"""Volunteers (志愿者): a signed-in resident offers to help their own community with some
categories of needs; staff of that community approve, decline (with a reason the applicant
reads) or retire them. The resident's page is `/needs/volunteer` (needs.web.volunteer); the
staff's page is needs.web.staff.volunteers.

A declined or retired volunteer may offer again: the same row (one per person and community)
goes back to `applied`. Every change is audited; why staff declined or retired someone is kept
in the audit entry and shown to them from there.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from app import audit
from app.communities.services import community_of
from app.db import existing, write_transaction
from app.errors import Forbidden, NotFound, RuleViolation
from app.formfields import Fields
from app.i18n import N_, _, localized
from app.notifications import notify_user
from app.permissions import Actor, staff_service
from app.queries import in_staff_scope
from app.tables import AuditEntry, Community
from needs.logic.labels import VOLUNTEER_STATUS_LABELS
from needs.logic.list_forms import read_categories
from needs.logic.permissions import can_decide_volunteer, can_see_volunteers, can_volunteer_in
from needs.services.need_notices import staff_user_ids
from needs.tables import Volunteer

SKILLS_MAX = 300
REASON_MAX = 300
OWN_PAGE = "/needs/volunteer"
STAFF_PAGE = "/staff/needs/volunteers"
APPLIED = N_("%(name)s offers to volunteer in %(community)s. Please confirm or decline.")
APPROVED = N_(
    "You are now a volunteer of %(community)s. Staff may send you needs you can help with."
)
DECLINED = N_("Your offer to volunteer in %(community)s was not accepted: %(reason)s")
RETIRED = N_("Staff of %(community)s ended your volunteering.")
RETIRED_BECAUSE = N_("Staff of %(community)s ended your volunteering: %(reason)s")


@dataclass
class VolunteerForm:
    community: str = ""
    """The slug of the community offered to: it must be the resident's own."""
    categories: list[str] | str = field(default_factory=list)
    skills: str = ""


@dataclass(frozen=True)
class Standing:
    """A person's volunteering in one community, and why staff ended it, if they did."""

    volunteer: Volunteer | None
    reason: str = ""


def _community_name(community: Community) -> Any:
    """The community's name in whichever language the notification is written."""
    return lambda: localized(community, "name")


async def _audit(
    actor: Actor, action: str, volunteer: Volunteer, now: datetime, before: Any, after: Any
) -> None:
    await audit.record(
        actor_id=actor.id,
        action=f"volunteer.{action}",
        subject_type="volunteer",
        subject_id=volunteer.id,
        community_id=volunteer.community,
        before=before,
        after=after,
        now=now,
    )


async def standing(user_id: int, community_id: int) -> Standing:
    volunteer = (
        await Volunteer.objects()
        .where((Volunteer.user == user_id) & (Volunteer.community == community_id))
        .first()
    )
    if volunteer is None or volunteer.status in ("applied", "approved"):
        return Standing(volunteer)
    last = (
        await AuditEntry.select(AuditEntry.actor, AuditEntry.action, AuditEntry.after)
        .where(
            (AuditEntry.subject_type == "volunteer") & (AuditEntry.subject_id == str(volunteer.id))
        )
        .order_by(AuditEntry.id, ascending=False)
        .first()
        .output(load_json=True)
    )
    by_staff = last and last["actor"] != user_id and last["action"] != "volunteer.update"
    return Standing(volunteer, (last["after"] or {}).get("reason", "") if by_staff else "")


async def own_standing(actor: Actor) -> tuple[Community | None, Standing]:
    """The actor's own community (None without one) and their volunteering there."""
    community = await community_of(actor.user)
    return community, await standing(actor.id, community.id) if community else Standing(None)


async def offer(actor: Actor, community_slug: str, form: VolunteerForm, *, now: datetime) -> str:
    """Offer to volunteer (or offer again, or change categories and skills) in the actor's
    own community; returns `applied` for a new offer, `updated` otherwise. Staff of the
    community are told of a new offer."""
    community = await Community.objects().where(Community.slug == community_slug).first()
    if community is None:
        raise NotFound(_("There is no community at this address."))
    if not can_volunteer_in(actor, community.id):
        raise Forbidden(_("You can volunteer only in your own community."))
    fields = Fields()
    categories = read_categories(fields, form.categories, "categories", required=True)
    skills = fields.text(form.skills, "skills", max_length=SKILLS_MAX)
    fields.check()
    async with write_transaction(f"volunteer:{actor.id}"):
        volunteer = (
            await Volunteer.objects()
            .where((Volunteer.user == actor.id) & (Volunteer.community == community.id))
            .first()
        )
        if volunteer is not None and volunteer.status in ("applied", "approved"):
            before, after = audit.changes(
                {"categories": volunteer.categories, "skills": volunteer.skills},
                {"categories": categories, "skills": skills},
            )
            if after:
                await Volunteer.update(**after).where(Volunteer.id == volunteer.id)
                await _audit(actor, "update", volunteer, now, before, after)
            return "updated"
        values: dict[str, Any] = {"categories": categories, "skills": skills, "status": "applied"}
        previous: dict[str, Any] | None = None
        if volunteer is None:
            volunteer = Volunteer(user=actor.id, community=community.id, applied_at=now, **values)
            await volunteer.save()
        else:
            previous = {"status": volunteer.status}
            await Volunteer.update(
                **values, applied_at=now, decided_at=None, decided_by=None
            ).where(Volunteer.id == volunteer.id)
        await _audit(actor, "apply", volunteer, now, previous, values)
        for staff_id in await staff_user_ids(community.id):
            await notify_user(
                staff_id,
                "needs.volunteer_applied",
                APPLIED,
                link=STAFF_PAGE,
                now=now,
                name=actor.user.name,
                community=_community_name(community),
            )
    return "applied"


async def retire_self(actor: Actor, community_id: int, *, now: datetime) -> None:
    """Withdraw one's offer or stop volunteering."""
    async with write_transaction(f"volunteer:{actor.id}"):
        volunteer = (
            await Volunteer.objects()
            .where((Volunteer.user == actor.id) & (Volunteer.community == community_id))
            .first()
        )
        if volunteer is None or volunteer.status not in ("applied", "approved"):
            return
        await Volunteer.update(
            {"status": "retired", "decided_at": now, "decided_by": actor.id}
        ).where(Volunteer.id == volunteer.id)
        await _audit(
            actor, "retire", volunteer, now, {"status": volunteer.status}, {"status": "retired"}
        )


# --- staff ----------------------------------------------------------------------------------


async def _managed_volunteer(actor: Actor, volunteer_id: int) -> tuple[Volunteer, Community]:
    volunteer = await Volunteer.objects().where(Volunteer.id == volunteer_id).first()
    if volunteer is None:
        raise NotFound(_("There is no such volunteer."))
    if not can_decide_volunteer(actor, volunteer.community):
        raise Forbidden(_("Only staff of this community may change its lists."))
    community = existing(
        await Community.objects().where(Community.id == volunteer.community).first()
    )
    return volunteer, community


async def _decide(
    actor: Actor,
    volunteer: Volunteer,
    community: Community,
    *,
    allowed_from: str,
    status: str,
    reason: str,
    now: datetime,
) -> None:
    """Move the volunteer from `allowed_from` to `status`, audit it and tell them."""
    async with write_transaction(f"volunteer:{volunteer.user}"):
        current = await Volunteer.select(Volunteer.status).where(Volunteer.id == volunteer.id)
        if current[0]["status"] != allowed_from:
            raise RuleViolation(
                "volunteer_status",
                _("This was already decided; the list shows where it stands now."),
            )
        await Volunteer.update({"status": status, "decided_at": now, "decided_by": actor.id}).where(
            Volunteer.id == volunteer.id
        )
        action = {"approved": "approve", "declined": "decline", "retired": "retire"}[status]
        after = {"status": status, **({"reason": reason} if reason else {})}
        await _audit(actor, action, volunteer, now, {"status": allowed_from}, after)
        if status == "approved":
            message = APPROVED
        elif status == "declined":
            message = DECLINED
        else:
            message = RETIRED_BECAUSE if reason else RETIRED
        await notify_user(
            volunteer.user,
            f"needs.volunteer_{status}",
            message,
            link=OWN_PAGE,
            now=now,
            community=_community_name(community),
            reason=reason,
        )


def _reason(text: str, *, required: bool) -> str:
    fields = Fields()
    reason = fields.text(
        text,
        "reason",
        max_length=REASON_MAX,
        required=_("Say why, for the applicant to read.") if required else None,
    )
    fields.check()
    return reason


@staff_service
async def approve(actor: Actor, volunteer_id: int, *, now: datetime) -> None:
    volunteer, community = await _managed_volunteer(actor, volunteer_id)
    await _decide(
        actor, volunteer, community, allowed_from="applied", status="approved", reason="", now=now
    )


@staff_service
async def decline(actor: Actor, volunteer_id: int, reason: str, *, now: datetime) -> None:
    """Turn an offer down; the applicant is told why."""
    volunteer, community = await _managed_volunteer(actor, volunteer_id)
    text = _reason(reason, required=True)
    await _decide(
        actor, volunteer, community, allowed_from="applied", status="declined", reason=text, now=now
    )


@staff_service
async def retire(actor: Actor, volunteer_id: int, reason: str, *, now: datetime) -> None:
    """End an approved volunteer's volunteering; the reason is optional."""
    volunteer, community = await _managed_volunteer(actor, volunteer_id)
    text = _reason(reason, required=False)
    await _decide(
        actor, volunteer, community, allowed_from="approved", status="retired", reason=text, now=now
    )


@staff_service
async def volunteers_of(actor: Actor, community_id: int | None = None) -> list[dict[str, Any]]:
    """Offers and volunteers of one community (or all the actor's): waiting offers first,
    then volunteers, then the rest; by name within each."""
    query = Volunteer.select(
        *Volunteer.all_columns(),
        Volunteer.user.name.as_alias("name"),
        Volunteer.user.login.as_alias("login"),
        Volunteer.community.name_zh.as_alias("community_name_zh"),
        Volunteer.community.name_en.as_alias("community_name_en"),
    )
    if community_id is not None:
        if not can_see_volunteers(actor, community_id):
            raise Forbidden(_("Only staff of this community may change its lists."))
        query = query.where(Volunteer.community == community_id)
    else:
        query = query.where(in_staff_scope(actor, Volunteer.community))
    rows = await query.order_by(Volunteer.user.name, Volunteer.id)
    order = list(VOLUNTEER_STATUS_LABELS)
    return sorted(rows, key=lambda row: order.index(row["status"]))
