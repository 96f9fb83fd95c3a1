"""A space's free and taken slots over some days, as the week grid and the API show them.

The slots are computed once per space version and minute and cached in the process (a day
being computed for one request is waited for by the others that need it); what a person has
left of their quotas is read for each request."""

from __future__ import annotations

import asyncio
import bisect
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, NamedTuple, cast
from zoneinfo import ZoneInfo

from app.cache import VersionedCache
from app.calendar import Interval, clip, merge, wall_to_utc
from spaces.logic.availability import local_day_window, slot_grid
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


ByDay = list[tuple[date, list[SlotView]]]
DayEntry = tuple[list[SlotView], list[Interval]]
"""A day's slots and the open time bookings starting in it may reach."""
_week_cache: VersionedCache[tuple[ByDay, list[Interval]] | DayEntry]
_week_cache = VersionedCache(max_entries=512)
"""The slots of the days read, per space version and minute: each day on its own (a
`DayEntry`) where a day's slots are the same whatever days are read with it (`_days_apart`),
else the days read together."""
_computing: dict[tuple[asyncio.AbstractEventLoop, Hashable], asyncio.Future[DayEntry | None]]
_computing = {}
"""The days being computed by a request of this process, by event loop and cache key: what
they will be once computed, or None if it fails."""
DAY_MINUTES = 24 * 60


def _minute_after(now: datetime) -> datetime:
    """`now` rounded up to the minute: availability computed for it holds for a whole minute
    and errs on the safe side (a slot that starts this minute is already past)."""
    rounded = now.replace(second=0, microsecond=0)
    return rounded if rounded == now else rounded + timedelta(minutes=1)


def _longest(rules: Rules) -> timedelta:
    """How far past its day a booking starting in it may run (23:30 for two hours)."""
    return timedelta(
        minutes=max(
            rules.slot_minutes, rules.min_duration_minutes or 0, rules.max_duration_minutes or 480
        )
    )


async def _slots_by_day(
    space: Space, rules: Rules, zone: ZoneInfo, first_day: date, days: int, now: datetime
) -> tuple[ByDay, list[Interval]]:
    window = local_day_window(first_day, days, zone)
    # A booking starting in the window may run past its end (23:30 for two hours).
    reach = Interval(window.start, window.end + _longest(rules))
    calendar, held = await calendar_and_held(space, reach)
    reachable = calendar.open_intervals(reach)
    grid = slot_grid(clip(reachable, window), zone, rules.slot_minutes, rules.capacity, held.usage)
    reasons = refusal_reasons(grid, rules, reachable, held, now)
    # `tuple.__new__` makes the named tuple without the call of its `__new__` (a third of
    # the making of hundreds).
    new = tuple.__new__
    views = [
        new(SlotView, (start, end, free_units, reason is None, reason))
        for start, end, free_units, reason in zip(*grid, reasons, strict=True)
    ]
    # Each day's slots start before its local midnight (an instant: no zone conversion).
    starts = grid.starts
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
    if _days_apart(rules, zone, first_day, days):
        by_day, reachable = await _each_day(space, rules, zone, first_day, days, minute)
    else:
        key = (space.id, space.created_at, space.version, first_day, days, minute)
        cached = _week_cache.get(key)
        if cached is None:
            cached = await _slots_by_day(space, rules, zone, first_day, days, minute)
            _week_cache.put(key, cached)
        by_day, reachable = cast(tuple[ByDay, list[Interval]], cached)
    quota: list[QuotaLeft] = []
    # Without quota rules nothing is left to tell: the person's bookings are not read.
    if user_id is not None and rules.has_quotas:
        window_start = local_day_window(first_day, 1, zone).start
        mine = await spans_of(user_id, space.id, min(now, window_start))
        quota = quota_left(rules, zone, now, mine, max(first_day, now.astimezone(zone).date()))
    return Availability(space, zone, rules, first_day, by_day, quota, reachable)


