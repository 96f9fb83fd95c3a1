"""The availability engine: slots, free units and whether a booking fits. Pure functions.

**The hold rule**, the one definition every capacity-checked write and the week grid use: a
confirmed booking or a waitlist offer holds its units over its span plus the space's
turnaround buffer; a maintenance block holds its units over its span exactly; a pending
request holds nothing. A new booking fits when its units, held over its span *and its own
buffer*, never take the units held at any instant above the capacity. `HeldUnits` answers
that question, and refuses to answer for a span it was not read around.
`free_units` of a slot is the capacity minus the most units held at any instant of that slot.

Slots start on local wall-clock times that are whole multiples of the slot length (09:00,
09:30, …) and are walked in real elapsed time, so a local time skipped by daylight saving is
never offered, and in the hour that repeats when clocks go back both occurrences are offered,
each shown with its UTC offset.
"""

from __future__ import annotations

import bisect
import operator
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

from app.calendar import Interval, wall_to_utc


@dataclass(frozen=True)
class Hold:
    """Units a booking holds over `[start, end)`, its buffer already included."""

    start: datetime
    end: datetime
    units: int
    maintenance: bool = False
    """A maintenance block's hold (units out of use), for telling people why."""


def hold_of(start: datetime, end: datetime, units: int, buffer: timedelta) -> Hold:
    """The hold of a confirmed booking or a waitlist offer (pass the space's buffer) or of a
    maintenance block (pass no buffer)."""
    return Hold(start, end + buffer, units)


def needed_span(span: Interval, buffer: timedelta) -> Interval:
    """The time a new booking of `span` must find free: its span and its own buffer."""
    return Interval(span.start, span.end + buffer)


def read_window(window: Interval, buffer: timedelta) -> Interval:
    """The holds to read so that every booking inside `window` can be checked: those that
    reach into `window` or into the buffer after it."""
    return needed_span(window, buffer)


_first = operator.itemgetter(0)


def _changes(spans: list[tuple[datetime, datetime, int]], sign: int) -> list[tuple[datetime, int]]:
    """Each hold of `spans` as two changes, `sign` times its units at its start and back at
    its end; holds of no units or no time change nothing."""
    spans = [span for span in spans if span[2] > 0 and span[1] > span[0]]
    return [(start, sign * units) for start, _end, units in spans] + [
        (end, -sign * units) for _start, end, units in spans
    ]


class Usage:
    """Units held over time, as a step function; answers "most units held in [a, b)".

    `times` are the instants where a hold starts or ends, in order, and `levels[i]` the
    units held from `times[i]` until the next (an instant where as much ends as starts
    stays, at an unchanged level)."""

    def __init__(self, holds: Iterable[Hold]) -> None:
        self._build(_changes([(h.start, h.end, h.units) for h in holds], 1))

    @classmethod
    def of_spans(cls, spans: Iterable[tuple[datetime, datetime, int]]) -> Usage:
        """The usage of holds given as `(start, end, units)`, their buffers included: the
        same as `Usage` of `Hold`s, without making one object per hold."""
        usage = cls.__new__(cls)
        usage._build(_changes(list(spans), 1))
        return usage

    def _build(self, changes: list[tuple[datetime, int]]) -> None:
        """The step function of `(instant, units added)` changes, in any order. Sorted and
        summed per instant, not gathered in a dict: hashing an aware datetime made moments
        ago costs more than the rest of the work (it is computed, then kept, at the first)."""
        changes.sort(key=_first)
        times: list[datetime] = []
        levels: list[int] = []
        level = 0
        last = None
        for moment, units in changes:
            level += units
            if moment == last:
                levels[-1] = level
            else:
                times.append(moment)
                levels.append(level)
                last = moment
        self.times = times
        self.levels = levels

    def _changed(self, holds: Iterable[Hold], sign: int) -> Usage:
        changes = [
            (moment, level - previous)
            for moment, level, previous in zip(
                self.times, self.levels, [0, *self.levels], strict=False
            )
        ]
        changes += _changes([(h.start, h.end, h.units) for h in holds], sign)
        usage = Usage.__new__(Usage)
        usage._build(changes)
        return usage

    def without(self, holds: Iterable[Hold]) -> Usage:
        """The usage once `holds`, each counted in this usage, are let go."""
        return self._changed(holds, -1)

    def with_holds(self, holds: Iterable[Hold]) -> Usage:
        """The usage with `holds` added."""
        return self._changed(holds, 1)

    def level_at(self, moment: datetime) -> int:
        """The units held at the instant `moment`."""
        index = bisect.bisect_right(self.times, moment) - 1
        return self.levels[index] if index >= 0 else 0

    def first_above(self, start: datetime, end: datetime, limit: int) -> datetime | None:
        """The first instant of `[start, end)` at which more than `limit` units are held."""
        if end <= start:
            return None
        if self.level_at(start) > limit:
            return start
        index = bisect.bisect_right(self.times, start)
        while index < len(self.times) and self.times[index] < end:
            if self.levels[index] > limit:
                return self.times[index]
            index += 1
        return None

    def peaks(self, spans: Iterable[tuple[datetime, datetime]]) -> list[int]:
        """`peak` of each span, for spans in order of their starts: one sweep along the
        change points, each passed once on the way plus those inside each span."""
        times, levels = self.times, self.levels
        count = len(times)
        result = []
        index = 0  # the first change point after the current span's start
        for start, end in spans:
            while index < count and times[index] <= start:
                index += 1
            peak = levels[index - 1] if index else 0
            inside = index
            while inside < count and times[inside] < end:
                if levels[inside] > peak:  # not max(): a call per change point costs more
                    peak = levels[inside]
                inside += 1
            result.append(peak)
        return result

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


