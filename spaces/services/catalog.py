"""Reading spaces: the list, one space's calendar, rules and availability.

The one overlap query lives here (`overlapping`), used by availability and by the booking
transaction alike.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from piccolo.columns.combination import Where

from app.cache import VersionedCache
from app.calendar import Calendar, Interval, WeeklyHours, parse_ranges, wall_to_utc
from app.db import gather
from app.errors import Forbidden, NotFound
from app.i18n import _, format_date
from app.permissions import Actor, can_manage_community
from app.queries import in_staff_scope
from app.tables import Community, PublicHoliday, User
from spaces.logic.availability import Hold, Slot, Usage, slots
from spaces.logic.kinds import SpaceKind
from spaces.logic.rules import QuotaLeft, Rules, quota_left
from spaces.logic.statuses import COUNTING, BookingStatus, WaitlistStatus
from spaces.tables import Booking, Space, SpaceClosure, SpaceSpecialHours


def zone_of(space: Space) -> ZoneInfo:
    return ZoneInfo(space.timezone)


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
    rows = await Space.raw(
        f"SELECT space.*, {_COMMUNITY_COLUMNS} FROM space "
        "JOIN community ON community.id = space.community "
        "WHERE space.slug = {} AND (space.active = {} OR space.active = {})",
        slug,
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


async def touch(space_id: Any) -> None:
    """Mark the space's availability as changed (call inside the changing transaction).

    Every change to confirmed bookings, hours or closures must call this, because the
    availability caches are keyed by the version it bumps.
    """
    await Space.update({Space.version: Space.version + 1}).where(Space.id == space_id)


def overlapping(space_id: Any, start: datetime, end: datetime) -> Where:
    """Bookings of the space that overlap `[start, end)`."""
    return (Booking.space == space_id) & (Booking.starts_at < end) & (Booking.ends_at > start)


HOLDS_SQL = (
    "SELECT starts_at, ends_at, units, 1 AS buffered FROM booking "
    "WHERE space = {} AND starts_at < {} AND ends_at > {} AND status = {} "
    "UNION ALL SELECT starts_at, ends_at, units, 0 FROM space_closure "
    "WHERE space = {} AND starts_at < {} AND ends_at > {} AND units IS NOT NULL "
    "UNION ALL SELECT starts_at, ends_at, units, 1 FROM waitlist_entry "
    "WHERE space = {} AND starts_at < {} AND ends_at > {} AND status = {}"
)


async def holding_usage(space: Space, window: Interval) -> Usage:
    """Units held around `window`: by confirmed bookings and waitlist offers (each with the
    turnaround buffer) and by maintenance blocks. One query, the same on both engines."""
    buffer = timedelta(minutes=space.buffer_minutes)
    start, end = window.start - buffer, window.end
    rows = await Booking.raw(
        HOLDS_SQL,
        *(space.id, end, start, BookingStatus.confirmed.value),
        *(space.id, end, window.start),
        *(space.id, end, start, WaitlistStatus.offered.value),
    )
    return Usage(
        [
            Hold(
                _instant(r["starts_at"]),
                _instant(r["ends_at"]) + (buffer if r["buffered"] else ZERO),
                r["units"],
            )
            for r in rows
        ]
    )


ZERO = timedelta(0)


def _instant(value: datetime | str) -> datetime:
    """A timestamp from a raw query: engines give a datetime; SQLite gives text for the
    columns of a compound SELECT after the first."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


async def spans_of(user_id: int, space_id: Any, since: datetime) -> list[Interval]:
    """The user's pending and confirmed bookings of the space ending after `since`."""
    rows = await Booking.select(Booking.starts_at, Booking.ends_at).where(
        (Booking.user == user_id)
        & (Booking.space == space_id)
        & Booking.status.is_in(list(COUNTING))
        & (Booking.ends_at > since)
    )
    return [Interval(r["starts_at"], r["ends_at"]) for r in rows]


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
        & (SpaceClosure.starts_at < window.end)
        & (SpaceClosure.ends_at > window.start)
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


def local_day_window(first_day: date, days: int, zone: ZoneInfo) -> Interval:
    """From local midnight of `first_day` to local midnight `days` later, in UTC."""
    start = wall_to_utc(datetime.combine(first_day, time()), zone)
    end = wall_to_utc(datetime.combine(first_day + timedelta(days=days), time()), zone)
    return Interval(start, end)


