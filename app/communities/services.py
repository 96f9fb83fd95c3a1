"""Reading and managing the district's streets and communities."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from app import audit
from app.db import write_transaction
from app.errors import FieldError, Forbidden, InputError, NotFound
from app.formfields import Fields
from app.i18n import _, localized
from app.permissions import Actor, can_manage_community, can_manage_resident, staff_service
from app.queries import in_staff_scope
from app.tables import Community, District, Street, User


@dataclass
class StreetGroup:
    street: dict[str, Any]
    communities: list[dict[str, Any]] = field(default_factory=list)


async def communities_by_street() -> list[StreetGroup]:
    """Every street with its communities, ordered by slug, for menus and the home page."""
    streets = await Street.select().order_by(Street.slug)
    groups = {row["id"]: StreetGroup(street=row) for row in streets}
    for row in await Community.select().order_by(Community.slug):
        groups[row["street"]].communities.append(row)
    return [group for group in groups.values() if group.communities]


async def district() -> dict[str, Any] | None:
    return await District.select().order_by(District.id).first()


async def community_page(*, after: str | None, limit: int) -> list[dict[str, Any]]:
    """Communities ordered by slug, after the slug `after`, with their street's slug and names."""
    query = Community.select(
        Community.slug,
        Community.name_zh,
        Community.name_en,
        Community.street.slug.as_alias("street_slug"),
        Community.street.name_zh.as_alias("street_name_zh"),
        Community.street.name_en.as_alias("street_name_en"),
    ).order_by(Community.slug)
    if after:
        query = query.where(Community.slug > after)
    return await query.limit(limit)


async def all_communities() -> list[Community]:
    return await Community.objects().order_by(Community.slug)


async def community_of(user: User) -> Community | None:
    """The person's community with its street, or None for someone without one."""
    if not user.community:
        return None
    return await Community.objects(Community.street).where(Community.id == user.community).first()


async def get_community(slug: str) -> Community:
    community = await Community.objects().where(Community.slug == slug).first()
    if community is None:
        raise NotFound(_("There is no community at this address."))
    return community


def _require_manager(actor: Actor, community: Community) -> None:
    if not can_manage_community(actor, community.id):
        raise Forbidden(
            _("Only staff of %(community)s may do this.", community=localized(community, "name"))
        )


@staff_service
async def managed_community(actor: Actor, slug: str) -> Community:
    """The community at `slug` if `actor` may manage it (404 before 403, like any lookup)."""
    community = await get_community(slug)
    _require_manager(actor, community)
    return community


async def managed_communities(actor: Actor) -> list[Community]:
    return (
        await Community.objects()
        .where(in_staff_scope(actor, Community.id))
        .order_by(Community.slug)
    )


@staff_service
async def update_settings(
    actor: Actor,
    community: Community,
    *,
    residents_need_approval: bool,
    contact_verification: bool,
    no_show_limit: str = "",
    no_show_window_days: str = "30",
    followup_after_days: str | None = None,
    autoclose_after_days: str | None = None,
    latitude: str | None = None,
    longitude: str | None = None,
    now: datetime,
) -> None:
    """Change how the community admits residents, how it treats no-shows, when a need left
    unrated waits for a 回访 and closes, and where its centre is (WGS-84 decimal degrees, both
    or neither; None keeps those as they are)."""
    _require_manager(actor, community)
    errors = []
    limit = None
    if no_show_limit.strip():
        try:
            limit = int(no_show_limit)
        except ValueError:
            limit = -1
        if not 1 <= limit <= 100:
            errors.append(
                FieldError("no_show_limit", _("Enter a number from 1 to 100, or leave it empty."))
            )
    try:
        window = int(no_show_window_days or "30")
    except ValueError:
        window = -1
    if not 1 <= window <= 365:
        errors.append(FieldError("no_show_window_days", _("Enter a number of days from 1 to 365.")))
    followup, autoclose = _followup_days(
        community,
        community.followup_after_days if followup_after_days is None else followup_after_days,
        community.autoclose_after_days if autoclose_after_days is None else autoclose_after_days,
        errors,
    )
    centre = (
        (community.latitude, community.longitude)
        if latitude is None and longitude is None
        else _centre(latitude or "", longitude or "", errors)
    )
    if errors:
        raise InputError(errors)
    before = {
        "residents_need_approval": community.residents_need_approval,
        "contact_verification": community.contact_verification,
        "no_show_limit": community.no_show_limit,
        "no_show_window_days": community.no_show_window_days,
        "followup_after_days": community.followup_after_days,
        "autoclose_after_days": community.autoclose_after_days,
        "latitude": community.latitude,
        "longitude": community.longitude,
    }
    after = {
        "residents_need_approval": residents_need_approval,
        "contact_verification": contact_verification,
        "no_show_limit": limit,
        "no_show_window_days": window,
        "followup_after_days": followup,
        "autoclose_after_days": autoclose,
        "latitude": centre[0],
        "longitude": centre[1],
    }
    before, after = audit.changes(before, after)
    if not after:
        return
    async with write_transaction():
        await Community.update(
            {
                Community.residents_need_approval: residents_need_approval,
                Community.contact_verification: contact_verification,
                Community.no_show_limit: limit,
                Community.no_show_window_days: window,
                Community.followup_after_days: followup,
                Community.autoclose_after_days: autoclose,
                Community.latitude: centre[0],
                Community.longitude: centre[1],
            }
        ).where(Community.id == community.id)
        await audit.record(
            actor_id=actor.id,
            action="community.settings",
            subject_type="community",
            subject_id=community.slug,
            community_id=community.id,
            before=before,
            after=after,
            now=now,
        )


