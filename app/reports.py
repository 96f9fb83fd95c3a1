"""What every domain's staff reports share: the period asked for, number formats and the
CSV file. Pure functions."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from app.calendar import Interval, wall_to_utc
from app.errors import FieldError, InputError
from app.formfields import Fields
from app.i18n import _, ngettext

MAX_DAYS = 366
"""The longest period one report covers."""


@dataclass(frozen=True)
class Period:
    """Local dates `first` to `last`, both included."""

    first: date
    last: date

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def window(self, zone: ZoneInfo) -> Interval:
        """From local midnight before `first` to local midnight after `last`, in UTC."""
        start = wall_to_utc(datetime.combine(self.first, time()), zone)
        end = wall_to_utc(datetime.combine(self.last + timedelta(days=1), time()), zone)
        return Interval(start, end)


def last_full_month(today: date) -> Period:
    last = today.replace(day=1) - timedelta(days=1)
    return Period(last.replace(day=1), last)


def read_period(first: str, last: str, today: date) -> Period:
    """The period asked for as `YYYY-MM-DD` texts; an empty one takes its end of the last
    full month. Raises `InputError` on the fields `from` and `to`."""
    default = last_full_month(today)
    fields = Fields()
    start = fields.day(first, "from", required=False) if first.strip() else default.first
    end = fields.day(last, "to", required=False) if last.strip() else default.last
    fields.check()
    assert start is not None and end is not None
    if start > end:
        raise InputError([FieldError("to", _("The end date must not be before the start date."))])
    period = Period(start, end)
    if period.days > MAX_DAYS:
        raise InputError(
            [
                FieldError(
                    "to",
                    ngettext(
                        "Choose at most %(n)s day.",
                        "Choose at most %(n)s days.",
                        MAX_DAYS,
                        n=MAX_DAYS,
                    ),
                )
            ]
        )
    return period


def format_percent(share: float | None, empty: str = "—") -> str:
    """0.4567 → "45.7%"; `empty` when there is no share."""
    return empty if share is None else f"{share * 100:.1f}%"


def format_decimal(value: float | None, empty: str = "—") -> str:
    return empty if value is None else f"{value:.1f}"


FORMULA_STARTS = frozenset("=+-@\t\r\uff1d\uff0b\uff0d\uff20")
"""What a spreadsheet may read as the start of a formula: `=`, `+`, `-`, `@` (and their
full-width forms, which some spreadsheets fold), a tab or a carriage return."""
_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?%?")


def csv_cell(value: str) -> str:
    """`value`, quoted with an apostrophe when a spreadsheet would run it as a formula; a
    plain number (which Linli writes, `-3` or `12.5%`) stays a number."""
    if value[:1] in FORMULA_STARTS and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def csv_body(header: list[str], rows: list[list[str]]) -> bytes:
    """UTF-8 with a byte-order mark, so Excel on Chinese Windows reads it as UTF-8. Text that
    a spreadsheet would run as a formula is quoted with an apostrophe (`csv_cell`)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in [header, *rows]:
        writer.writerow([csv_cell(value) for value in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