@dataclass(frozen=True)
class SlotView:
    start: datetime
    end: datetime
    free_units: int
    bookable: bool
    reason: str | None = None
    """Why a slot with free units cannot start a booking: `past`, `lead_time`, `horizon`, or
    `too_short` (the shortest allowed booking does not fit from here)."""


@dataclass
class Availability:
    space: Space
    zone: ZoneInfo
    rules: Rules
    first_day: date
    days: list[tuple[date, list[SlotView]]]
    quota: list[QuotaLeft]
    open_intervals: list[Interval]
    """Open time from the first day into what bookings starting in it may reach."""


def refusal_reasons(
    found: list[Slot],
    rules: Rules,
    open_intervals: list[Interval],
    usage: Usage,
    now: datetime,
) -> list[str | None]:
    """For each slot, why one unit cannot be booked from it for the shortest allowed
    length: `capacity`, `past`, `lead_time`, `horizon` or `too_short`; None if it can.

    The same rules as `spaces.rules.timing_refusals`, with their thresholds computed once,
    since a week has hundreds of slots.
    """
    length = timedelta(minutes=max(rules.slot_minutes, rules.min_duration_minutes or 0))
    buffer = rules.buffer
    earliest = now + timedelta(minutes=rules.lead_time_minutes or 0)
    latest_end = now + timedelta(days=rules.horizon_days) if rules.horizon_days else None
    reasons: list[str | None] = []
    index = 0
    for slot in found:
        end = slot.start + length
        if slot.free_units < 1:
            reasons.append("capacity")
        elif slot.start < now:
            reasons.append("past")
        elif slot.start < earliest:
            reasons.append("lead_time")
        elif latest_end is not None and end > latest_end:
            reasons.append("horizon")
        else:
            while index < len(open_intervals) and open_intervals[index].end <= slot.start:
                index += 1
            inside = index < len(open_intervals) and (
                open_intervals[index].start <= slot.start and end <= open_intervals[index].end
            )
            if inside and usage.peak(slot.start, end + buffer) < rules.capacity:
                reasons.append(None)
            else:
                reasons.append("too_short")
    return reasons


_week_cache: VersionedCache[tuple[list[tuple[date, list[SlotView]]], list[Interval]]] = (
    VersionedCache(max_entries=512)
)


def _minute_after(now: datetime) -> datetime:
    """`now` rounded up to the minute: availability computed for it holds for a whole minute
    and errs on the safe side (a slot that starts this minute is already past)."""
    rounded = now.replace(second=0, microsecond=0)
    return rounded if rounded == now else rounded + timedelta(minutes=1)


async def _slots_by_day(
    space: Space, rules: Rules, zone: ZoneInfo, first_day: date, days: int, now: datetime
) -> tuple[list[tuple[date, list[SlotView]]], list[Interval]]:
    window = local_day_window(first_day, days, zone)
    # A booking starting in the window may run past its end (23:30 for two hours).
    longest = timedelta(
        minutes=max(
            rules.slot_minutes, rules.min_duration_minutes or 0, rules.max_duration_minutes or 480
        )
    )
    reach = Interval(window.start, window.end + longest)
    calendar, usage = await gather(calendar_of(space, reach), holding_usage(space, reach))
    # gather() gives one type to all its results; each is what its read returns.
    assert isinstance(calendar, Calendar) and isinstance(usage, Usage)
    open_intervals = calendar.open_intervals(window)
    reachable = calendar.open_intervals(reach)
    found = slots(open_intervals, zone, rules.slot_minutes, rules.capacity, usage)
    # Local midnights as instants, so each slot finds its day without a zone conversion.
    midnights = [local_day_window(first_day, i, zone).end for i in range(1, days + 1)]
    by_day: list[tuple[date, list[SlotView]]] = [
        (first_day + timedelta(days=i), []) for i in range(days)
    ]
    day_index = 0
    for slot, refusal in zip(
        found, refusal_reasons(found, rules, reachable, usage, now), strict=True
    ):
        while day_index < days and slot.start >= midnights[day_index]:
            day_index += 1
        if day_index < days:
            by_day[day_index][1].append(
                SlotView(slot.start, slot.end, slot.free_units, refusal is None, refusal)
            )
    return by_day, reachable


