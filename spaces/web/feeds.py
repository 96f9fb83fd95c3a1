"""A space's public calendar feed (busy times only), and one booking as a calendar file or a
Google Calendar link for its owner."""

from __future__ import annotations

from datetime import UTC
from typing import Any
from urllib.parse import quote, urlencode

from litestar import Controller, Request, Response, get
from litestar.params import FromPath

from app import feeds, i18n
from app.feeds import Context, Window
from app.i18n import _, localized
from app.web.context import CurrentActor, RequestNow
from app.web.feeds import feed_locale, respond
from app.web.guards import requires_signed_in
from spaces.services import bookings, catalog
from spaces.services.feed_events import PERSONAL, STAFF, booking_event
from spaces.services.feeds import public_events, public_fingerprint
from spaces.tables import Booking, Space

AnyRequest = Request[Any, Any, Any]


class SpaceFeedController(Controller):
    path = "/feeds/spaces"
    include_in_schema = False

    @get("/{file:str}", name="feeds:space")
    async def feed(
        self, request: AnyRequest, file: FromPath[str], now: RequestNow
    ) -> Response[bytes]:
        """Busy times of an active space, titled "booked" in the feed's language."""
        space = await catalog.get_space(feeds.token_of_path(file))
        locale = feed_locale(request)
        i18n.set_locale(locale)
        window = Window.around(now)
        name = _("%(space)s: booked times", space=localized(space, "name"))

        async def build() -> bytes:
            events = await public_events(space, Context(window, "", now))
            return await feeds.finish(feeds.calendar(name), events, window)

        built = await feeds.cached(
            f"space:{space.id}:{locale}",
            f"{public_fingerprint(space, window)}:{locale}",
            build,
            now,
        )
        return respond(request, built, f"{space.slug}.ics")


def google_calendar_url(booking: Booking, space: Space, link: str) -> str:
    """A Google Calendar "add event" link for the booking."""
    stamp = "%Y%m%dT%H%M%SZ"
    start = booking.starts_at.astimezone(UTC)
    end = booking.ends_at.astimezone(UTC)
    query = {
        "action": "TEMPLATE",
        "text": localized(space, "name"),
        "dates": f"{start.strftime(stamp)}/{end.strftime(stamp)}",
        "ctz": space.timezone,
        "location": ", ".join(
            p for p in (localized(space, "location"), localized(space.community, "name")) if p
        ),
        "details": link,
    }
    return "https://calendar.google.com/calendar/render?" + urlencode(query, quote_via=quote)


class BookingCalendarController(Controller):
    path = "/bookings/{booking_id:str}"
    guards = [requires_signed_in]
    include_in_schema = False

    @get("/event.ics", name="bookings:ics")
    async def event(
        self,
        request: AnyRequest,
        booking_id: FromPath[str],
        actor: CurrentActor,
    ) -> Response[bytes]:
        """The booking as a calendar file to open in any calendar app (its owner or staff)."""
        booking, space = await bookings.get_booking(actor, booking_id)
        space = await catalog.get_space(space.slug, include_inactive=True)
        audience = PERSONAL if booking.user == actor.id else STAFF
        base_url = str(request.base_url).rstrip("/")
        event = booking_event(booking, space, audience, base_url=base_url)
        window = Window.around(booking.starts_at)
        body = await feeds.finish(feeds.calendar(localized(space, "name")), [event], window)
        return Response(
            body,
            media_type=feeds.MEDIA_TYPE,
            headers={
                "Content-Disposition": "attachment; filename*=UTF-8''"
                + quote(f"{localized(space, 'name')}.ics")
            },
        )
