"""Reading the text fields of a staff form, collecting every problem before refusing.

A form is read field by field into a `Fields`; each reader returns the value (or None when
the field is unusable) and remembers a translated message for the field. `check()` then
raises one `InputError` naming every field that needs attention, so the person sees all
their mistakes at once and the form re-renders with what they typed.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, time
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

from app.bounds import FIRST_DAY, LAST_DAY, day_error
from app.calendar import wall_time_exists, wall_to_utc
from app.errors import FieldError, InputError
from app.i18n import _, ngettext

_CLOCK = re.compile(r"^\s*(\d{1,2})[:：](\d{2})\s*$")


INTEGERS = range(-(2**31), 2**31)
"""What an integer column holds on both engines (PostgreSQL's `integer`, the smaller)."""
ROW_IDS = range(1, INTEGERS.stop)
"""The ids a row may have (serial ids count from 1)."""


def typed_id(text: str) -> int | None:
    """The row id a form field names (ASCII digits, within `ROW_IDS`), else None: a typed
    "²" or a number no column holds must read as no row, not fail the query."""
    text = text.strip()
    if not (text.isascii() and text.isdigit() and len(text) <= 10):
        return None
    number = int(text)
    return number if number in ROW_IDS else None


_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_LINE_BREAKS = frozenset("\n\r\t")


def unshowable(value: str, *, multiline: bool = False) -> bool:
    """Whether `value` holds a character that cannot be shown as typed: a control character
    (C0, DEL and C1), a line or paragraph separator, or a bidirectional override or isolate
    (which can make a name read as another). A multi-line field may hold line breaks and
    tabs; joiners (ZWJ, ZWNJ) are always allowed."""
    for char in value:
        if multiline and char in _LINE_BREAKS:
            continue
        if char in _BIDI_CONTROLS or unicodedata.category(char) in {"Cc", "Zl", "Zp"}:
            return True
    return False


def unshowable_message() -> str:
    return _("Remove the invisible control characters (line breaks or direction marks).")


def checked(value: str) -> bool:
    """An HTML checkbox sends `on` (or our `1`) when ticked and nothing otherwise."""
    return value.lower() in {"on", "1", "true", "yes"}


class Fields:
    def __init__(self) -> None:
        self.errors: list[FieldError] = []

    def error(self, field: str, message: str) -> None:
        if not self.has_error(field):
            self.errors.append(FieldError(field, message))

    def has_error(self, field: str) -> bool:
        return any(error.field == field for error in self.errors)

    def check(self) -> None:
        if self.errors:
            raise InputError(list(self.errors))

    def text(
        self,
        value: str,
        field: str,
        *,
        max_length: int,
        required: str | None = None,
        single_line: bool = False,
    ) -> str:
        """Trimmed text; `required` is the message shown when it is empty. A name
        (`single_line`) may hold no line break; no text may hold control characters or
        direction overrides (see `unshowable`)."""
        value = value.strip()
        if required is not None and not value:
            self.error(field, required)
        elif len(value) > max_length:
            self.error(
                field,
                ngettext(
                    "Use at most %(n)s character.",
                    "Use at most %(n)s characters.",
                    max_length,
                    n=max_length,
                ),
            )
        elif unshowable(value, multiline=not single_line):
            self.error(field, unshowable_message())
        return value

    def whole(
        self,
        value: str,
        field: str,
        *,
        low: int,
        high: int,
        required: bool = False,
        default: int | None = None,
    ) -> int | None:
        """A whole number in `[low, high]`; empty gives `default` unless `required`."""
        value = value.strip()
        if not value:
            if required:
                self.error(field, _("Enter a number from %(low)s to %(high)s.", low=low, high=high))
            return default
        try:
            number = int(value)
        except ValueError:
            number = None
        if number is None or not low <= number <= high:
            self.error(field, _("Enter a number from %(low)s to %(high)s.", low=low, high=high))
            return None
        return number

    def day(
        self,
        value: str,
        field: str,
        *,
        required: bool = True,
        first: date = FIRST_DAY,
        last: date = LAST_DAY,
    ) -> date | None:
        """A date as the browser's date input sends it, `YYYY-MM-DD`, from `first` to `last`
        (by default the years 2000 to 2099: nothing later overflows)."""
        value = value.strip()
        if not value:
            if required:
                self.error(field, _("Choose a date."))
            return None
        try:
            day = date.fromisoformat(value)
        except ValueError:
            self.error(field, _("Enter a date like 2026-03-02."))
            return None
        bound = day_error(day, first, last)
        if bound is not None:
            self.error(field, bound)
            return None
        return day

    def clock(self, value: str, field: str, *, required: bool = True) -> time | None:
        """A wall-clock time `HH:MM` (full-width colon accepted)."""
        match = _CLOCK.match(value)
        if not match:
            if value.strip() or required:
                self.error(field, _("Enter a time like 09:30."))
            return None
        hours, minutes = int(match[1]), int(match[2])
        if hours > 23 or minutes > 59:
            self.error(field, _("Enter a time like 09:30."))
            return None
        return time(hours, minutes)

    def instant(
        self, day: date | None, at: time | None, zone: ZoneInfo, field: str
    ) -> datetime | None:
        """The UTC instant of a local date and time; a time skipped by a clock change is
        refused rather than silently moved."""
        if day is None or at is None:
            return None
        wall = datetime.combine(day, at)
        if not wall_time_exists(wall, zone):
            self.error(
                field,
                _("%(time)s does not exist on that day: the clocks skip it.", time=f"{at:%H:%M}"),
            )
            return None
        return wall_to_utc(wall, zone)

    def degrees(self, value: str, field: str, *, bound: int) -> float | None:
        """Decimal degrees from `-bound` to `bound` (90 for a latitude, 180 for a longitude);
        full-width digits are read as digits."""
        text = unicodedata.normalize("NFKC", value).strip()
        try:
            number = float(text)
        except ValueError:
            number = float("nan")
        if not -bound <= number <= bound:  # also false for nan and inf
            example = "36.195012" if bound == 90 else "113.116025"
            self.error(
                field,
                _(
                    "Enter decimal degrees from -%(bound)s to %(bound)s, such as %(example)s.",
                    bound=bound,
                    example=example,
                ),
            )
            return None
        return number


SLUG_MAX = 48
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@cache
def _zones() -> frozenset[str]:
    return frozenset(available_timezones())


def is_zone(name: str) -> bool:
    """True for an IANA zone name such as `Asia/Shanghai`."""
    return name in _zones()


def slug_base(name_en: str, *, prefix: str, reserved: frozenset[str]) -> str:
    """An ASCII web address from an English (or pinyin) name: `Rider's Home №2` →
    `riders-home-2`; `prefix` makes one when the name gives nothing usable."""
    ascii_name = unicodedata.normalize("NFKD", name_en).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower().replace("'", "")).strip("-")
    slug = slug[:SLUG_MAX].rstrip("-")
    return slug if slug and slug not in reserved else f"{prefix}-{slug}".rstrip("-")


def unique_slug(base: str, taken: set[str]) -> str:
    """`base`, or `base-2`, `base-3`, … : the first not in `taken`."""
    if base not in taken:
        return base
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"


def slug_error(slug: str, reserved: frozenset[str]) -> str | None:
    """Why a web address typed by staff cannot be used, or None."""
    if not 2 <= len(slug) <= SLUG_MAX or not _SLUG.match(slug):
        return _(
            "Use 2 to %(n)s lower-case letters, digits and hyphens, such as rider-home-2.",
            n=SLUG_MAX,
        )
    if slug in reserved:
        return _("This web address is reserved. Choose another.")
    return None
