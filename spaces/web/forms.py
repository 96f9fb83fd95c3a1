"""Forms only handlers read: booking from the week grid (and joining its waitlist), a
reason (cancelling, rejecting, ending), a rating; and reading the booking form into a
request."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from app.bounds import WINDOW, instant_error
from app.errors import FieldError, InputError
from app.i18n import _
from spaces.logic.bounds import DEFAULT_MAX_DURATION_MINUTES, PAST_GRACE
from spaces.logic.rules import Request


@dataclass
class BookForm:
    start: str = ""
    """The chosen slot's start, ISO 8601 with its offset."""
    duration_minutes: str = ""
    units: str = "1"
    party_size: str = ""
    note: str = ""
    form_token: str = ""
    """Makes a second submission of the same form book nothing more."""


@dataclass
class ReasonForm:
    reason: str = ""


@dataclass
class RateForm:
    rating: str = ""
    comment: str = ""


def whole_number(value: str, field: str, default: int | None = None) -> int | None:
    """The whole number typed in `field`, `default` when it is empty."""
    if not value.strip():
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise InputError([FieldError(field, _("Enter a whole number."))]) from exc


def read_start(value: str) -> datetime:
    """The start of a slot chosen from the week grid (an aware instant)."""
    try:
        start = datetime.fromisoformat(value)
    except ValueError as exc:
        raise InputError([FieldError("start", _("Choose a start time from the week."))]) from exc
    if start.tzinfo is None:
        raise InputError([FieldError("start", _("Choose a start time from the week."))])
    return start


def read_book_form(form: BookForm, now: datetime) -> Request:
    """The request a booking form asks for, or an `InputError`. The start must lie in the
    widest booking window and the length within the longest maximum duration (see
    `spaces.logic.bounds`) before the end is computed; the space's own are checked later."""
    start = read_start(form.start)
    earliest, latest = now - PAST_GRACE, now + WINDOW
    message = instant_error(
        start, earliest.astimezone(start.tzinfo), latest.astimezone(start.tzinfo)
    )
    if message is not None:
        raise InputError([FieldError("start", message)], message)
    minutes = whole_number(form.duration_minutes, "duration_minutes")
    if minutes is None:
        raise InputError([FieldError("duration_minutes", _("Choose how long."))])
    if not 1 <= minutes <= DEFAULT_MAX_DURATION_MINUTES:
        message = _(
            "Enter a number from %(low)s to %(high)s.", low=1, high=DEFAULT_MAX_DURATION_MINUTES
        )
        raise InputError([FieldError("duration_minutes", message)], message)
    units = whole_number(form.units, "units", 1)
    party_size = whole_number(form.party_size, "party_size")
    return Request(start, start + timedelta(minutes=minutes), units or 1, party_size)
