"""A space's free and taken slots over some days, as the week grid and the API show them.

The slots are computed once per space version and minute and cached in the process; what
a person has left of their quotas is read for each request."""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from app.cache import VersionedCache
from app.calendar import Interval, clip, wall_to_utc
from spaces.logic.availability import local_day_window, slots
from spaces.logic.rules import QuotaLeft, Rules, quota_left, refusal_reasons
from spaces.queries.bookings import spans_of, upcoming_of
from spaces.services.catalog import calendar_and_held, rules_of, zone_of
from spaces.tables import Space


class SlotView(NamedTuple):
    """One slot as the week grid and the API show it (a named tuple, as `Slot`)."""

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
    calendar, held = await calendar_and_held(space, reach)
    reachable = calendar.open_intervals(reach)
    found = slots(clip(reachable, window), zone, rules.slot_minutes, rules.capacity, held.usage)
    reasons = refusal_reasons(found, rules, reachable, held, now)
    views = [
        SlotView(start, end, free_units, reason is None, reason)
        for (start, end, free_units), reason in zip(found, reasons, strict=True)
    ]
    # Each day's slots start before its local midnight (an instant: no zone conversion).
    starts = [view.start for view in views]
    ends = [
        bisect.bisect_left(starts, wall_to_utc(datetime.combine(day, time()), zone))
        for day in (first_day + timedelta(days=i) for i in range(1, days + 1))
    ]
    by_day = [
        (first_day + timedelta(days=i), views[ends[i - 1] if i else 0 : ends[i]])
        for i in range(days)
    ]
    return by_day, reachable


async def get_availability(
    space: Space, first_day: date, days: int, *, now: datetime, user_id: int | None = None
) -> Availability:
    """The slots of `days` local days from `first_day`, with free units and bookability.

    The slots are cached per process by the space's version and the minute; what the person
    has left of their quotas is not. The version covers everything the slots depend on:
    hours, closures, rules, bookings, and the public holidays (which bump the version of
    every space closed on them).
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
    # Without quota rules nothing is left to tell: the person's bookings are not read.
    if user_id is not None and rules.has_quotas:
        window_start = local_day_window(first_day, 1, zone).start
        mine = await spans_of(user_id, space.id, min(now, window_start))
        quota = quota_left(rules, zone, now, mine, max(first_day, now.astimezone(zone).date()))
    return Availability(space, zone, rules, first_day, by_day, quota, reachable)


MINE_SHOWN = 3
"""How many of a person's next bookings of a space its page lists."""


async def mine_at(user_id: int, space: Space, now: datetime) -> list[dict[str, Any]]:
    """The person's next bookings of the space (pending or confirmed, not yet ended)."""
    return await upcoming_of(user_id, space.id, now, MINE_SHOWN)
