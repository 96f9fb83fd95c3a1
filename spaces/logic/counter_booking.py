"""The form staff fill in at the counter to book for a resident (代约), and the reading of its
time: one date, a start and an end in the space's zone, and the units. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from app.formfields import Fields
from app.i18n import _
from spaces.logic.rules import Request


@dataclass
class CounterBookingForm:
    resident: str = ""
    """The resident's mobile number or email."""
    on_date: str = ""
    start_time: str = ""
    end_time: str = ""
    units: str = "1"
    note: str = ""
    form_token: str = ""
    """Makes a second submission of the same form book nothing more."""


def read_counter_request(
    form: CounterBookingForm, zone: ZoneInfo, capacity: int, fields: Fields
) -> Request | None:
    """The time and units the form asks for in the space's `zone`; problems go to `fields`
    (None when there are any)."""
    day = fields.day(form.on_date, "on_date")
    start = fields.instant(day, fields.clock(form.start_time, "start_time"), zone, "start_time")
    end = fields.instant(day, fields.clock(form.end_time, "end_time"), zone, "end_time")
    units = fields.whole(form.units, "units", low=1, high=capacity, default=1)
    if start is not None and end is not None and end <= start:
        fields.error("end_time", _("The end must be after the start."))
    if fields.errors or start is None or end is None or units is None:
        return None
    return Request(start, end, units)
