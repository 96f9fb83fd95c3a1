"""Bookings over capacity with a new buffer or capacity, and whether the rest fits."""

from __future__ import annotations

from datetime import UTC, datetime

from app.calendar import Interval
from spaces.logic.availability import Hold, Usage
from spaces.logic.impact import over_capacity, overloaded, peak_without


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2030, 3, 5, hour, minute, tzinfo=UTC)


WINDOW = Interval(at(0), at(23))


def test_overloaded_spans_and_the_holds_that_run_into_them() -> None:
    holds = {
        "a": Hold(at(10), at(11, 30), 1),
        "b": Hold(at(11), at(12, 30), 1),
        "c": Hold(at(15), at(16), 1),
    }
    usage = Usage(holds.values())
    assert overloaded(usage, 1, WINDOW) == [Interval(at(11), at(11, 30))]
    assert overloaded(usage, 2, WINDOW) == []
    assert over_capacity(list(holds), holds.__getitem__, usage, 1, WINDOW) == ["a", "b"]
    assert peak_without(usage, [holds["a"]], WINDOW) == 1
    assert peak_without(usage, [], WINDOW) == 2


def test_only_the_part_inside_the_window_counts() -> None:
    usage = Usage([Hold(at(8), at(10), 2), Hold(at(9), at(10), 1)])
    assert overloaded(usage, 2, Interval(at(9, 30), at(23))) == [Interval(at(9, 30), at(10))]
    assert overloaded(usage, 2, Interval(at(10), at(23))) == []