class Slot(NamedTuple):
    """A slot and its free units (a named tuple: a week makes hundreds, each much cheaper
    to make than a frozen dataclass)."""

    start: datetime
    end: datetime
    free_units: int


class SlotGrid(NamedTuple):
    """Slots as three lists, one entry per slot: what `slots` gives, without an object per
    slot (a week has hundreds)."""

    starts: list[datetime]
    ends: list[datetime]
    free_units: list[int]


def slot_grid(
    open_intervals: Sequence[Interval],
    zone: ZoneInfo,
    slot_minutes: int,
    capacity: int,
    usage: Usage,
) -> SlotGrid:
    """Every slot of the open intervals (in order, not overlapping) with its free units
    (never below zero), in one sweep along the usage."""
    step = timedelta(minutes=slot_minutes)
    starts = [
        start for interval in open_intervals for start in slot_starts(interval, zone, slot_minutes)
    ]
    ends = [start + step for start in starts]
    free = [
        capacity - peak if peak < capacity else 0
        for peak in usage.peaks(zip(starts, ends, strict=True))
    ]
    return SlotGrid(starts, ends, free)


def slots(
    open_intervals: Sequence[Interval],
    zone: ZoneInfo,
    slot_minutes: int,
    capacity: int,
    usage: Usage,
) -> list[Slot]:
    """`slot_grid` as a `Slot` per slot."""
    grid = slot_grid(open_intervals, zone, slot_minutes, capacity, usage)
    return [Slot(*slot) for slot in zip(*grid, strict=True)]


@dataclass(frozen=True)
class Shortfall:
    """Where a booking that does not fit runs out of units, to tell the person why."""

    at: datetime
    """The first instant of its needed span (its span, then its buffer) without the units."""
    in_buffer: bool
    """The units are free over the span itself; its own turnaround buffer runs into a later
    booking, offer or block starting at `at`."""
    maintenance: bool
    """Maintenance blocks hold the units missing at `at` (it would fit there without them)."""


