"""Reading spaces: the list, one space with its community, its zone, rules and calendar (weekly
hours, dated hours, closures, holidays), and the spaces of the actor's communities.

Other domains use `list_spaces`, `get_space` and `zone_of`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from app.calendar import Calendar, Interval, TimeRange, WeeklyHours, parse_ranges
from app.db import fetch_by_key, fetch_together, fetch_tuples, row_object
from app.errors import NotFound
from app.i18n import _
from app.permissions import Actor, staff_service
from app.queries import in_staff_scope
from app.tables import Community
from spaces.logic.availability import HeldUnits
from spaces.logic.kinds import SpaceKind
from spaces.logic.permissions import can_manage_space, space_refused
from spaces.logic.rules import Rules
from spaces.queries.spaces import HoldsRead, holds_read, instant
from spaces.tables import Space


def zone_of(space: Space | SpaceStamp) -> ZoneInfo:
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


@dataclass(frozen=True)
class SpaceStamp:
    """An active space's identity, version, names and what bounds its page, with its
    community's names: what a page rendered once is found by (and what a look refused for a
    bound shows), read without the rest of the rows."""

    id: int
    created_at: datetime
    version: int
    slug: str
    name_zh: str
    name_en: str
    timezone: str
    horizon_days: int | None
    community_names: tuple[str, str, str]
    """The community's slug, Chinese and English names (a visitor's page shows them)."""


async def space_stamp(slug: str) -> SpaceStamp:
    """The `SpaceStamp` of the active space at `slug`; "not found" otherwise."""
    rows = await fetch_by_key(
        "SELECT space.id, space.created_at, space.version, space.slug, space.name_zh, "
        "space.name_en, space.timezone, "
        "space.horizon_days, community.slug AS community_slug, community.name_zh AS "
        "community_zh, community.name_en AS community_en FROM space "
        "JOIN community ON community.id = space.community "
        "WHERE space.slug = {} AND space.active = {}",
        slug,
        True,
    )
    if not rows:
        raise NotFound(_("There is no space at this address."))
    row = rows[0]
    return SpaceStamp(
        row["id"],
        instant(row["created_at"]),
        row["version"],
        row["slug"],
        row["name_zh"],
        row["name_en"],
        row["timezone"],
        row["horizon_days"],
        (row["community_slug"], row["community_zh"], row["community_en"]),
    )


async def get_space(slug: str, *, include_inactive: bool = False) -> Space:
    """The active space at `slug` with its community (staff may ask for inactive ones).

    Every space page and API call starts here, so it is one plain SQL statement read by
    key (`fetch_by_key`): Piccolo's builder spends longer assembling a joined query (about
    4 ms) than SQLite answering it.
    """
    return (await _space_where("space.slug", slug, include_inactive))[0]


async def reread_space(space: Space, *, include_inactive: bool = False) -> Space:
    """The space read again by its id, inside the caller's write transaction of it, so its
    hours, rules and capacity are those the lock protects; "not found" if it was deactivated
    meanwhile (unless `include_inactive`)."""
    return (await _space_where("space.id", space.id, include_inactive))[0]


async def reread_space_and_key(space: Space, user_id: int, key: str | None) -> tuple[Space, Any]:
    """`reread_space`, and in the same statement the id of the person's booking made under
    the idempotency `key` (None without one, or when there is none)."""
    if key is None:
        return await reread_space(space), None
    return await _space_where("space.id", space.id, False, EARLIER_BOOKING_SQL, (user_id, key))


async def _space_where(
    column: str,
    value: Any,
    include_inactive: bool,
    earlier_sql: str = "",
    earlier_args: tuple[Any, ...] = (),
) -> tuple[Space, Any]:
    sql, args = _space_read(column, value, include_inactive, earlier_sql, earlier_args)
    return _space_from(await fetch_by_key(sql, *args))


def _space_read(
    column: str,
    value: Any,
    include_inactive: bool,
    earlier_sql: str = "",
    earlier_args: tuple[Any, ...] = (),
) -> tuple[str, tuple[Any, ...]]:
    earlier = f", ({earlier_sql}) AS earlier__booking" if earlier_sql else ""
    sql = (
        f"SELECT space.*, {_COMMUNITY_COLUMNS}{earlier} FROM space "
        "JOIN community ON community.id = space.community "
        f"WHERE {column} = {{}} AND (space.active = {{}} OR space.active = {{}})"
    )
    return sql, (*earlier_args, value, True, not include_inactive)


def _space_from(rows: list[dict[str, Any]]) -> tuple[Space, Any]:
    if not rows:
        raise NotFound(_("There is no space at this address."))
    row = rows[0]
    earlier_id = row.pop("earlier__booking", None)
    community = {
        k.removeprefix("community__"): v for k, v in row.items() if k.startswith("community__")
    }
    space = row_object(Space, {k: v for k, v in row.items() if not k.startswith("community__")})
    space.community = row_object(Community, community)
    return space, earlier_id


EARLIER_BOOKING_SQL = 'SELECT id FROM booking WHERE "user" = {} AND idempotency_key = {}'


@dataclass(frozen=True)
class LockedRead:
    """A booking's one read under its space's lock (`reread_for_booking`)."""

    space: Space
    earlier_id: Any
    """The id of the person's booking under the idempotency key, or None."""
    checks: tuple[Calendar, HeldUnits] | None
    """The calendar of the checks' window and the holds of the request's span; None when
    the space read differs in what shapes those reads (they are then read again)."""


