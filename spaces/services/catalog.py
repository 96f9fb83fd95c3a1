"""Reading spaces: the list, one space with its community, its zone, rules and calendar (weekly
hours, dated hours, closures, holidays), and the spaces of the actor's communities.

Other domains use `list_spaces`, `get_space` and `zone_of`.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from app.calendar import Calendar, Interval, WeeklyHours, parse_ranges
from app.db import gather
from app.errors import NotFound
from app.i18n import _
from app.permissions import Actor, staff_service
from app.queries import in_staff_scope, overlapping
from app.tables import Community, PublicHoliday
from spaces.logic.kinds import SpaceKind
from spaces.logic.permissions import can_manage_space, space_refused
from spaces.logic.rules import Rules
from spaces.tables import Space, SpaceClosure, SpaceSpecialHours


def zone_of(space: Space) -> ZoneInfo:
    """The space's time zone, in which its hours, slots and dates are."""
    return ZoneInfo(space.timezone)


def community_id(space: Space) -> int:
    """The id of the space's community, whether or not the query joined the community."""
    community: Any = space.community
    return int(community.id if isinstance(community, Community) else community)


def weekly_spec(space: Space) -> dict[str, str]:
    """The space's weekly hours as `{"mon": "09:00-12:00", …}` (JSON comes back as text)."""
    value = space.weekly_hours
    if isinstance(value, str):
        value = json.loads(value) if value else {}
    return dict(value or {})


def weekly_hours_of(space: Space) -> WeeklyHours:
    return WeeklyHours.parse(weekly_spec(space))


def rules_of(space: Space) -> Rules:
    return Rules(
        capacity=space.capacity,
        slot_minutes=space.slot_minutes,
        min_duration_minutes=space.min_duration_minutes,
        max_duration_minutes=space.max_duration_minutes,
        lead_time_minutes=space.lead_time_minutes,
        horizon_days=space.horizon_days,
        cancel_cutoff_minutes=space.cancel_cutoff_minutes,
        buffer_minutes=space.buffer_minutes,
        quota_day_minutes=space.quota_day_minutes,
        quota_day_count=space.quota_day_count,
        quota_week_minutes=space.quota_week_minutes,
        quota_week_count=space.quota_week_count,
        max_active_bookings=space.max_active_bookings,
        max_party_size=space.max_party_size,
        requires_approval=space.requires_approval,
    )


async def list_spaces(*, community: str | None = None, kind: str | None = None) -> list[Space]:
    """Active spaces, by community then slug, optionally of one community or kind."""
    communities = {c.id: c for c in await Community.objects()}
    query = Space.objects().where(Space.active == True)  # noqa: E712
    if kind in {k.value for k in SpaceKind}:
        query = query.where(Space.kind == kind)
    spaces = []
    for space in await query:
        space.community = communities[space.community]
        if community and space.community.slug != community:
            continue
        spaces.append(space)
    return sorted(spaces, key=lambda s: (s.community.slug, s.slug))


_COMMUNITY_COLUMNS = ", ".join(
    f'community."{column._meta.db_column_name}" AS "community__{column._meta.db_column_name}"'
    for column in Community._meta.columns
)


async def get_space(slug: str, *, include_inactive: bool = False) -> Space:
    """The active space at `slug` with its community (staff may ask for inactive ones).

    Every space page and API call starts here, so it is one plain SQL statement: Piccolo's
    builder spends longer assembling a joined query (about 4 ms) than SQLite answering it.
    """
    return await _space_where("space.slug", slug, include_inactive)


async def reread_space(space: Space, *, include_inactive: bool = False) -> Space:
    """The space read again by its id, inside the caller's write transaction of it, so its
    hours, rules and capacity are those the lock protects; "not found" if it was deactivated
    meanwhile (unless `include_inactive`)."""
    return await _space_where("space.id", space.id, include_inactive)


async def _space_where(column: str, value: Any, include_inactive: bool) -> Space:
    rows = await Space.raw(
        f"SELECT space.*, {_COMMUNITY_COLUMNS} FROM space "
        "JOIN community ON community.id = space.community "
        f"WHERE {column} = {{}} AND (space.active = {{}} OR space.active = {{}})",
        value,
        True,
        not include_inactive,
    )
    if not rows:
        raise NotFound(_("There is no space at this address."))
    row = rows[0]
    community = {
        k.removeprefix("community__"): v for k, v in row.items() if k.startswith("community__")
    }
    space = Space(
        _exists_in_db=True, **{k: v for k, v in row.items() if not k.startswith("community__")}
    )
    space.community = Community(_exists_in_db=True, **community)
    return space


async def calendar_of(space: Space, window: Interval) -> Calendar:
    """Weekly hours, dated hours, closures and (if it closes on them) holidays."""
    zone = zone_of(space)
    first_day = window.start.astimezone(zone).date() - timedelta(days=1)
    last_day = window.end.astimezone(zone).date()
    special_query = SpaceSpecialHours.select(
        SpaceSpecialHours.on_date, SpaceSpecialHours.hours
    ).where(
        (SpaceSpecialHours.space == space.id)
        & (SpaceSpecialHours.on_date >= first_day)
        & (SpaceSpecialHours.on_date <= last_day)
    )
    closure_query = SpaceClosure.select(SpaceClosure.starts_at, SpaceClosure.ends_at).where(
        (SpaceClosure.space == space.id)
        & overlapping(SpaceClosure.starts_at, SpaceClosure.ends_at, window.start, window.end)
        & SpaceClosure.units.is_null()
    )
    holiday_query = PublicHoliday.select(PublicHoliday.on_date).where(
        (PublicHoliday.on_date >= first_day)
        & (PublicHoliday.on_date <= last_day)
        & (PublicHoliday.is_workday == False)  # noqa: E712
    )
    special_rows, closure_rows, holiday_rows = await gather(
        special_query.run(),
        closure_query.run(),
        holiday_query.run() if space.closed_on_holidays else _nothing(),
    )
    holidays = frozenset(r["on_date"] for r in holiday_rows)
    return Calendar(
        zone=zone,
        weekly=weekly_hours_of(space),
        special={r["on_date"]: parse_ranges(r["hours"]) for r in special_rows},
        closures=tuple(Interval(r["starts_at"], r["ends_at"]) for r in closure_rows),
        closed_dates=holidays,
    )


async def _nothing() -> list[dict[str, Any]]:
    return []


async def communities_with_spaces() -> list[Community]:
    ids = await Space.select(Space.community).where(Space.active == True).distinct()  # noqa: E712
    if not ids:
        return []
    return (
        await Community.objects()
        .where(Community.id.is_in([row["community"] for row in ids]))
        .order_by(Community.slug)
    )


async def managed_spaces(actor: Actor, *, include_inactive: bool = False) -> list[Space]:
    """The spaces of the actor's communities (all for administrators)."""
    query = Space.objects(Space.community)
    if not include_inactive:
        query = query.where(Space.active == True)  # noqa: E712
    query = query.where(in_staff_scope(actor, Space.community))
    return await query.order_by(Space.community.slug).order_by(Space.slug)


@staff_service
async def managed_space(actor: Actor, slug: str) -> Space:
    """The space at `slug` (active or not) for its community's staff; `Forbidden` for
    anyone else."""
    space = await get_space(slug, include_inactive=True)
    if not can_manage_space(actor, community_id(space)):
        raise space_refused()
    return space
