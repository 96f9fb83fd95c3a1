"""Reading closures from an uploaded iCalendar file (RFC 5545), for spaces and stations.

Every VEVENT occurrence that overlaps a window becomes an `ImportedEvent` with UTC instants.
Repeating events are expanded by recurring-ical-events (RRULE, RDATE, EXDATE and moved or
cancelled single occurrences through RECURRENCE-ID); all-day events cover whole local days
of the place's zone; floating times are read as wall times of that zone. Cancelled events
and events without any duration are left out; transparent ("free") ones are kept, since a
calendar of holidays often marks them so. Pure: bytes in, events or an `InputError` on the
field `file` out.

The preview hands the events to the confirmation as text (`ImportedEvent.carried`), and
`read_carried` checks that text again as strictly: the browser may have changed it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import recurring_ical_events

from app.calendar import wall_to_utc
from app.errors import FieldError, InputError
from app.i18n import _, format_day, ngettext
from app.uploads import Upload

MAX_FILE_BYTES = 1024 * 1024
MAX_EVENTS = 500
WINDOW = timedelta(days=365)
"""Events are read from now to a year ahead."""
MAX_EVENT_DAYS = 366
"""As long as a closure may last."""
REASON_MAX = 200
FILE_NAME_MAX = 100
EXPANSION_BUDGET_DAYS = 2_000_000
"""Repeating events are walked day by day from their first date (about 2 µs a day): the
sum of those spans is capped so that no file can keep the server busy for long."""
FIELD = "file"

_DAILY_OR_SLOWER = {"DAILY": 1, "WEEKLY": 7, "MONTHLY": 31, "YEARLY": 366}
"""Frequencies a closure calendar may repeat at → the longest period in days."""
_CARRIED = re.compile(r"^([^|]+)\|([^|]+)\|([01])\|(.+)$", re.S)


@dataclass(frozen=True, order=True)
class ImportedEvent:
    start: datetime
    """UTC."""
    end: datetime
    """UTC, after `start`."""
    all_day: bool
    summary: str
    """The event's title, trimmed to `REASON_MAX` characters: the closure's reason."""

    @property
    def carried(self) -> str:
        """The event as one hidden form value: `start|end|all_day|summary`."""
        return f"{self.start.isoformat()}|{self.end.isoformat()}|{int(self.all_day)}|{self.summary}"


@dataclass
class CarriedForm:
    """What the preview hands to the confirmation."""

    events: list[str] | str = field(default_factory=list)
    """One `ImportedEvent.carried` value per event (a lone value arrives as a string)."""
    file_name: str = ""


def window(now: datetime) -> tuple[datetime, datetime]:
    """The span whose events are imported: from `now` to a year ahead."""
    return now, now + WINDOW


def file_label(name: str | None) -> str:
    """The uploaded file's base name, whitespace collapsed, at most `FILE_NAME_MAX` long."""
    base = re.split(r"[/\\]", name or "")[-1]
    return " ".join(base.split())[:FILE_NAME_MAX]


def _refuse(message: str) -> InputError:
    return InputError([FieldError(FIELD, message)])


def _reason(summary: Any) -> str:
    text = " ".join(str(summary or "").split())[:REASON_MAX].strip()
    return text or _("Imported closure")


def _span_text(start: datetime, end: datetime, zone: ZoneInfo) -> dict[str, str]:
    return {
        "first": format_day(start.astimezone(zone).date(), with_year=True),
        "last": format_day(end.astimezone(zone).date(), with_year=True),
    }


def _instant(value: date | datetime, zone: ZoneInfo) -> datetime:
    """UTC: a date is its local midnight, a floating time a wall time of `zone`."""
    if not isinstance(value, datetime):
        return wall_to_utc(datetime.combine(value, time()), zone)
    if value.tzinfo is None:
        return wall_to_utc(value, zone)
    return value.astimezone(UTC)


