"""Reading spaces: the list, one space's calendar, rules and availability.

The one overlap query lives here (`overlapping`), used by availability and by the booking
transaction alike.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from piccolo.columns.combination import Where

from app.calendar import Calendar, Interval, WeeklyHours, parse_ranges, wall_to_utc
from app.errors import NotFound
from app.i18n import _
from app.tables import Community, PublicHoliday
from spaces.availability import Slot, Usage, fits, holds_of, slots, within_open_hours
from spaces.rules import QuotaLeft, Request, Rules, quota_left, timing_refusals
from spaces.tables import Booking, BookingStatus, Space, SpaceClosure, SpaceKind, SpaceSpecialHours

HOLDING = (BookingStatus.confirmed.value,)
"""Statuses whose bookings hold units: a pending request holds nothing."""
COUNTING = (BookingStatus.pending.value, BookingStatus.confirmed.value)
"""Statuses that count towards a resident's quotas."""


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
    """Active spaces, by community then name, optionally of one community or kind."""
    query = Space.objects(Space.community).where(Space.active == True)  # noqa: E712
    if community:
        query = query.where(Space.community.slug == community)
    if kind in {k.value for k in SpaceKind}:
        query = query.where(Space.kind == kind)
    return await query.order_by(Space.community.slug).order_by(Space.slug)


async def get_space(slug: str) -> Space:
    space = (
        await Space.objects(Space.community, Space.community.street)
        .where((Space.slug == slug) & (Space.active == True))  # noqa: E712
        .first()
    )
    if space is None:
        raise NotFound(_("There is no space at this address."))
    return space


def overlapping(space_id: Any, start: datetime, end: datetime) -> Where:
    """Bookings of the space that overlap `[start, end)`."""
    return (Booking.space == space_id) & (Booking.starts_at < end) & (Booking.ends_at > start)


async def holding_usage(space: Space, window: Interval) -> Usage:
    """Units held by confirmed bookings (with buffers) around `window`."""
    buffer = timedelta(minutes=space.buffer_minutes)
    rows = await Booking.select(Booking.starts_at, Booking.ends_at, Booking.units).where(
        overlapping(space.id, window.start - buffer, window.end)
        & Booking.status.is_in(list(HOLDING))
    )
    return Usage(holds_of(((r["starts_at"], r["ends_at"], r["units"]) for r in rows), buffer))


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
    special_rows = await SpaceSpecialHours.select(
        SpaceSpecialHours.on_date, SpaceSpecialHours.hours
    ).where(
        (SpaceSpecialHours.space == space.id)
        & (SpaceSpecialHours.on_date >= first_day)
        & (SpaceSpecialHours.on_date <= last_day)
    )
    closure_rows = await SpaceClosure.select(SpaceClosure.starts_at, SpaceClosure.ends_at).where(
        (SpaceClosure.space == space.id)
        & (SpaceClosure.starts_at < window.end)
        & (SpaceClosure.ends_at > window.start)
    )
    holidays: frozenset[date] = frozenset()
    if space.closed_on_holidays:
        holiday_rows = await PublicHoliday.select(PublicHoliday.on_date).where(
            (PublicHoliday.on_date >= first_day)
            & (PublicHoliday.on_date <= last_day)
            & (PublicHoliday.is_workday == False)  # noqa: E712
        )
        holidays = frozenset(r["on_date"] for r in holiday_rows)
    return Calendar(
        zone=zone,
        weekly=weekly_hours_of(space),
        special={r["on_date"]: parse_ranges(r["hours"]) for r in special_rows},
        closures=tuple(Interval(r["starts_at"], r["ends_at"]) for r in closure_rows),
        closed_dates=holidays,
    )


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


def _refusal(
    slot: Slot,
    rules: Rules,
    open_intervals: list[Interval],
    usage: Usage,
    now: datetime,
) -> str | None:
    """Why one unit cannot be booked from this slot for the shortest allowed length."""
    if slot.free_units < 1:
        return "capacity"
    length = max(rules.slot_minutes, rules.min_duration_minutes or 0)
    span = Interval(slot.start, slot.start + timedelta(minutes=length))
    refusals = timing_refusals(rules, Request(span.start, span.end), now)
    if refusals:
        return refusals[0].rule
    if not within_open_hours(span, open_intervals) or not fits(
        span, 1, rules.capacity, rules.buffer, usage
    ):
        return "too_short"
    return None


async def availability(
    space: Space, first_day: date, days: int, *, now: datetime, user_id: int | None = None
) -> Availability:
    """The slots of `days` local days from `first_day`, with free units and bookability."""
    zone = zone_of(space)
    rules = rules_of(space)
    window = local_day_window(first_day, days, zone)
    calendar = await calendar_of(space, window)
    open_intervals = calendar.open_intervals(window)
    # A booking starting in the window may run past its end (23:30 for two hours).
    longest = timedelta(
        minutes=max(
            rules.slot_minutes, rules.min_duration_minutes or 0, rules.max_duration_minutes or 480
        )
    )
    reach = Interval(window.start, window.end + longest)
    usage = await holding_usage(space, reach)
    reachable = calendar.open_intervals(reach)
    by_day: dict[date, list[SlotView]] = {first_day + timedelta(days=i): [] for i in range(days)}
    for slot in slots(open_intervals, zone, rules.slot_minutes, rules.capacity, usage):
        day = slot.start.astimezone(zone).date()
        if day in by_day:
            refusal = _refusal(slot, rules, reachable, usage, now)
            by_day[day].append(
                SlotView(slot.start, slot.end, slot.free_units, refusal is None, refusal)
            )
    quota: list[QuotaLeft] = []
    if user_id is not None:
        mine = await spans_of(user_id, space.id, min(now, window.start))
        quota = quota_left(rules, zone, now, mine, max(first_day, now.astimezone(zone).date()))
    return Availability(space, zone, rules, first_day, sorted(by_day.items()), quota, reachable)


async def communities_with_spaces() -> list[Community]:
    ids = await Space.select(Space.community).where(Space.active == True).distinct()  # noqa: E712
    if not ids:
        return []
    return (
        await Community.objects()
        .where(Community.id.is_in([row["community"] for row in ids]))
        .order_by(Community.slug)
    )
