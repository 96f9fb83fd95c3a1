"""Space reports for staff: how much of each space's open time was used, and what became of
the bookings, over a period of local dates.

Definitions (also explained on the page):

- Open unit-minutes: the minutes the space was actually open in the period (weekly hours,
  dated hours, closures and, for spaces closed on them, public holidays: exactly what
  `Calendar.open_intervals` gives) times its capacity, less the units that maintenance blocks
  took out of use during those open minutes.
- Used unit-minutes: units times minutes of confirmed and completed bookings, counted only
  inside open time and inside the period; never more than the units open at that moment.
  Confirmed bookings still to come count: they hold their units. Pending requests,
  cancellations, rejections and no-shows use nothing. Turnaround buffers are not use.
- Utilisation: used / open; none when nothing was open.
- Booking counts are of bookings and requests *starting* in the period, by their status as
  people see it (`statuses.effective_status`): held (confirmed or completed), cancelled
  (including requests nobody decided before their start), rejected, no-shows and requests
  still pending. The total counts them all. Ratings are of those same bookings.

Pure: plain values in, figures out; `spaces.services.reports` loads and scopes them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import pairwise

from app.calendar import Interval
from spaces.logic.statuses import BookingStatus, effective_status

HELD = frozenset({BookingStatus.confirmed.value, BookingStatus.completed.value})


ZERO = timedelta(0)


MINUTE = timedelta(minutes=1)


@dataclass(frozen=True)
class Span:
    """Units held from `start` to `end`: a maintenance block or a booking."""

    start: datetime
    end: datetime
    units: int


@dataclass(frozen=True)
class BookingFacts:
    """What a report needs of one booking (the names match `Booking`'s columns)."""

    starts_at: datetime
    ends_at: datetime
    units: int
    status: str
    rating: int | None = None


@dataclass(frozen=True)
class SpaceFigures:
    open_time: timedelta = ZERO
    """Open unit-time: units available times the time they were open."""
    used_time: timedelta = ZERO
    total: int = 0
    held: int = 0
    cancelled: int = 0
    rejected: int = 0
    no_shows: int = 0
    pending: int = 0
    rating_sum: int = 0
    ratings: int = 0

    @property
    def open_unit_minutes(self) -> int:
        return self.open_time // MINUTE

    @property
    def used_unit_minutes(self) -> int:
        return self.used_time // MINUTE

    @property
    def utilisation(self) -> float | None:
        """Used over open, from 0 to 1; None when nothing was open."""
        return self.used_time / self.open_time if self.open_time else None

    @property
    def average_rating(self) -> float | None:
        return self.rating_sum / self.ratings if self.ratings else None


def unit_time(
    open_intervals: Iterable[Interval],
    capacity: int,
    blocks: Iterable[Span],
    uses: Iterable[Span],
) -> tuple[timedelta, timedelta]:
    """(open, used) unit-time inside `open_intervals`, in one sweep over every boundary.

    At each moment the open units are the capacity less the blocked units (never below 0),
    and the used units are the held units, never more than the open ones.
    """
    changes: dict[datetime, list[int]] = defaultdict(lambda: [0, 0, 0])
    for interval in open_intervals:
        changes[interval.start][0] += 1
        changes[interval.end][0] -= 1
    for index, spans in ((1, blocks), (2, uses)):
        for span in spans:
            if span.start < span.end:
                changes[span.start][index] += span.units
                changes[span.end][index] -= span.units
    opened, blocked, held = 0, 0, 0
    open_time = used_time = ZERO
    for moment, following in pairwise(sorted(changes)):
        change = changes[moment]
        opened, blocked, held = opened + change[0], blocked + change[1], held + change[2]
        if opened > 0:
            length = following - moment
            available = max(0, capacity - blocked)
            open_time += length * available
            used_time += length * min(available, held)
    return open_time, used_time


def space_figures(
    open_intervals: Sequence[Interval],
    capacity: int,
    blocks: Iterable[Span],
    bookings: Iterable[BookingFacts],
    window: Interval,
    now: datetime,
) -> SpaceFigures:
    """One space's figures for the period `window` (open intervals already inside it)."""
    counts = {"total": 0, "held": 0, "cancelled": 0, "rejected": 0, "no_shows": 0, "pending": 0}
    uses: list[Span] = []
    rating_sum = ratings = 0
    for booking in bookings:
        status = effective_status(booking, now)
        if status in HELD:
            uses.append(Span(booking.starts_at, booking.ends_at, booking.units))
        if not window.start <= booking.starts_at < window.end:
            continue
        counts["total"] += 1
        key = {
            BookingStatus.cancelled.value: "cancelled",
            BookingStatus.rejected.value: "rejected",
            BookingStatus.no_show.value: "no_shows",
            BookingStatus.pending.value: "pending",
        }.get(status, "held" if status in HELD else "")
        if key:
            counts[key] += 1
        if booking.rating is not None:
            rating_sum += booking.rating
            ratings += 1
    open_time, used_time = unit_time(open_intervals, capacity, blocks, uses)
    return SpaceFigures(open_time, used_time, **counts, rating_sum=rating_sum, ratings=ratings)


def combined(figures: Iterable[SpaceFigures]) -> SpaceFigures:
    """The totals row: sums, so its utilisation and average rating are weighted."""
    total = SpaceFigures()
    for item in figures:
        total = SpaceFigures(
            total.open_time + item.open_time,
            total.used_time + item.used_time,
            total.total + item.total,
            total.held + item.held,
            total.cancelled + item.cancelled,
            total.rejected + item.rejected,
            total.no_shows + item.no_shows,
            total.pending + item.pending,
            total.rating_sum + item.rating_sum,
            total.ratings + item.ratings,
        )
    return total
