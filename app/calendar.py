"""Calendar primitives shared by spaces and stations: weekly hours, dated exceptions, closures,
and the open intervals they produce. Pure functions over plain values, no database.

Opening hours are local wall times in the owner's IANA zone; what they produce are half-open
UTC intervals `[start, end)`. Converting a wall time follows one rule everywhere
(`wall_to_utc`): a time that does not exist (the spring-forward gap) moves forward by the
length of the gap, and a time that happens twice (the autumn fall-back) means its first
occurrence.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

MINUTES_PER_DAY = 24 * 60
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_RANGE = re.compile(r"^\s*(\d{1,2})[:：](\d{2})\s*[-–—~～至]\s*(\d{1,2})[:：](\d{2})\s*$")


class CalendarError(ValueError):
    """Opening hours that cannot be understood; the message names the problem in English."""


@dataclass(frozen=True, order=True)
class TimeRange:
    """Local wall-clock minutes after midnight, `[start_minute, end_minute)`.

    `end_minute` may pass 1440: 22:00–02:00 is (1320, 1560), open into the next day.
    """

    start_minute: int
    end_minute: int

    def __post_init__(self) -> None:
        if not 0 <= self.start_minute < MINUTES_PER_DAY:
            raise CalendarError(f"start {self.start_minute} is outside the day")
        if not self.start_minute < self.end_minute <= self.start_minute + MINUTES_PER_DAY:
            raise CalendarError(f"end {self.end_minute} does not follow start {self.start_minute}")

    def __str__(self) -> str:
        return f"{_hhmm(self.start_minute)}-{_hhmm(self.end_minute)}"


def _hhmm(minutes: int) -> str:
    if minutes == MINUTES_PER_DAY:
        return "24:00"
    return f"{minutes // 60 % 24:02d}:{minutes % 60:02d}"


@functools.lru_cache(maxsize=1024)
def parse_ranges(text: str) -> tuple[TimeRange, ...]:
    """`"09:00-12:00, 14:00-21:30"` → ranges; an end at or before its start runs overnight;
    `"00:00-24:00"` is the whole day; an empty text means closed.

    Kept per text (the ranges are immutable): every availability read parses its space's
    week of hours."""
    ranges = []
    for part in filter(None, (p.strip() for p in re.split(r"[,，;；]", text))):
        match = _RANGE.match(part)
        if not match:
            raise CalendarError(f"{part!r} is not a time range like 09:00-12:00")
        sh, sm, eh, em = (int(g) for g in match.groups())
        if sh > 23 or eh > 24 or sm > 59 or em > 59 or (eh == 24 and em):
            raise CalendarError(f"{part!r} has an impossible time")
        start, end = sh * 60 + sm, eh * 60 + em
        if end <= start:
            end += MINUTES_PER_DAY
        ranges.append(TimeRange(start, end))
    ranges.sort()
    for earlier, later in itertools.pairwise(ranges):
        if later.start_minute < earlier.end_minute:
            raise CalendarError(f"{earlier} and {later} overlap")
    return tuple(ranges)


def format_ranges(ranges: Iterable[TimeRange]) -> str:
    return ", ".join(str(r) for r in ranges)


@dataclass(frozen=True)
class WeeklyHours:
    """Opening ranges per weekday, Monday = 0."""

    days: tuple[tuple[TimeRange, ...], ...]

    @classmethod
    def parse(cls, spec: Mapping[str, str]) -> WeeklyHours:
        """From `{"mon": "09:00-12:00, 14:00-18:00", ...}`; missing days are closed."""
        unknown = set(spec) - set(WEEKDAYS)
        if unknown:
            raise CalendarError(f"unknown weekday {sorted(unknown)[0]!r}")
        return cls(tuple(parse_ranges(spec.get(day, "")) for day in WEEKDAYS))

    def to_spec(self) -> dict[str, str]:
        return {day: format_ranges(self.days[i]) for i, day in enumerate(WEEKDAYS)}

    @classmethod
    def always(cls) -> WeeklyHours:
        return cls(tuple((TimeRange(0, MINUTES_PER_DAY),) for _ in WEEKDAYS))


@dataclass(frozen=True, order=True)
class Interval:
    """A half-open span of time `[start, end)` in UTC."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise CalendarError("intervals need time-zone-aware instants")

    def overlaps(self, other: Interval) -> bool:
        return self.start < other.end and other.start < self.end

    def contains(self, other: Interval) -> bool:
        return self.start <= other.start and other.end <= self.end

    @property
    def duration(self) -> timedelta:
        return self.end - self.start


def wall_to_utc(wall: datetime, zone: ZoneInfo) -> datetime:
    """A naive local wall time in `zone` as a UTC instant (see the module's rule)."""
    return wall.replace(tzinfo=zone, fold=0).astimezone(UTC)