def _check_repetition(calendar: icalendar.Calendar, end: datetime) -> None:
    """Refuse rules repeating more than daily, and files whose repetitions would take
    too long to expand (see `EXPANSION_BUDGET_DAYS`)."""
    walked = 0
    for event in calendar.walk("VEVENT"):
        rules = event.get("RRULE")
        if rules is None:
            continue
        first = event.decoded("DTSTART")
        first_day = first.date() if isinstance(first, datetime) else first
        name = _reason(event.get("SUMMARY"))
        for rule in rules if isinstance(rules, list) else [rules]:
            frequency = str((rule.get("FREQ") or [""])[0]).upper()
            sub_daily = any(
                len(rule.get(part) or []) > 1 for part in ("BYHOUR", "BYMINUTE", "BYSECOND")
            )
            if frequency not in _DAILY_OR_SLOWER or sub_daily:
                raise _refuse(
                    _(
                        "“%(name)s” repeats more than once a day; closures cannot be "
                        "imported from it. Remove that event from the calendar file.",
                        name=name,
                    )
                )
            last_day = end.date()
            until = (rule.get("UNTIL") or [None])[0]
            if until is not None:
                last_day = min(last_day, until.date() if isinstance(until, datetime) else until)
            count = (rule.get("COUNT") or [None])[0]
            if count is not None:
                bound = first_day.toordinal() + int(count) * _DAILY_OR_SLOWER[frequency]
                last_day = min(last_day, date.fromordinal(min(bound, date.max.toordinal())))
            interval = max(1, int((rule.get("INTERVAL") or [1])[0]))
            walked += max(0, (last_day - first_day).days) // interval
    if walked > EXPANSION_BUDGET_DAYS:
        raise _refuse(
            _(
                "The repeating events in this file start too long ago to be read. Export "
                "only the coming year from your calendar and try again."
            )
        )


def _drop_later_events(calendar: icalendar.Calendar, last_day: date) -> None:
    """Leave out the events starting after the window's last day: none of their repetitions
    can fall inside it, and one dated in year 9999 would overflow the expansion."""
    for component in list(calendar.subcomponents):
        if component.name != "VEVENT" or "DTSTART" not in component:
            continue
        first = component.decoded("DTSTART")
        if (first.date() if isinstance(first, datetime) else first) > last_day:
            calendar.subcomponents.remove(component)


def _occurrences(
    calendar: icalendar.Calendar, zone: ZoneInfo, start: datetime, end: datetime
) -> list[ImportedEvent]:
    query = recurring_ical_events.of(calendar)
    found: set[ImportedEvent] = set()
    for occurrence in query.between(start.astimezone(zone), end.astimezone(zone)):
        if str(occurrence.get("STATUS", "")).upper() == "CANCELLED":
            continue
        first = occurrence.decoded("DTSTART")
        last = occurrence.decoded("DTEND") if "DTEND" in occurrence else first
        begins, ends = _instant(first, zone), _instant(last, zone)
        if ends <= begins or ends <= start or begins >= end:
            continue  # no duration (a reminder, not a closure), or outside the window
        all_day = not isinstance(first, datetime) and not isinstance(last, datetime)
        event = ImportedEvent(begins, ends, all_day, _reason(occurrence.get("SUMMARY")))
        if ends - begins > timedelta(days=MAX_EVENT_DAYS):
            raise _refuse(
                ngettext(
                    "“%(name)s” lasts more than %(n)s day, longer than a closure may. Shorten it "
                    "in the calendar and export it again.",
                    "“%(name)s” lasts more than %(n)s days, longer than a closure may. Shorten it "
                    "in the calendar and export it again.",
                    MAX_EVENT_DAYS,
                    name=event.summary,
                    n=MAX_EVENT_DAYS,
                )
            )
        found.add(event)
    return sorted(found)


def _too_large() -> InputError:
    return _refuse(
        _(
            "The file is larger than %(n)s MB. Export a shorter period from your calendar.",
            n=MAX_FILE_BYTES // (1024 * 1024),
        )
    )


def read_upload(
    upload: Upload | None, *, zone: ZoneInfo, start: datetime, end: datetime
) -> list[ImportedEvent]:
    """`read_events` of a file sent with a form; one the request reader discarded for being
    larger than `MAX_FILE_BYTES` is refused the same way. CPU-bound: run it in a thread."""
    if upload is not None and upload.too_large:
        raise _too_large()
    return read_events(upload.content if upload else b"", zone=zone, start=start, end=end)


