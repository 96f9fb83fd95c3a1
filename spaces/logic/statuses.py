"""What becomes of a booking, a waitlist entry and a date of a series: the stored statuses,
their names, and the status as people see it now. Pure."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Generic, Protocol, TypeVar

from app.i18n import N_


class BookingStatus(StrEnum):
    pending = "pending"
    confirmed = "confirmed"
    cancelled = "cancelled"
    rejected = "rejected"
    completed = "completed"
    no_show = "no_show"


STATUS_LABELS = {
    "pending": N_("Waiting for approval"),
    "confirmed": N_("Confirmed"),
    "cancelled": N_("Cancelled"),
    "rejected": N_("Rejected"),
    "completed": N_("Completed"),
    "no_show": N_("Not used (no-show)"),
}

HOLDING = (BookingStatus.confirmed.value,)
"""Statuses whose bookings hold units: a pending request holds nothing."""
COUNTING = (BookingStatus.pending.value, BookingStatus.confirmed.value)
"""Statuses that count towards a resident's quotas."""


class StatusFacts(Protocol):
    """What `effective_status` reads of a booking: a `Booking`, or a report's plain facts."""

    @property
    def status(self) -> str: ...
    @property
    def starts_at(self) -> datetime: ...
    @property
    def ends_at(self) -> datetime: ...


B = TypeVar("B", bound=StatusFacts)


def effective_status(booking: StatusFacts, now: datetime) -> str:
    """The status as people should see it now.

    A confirmed booking that has ended is completed; a request nobody decided before its
    start has expired, which shows as cancelled.
    """
    if booking.status == BookingStatus.confirmed.value and booking.ends_at <= now:
        return BookingStatus.completed.value
    if booking.status == BookingStatus.pending.value and booking.starts_at <= now:
        return BookingStatus.cancelled.value
    return booking.status


UPCOMING = (BookingStatus.pending.value, BookingStatus.confirmed.value)
"""Effective statuses of bookings still to come (or under way)."""
CALLED_OFF = (BookingStatus.cancelled.value, BookingStatus.rejected.value)
"""Effective statuses of bookings that will not take place: cancelled (an undecided
request past its start included) or rejected."""


@dataclass(frozen=True)
class BookingGroups(Generic[B]):
    """A person's bookings as "My bookings" shows them, each group in its own order."""

    upcoming: list[B]
    """Pending and confirmed, not yet ended: the soonest first."""
    called_off: list[B]
    """Cancelled or rejected: the latest start first."""
    ended: list[B]
    """Completed or not used (no-show): the latest start first."""


def group_bookings(bookings: Iterable[B], now: datetime) -> BookingGroups[B]:
    """Sort a person's bookings into upcoming, called off and ended, by their status as
    people see it `now` (`effective_status`)."""
    upcoming: list[B] = []
    called_off: list[B] = []
    ended: list[B] = []
    for booking in bookings:
        status = effective_status(booking, now)
        if status in UPCOMING:
            upcoming.append(booking)
        elif status in CALLED_OFF:
            called_off.append(booking)
        else:
            ended.append(booking)
    upcoming.sort(key=lambda b: (b.starts_at, b.ends_at))
    called_off.sort(key=lambda b: (b.starts_at, b.ends_at), reverse=True)
    ended.sort(key=lambda b: (b.starts_at, b.ends_at), reverse=True)
    return BookingGroups(upcoming, called_off, ended)


def is_expired_request(booking: StatusFacts, now: datetime) -> bool:
    """A request nobody decided before its start."""
    return booking.status == BookingStatus.pending.value and booking.starts_at <= now


class WaitlistStatus(StrEnum):
    waiting = "waiting"
    offered = "offered"
    """Units are held for the resident until `offer_expires_at`."""
    booked = "booked"
    expired = "expired"
    """The offer ran out, or the time passed while waiting."""
    withdrawn = "withdrawn"


class SkipReason(StrEnum):
    conflict = "conflict"
    """Skipped when the series was made or moved, because the date was taken or closed."""
    cancelled = "cancelled"
    """The occurrence was cancelled on its own."""
