"""The bounds on every date, span and count a client chooses (DESIGN invariant 6). Pure.

Each bound is checked before any arithmetic or calendar expansion, so year 1 or 9999 is
ordinary bad input (a 4xx naming the field and the bound) rather than an overflow, and a
700-year span costs no more than a one-hour one. Domains add their own windows (the spaces'
availability and booking windows are in `spaces.logic.bounds`) on top of these.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from app.errors import FieldError, InputError
from app.i18n import _

FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2099, 12, 31)
"""Any date typed into a form (staff forms, reports, the timeline) lies in these years."""
WINDOW_DAYS = 366
"""How far back or ahead a client may look or plan by default: one year and a day."""
WINDOW = timedelta(days=WINDOW_DAYS)


def day_error(day: date, first: date = FIRST_DAY, last: date = LAST_DAY) -> str | None:
    """Why `day` is outside `[first, last]` (the bound stated), or None."""
    if first <= day <= last:
        return None
    return _(
        "Choose a date from %(first)s to %(last)s.", first=first.isoformat(), last=last.isoformat()
    )


def check_day(day: date, field: str, first: date = FIRST_DAY, last: date = LAST_DAY) -> date:
    """`day`, or an `InputError` naming `field` (as the client sent it) and the bound."""
    message = day_error(day, first, last)
    if message is not None:
        raise InputError([FieldError(field, message)], message)
    return day


def instant_error(moment: datetime, earliest: datetime, latest: datetime) -> str | None:
    """Why the aware `moment` is outside `[earliest, latest]`, or None. Comparing aware
    times never overflows, whatever their year."""
    if earliest <= moment <= latest:
        return None
    return _(
        "Choose a time from %(first)s to %(last)s.",
        first=f"{earliest:%Y-%m-%d %H:%M}",
        last=f"{latest:%Y-%m-%d %H:%M}",
    )