async def reread_for_booking(
    space: Space,
    user_id: int,
    key: str | None,
    *,
    window: Interval,
    held_window: Interval,
) -> LockedRead:
    """`reread_space_and_key`, and beside it the calendar of `window` and the holds of
    `held_window` (`calendar_and_held`), shaped by `space` as read before the lock: in one
    trip to the database on SQLite. The calendar and holds are kept only when the space read
    under the lock shapes those reads the same way (and are built with its weekly hours and
    capacity), so they are exactly what reading them after it would give."""
    earlier = (EARLIER_BOOKING_SQL, (user_id, key)) if key is not None else ("", ())
    space_sql, space_args = _space_read("space.id", space.id, False, *earlier)
    guess = _checks_read(space, window, held_window)
    space_rows, check_rows = await fetch_together(
        (space_sql, space_args, False), (guess[0], guess[1], True)
    )
    locked, earlier_id = _space_from(space_rows)
    sql, args, holds = _checks_read(locked, window, held_window)
    if (sql, args) != guess[:2]:
        return LockedRead(locked, earlier_id, None)
    return LockedRead(
        locked, earlier_id, (_calendar_from(locked, check_rows), holds.held_units(check_rows))
    )


CALENDAR_SQL = (
    "SELECT 'hours' AS kind, on_date, hours, NULL AS starts_at, NULL AS ends_at, "
    # Typed: PostgreSQL would take two untyped NULLs for text, and the holds read beside
    # this one (`spaces.queries.spaces.HOLDS_SQL`) has whole numbers here.
    "CAST(NULL AS INTEGER) AS units "
    "FROM space_special_hours WHERE space = {} AND on_date >= {} AND on_date <= {} "
    "UNION ALL SELECT 'closure', NULL, NULL, starts_at, ends_at, NULL FROM space_closure "
    "WHERE space = {} AND starts_at < {} AND ends_at > {} AND units IS NULL"
)
HOLIDAYS_SQL = (
    " UNION ALL SELECT 'holiday', on_date, NULL, NULL, NULL, NULL FROM public_holiday "
    "WHERE on_date >= {} AND on_date <= {} AND is_workday = {}"
)


def _calendar_read(space: Space, window: Interval) -> tuple[str, list[Any]]:
    zone = zone_of(space)
    first_day = window.start.astimezone(zone).date() - timedelta(days=1)
    last_day = window.end.astimezone(zone).date()
    args: list[Any] = [space.id, first_day, last_day, space.id, window.end, window.start]
    sql = CALENDAR_SQL
    if space.closed_on_holidays:
        sql += HOLIDAYS_SQL
        args += [first_day, last_day, False]
    return sql, args


def _calendar_from(space: Space, rows: list[Sequence[Any]]) -> Calendar:
    """The calendar from the rows of `CALENDAR_SQL` as tuples (others are skipped)."""
    special: dict[date, tuple[TimeRange, ...]] = {}
    closures: list[Interval] = []
    holidays: set[date] = set()
    for kind, on_date, hours, starts_at, ends_at, _units in rows:
        if kind == "closure":
            closures.append(Interval(instant(starts_at), instant(ends_at)))
        elif kind == "hours":
            special[_day(on_date)] = parse_ranges(hours)
        elif kind == "holiday":
            holidays.add(_day(on_date))
    return Calendar(
        zone=zone_of(space),
        weekly=weekly_hours_of(space),
        special=special,
        closures=tuple(sorted(closures, key=lambda c: (c.start, c.end))),
        closed_dates=frozenset(holidays),
    )


async def calendar_of(space: Space, window: Interval) -> Calendar:
    """Weekly hours, dated hours, closures and (if it closes on them) holidays, read in one
    statement (closures that block only some units are holds, not closures)."""
    sql, args = _calendar_read(space, window)
    return _calendar_from(space, await fetch_tuples(sql, *args))


async def calendar_and_held(space: Space, window: Interval) -> tuple[Calendar, HeldUnits]:
    """`calendar_of(space, window)` and `held_units(space, window)`, read in one statement."""
    sql, args, holds = _checks_read(space, window, window)
    rows = await fetch_tuples(sql, *args, walked=True)
    return _calendar_from(space, rows), holds.held_units(rows)


def _checks_read(
    space: Space, window: Interval, held_window: Interval
) -> tuple[str, tuple[Any, ...], HoldsRead]:
    """The one statement of `calendar_of(space, window)` and `held_units(space,
    held_window)`, its arguments, and how to read its holds."""
    sql, args = _calendar_read(space, window)
    holds = holds_read(space, held_window)
    return f"{sql} UNION ALL {holds.sql}", (*args, *holds.args), holds


def _day(value: date | str) -> date:
    """A date from a compound SELECT (SQLite may give its text)."""
    return date.fromisoformat(value) if isinstance(value, str) else value


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
