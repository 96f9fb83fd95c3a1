"""A station's public calendar feed (/feeds/stations/{slug}.ics): when it is open, its
closures and its dated services, in the feed's language (see stations.services.feeds)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get
from litestar.params import FromPath

from app import feeds, i18n
from app.feeds import Window
from app.i18n import _, localized
from app.web.context import RequestNow
from app.web.feeds import feed_locale, respond
from stations.services import catalog
from stations.services.feeds import feed_fingerprint, station_events

AnyRequest = Request[Any, Any, Any]


class StationFeedController(Controller):
    path = "/feeds/stations"
    include_in_schema = False

    @get("/{file:str}", name="feeds:station")
    async def feed(
        self, request: AnyRequest, file: FromPath[str], now: RequestNow
    ) -> Response[bytes]:
        station = await catalog.get_station(feeds.token_of_path(file))
        locale = feed_locale(request)
        i18n.set_locale(locale)
        window = Window.around(now)
        name = _("%(station)s: opening hours and services", station=localized(station, "name"))

        async def build() -> bytes:
            events = await station_events(station, now)
            return await feeds.finish(feeds.calendar(name), events, window)

        built = await feeds.cached(
            f"station:{station.id}:{locale}", feed_fingerprint(station, window, locale), build, now
        )
        return respond(request, built, f"{station.slug}.ics")