MAX_FOLLOWUP_DAYS = 60
MAX_AUTOCLOSE_DAYS = 365


def _days(value: str | int) -> int | None:
    try:
        return int(str(value).strip())
    except ValueError:
        return None


def _followup_days(
    community: Community,
    followup_value: str | int,
    autoclose_value: str | int,
    errors: list[FieldError],
) -> tuple[int, int]:
    """The days after which a done, unrated need waits for a 回访 (1–60) and after which it
    closes without rating (after the first, at most 365); invalid values add to `errors`."""
    followup = _days(followup_value)
    if followup is None or not 1 <= followup <= MAX_FOLLOWUP_DAYS:
        errors.append(
            FieldError(
                "followup_after_days",
                _("Enter a number of days from 1 to %(n)s.", n=MAX_FOLLOWUP_DAYS),
            )
        )
        followup = community.followup_after_days
    autoclose = _days(autoclose_value)
    if autoclose is None or not followup < autoclose <= MAX_AUTOCLOSE_DAYS:
        errors.append(
            FieldError(
                "autoclose_after_days",
                _(
                    "Enter a number of days more than the days to a follow-up (%(followup)s) "
                    "and at most %(n)s.",
                    followup=followup,
                    n=MAX_AUTOCLOSE_DAYS,
                ),
            )
        )
        autoclose = community.autoclose_after_days
    return followup, autoclose


def _centre(
    latitude: str, longitude: str, errors: list[FieldError]
) -> tuple[float | None, float | None]:
    """The community's centre from the settings form: both coordinates, or neither (no
    centre); invalid values add to `errors`."""
    fields = Fields()
    if not latitude.strip() and not longitude.strip():
        return None, None
    both = _("Enter both the latitude and the longitude, or leave both empty.")
    lat = fields.degrees(latitude, "latitude", bound=90) if latitude.strip() else None
    lon = fields.degrees(longitude, "longitude", bound=180) if longitude.strip() else None
    if not latitude.strip():
        fields.error("latitude", both)
    if not longitude.strip():
        fields.error("longitude", both)
    errors.extend(fields.errors)
    return lat, lon


async def residents_awaiting_approval(community: Community) -> list[User]:
    return (
        await User.objects()
        .where(
            (User.community == community.id)
            & User.resident_approved_at.is_null()
            & (User.active == True)  # noqa: E712
        )
        .order_by(User.created_at)
    )


async def resident_count(community: Community) -> int:
    return await User.count().where(User.community == community.id)


@staff_service
async def approve_resident(
    actor: Actor, community: Community, resident_id: int, *, now: datetime
) -> User:
    """Confirm a new resident of `community`; residents of other communities are not found."""
    resident = (
        await User.objects()
        .where((User.id == resident_id) & (User.community == community.id))
        .first()
    )
    if resident is None:
        raise NotFound(_("There is no such resident in this community."))
    if not can_manage_resident(actor, resident):
        raise Forbidden(
            _("Only staff of %(community)s may do this.", community=localized(community, "name"))
        )
    if resident.resident_approved_at is not None:
        return resident
    async with write_transaction():
        await User.update({User.resident_approved_at: now}).where(User.id == resident.id)
        await audit.record(
            actor_id=actor.id,
            action="resident.approved",
            subject_type="user",
            subject_id=resident.id,
            community_id=community.id,
            after={"resident_approved_at": now.isoformat()},
            now=now,
        )
    resident.resident_approved_at = now
    return resident


def slug_problem(slug: str) -> FieldError | None:
    if (
        not slug
        or len(slug) > 64
        or not all(c.isascii() and (c.isalnum() or c == "-") for c in slug)
    ):
        return FieldError("slug", _("Use lower-case letters, digits and hyphens."))
    return None


async def ensure_district(slug: str, name_zh: str, name_en: str) -> District:
    """The district at `slug`, created if missing (existing names are kept)."""
    row = await District.objects().where(District.slug == slug).first()
    if row is None:
        row = District(slug=slug, name_zh=name_zh, name_en=name_en)
        await row.save()
    return row


async def ensure_street(district: District, slug: str, name_zh: str, name_en: str) -> Street:
    row = await Street.objects().where(Street.slug == slug).first()
    if row is None:
        row = Street(district=district.id, slug=slug, name_zh=name_zh, name_en=name_en)
        await row.save()
    return row


async def ensure_community(street: Street, slug: str, name_zh: str, name_en: str) -> Community:
    if problem := slug_problem(slug):
        raise InputError([problem])
    row = await Community.objects().where(Community.slug == slug).first()
    if row is None:
        row = Community(street=street.id, slug=slug, name_zh=name_zh, name_en=name_en)
        await row.save()
    return row
