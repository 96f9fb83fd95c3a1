"""What becomes of a booking, a waitlist entry and a date of a series: the stored statuses,
their names, and the status as people see it now. Pure."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Protocol

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