def wall_time_exists(wall: datetime, zone: ZoneInfo) -> bool:
    """False for the local times skipped when clocks spring forward."""
    return wall_to_utc(wall, zone).astimezone(zone).replace(tzinfo=None) == wall


def wall_time_is_ambiguous(wall: datetime, zone: ZoneInfo) -> bool:
    """True for the local times that happen twice when clocks go back."""
    first = wall.replace(tzinfo=zone, fold=0).utcoffset()
    second = wall.replace(tzinfo=zone, fold=1).utcoffset()
    # The offsets differ only around a change of the clocks: check existence only then.
    return first != second and wall_time_exists(wall, zone)


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """Sorted, with overlapping or touching intervals joined."""
    merged: list[Interval] = []
    for interval in sorted(intervals):
        if merged and interval.start <= merged[-1].end:
            if interval.end > merged[-1].end:
                merged[-1] = Interval(merged[-1].start, interval.end)
        else:
            merged.append(interval)
    return merged


def subtract(intervals: Iterable[Interval], removals: Iterable[Interval]) -> list[Interval]:
    """`intervals` minus every removal; both may be in any order."""
    result = merge(intervals)
    for removal in merge(removals):
        pieces: list[Interval] = []
        for interval in result:
            if not interval.overlaps(removal):
                pieces.append(interval)
                continue
            if interval.start < removal.start:
                pieces.append(Interval(interval.start, removal.start))
            if removal.end < interval.end:
                pieces.append(Interval(removal.end, interval.end))
        result = pieces
    return result


def clip(intervals: Iterable[Interval], window: Interval) -> list[Interval]:
    return [
        Interval(max(i.start, window.start), min(i.end, window.end))
        for i in intervals
        if i.overlaps(window)
    ]


def local_dates(window: Interval, zone: ZoneInfo) -> Iterator[date]:
    """Every local date whose hours could reach into `window` (one day earlier for overnight)."""
    day = window.start.astimezone(zone).date() - timedelta(days=1)
    last = window.end.astimezone(zone).date()
    while day <= last:
        yield day
        day += timedelta(days=1)


@dataclass(frozen=True)
class Calendar:
    """Everything that decides when a space or station is open."""

    zone: ZoneInfo
    weekly: WeeklyHours
    special: Mapping[date, tuple[TimeRange, ...]] = field(default_factory=dict)
    """Dated hours that replace the weekly ones on that date (empty: closed all day)."""
    closures: tuple[Interval, ...] = ()
    closed_dates: frozenset[date] = frozenset()
    """Whole local dates closed, such as public holidays for a space closed on them."""

    def ranges_on(self, day: date) -> tuple[TimeRange, ...]:
        if day in self.closed_dates:
            return ()
        if day in self.special:
            return self.special[day]
        return self.weekly.days[day.weekday()]

    def open_intervals(self, window: Interval) -> list[Interval]:
        """When it is open inside `window`, as merged UTC intervals."""
        spans = []
        for day in local_dates(window, self.zone):
            midnight = datetime.combine(day, time())
            for r in self.ranges_on(day):
                start = wall_to_utc(midnight + timedelta(minutes=r.start_minute), self.zone)
                end = wall_to_utc(midnight + timedelta(minutes=r.end_minute), self.zone)
                if start < end:
                    spans.append(Interval(start, end))
        return clip(subtract(spans, self.closures), window)

    def is_open(self, span: Interval) -> bool:
        """True when `span` lies wholly inside one open interval."""
        return any(i.contains(span) for i in self.open_intervals(span))


@dataclass(frozen=True)
class OpenState:
    state: str
    """`open`, `closed`, or `unknown` when no hours are recorded."""
    closes_at: datetime | None = None
    """When an open place closes; None when it stays open for more than a week."""
    closes_soon: bool = False
    opens_next_at: datetime | None = None
    """When a closed place opens next; None when not within a week."""


CLOSES_SOON = timedelta(minutes=30)
_LOOK_AHEAD = timedelta(days=8)


def open_state(calendar: Calendar | None, at: datetime) -> OpenState:
    """Whether the place is open at `at`, and what changes next (within a week)."""
    if calendar is None:
        return OpenState("unknown")
    window = Interval(at - timedelta(days=1), at + _LOOK_AHEAD)
    for interval in calendar.open_intervals(window):
        if interval.start <= at < interval.end:
            closes_at = interval.end if interval.end < window.end else None
            soon = closes_at is not None and closes_at - at <= CLOSES_SOON
            return OpenState("open", closes_at=closes_at, closes_soon=soon)
        if interval.start > at:
            return OpenState("closed", opens_next_at=interval.start)
    return OpenState("closed")
