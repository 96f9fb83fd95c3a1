"""Reading the forms for a station's dated closures and special hours. Pure functions: text
in, checked values or `InputError` out. The closure form has the same fields as a space's."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from app.formfields import Fields, checked
from app.hours_form import read_day_hours
from app.i18n import _

MAX_CLOSURE_DAYS = 366


@dataclass
class ClosureForm:
    from_date: str = ""
    from_time: str = ""
    to_date: str = ""
    to_time: str = ""
    all_day: str = ""
    reason: str = ""


@dataclass(frozen=True)
class ClosureValues:
    starts_at: datetime
    ends_at: datetime
    all_day: bool
    reason: str


def parse_closure(form: ClosureForm, zone: ZoneInfo, now: datetime) -> ClosureValues:
    """A closure: whole days from `from_date` to `to_date` (inclusive; one day when empty)
    when `all_day` is ticked, else from `from_time` on the first day to `to_time` on the
    last. It must end in the future and last at most a year."""
    fields = Fields()
    all_day = checked(form.all_day)
    first = fields.day(form.from_date, "from_date")
    last = fields.day(form.to_date, "to_date", required=False) or first
    if all_day:
        start = fields.instant(first, time(), zone, "from_date")
        end = fields.instant(last + timedelta(days=1), time(), zone, "to_date") if last else None
    else:
        start = fields.instant(first, fields.clock(form.from_time, "from_time"), zone, "from_time")
        end = fields.instant(last, fields.clock(form.to_time, "to_time"), zone, "to_time")
    reason = fields.text(
        form.reason, "reason", max_length=200, required=_("Say why, for couriers to read.")
    )
    if start is not None and end is not None:
        if end <= start:
            fields.error("to_date" if all_day else "to_time", _("The end must be after the start."))
        elif end - start > timedelta(days=MAX_CLOSURE_DAYS):
            fields.error("to_date", _("A closure can last at most %(n)s days.", n=MAX_CLOSURE_DAYS))
        elif end <= now:
            fields.error("to_date", _("This time is already over."))
    fields.check()
    assert start is not None and end is not None
    return ClosureValues(start, end, all_day, reason)


@dataclass
class SpecialHoursForm:
    on_date: str = ""
    hours: str = ""
    note: str = ""


@dataclass(frozen=True)
class SpecialHoursValues:
    on_date: date
    hours: str
    """Stored text; empty: closed all day."""
    note: str


def parse_special_hours(form: SpecialHoursForm, today: date) -> SpecialHoursValues:
    """Hours replacing the weekly ones on one date, today (in the station's zone) or later."""
    fields = Fields()
    day = fields.day(form.on_date, "on_date")
    if day is not None and day < today:
        fields.error("on_date", _("This date is already over."))
    hours, hour_errors = read_day_hours(form.hours, "hours")
    fields.errors += hour_errors
    note = fields.text(form.note, "note", max_length=200)
    fields.check()
    assert day is not None
    return SpecialHoursValues(day, hours, note)
