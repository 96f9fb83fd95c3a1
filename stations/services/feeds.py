"""A station's calendar feed: when it is open (each opening as an event, holidays and dated
hours applied), its closures and its dated services (cancelled ones as STATUS:CANCELLED),
from a week back to two months ahead."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from icalendar import Component, Event

from app.calendar import Interval, wall_to_utc
from app.feeds import Window
from app.i18n import _, localized
from app.queries import overlapping
from stations.queries.calendars import calendar_data, hours_spec, station_calendar_of
from stations.tables import Station, StationClosure, StationEvent

BACK = timedelta(days=7)
AHEAD = timedelta(days=60)
UID_DOMAIN = "linli"


def _place(event: Event, station: Station) -> None:
    address = localized(station, "address")
    if address:
        event.add("location", address)
    event.add("geo", (station.latitude, station.longitude))
    event.add("class", "PUBLIC")


async def station_events(station: Station, now: datetime) -> list[Component]:
    """Open hours as events marked free (TRANSP:TRANSPARENT), closures as busy ones."""
    data = await calendar_data([station.id], now, before=BACK, after=AHEAD)
    calendar = station_calendar_of(station, data)
    zone = hours_spec(station).zone
    # Whole local days, so no opening is cut at the window's edge.
    window_start = wall_to_utc(datetime.combine((now - BACK).astimezone(zone).date(), time()), zone)
    window_end = wall_to_utc(datetime.combine((now + AHEAD).astimezone(zone).date(), time()), zone)
    events: list[Component] = []
    if calendar is not None:
        for interval in calendar.open_intervals(Interval(window_start, window_end)):
            event = Event()
            stamp = interval.start.astimezone(zone).strftime("%Y%m%dT%H%M")
            event.add("uid", f"station-{station.id}-open-{stamp}@{UID_DOMAIN}")
            event.add("dtstamp", station.updated_at)
            event.add("last-modified", station.updated_at)
            event.add("sequence", station.version)
            event.add("dtstart", interval.start.astimezone(zone))
            event.add("dtend", interval.end.astimezone(zone))
            event.add("summary", _("Open: %(station)s", station=localized(station, "name")))
            event.add("transp", "TRANSPARENT")
            event.add("status", "CONFIRMED")
            _place(event, station)
            events.append(event)
    closures = await StationClosure.objects().where(
        (StationClosure.station == station.id)
        & overlapping(StationClosure.starts_at, StationClosure.ends_at, window_start, window_end)
    )
    for closure in closures:
        event = Event()
        event.add("uid", f"station-{station.id}-closure-{closure.id}@{UID_DOMAIN}")
        event.add("dtstamp", closure.created_at)
        event.add("last-modified", closure.created_at)
        event.add("dtstart", closure.starts_at.astimezone(zone))
        event.add("dtend", closure.ends_at.astimezone(zone))
        name = localized(station, "name")
        event.add(
            "summary",
            _("Closed: %(station)s (%(reason)s)", station=name, reason=closure.reason)
            if closure.reason
            else _("Closed: %(station)s", station=name),
        )
        event.add("transp", "OPAQUE")
        event.add("status", "CONFIRMED")
        _place(event, station)
        events.append(event)
    services = (
        await StationEvent.objects()
        .where(
            (StationEvent.station == station.id)
            & overlapping(StationEvent.starts_at, StationEvent.ends_at, window_start, window_end)
        )
        .order_by(StationEvent.starts_at)
        .order_by(StationEvent.id)
    )
    events.extend(service_event(station, service, zone) for service in services)
    return events


def service_event(station: Station, service: StationEvent, zone: ZoneInfo) -> Event:
    """A dated service as a VEVENT: busy (OPAQUE) for whoever goes; one stable UID whatever
    changes, its SEQUENCE growing with each change and STATUS:CANCELLED once cancelled."""
    event = Event()
    event.add("uid", f"station-{station.id}-service-{service.id}@{UID_DOMAIN}")
    event.add("dtstamp", service.updated_at)
    event.add("last-modified", service.updated_at)
    event.add("sequence", service.sequence)
    event.add("dtstart", service.starts_at.astimezone(zone))
    event.add("dtend", service.ends_at.astimezone(zone))
    event.add(
        "summary",
        _("%(service)s at %(station)s", service=service.title, station=localized(station, "name")),
    )
    if service.description:
        event.add("description", service.description)
    event.add("transp", "OPAQUE")
    event.add("status", "CANCELLED" if service.cancelled_at else "CONFIRMED")
    _place(event, station)
    return event


def feed_fingerprint(station: Station, window: Window, locale: str) -> str:
    """What the station's feed is built from: a change to any of it builds it anew."""
    return (
        f"station:{station.id}:{station.created_at}:{station.version}:"
        f"{station.updated_at}:{window.first_day}:{locale}"
    )
