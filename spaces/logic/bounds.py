"""The windows a client may ask of a space (DESIGN invariant 6). Pure.

- Looking (the availability API's and the space page's `from`, the page's `start`): today
  − 366 days … today + max(horizon, 366 days), at most 31 days at once.
- Booking (form, API, counter, need → booking, waitlist): from now − 1 day to now + the
  horizon (366 days without one), at most the space's maximum duration (31 days without one).

Each check compares only, so years 1 and 9999 are refused before any arithmetic; where a
bound is a rule (horizon, maximum duration) the refusal carries that rule's code.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from app.bounds import WINDOW, WINDOW_DAYS, day_error, instant_error
from app.errors import FieldError, InputError
from app.i18n import _, ngettext
from spaces.logic.rules import Refusal, Request, Rules, describe_duration

MAX_DAYS_SHOWN = 31
"""The most days one availability request covers."""
DEFAULT_MAX_DURATION_MINUTES = 31 * 24 * 60
"""The longest booking of a space that sets no maximum duration."""
PAST_GRACE = timedelta(days=1)
"""How far before now a booking's start may lie and still be judged by the rules."""


@dataclass(frozen=True)
class LookWindow:
    """The first days a client may ask to see, both included."""

    first: date
    last: date


def look_window(today: date, horizon_days: int | None) -> LookWindow:
    """today − 366 days … today + max(horizon, 366 days), in the space's local dates."""
    ahead = max(horizon_days or 0, WINDOW_DAYS)
    return LookWindow(today - WINDOW, today + timedelta(days=ahead))


def check_first_day(day: date, window: LookWindow, field: str = "from") -> date:
    """`day` if inside `window`; otherwise an `InputError` naming `field` and the window."""
    message = day_error(day, window.first, window.last)
    if message is not None:
        raise InputError([FieldError(field, message)], message)
    return day


def latest_end(rules: Rules, now: datetime) -> datetime:
    """The latest end a booking made `now` may have: the horizon, or 366 days."""
    return now + timedelta(days=rules.horizon_days or WINDOW_DAYS)


def max_duration(rules: Rules) -> timedelta:
    return timedelta(minutes=rules.max_duration_minutes or DEFAULT_MAX_DURATION_MINUTES)


def booking_bound_refusal(
    rules: Rules, request: Request, now: datetime, zone: ZoneInfo
) -> Refusal | None:
    """The first bound `request` breaks (as the refusal of its rule: `past`, `horizon`,
    `duration`), or None. Compares only: no arithmetic on the request's own times."""
    earliest = now - PAST_GRACE
    latest = latest_end(rules, now)
    for field, moment in (("start", request.start), ("end", request.end)):
        if moment < earliest:
            message = instant_error(moment, earliest.astimezone(zone), latest.astimezone(zone))
            return Refusal("past", message or "", field)
    for field, moment in (("start", request.start), ("end", request.end)):
        if moment > latest:
            days = rules.horizon_days or WINDOW_DAYS
            return Refusal(
                "horizon",
                ngettext(
                    "Bookings may be made at most %(n)s day ahead.",
                    "Bookings may be made at most %(n)s days ahead.",
                    days,
                    n=days,
                ),
                field,
            )
    if request.end - request.start > max_duration(rules):
        if rules.max_duration_minutes:
            message = _(
                "Book at most %(d)s at a time.", d=describe_duration(rules.max_duration_minutes)
            )
        else:
            message = ngettext(
                "Book at most %(n)s day at a time.",
                "Book at most %(n)s days at a time.",
                DEFAULT_MAX_DURATION_MINUTES // 1440,
                n=DEFAULT_MAX_DURATION_MINUTES // 1440,
            )
        return Refusal("duration", message, "end")
    return None


def start_error(moment: datetime, window: LookWindow, zone: ZoneInfo) -> str | None:
    """Why an aware `moment` (the space page's chosen `start`) falls outside `window`'s
    local days, or None; it compares only, so any year is safe."""
    earliest = datetime.combine(window.first, time(), zone)
    latest = datetime.combine(window.last, time.max, zone)
    if earliest <= moment <= latest:
        return None
    return day_error(window.last + timedelta(days=1), window.first, window.last)
