"""The availability engine: slots, free units and whether a booking fits. Pure functions.

A confirmed booking holds `units` from its start until its end plus the space's turnaround
buffer. At no instant may the units held exceed the capacity; `free_units` of a slot is the
capacity minus the most units held at any instant of that slot.

Slots start on local wall-clock times that are whole multiples of the slot length (09:00,
09:30, …) and are walked in real elapsed time, so a local time skipped by daylight saving is
never offered, and in the hour that repeats when clocks go back both occurrences are offered,
each shown with its UTC offset.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from app.calendar import Interval, wall_to_utc


@dataclass(frozen=True)
class Hold:
    """Units a booking holds over `[start, end)`, its buffer already included."""

    start: datetime
    end: datetime
    units: int


def holds_of(bookings: Iterable[tuple[datetime, datetime, int]], buffer: timedelta) -> list[Hold]:
    """Holds of `(start, end, units)` bookings extended by the turnaround buffer."""
    return [Hold(start, end + buffer, units) for start, end, units in bookings]


class Usage:
    """Units held over time, as a step function; answers "most units held in [a, b)"."""

    def __init__(self, holds: Iterable[Hold]) -> None:
        self.deltas: dict[datetime, int] = {}
        self._add(holds, 1)

    def _add(self, holds: Iterable[Hold], sign: int) -> None:
        for hold in holds:
            if hold.units <= 0 or hold.end <= hold.start:
                continue
            self.deltas[hold.start] = self.deltas.get(hold.start, 0) + sign * hold.units
            self.deltas[hold.end] = self.deltas.get(hold.end, 0) - sign * hold.units
        self.times: list[datetime] = sorted(self.deltas)
        self.levels: list[int] = []
        level = 0
        for moment in self.times:
            level += self.deltas[moment]
            self.levels.append(level)

    def without(self, holds: Iterable[Hold]) -> Usage:
        """The usage once `holds`, each counted in this usage, are let go."""
        usage = Usage(())
        usage.deltas = dict(self.deltas)
        usage._add(holds, -1)
        return usage

    def peak(self, start: datetime, end: datetime) -> int:
        """The most units held at any instant of `[start, end)`."""
        if not self.times or end <= start:
            return 0
        index = bisect.bisect_right(self.times, start) - 1
        peak = self.levels[index] if index >= 0 else 0
        index += 1
        while index < len(self.times) and self.times[index] < end:
            peak = max(peak, self.levels[index])
            index += 1
        return peak


def is_aligned(moment: datetime, zone: ZoneInfo, slot_minutes: int) -> bool:
    """True when `moment` falls on the slot grid of local wall-clock time."""
    local = moment.astimezone(zone)
    return (
        local.second == 0
        and local.microsecond == 0
        and ((local.hour * 60 + local.minute) % slot_minutes == 0)
    )


def _next_aligned(moment: datetime, zone: ZoneInfo, slot_minutes: int) -> datetime:
    local = moment.astimezone(zone)
    elapsed = local.hour * 60 + local.minute + (local.second + local.microsecond / 1e6) / 60
    wait = (-elapsed) % slot_minutes
    return moment + timedelta(minutes=wait)


def slot_starts(open_interval: Interval, zone: ZoneInfo, slot_minutes: int) -> Iterator[datetime]:
    """Aligned starts of whole slots that fit inside `open_interval`."""
    step = timedelta(minutes=slot_minutes)
    moment = _next_aligned(open_interval.start, zone, slot_minutes)
    # Without a change of UTC offset inside the interval, elapsed steps stay on the grid.
    steady = open_interval.start.astimezone(zone).utcoffset() == (
        open_interval.end.astimezone(zone).utcoffset()
    )
    while moment + step <= open_interval.end:
        if steady or is_aligned(moment, zone, slot_minutes):
            yield moment
            moment += step
        else:  # the UTC offset changed by a part of a slot: find the grid again
            moment = _next_aligned(moment, zone, slot_minutes)


@dataclass(frozen=True)
class Slot:
    start: datetime
    end: datetime
    free_units: int


def slots(
    open_intervals: Sequence[Interval],
    zone: ZoneInfo,
    slot_minutes: int,
    capacity: int,
    usage: Usage,
) -> list[Slot]:
    """Every slot of the open intervals with its free units (never below zero)."""
    step = timedelta(minutes=slot_minutes)
    result = []
    for interval in open_intervals:
        for start in slot_starts(interval, zone, slot_minutes):
            free = max(0, capacity - usage.peak(start, start + step))
            result.append(Slot(start, start + step, free))
    return result


def fits(span: Interval, units: int, capacity: int, buffer: timedelta, usage: Usage) -> bool:
    """Whether `units` more can be held over `span` plus its buffer without overbooking."""
    return usage.peak(span.start, span.end + buffer) + units <= capacity


def within_open_hours(span: Interval, open_intervals: Sequence[Interval]) -> bool:
    return any(interval.contains(span) for interval in open_intervals)


def local_day_window(first_day: date, days: int, zone: ZoneInfo) -> Interval:
    """From local midnight of `first_day` to local midnight `days` later, in UTC."""
    start = wall_to_utc(datetime.combine(first_day, time()), zone)
    end = wall_to_utc(datetime.combine(first_day + timedelta(days=days), time()), zone)
    return Interval(start, end)