def read_events(
    data: bytes, *, zone: ZoneInfo, start: datetime, end: datetime
) -> list[ImportedEvent]:
    """The events of an iCalendar file overlapping `[start, end)`, soonest first.

    Raises `InputError` on the field `file` when the file is empty, larger than
    `MAX_FILE_BYTES`, not an iCalendar file or damaged, or when it holds no event in the
    window or more than `MAX_EVENTS`. CPU-bound: run it in a thread.
    """
    if not data:
        raise _refuse(_("Choose a calendar file (.ics) to import."))
    if len(data) > MAX_FILE_BYTES:
        raise _too_large()
    data = data.removeprefix(b"\xef\xbb\xbf")
    if not data.lstrip().upper().startswith(b"BEGIN:VCALENDAR"):
        raise _refuse(
            _(
                "This file is not an iCalendar file. Choose a .ics file exported from a "
                "calendar app."
            )
        )
    try:
        calendar = icalendar.Calendar.from_ical(data)
        if calendar.name != "VCALENDAR":
            raise ValueError(calendar.name)
        _drop_later_events(calendar, end.astimezone(zone).date())
        _check_repetition(calendar, end.astimezone(zone))
        events = _occurrences(calendar, zone, start, end)
    except InputError:
        raise
    except (
        ValueError,
        TypeError,
        KeyError,
        IndexError,
        AttributeError,
        OverflowError,
        recurring_ical_events.InvalidCalendar,
    ) as exc:
        raise _refuse(
            _(
                "This calendar file is damaged and could not be read. Export it again from "
                "your calendar and try once more."
            )
        ) from exc
    if not events:
        raise _refuse(
            _(
                "No event in this file falls between %(first)s and %(last)s.",
                **_span_text(start, end, zone),
            )
        )
    if len(events) > MAX_EVENTS:
        raise _refuse(
            ngettext(
                "This file has %(n)s event between %(first)s and %(last)s; at most %(max)s can be "
                "imported at once. Export a shorter period and import it in parts.",
                "This file has %(n)s events between %(first)s and %(last)s; at most %(max)s can "
                "be imported at once. Export a shorter period and import it in parts.",
                len(events),
                n=len(events),
                max=MAX_EVENTS,
                **_span_text(start, end, zone),
            )
        )
    return events


def carried_values(value: Sequence[str] | str) -> list[str]:
    """The form's `events` as a list, whether one value or several arrived."""
    return [value] if isinstance(value, str) else list(value)


def read_carried(
    values: Iterable[str], *, zone: ZoneInfo, start: datetime, end: datetime
) -> list[ImportedEvent]:
    """The events the preview handed on, checked again as `read_events` checks them: aware
    times, a duration of at most `MAX_EVENT_DAYS`, overlapping `[start, end)`, all-day events
    from local midnight to local midnight, a reason, at most `MAX_EVENTS`. Anything else
    raises `InputError` on the field `file`."""
    tampered = _refuse(_("The events to import could not be read. Choose the calendar file again."))
    events: list[ImportedEvent] = []
    for value in values:
        match = _CARRIED.match(value)
        if match is None:
            raise tampered
        try:
            begins = datetime.fromisoformat(match[1])
            ends = datetime.fromisoformat(match[2])
        except ValueError as exc:
            raise tampered from exc
        if begins.tzinfo is None or ends.tzinfo is None:
            raise tampered
        begins, ends = begins.astimezone(UTC), ends.astimezone(UTC)
        all_day = match[3] == "1"
        summary = " ".join(match[4].split())
        if (
            not begins < ends <= begins + timedelta(days=MAX_EVENT_DAYS)
            or ends <= start
            or begins >= end
            or not 0 < len(summary) <= REASON_MAX
            or (all_day and not (_is_midnight(begins, zone) and _is_midnight(ends, zone)))
        ):
            raise tampered
        events.append(ImportedEvent(begins, ends, all_day, summary))
    if not 0 < len(events) <= MAX_EVENTS:
        raise tampered
    return sorted(events)


def _is_midnight(moment: datetime, zone: ZoneInfo) -> bool:
    return moment == _instant(moment.astimezone(zone).date(), zone)
