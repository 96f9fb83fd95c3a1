"""The staff timeline's layout: where each booking, request, closure and block sits on a row.

Pure functions over plain values. A row covers one window of time; everything in it is
placed as a left offset and a width in percent of the window, items that overlap in time go
to separate lanes, and the time outside the open intervals is marked as closed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Generic, TypeVar
from zoneinfo import ZoneInfo

from app.calendar import MINUTES_PER_DAY, Interval, TimeRange, clip, subtract, wall_to_utc

T = TypeVar("T")

DEFAULT_HOURS = (8 * 60, 22 * 60)
"""The wall-clock minutes a day view shows when no shown space opens that day."""
PRECISION = 4
"""Decimal places of the percentages."""


@dataclass(frozen=True)
class Item(Generic[T]):
    """Something to place on a row: `kind` styles it, `payload` is what it stands for."""

    start: datetime
    end: datetime
    kind: str
    payload: T


@dataclass(frozen=True)
class Block(Generic[T]):
    """An item placed on its row: `left` and `width` in percent, `lane` from 0 at the top."""

    item: Item[T]
    left: float
    width: float
    lane: int
    clipped_start: bool = False
    """The item begins before the window (its block starts at the left edge)."""
    clipped_end: bool = False
    """The item ends after the window."""


@dataclass(frozen=True)
class Span:
    """A stretch of the row, such as closed time, in percent of the window."""

    left: float
    width: float


@dataclass(frozen=True)
class RowLayout(Generic[T]):
    blocks: list[Block[T]]
    lanes: int
    """How many lanes the row needs (at least 1)."""
    closed: list[Span]
    outside: list[Item[T]]
    """Items that do not reach into the window at all, in time order."""


@dataclass(frozen=True)
class Tick:
    label: str
    left: float


def percent(window: Interval, moment: datetime) -> float:
    """Where `moment` lies in `window`, in percent, rounded to `PRECISION` places."""
    share = (moment - window.start) / (window.end - window.start)
    return round(share * 100, PRECISION)


def _span(window: Interval, interval: Interval) -> tuple[float, float]:
    """Left offset and width, each rounded from the exact share (so equal durations get
    equal widths)."""
    width = round(interval.duration / window.duration * 100, PRECISION)
    return percent(window, interval.start), width


def layout_row(
    window: Interval, open_intervals: Sequence[Interval], items: Sequence[Item[T]]
) -> RowLayout[T]:
    """Place `items` on a row covering `window`.

    Items are clipped to the window; each goes to the first lane that is free from its
    start (items taken in order of start, then end), so items that overlap never share a
    lane and a lane is reused as soon as it is free.
    """
    closed = [_span(window, gap) for gap in subtract([window], clip(open_intervals, window))]
    inside = sorted(
        (item for item in items if item.start < window.end and window.start < item.end),
        key=lambda item: (item.start, item.end),
    )
    lane_ends: list[datetime] = []
    blocks: list[Block[T]] = []
    for item in inside:
        shown = Interval(max(item.start, window.start), min(item.end, window.end))
        lane = next((i for i, end in enumerate(lane_ends) if end <= shown.start), len(lane_ends))
        if lane == len(lane_ends):
            lane_ends.append(shown.end)
        else:
            lane_ends[lane] = shown.end
        left, width = _span(window, shown)
        blocks.append(
            Block(
                item,
                left,
                width,
                lane,
                clipped_start=item.start < window.start,
                clipped_end=item.end > window.end,
            )
        )
    outside = sorted(
        (item for item in items if not (item.start < window.end and window.start < item.end)),
        key=lambda item: (item.start, item.end),
    )
    return RowLayout(
        blocks=blocks,
        lanes=max(1, len(lane_ends)),
        closed=[Span(left, width) for left, width in closed],
        outside=outside,
    )


def shown_hours(days_ranges: Sequence[Sequence[TimeRange]]) -> tuple[int, int]:
    """The wall-clock minutes a day view covers: from the earliest opening to the latest
    closing of the shown spaces (whole hours, at most midnight), else `DEFAULT_HOURS`."""
    ranges = [r for ranges in days_ranges for r in ranges]
    if not ranges:
        return DEFAULT_HOURS
    start = min(r.start_minute for r in ranges) // 60 * 60
    end = min(max(r.end_minute for r in ranges), MINUTES_PER_DAY)
    end = -(-end // 60) * 60
    return start, end


def day_window(day: date, zone: ZoneInfo, start_minute: int, end_minute: int) -> Interval:
    """From `start_minute` to `end_minute` (wall-clock minutes, up to 1440) of the local
    `day` in `zone`, as UTC instants."""
    midnight = datetime.combine(day, time())
    return Interval(
        wall_to_utc(midnight + timedelta(minutes=start_minute), zone),
        wall_to_utc(midnight + timedelta(minutes=end_minute), zone),
    )


def hour_ticks(start_minute: int, end_minute: int) -> list[Tick]:
    """A labelled gridline at every whole hour from `start_minute` to `end_minute`."""
    length = end_minute - start_minute
    first = -(-start_minute // 60) * 60
    return [
        Tick(f"{minute // 60:02d}:00", round((minute - start_minute) / length * 100, PRECISION))
        for minute in range(first, end_minute + 1, 60)
    ]


def week_start(day: date) -> date:
    """The Monday of `day`'s week."""
    return day - timedelta(days=day.weekday())
