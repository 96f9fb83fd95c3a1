"""Calendar feeds over HTTP: every feed answered with 200 or 304, and a person's private
feeds: their own bookings (`/feeds/users/{token}.ics`) and, for staff, everything booked in
their communities (`/feeds/staff/{token}.ics`). Each installed domain contributes its
events; the feed is built once per change."""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any
from urllib.parse import quote

from icalendar import Component
from litestar import Controller, Request, Response, get
from litestar.params import FromPath

from app import domains, feeds, i18n
from app.accounts.sessions import load_actor
from app.errors import NotFound
from app.feeds import MEDIA_TYPE, Built, Context, FeedSource, Window
from app.i18n import _
from app.permissions import Actor
from app.settings import get_settings
from app.tables import FeedKind, User
from app.web.compression import negotiate, tagged
from app.web.context import RequestNow
from app.web.responses import etag_matches

AnyRequest = Request[Any, Any, Any]


def respond(request: Request[Any, Any, Any], built: Built, filename: str) -> Response[bytes]:
    """200 with the feed, or 304 when the client's copy is current. The feed is sent in the
    coding the client accepts, compressed when it was built, each coding with its own ETag."""
    coding = negotiate(request.headers.get("accept-encoding"))
    etag = f'"{built.etag}"'
    if coding is not None:
        etag = tagged(etag, coding)
    last_modified = built.last_modified.astimezone(UTC).replace(microsecond=0)
    headers = {
        "ETag": etag,
        "Vary": "Accept-Encoding",
        "Last-Modified": format_datetime(last_modified, usegmt=True),
        "Cache-Control": "private, max-age=300"
        if "/users/" in request.url.path or "/staff/" in request.url.path
        else "public, max-age=300",
        "Content-Disposition": f"inline; filename*=UTF-8''{quote(filename)}",
    }
    if _not_modified(request, etag, last_modified):
        return Response(b"", status_code=304, headers=headers)
    if coding is None:
        return Response(built.body, media_type=MEDIA_TYPE, headers=headers)
    headers["Content-Encoding"] = coding
    return Response(built.encoded[coding], media_type=MEDIA_TYPE, headers=headers)


def _not_modified(request: Request[Any, Any, Any], etag: str, last_modified: datetime) -> bool:
    if request.headers.get("if-none-match") is not None:
        return etag_matches(request, etag)
    since = request.headers.get("if-modified-since")
    if since:
        try:
            return last_modified <= parsedate_to_datetime(since)
        except (TypeError, ValueError):
            return False
    return False


def feed_locale(request: Request[Any, Any, Any], user: User | None = None) -> str:
    """The feed's language: `?lang=`, else the person's, else the site's."""
    asked = request.query_params.get("lang", "")
    if asked in i18n.SUPPORTED_LOCALES:
        return asked
    if user is not None and user.locale in i18n.SUPPORTED_LOCALES:
        return user.locale
    return get_settings().site.default_locale


def _sources(kind: FeedKind) -> list[FeedSource]:
    attribute = "personal_feed" if kind is FeedKind.personal else "staff_feed"
    return [s for s in (getattr(d, attribute) for d in domains.installed()) if s is not None]


async def private_feed(
    request: AnyRequest, file: str, kind: FeedKind, now: datetime
) -> Response[bytes]:
    user = await feeds.user_for(feeds.token_of_path(file), kind, now)
    actor: Actor = await load_actor(user)
    if kind is FeedKind.staff and not (actor.is_admin or actor.staff_of):
        raise NotFound(_("There is no calendar at this address."))
    locale = feed_locale(request, user)
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
    return respond(request, built, f"{name}.ics")


class FeedsController(Controller):
    path = "/feeds"
    include_in_schema = False

    @get("/users/{file:str}", name="feeds:personal")
    async def personal(
        self, request: AnyRequest, file: FromPath[str], now: RequestNow
    ) -> Response[bytes]:
        return await private_feed(request, file, FeedKind.personal, now)

    @get("/staff/{file:str}", name="feeds:staff")
    async def staff(
        self, request: AnyRequest, file: FromPath[str], now: RequestNow
    ) -> Response[bytes]:
        return await private_feed(request, file, FeedKind.staff, now)