class HeldUnits:
    """The units held in and around `window` of one space, read once, and whether more fit.

    Built from every hold reaching into `read_window(window, buffer)`; asking about a span
    outside `window` is a bug (the holds just after it were not read) and raises.
    """

    def __init__(
        self, window: Interval, capacity: int, buffer: timedelta, holds: Iterable[Hold]
    ) -> None:
        self.window = window
        self.capacity = capacity
        self.buffer = buffer
        holds = list(holds)
        self.usage = Usage(holds)
        self.blocks = Usage(h for h in holds if h.maintenance)

    @classmethod
    def of_rows(
        cls,
        window: Interval,
        capacity: int,
        buffer: timedelta,
        rows: Iterable[tuple[datetime, datetime, int, bool]],
    ) -> HeldUnits:
        """The same as from the `Hold`s of `rows`, each `(start, end, units, is_block)` as
        stored: a confirmed booking's or an offer's own span (the buffer is added here) or
        a block's span. One pass and no object per row: a week reads hundreds."""
        spans = []
        blocks = []
        for start, end, units, is_block in rows:
            if is_block:
                blocks.append((start, end, units))
                spans.append((start, end, units))
            else:
                spans.append((start, end + buffer, units))
        return cls.of_spans(window, capacity, buffer, spans, blocks)

    @classmethod
    def of_spans(
        cls,
        window: Interval,
        capacity: int,
        buffer: timedelta,
        spans: Iterable[tuple[datetime, datetime, int]],
        blocks: Sequence[tuple[datetime, datetime, int]],
    ) -> HeldUnits:
        """From every hold as `(start, end, units)`, buffers included (see `Usage.of_spans`),
        and the blocks among them."""
        held = cls(window, capacity, buffer, ())
        held.usage = Usage.of_spans(spans)
        if blocks:
            held.blocks = Usage.of_spans(blocks)
        return held

    def _covered(self, span: Interval) -> None:
        if span.start < self.window.start or span.end > self.window.end:
            raise ValueError(f"{span} was not read: the holds were read for {self.window}")

    def fits(self, span: Interval, units: int, *, buffered: bool = True) -> bool:
        """Whether `units` more can be held over `span` (plus the buffer, unless it is a
        maintenance block) without the units held at any instant exceeding the capacity."""
        self._covered(span)
        needed = needed_span(span, self.buffer) if buffered else span
        return self.usage.peak(needed.start, needed.end) + units <= self.capacity

    def fits_each(self, spans: Sequence[tuple[datetime, datetime]], units: int) -> list[bool]:
        """`fits` for each of `spans` (in order of their starts, all inside `window`), in one
        sweep along the usage."""
        if spans:
            self._covered(Interval(spans[0][0], max(end for _start, end in spans)))
        needed = [(start, end + self.buffer) for start, end in spans]
        return [peak + units <= self.capacity for peak in self.usage.peaks(needed)]

    def shortfall(self, span: Interval, units: int) -> Shortfall | None:
        """Why `units` more do not fit over `span` and its buffer (the same rule as `fits`),
        or None when they fit."""
        self._covered(span)
        needed = needed_span(span, self.buffer)
        at = self.usage.first_above(needed.start, needed.end, self.capacity - units)
        if at is None:
            return None
        without_blocks = self.usage.level_at(at) - self.blocks.level_at(at)
        return Shortfall(
            at=at,
            in_buffer=at >= span.end,
            maintenance=without_blocks + units <= self.capacity,
        )

    def held(self, span: Interval) -> int:
        """The most units held at any instant of `span`."""
        self._covered(span)
        return self.usage.peak(span.start, span.end)

    def add(self, span: Interval, units: int, *, buffered: bool = True) -> None:
        """Count a new hold: an offer just made (buffer included) or a block (`buffered`
        False) about to be."""
        buffer = self.buffer if buffered else timedelta(0)
        self.usage = self.usage.with_holds([hold_of(span.start, span.end, units, buffer)])

    def without(self, bookings: Iterable[tuple[datetime, datetime, int]]) -> HeldUnits:
        """These units once the given confirmed bookings `(start, end, units)`, each counted
        here, are let go (being moved or replaced)."""
        released = HeldUnits(self.window, self.capacity, self.buffer, ())
        released.blocks = self.blocks
        released.usage = self.usage.without(
            [hold_of(start, end, units, self.buffer) for start, end, units in bookings]
        )
        return released


def within_open_hours(span: Interval, open_intervals: Sequence[Interval]) -> bool:
    return any(interval.contains(span) for interval in open_intervals)


def local_day_window(first_day: date, days: int, zone: ZoneInfo) -> Interval:
    """From local midnight of `first_day` to local midnight `days` later, in UTC."""
    start = wall_to_utc(datetime.combine(first_day, time()), zone)
    end = wall_to_utc(datetime.combine(first_day + timedelta(days=days), time()), zone)
    return Interval(start, end)
