"""Reading the staff's forms of a station's dated services (legal-help hours, safety talks,
free health checks) and of its integrity model mark (诚信经营示范点). Pure functions: text in,
checked values or `InputError`. The forms' dataclasses are also the bodies the staff's pages
receive."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from app.formfields import Fields
from app.i18n import _

TITLE_MAX_LENGTH = 60
DESCRIPTION_MAX_LENGTH = 300
DAYS_AHEAD = 365
"""A service may be planned at most this many days ahead."""
AWARDED_SINCE = date(2000, 1, 1)
"""The earliest date a mark may be awarded on."""


@dataclass
class ServiceForm:
    """A dated service as typed: on `on_date`, from `from_time` to `to_time` (local)."""

    on_date: str = ""
    from_time: str = ""
    to_time: str = ""
    title: str = ""
    description: str = ""


@dataclass(frozen=True)
class ServiceDraft:
    """A checked dated service: `[start, end)` in UTC."""

    start: datetime
    end: datetime
    title: str
    description: str


def read_service(form: ServiceForm, zone: ZoneInfo, now: datetime) -> ServiceDraft:
    """The service `form` describes in `zone`: on a day from today to `DAYS_AHEAD` days
    ahead (local), ending after it starts and after `now`; raises `InputError`."""
    fields = Fields()
    today = now.astimezone(zone).date()
    day = fields.day(form.on_date, "on_date", first=today, last=today + timedelta(days=DAYS_AHEAD))
    start = fields.instant(day, fields.clock(form.from_time, "from_time"), zone, "from_time")
    end = fields.instant(day, fields.clock(form.to_time, "to_time"), zone, "to_time")
    title = fields.text(
        form.title,
        "title",
        max_length=TITLE_MAX_LENGTH,
        required=_("Say what the service is, for couriers to read."),
        single_line=True,
    )
    description = fields.text(form.description, "description", max_length=DESCRIPTION_MAX_LENGTH)
    if start is not None and end is not None:
        if end <= start:
            fields.error("to_time", _("The end must be after the start."))
        elif end <= now:
            fields.error("to_time", _("This time is already over."))
    fields.check()
    assert start is not None and end is not None  # fields.check() raised otherwise
    return ServiceDraft(start, end, title, description)


def form_of_service(
    starts_at: datetime, ends_at: datetime, title: str, description: str, zone: ZoneInfo
) -> ServiceForm:
    """The form pre-filled with a stored service, in the station's zone."""
    start, end = starts_at.astimezone(zone), ends_at.astimezone(zone)
    return ServiceForm(
        on_date=start.date().isoformat(),
        from_time=f"{start:%H:%M}",
        to_time=f"{end:%H:%M}",
        title=title,
        description=description,
    )


@dataclass
class IntegrityForm:
    """The day the host shop was named an integrity model shop, as typed."""

    since: str = ""


def read_integrity_mark(form: IntegrityForm, zone: ZoneInfo, now: datetime) -> date:
    """The day the mark was awarded: from 2000 up to today (local); raises `InputError`."""
    fields = Fields()
    since = fields.day(form.since, "since", first=AWARDED_SINCE, last=now.astimezone(zone).date())
    fields.check()
    assert since is not None
    return since
