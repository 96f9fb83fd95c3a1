"""Which confirmed bookings a larger buffer or a lower capacity leaves over capacity, and
whether what remains fits once some are cancelled. Pure functions over `Usage`."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TypeVar

from app.calendar import Interval
from spaces.logic.availability import Hold, Usage

T = TypeVar("T")


def overloaded(usage: Usage, capacity: int, window: Interval) -> list[Interval]:
    """The spans inside `window` when more than `capacity` units are held."""
    spans: list[Interval] = []
    for index, moment in enumerate(usage.times):
        if usage.levels[index] <= capacity:
            continue
        end = usage.times[index + 1] if index + 1 < len(usage.times) else window.end
        start, end = max(moment, window.start), min(end, window.end)
        if start < end:
            spans.append(Interval(start, end))
    return spans


def over_capacity(
    items: Sequence[T], hold_of: Callable[[T], Hold], usage: Usage, capacity: int, window: Interval
) -> list[T]:
    """The items whose hold runs into a moment of `window` when more than `capacity` units
    are held: cancelling some of them is what can make the rest fit."""
    spans = overloaded(usage, capacity, window)
    found = []
    for item in items:
        hold = hold_of(item)
        if any(hold.start < span.end and span.start < hold.end for span in spans):
            found.append(item)
    return found


def peak_without(usage: Usage, let_go: Iterable[Hold], window: Interval) -> int:
    """The most units held in `window` once the holds `let_go` (each in `usage`) are gone."""
    return usage.without(let_go).peak(window.start, window.end)