def _days_apart(rules: Rules, zone: ZoneInfo, first_day: date, days: int) -> bool:
    """Whether each of the days has the same slots whatever days are read with it: the slots
    tile a local day (no slot runs past midnight, wherever the open time read begins) and the
    zone's offset from UTC stays the same over the days (so the grid is walked alike)."""
    if DAY_MINUTES % rules.slot_minutes:
        return False
    first_offset = datetime.combine(first_day, time(), zone).utcoffset()
    return all(
        datetime.combine(first_day + timedelta(days=i), time(), zone).utcoffset() == first_offset
        for i in range(1, days + 1)
    )


async def _each_day(
    space: Space, rules: Rules, zone: ZoneInfo, first_day: date, days: int, minute: datetime
) -> tuple[ByDay, list[Interval]]:
    """The days' slots and reachable open time, each day cached on its own, so that a week
    overlapping weeks read before computes only its new days (in one read of the calendar
    and holds per run of days missing). Only for days `_days_apart`."""
    # created_at as well as the id: an id may be reused after a space is deleted.
    keys = [
        ("day", space.id, space.created_at, space.version, first_day + timedelta(days=i), minute)
        for i in range(days)
    ]
    found = [cast(DayEntry | None, _week_cache.get(k)) for k in keys]
    loop = asyncio.get_running_loop()
    # Days another request of this process is computing now: waited for, not computed again
    # (pages of neighbouring days arrive together, and each would miss the same days).
    theirs = {
        i: _computing[(loop, key)]
        for i, key in enumerate(keys)
        if found[i] is None and (loop, key) in _computing
    }
    ours = {i: loop.create_future() for i in range(days) if found[i] is None and i not in theirs}
    for i, future in ours.items():
        _computing[(loop, keys[i])] = future
    whole: list[Interval] | None = None
    try:
        whole = await _compute_days(space, rules, zone, first_day, minute, keys, found, set(ours))
    finally:
        for i, future in ours.items():
            del _computing[(loop, keys[i])]
            # None when it was not computed (a failure, a cancelled request): the requests
            # waiting for it compute it themselves.
            future.set_result(found[i])
    for i, future in theirs.items():
        found[i] = await asyncio.shield(future)
    left = {i for i in range(days) if found[i] is None}
    if left:
        await _compute_days(space, rules, zone, first_day, minute, keys, found, left)
    entries = cast(list[DayEntry], found)
    by_day = [(first_day + timedelta(days=i), entry[0]) for i, entry in enumerate(entries)]
    # Each day's reachable time is the days' own clipped to that day and what it reaches.
    return by_day, whole if whole is not None else merge(i for e in entries for i in e[1])


async def _compute_days(
    space: Space,
    rules: Rules,
    zone: ZoneInfo,
    first_day: date,
    minute: datetime,
    keys: Sequence[Hashable],
    found: list[DayEntry | None],
    wanted: set[int],
) -> list[Interval] | None:
    """Compute the days of `wanted` (indexes from `first_day`) in runs of consecutive ones,
    one read each; cache and fill them into `found`. The reachable open time of all the
    days when they were computed in one run, else None."""
    whole: list[Interval] | None = None
    longest = _longest(rules)
    index = 0
    days = len(keys)
    while index < days:
        if index not in wanted:
            index += 1
            continue
        end = index
        while end < days and end in wanted:
            end += 1
        run_first = first_day + timedelta(days=index)
        by_day, reachable = await _slots_by_day(space, rules, zone, run_first, end - index, minute)
        if index == 0 and end == days:
            whole = reachable
        for offset, (day, day_slots) in enumerate(by_day):
            window = local_day_window(day, 1, zone)
            entry = (day_slots, clip(reachable, Interval(window.start, window.end + longest)))
            _week_cache.put(keys[index + offset], entry)
            found[index + offset] = entry
        index = end
    return whole


MINE_SHOWN = 3
"""How many of a person's next bookings of a space its page lists."""


async def mine_at(user_id: int, space: Space, now: datetime) -> list[dict[str, Any]]:
    """The person's next bookings of the space (pending or confirmed, not yet ended)."""
    return await upcoming_of(user_id, space.id, now, MINE_SHOWN)
