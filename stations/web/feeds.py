"""A station's calendar feed: when it is open (each opening as an event, holidays and dated
hours applied) and its closures, from a week back to two months ahead."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from icalendar import Component, Event
from litestar import Controller, Request, Response, get
from litestar.params import FromPath

from app import clock, feeds, i18n
from app.calendar import Interval, wall_to_utc
from app.feeds import Window
from app.i18n import _, localized
from app.web.feeds import feed_locale, respond
from stations.services import catalog
from stations.tables import Station, StationClosure

BACK = timedelta(days=7)
AHEAD = timedelta(days=60)
UID_DOMAIN = "linli"

AnyRequest = Request[Any, Any, Any]


def _place(event: Event, station: Station) -> None:
    address = localized(station, "address")
    if address:
        event.add("location", address)
    event.add("geo", (station.latitude, station.longitude))
    event.add("class", "PUBLIC")


async def station_events(station: Station, now: datetime) -> list[Component]:
    """Open hours as events marked free (TRANSP:TRANSPARENT), closures as busy ones."""
    data = await catalog.calendar_data([station.id], now, before=BACK, after=AHEAD)
    calendar = catalog.station_calendar_of(station, data)
    zone = catalog.hours_spec(station).zone
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
        & (StationClosure.starts_at < window_end)
        & (StationClosure.ends_at > window_start)
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
    return events


class StationFeedController(Controller):
    path = "/feeds/stations"
    include_in_schema = False

    @get("/{file:str}", name="feeds:station")
    async def feed(self, request: AnyRequest, file: FromPath[str]) -> Response[bytes]:
        now = clock.utcnow()
        station = await catalog.get_station(feeds.token_of_path(file))
        locale = feed_locale(request)
        i18n.set_locale(locale)
        window = Window.around(now)
        name = _("%(station)s: opening hours", station=localized(station, "name"))
        fingerprint = (
            f"station:{station.id}:{station.created_at}:{station.version}:"
            f"{station.updated_at}:{window.first_day}:{locale}"
        )

        async def build() -> bytes:
            events = await station_events(station, now)
            return await feeds.finish(feeds.calendar(name), events, window)

        built = await feeds.cached(f"station:{station.id}:{locale}", fingerprint, build, now)
        return respond(request, built, f"{station.slug}.ics")