async def availability(
    space: Space, first_day: date, days: int, *, now: datetime, user_id: int | None = None
) -> Availability:
    """The slots of `days` local days from `first_day`, with free units and bookability.

    The slots are cached per process by the space's version and the minute; what the person
    has left of their quotas is not.
    """
    zone = zone_of(space)
    rules = rules_of(space)
    minute = _minute_after(now)
    # created_at as well as the id: an id may be reused after a space is deleted.
    key = (space.id, space.created_at, space.version, first_day, days, minute)
    cached = _week_cache.get(key)
    if cached is None:
        cached = await _slots_by_day(space, rules, zone, first_day, days, minute)
        _week_cache.put(key, cached)
    by_day, reachable = cached
    quota: list[QuotaLeft] = []
    if user_id is not None:
        window_start = local_day_window(first_day, 1, zone).start
        mine = await spans_of(user_id, space.id, min(now, window_start))
        quota = quota_left(rules, zone, now, mine, max(first_day, now.astimezone(zone).date()))
    return Availability(space, zone, rules, first_day, by_day, quota, reachable)


async def communities_with_spaces() -> list[Community]:
    ids = await Space.select(Space.community).where(Space.active == True).distinct()  # noqa: E712
    if not ids:
        return []
    return (
        await Community.objects()
        .where(Community.id.is_in([row["community"] for row in ids]))
        .order_by(Community.slug)
    )


async def no_shows_since(user_id: int, since: datetime) -> list[datetime]:
    """Start times of the person's no-shows after `since`, oldest first."""
    rows = (
        await Booking.select(Booking.starts_at)
        .where(
            (Booking.user == user_id)
            & (Booking.status == BookingStatus.no_show.value)
            & (Booking.starts_at > since)
        )
        .order_by(Booking.starts_at)
    )
    return [row["starts_at"] for row in rows]


async def no_show_block(user: User, community: Community | None, now: datetime) -> str | None:
    """Why the person may not book because of no-shows, or None."""
    if community is None or not community.no_show_limit:
        return None
    window = timedelta(days=community.no_show_window_days)
    missed = await no_shows_since(user.id, now - window)
    if len(missed) < community.no_show_limit:
        return None
    until = missed[len(missed) - community.no_show_limit] + window
    return _(
        "You missed %(n)s bookings without checking in within %(days)s days, so you cannot "
        "book until %(date)s.",
        n=len(missed),
        days=community.no_show_window_days,
        date=format_date(until),
    )


@dataclass(frozen=True)
class RatingSummary:
    average: float | None
    count: int
    recent: list[dict[str, Any]]
    """The newest comments staff have not hidden: `stars`, `comment`, `rated_at`; never who."""


RECENT_COMMENTS = 5


_ratings_cache: VersionedCache[RatingSummary] = VersionedCache(256)


async def ratings_of(space: Space) -> RatingSummary:
    """What residents thought of the space, for its public page; cached by the space's
    version, which rating and hiding a comment bump."""
    key = (space.id, space.created_at, space.version)
    summary = _ratings_cache.get(key)
    if summary is None:
        summary = await _ratings_from_database(space)
        _ratings_cache.put(key, summary)
    return summary


async def _ratings_from_database(space: Space) -> RatingSummary:
    totals, recent = await gather(
        Booking.raw(
            "SELECT AVG(rating) AS average, COUNT(rating) AS count FROM booking "
            "WHERE space = {} AND rating IS NOT NULL",
            space.id,
        ).run(),
        Booking.select(
            Booking.rating.as_alias("stars"),
            Booking.rating_comment.as_alias("comment"),
            Booking.rated_at,
        )
        .where(
            (Booking.space == space.id)
            & Booking.rating.is_not_null()
            & (Booking.rating_comment != "")
            & (Booking.rating_hidden == False)  # noqa: E712
        )
        .order_by(Booking.rated_at, ascending=False)
        .limit(RECENT_COMMENTS)
        .run(),
    )
    average = totals[0]["average"]
    return RatingSummary(
        round(float(average), 1) if average is not None else None, totals[0]["count"], recent
    )


async def managed_spaces(actor: Actor, *, include_inactive: bool = False) -> list[Space]:
    """The spaces of the actor's communities (all for administrators)."""
    query = Space.objects(Space.community)
    if not include_inactive:
        query = query.where(Space.active == True)  # noqa: E712
    query = query.where(in_staff_scope(actor, Space.community))
    return await query.order_by(Space.community.slug).order_by(Space.slug)


async def managed_space(actor: Actor, slug: str) -> Space:
    """The space if the actor manages its community (active or not)."""
    space = await get_space(slug, include_inactive=True)
    if not can_manage_community(actor, space.community.id):
        raise Forbidden(_("Only staff of this space's community may manage it."))
    return space
