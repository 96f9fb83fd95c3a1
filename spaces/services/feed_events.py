"""Bookings and series as iCalendar events, for each audience: the public one (busy times
only, never a name), a resident's own and a staff member's.

A single booking is one VEVENT whose UID is its random id. A group series is one VEVENT with
a weekly RRULE from its first date to its last; EXDATE removes every date of the pattern
that has no confirmed occurrence (skipped, cancelled, released as a no-show, or not booked
because it was past), and a RECURRENCE-ID override gives every occurrence whose time
differs from the pattern (changed on its own, or left at an older time by an edit). So
expanding the feed gives exactly the occurrences stored.

SEQUENCE grows with every change of time, place or status: a booking's own counter; for a
series, the series' counter plus its occurrences' counters. DTSTAMP and LAST-MODIFIED are
the time of the last change, so the same data always gives the same bytes.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from icalendar import Event

from app.calendar import wall_to_utc
from app.i18n import _, localized
from spaces.logic.series_pattern import Pattern
from spaces.logic.statuses import STATUS_LABELS, BookingStatus
from spaces.services.catalog import zone_of
from spaces.services.series import describe, pattern_of
from spaces.tables import Booking, BookingSeries, Space

UID_DOMAIN = "linli"
ICAL_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
STATUS = {
    BookingStatus.confirmed.value: "CONFIRMED",
    BookingStatus.pending.value: "TENTATIVE",
}
"""Other statuses (cancelled, rejected, a released no-show) are CANCELLED."""
PUBLIC = "public"
PERSONAL = "personal"
STAFF = "staff"


def _summary(space: Space, audience: str, who: str = "") -> str:
    if audience == PUBLIC:
        return _("Booked")
    name = localized(space, "name")
    return f"{name} · {who}" if audience == STAFF and who else name


def location_text(space: Space) -> str:
    parts = [localized(space, "location"), localized(space.community, "name")]
    return ", ".join(part for part in parts if part)


def _who(booking: Any) -> str:
    """The resident's name (read as `user_name`, or from a joined user), else the note
    (a series' group name)."""
    name = getattr(booking, "user_name", None)
    if name:
        return name
    user = getattr(booking, "user", None)
    if user is not None and getattr(user, "id", None) is not None:
        return user.name
    return booking.note


def _common(event: Event, space: Space, audience: str, link: str) -> None:
    if audience != PUBLIC:
        location = location_text(space)
        if location:
            event.add("location", location)
        if link:
            event.add("url", link)
    if space.latitude is not None and space.longitude is not None:
        event.add("geo", (space.latitude, space.longitude))
    event.add("transp", "OPAQUE")
    event.add("class", "PUBLIC" if audience == PUBLIC else "PRIVATE")


def booking_event(booking: Any, space: Space, audience: str, *, base_url: str = "") -> Event:
    """One booking (a `Booking`, or a row read with the same names) as a VEVENT, in the
    space's zone."""
    zone = zone_of(space)
    event = Event()
    event.add("uid", f"{booking.id}@{UID_DOMAIN}")
    event.add("dtstamp", booking.updated_at)
    event.add("created", booking.created_at)
    event.add("last-modified", booking.updated_at)
    event.add("sequence", booking.sequence)
    event.add("dtstart", booking.starts_at.astimezone(zone))
    event.add("dtend", booking.ends_at.astimezone(zone))
    event.add("summary", _summary(space, audience, _who(booking)))
    event.add("status", STATUS.get(booking.status, "CANCELLED"))
    if audience != PUBLIC:
        lines = [_status_text(booking)]
        if booking.units > 1:
            lines.append(_("Units: %(n)s", n=booking.units))
        if audience == STAFF and booking.note:
            lines.append(booking.note)
        event.add("description", "\n".join(lines))
    _common(event, space, audience, f"{base_url}/bookings/{booking.id}" if base_url else "")
    return event


def _status_text(booking: Booking) -> str:
    return _(STATUS_LABELS.get(booking.status, STATUS_LABELS["cancelled"]))


def _pattern_span(pattern: Pattern, day: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    start = wall_to_utc(datetime.combine(day, pattern.start), zone).astimezone(zone)
    end = wall_to_utc(datetime.combine(day, pattern.end), zone).astimezone(zone)
    return start, end


def series_events(
    series: BookingSeries,
    occurrences: Sequence[Any],
    space: Space,
    audience: str,
    *,
    base_url: str = "",
) -> list[Event]:
    """The series as one recurring VEVENT plus an override for each occurrence whose time
    differs from the pattern. `occurrences` are the series' bookings, any status."""
    zone = zone_of(space)
    pattern = pattern_of(series)
    dates = pattern.dates()
    live = {
        b.occurrence_on: b
        for b in occurrences
        if b.status == BookingStatus.confirmed.value and b.occurrence_on in set(dates)
    }
    if not dates:
        return []
    uid = f"series-{series.id}@{UID_DOMAIN}"
    changed = max([series.updated_at, *(b.updated_at for b in occurrences)])
    sequence = series.sequence + sum(b.sequence for b in occurrences)
    first_start, first_end = _pattern_span(pattern, dates[0], zone)
    last_start, _last_end = _pattern_span(pattern, dates[-1], zone)
    master = Event()
    master.add("uid", uid)
    master.add("dtstamp", changed)
    master.add("created", series.created_at)
    master.add("last-modified", changed)
    master.add("sequence", sequence)
    master.add("dtstart", first_start)
    master.add("dtend", first_end)
    master.add(
        "rrule",
        {
            "freq": "weekly",
            "byday": [ICAL_DAYS[d] for d in pattern.weekdays],
            "until": last_start.astimezone(ZoneInfo("UTC")),
        },
    )
    missing = [_pattern_span(pattern, d, zone)[0] for d in dates if d not in live]
    if missing:
        master.add("exdate", missing)
    who = series.group_name or who_of_series(series)
    master.add("summary", _summary(space, audience, who))
    master.add("status", "CANCELLED" if series.cancelled_at and not live else "CONFIRMED")
    if audience != PUBLIC:
        master.add("description", _("Standing booking: %(pattern)s", pattern=describe(series)))
    _common(master, space, audience, f"{base_url}/bookings" if base_url else "")
    events = [master]
    for day, booking in sorted(live.items()):
        start, end = _pattern_span(pattern, day, zone)
        if (booking.starts_at, booking.ends_at) == (start, end):
            continue
        override = booking_event(booking, space, audience, base_url=base_url)
        override["uid"] = uid
        override.add("recurrence-id", start)
        events.append(override)
    return events


def who_of_series(series: BookingSeries) -> str:
    user = series.user
    return user.name if user is not None and getattr(user, "id", None) is not None else ""
