"""A person's private calendar feeds: their own bookings (`/feeds/users/{token}.ics`) and,
for staff, everything booked in their communities (`/feeds/staff/{token}.ics`). Each
installed domain contributes its events; the feed is built once per change."""

from __future__ import annotations

from typing import Any

from icalendar import Component
from litestar import Controller, Request, Response, get
from litestar.params import FromPath

from app import clock, domains, feeds, i18n
from app.accounts.sessions import load_actor
from app.errors import NotFound
from app.feeds import Context, FeedSource, Window
from app.i18n import _
from app.permissions import Actor
from app.tables import FeedKind

AnyRequest = Request[Any, Any, Any]


def _sources(kind: FeedKind) -> list[FeedSource]:
    attribute = "personal_feed" if kind is FeedKind.personal else "staff_feed"
    return [s for s in (getattr(d, attribute) for d in domains.installed()) if s is not None]


async def private_feed(request: AnyRequest, file: str, kind: FeedKind) -> Response[bytes]:
    now = clock.utcnow()
    user = await feeds.user_for(feeds.token_of_path(file), kind, now)
    actor: Actor = await load_actor(user)
    if kind is FeedKind.staff and not (actor.is_admin or actor.staff_of):
        raise NotFound(_("There is no calendar at this address."))
    locale = feeds.feed_locale(request, user)
    i18n.set_locale(locale)
    window = Window.around(now)
    base_url = str(request.base_url).rstrip("/")
    sources = _sources(kind)
    parts = [await source.fingerprint(actor, window) for source in sources]
    scope = sorted(actor.staff_of) if kind is FeedKind.staff else []
    fingerprint = "|".join(
        [kind.value, str(user.id), locale, str(window.first_day), base_url, str(scope), *parts]
    )
    if kind is FeedKind.personal:
        name = _("My bookings · %(site)s", site=_("Linli"))
    else:
        name = _("Bookings in my communities · %(site)s", site=_("Linli"))

    async def build() -> bytes:
        context = Context(window, base_url, now)
        events: list[Component | bytes] = []
        for source in sources:
            events += await source.events(actor, context)
        return await feeds.finish(feeds.calendar(name), events, window)

    built = await feeds.cached(f"{kind.value}:{user.id}:{locale}", fingerprint, build, now)
    return feeds.respond(request, built, f"{name}.ics")


class FeedsController(Controller):
    path = "/feeds"
    include_in_schema = False

    @get("/users/{file:str}", name="feeds:personal")
    async def personal(self, request: AnyRequest, file: FromPath[str]) -> Response[bytes]:
        return await private_feed(request, file, FeedKind.personal)

    @get("/staff/{file:str}", name="feeds:staff")
    async def staff(self, request: AnyRequest, file: FromPath[str]) -> Response[bytes]:
        return await private_feed(request, file, FeedKind.staff)
