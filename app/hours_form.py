"""Reading opening hours typed into a form: one text per weekday (`hours_mon` … `hours_sun`)
and one text for a single date. Pure functions, shared by spaces and stations.

What people may type: `09:00-12:00, 14:00-21:00` (several ranges, any order), full-width
punctuation (`０９：００－１２：００，…`), `~` or `至` between the times, and `24小时` or
`00:00-24:00` for the whole day; an empty text means closed. What comes out is the text
`app.calendar.parse_ranges` reads: sorted ranges written `HH:MM-HH:MM`, joined by `, `.
Overnight ranges are refused with advice to split them over two days, so every stored range
lies inside its own day.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from itertools import pairwise

from app.calendar import MINUTES_PER_DAY, WEEKDAYS, TimeRange, format_ranges
from app.errors import FieldError
from app.i18n import _, ngettext

FIELD_PREFIX = "hours_"
MAX_RANGES_PER_DAY = 6
"""Enough for any real timetable; keeps the stored text short."""
ALL_DAY_WORDS = frozenset({"24小时", "24h", "全天"})
"""Words meaning the whole day, besides `00:00-24:00`."""

SHOWN_CHARS = 40
"""How much of a wrong range a message quotes: enough to find it, never a pasted page."""

_SEPARATORS = re.compile(r"[,;、\s]+")
_RANGE = re.compile(r"^(\d{1,2}):(\d{2})[-–—~〜至到](\d{1,2}):(\d{2})$")


class HoursTextError(ValueError):
    """Hours that cannot be used; `message` is translated and says how to fix them."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _parts(text: str) -> list[str]:
    """The ranges of a text: full-width characters folded to ASCII (NFKC), spaces around the
    times' punctuation dropped, then split at commas, semicolons, `、` or spaces."""
    folded = unicodedata.normalize("NFKC", text)
    tight = re.sub(r"\s*([-–—~〜至到:])\s*", r"\1", folded.strip())
    return [part for part in _SEPARATORS.split(tight) if part]


def _shown(part: str) -> str:
    """`part` as a message quotes it: its first `SHOWN_CHARS` characters, then "…"."""
    return part if len(part) <= SHOWN_CHARS else part[:SHOWN_CHARS] + "…"


def _minutes(hours: str, minutes: str) -> int | None:
    h, m = int(hours), int(minutes)
    if m > 59 or h > 24 or (h == 24 and m):
        return None
    return h * 60 + m


def parse_day_text(text: str) -> tuple[TimeRange, ...]:
    """The ranges of one day's text, sorted; raises `HoursTextError` (translated)."""
    parts = _parts(text)
    if not parts:
        return ()
    if "".join(parts).lower() in ALL_DAY_WORDS:
        return (TimeRange(0, MINUTES_PER_DAY),)
    ranges = []
    for part in parts:
        match = _RANGE.match(part)
        if not match:
            raise HoursTextError(
                _(
                    "“%(text)s” is not a time range. Write it like 09:00-12:00, and separate "
                    "several ranges with commas.",
                    text=_shown(part),
                )
            )
        start = _minutes(match[1], match[2])
        end = _minutes(match[3], match[4])
        if start is None or end is None or start == MINUTES_PER_DAY:
            raise HoursTextError(
                _(
                    "“%(text)s” has a time that does not exist. Use times from 00:00 to 24:00.",
                    text=_shown(part),
                )
            )
        if end <= start:
            raise HoursTextError(
                _(
                    "“%(text)s” ends before it starts. For hours past midnight, split them over "
                    "two days: 22:00-24:00 on the first day and 00:00-06:00 on the next.",
                    text=_shown(part),
                )
            )
        ranges.append(TimeRange(start, end))
    if len(ranges) > MAX_RANGES_PER_DAY:
        raise HoursTextError(
            ngettext(
                "Use at most %(n)s time range a day.",
                "Use at most %(n)s time ranges a day.",
                MAX_RANGES_PER_DAY,
                n=MAX_RANGES_PER_DAY,
            )
        )
    ranges.sort()
    for earlier, later in pairwise(ranges):
        if later.start_minute < earlier.end_minute:
            raise HoursTextError(
                _(
                    "%(first)s and %(second)s overlap. Join them into one range or correct one.",
                    first=str(earlier),
                    second=str(later),
                )
            )
    return tuple(ranges)


def normalise_day_text(text: str) -> str:
    """One day's text in the stored form (`""` for closed); raises `HoursTextError`."""
    return format_ranges(parse_day_text(text))


def read_day_hours(text: str, field: str) -> tuple[str, list[FieldError]]:
    """One date's hours (special hours, holiday hours): the stored text and the errors."""
    try:
        return normalise_day_text(text), []
    except HoursTextError as exc:
        return "", [FieldError(field, exc.message)]


def read_weekly_hours(form: Mapping[str, str]) -> tuple[dict[str, str], list[FieldError]]:
    """Weekly hours from the fields `hours_mon` … `hours_sun` of `form`.

    Returns the dict to store (`{"mon": "09:00-12:00, 14:00-21:00", …}`, closed days left
    out) and one `FieldError("hours_<day>", message)` per day that cannot be used; the dict
    is only meaningful when there are no errors.
    """
    weekly: dict[str, str] = {}
    errors: list[FieldError] = []
    for day in WEEKDAYS:
        field = FIELD_PREFIX + day
        text, day_errors = read_day_hours(form.get(field) or "", field)
        errors += day_errors
        if text:
            weekly[day] = text
    return weekly, errors


def weekly_form_values(weekly: Mapping[str, str] | None) -> dict[str, str]:
    """The stored weekly hours as form values `{"hours_mon": …}`, to pre-fill the editor."""
    weekly = weekly or {}
    return {FIELD_PREFIX + day: weekly.get(day) or "" for day in WEEKDAYS}
