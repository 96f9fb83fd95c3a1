"""Every HTML page describes itself in a `<meta name="description">`, in Chinese and in
English: the route walk opens every GET route of the app, signed in as the demo admin on the
demo district, and checks each page it gets back (error pages included)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from litestar import Litestar
from litestar.routes import HTTPRoute

from app import demo
from app.asgi import install_domains
from app.tables import User
from needs.tables import Need, PartnerAgreement, PartnerUnit, Project, Resource
from spaces.tables import Booking, BookingSeries, WaitlistEntry
from stations.tables import StationEvent
from tests.factories import NOW
from tests.fixtures import Browser

pytestmark = pytest.mark.db

NOT_PAGES = re.compile(
    r"^/(api|open311|static|media|schema|healthz)|/feeds?\b|\.(ics|json|csv)$|/photo$|/qr$"
)
"""Routes that answer with something other than an HTML page."""


class _Description(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "meta" and values.get("name") == "description":
            self.found.append(values.get("content") or "")


def descriptions_of(html: str) -> list[str]:
    parser = _Description()
    parser.feed(html)
    return parser.found


async def _path_values() -> dict[str, str]:
    """A value for each path parameter, taken from the demo district."""
    need = await Need.select(Need.id).first()
    series = await BookingSeries.select(BookingSeries.id, BookingSeries.space.slug).first()
    return {
        "booking_id": str((await Booking.select(Booking.id).first())["id"]),
        "series_id": str(series["id"]),
        "series_space": series["space.slug"],
        "entry_id": str((await WaitlistEntry.select(WaitlistEntry.id).first() or {"id": 0})["id"]),
        "need_id": str(need["id"]),
        "token": "not-a-token",
        "project_id": str((await Project.select(Project.id).first())["id"]),
        "resource_id": str((await Resource.select(Resource.id).first())["id"]),
        "service_id": str(
            (
                await StationEvent.select(StationEvent.id)
                .where(StationEvent.station.slug == "bayi-service-centre")
                .first()
            )["id"]
        ),
        "unit_id": str((await PartnerUnit.select(PartnerUnit.id).first())["id"]),
        "agreement_id": str((await PartnerAgreement.select(PartnerAgreement.id).first())["id"]),
        "user_id": str(
            (await User.select(User.id).where(User.login == demo.RESIDENT_LOGIN).first())["id"]
        ),
    }


def _slug_for(path: str, values: dict[str, str]) -> str:
    if "/series/" in path:
        return values["series_space"]
    if "/communities/" in path:
        return "caijiaxiang"
    if "/stations/" in path:
        return "bayi-service-centre"
    return "caijiaxiang-music-room"


def page_paths(app: Litestar, values: dict[str, str]) -> list[tuple[str, str]]:
    """(route, path to open) for every GET route that answers with a page."""
    paths = []
    for route in app.routes:
        if not isinstance(route, HTTPRoute) or NOT_PAGES.search(route.path):
            continue
        if not any("GET" in handler.http_methods for handler in route.route_handlers):
            continue
        path = re.sub(
            r"\{(\w+):\w+\}",
            lambda match, route_path=route.path: (
                _slug_for(route_path, values) if match[1] == "slug" else values[match[1]]
            ),
            route.path,
        )
        paths.append((route.path, path))
    return sorted(paths)


NOT_SHOWN_TO_ADMIN = {
    "/metrics",
    "/needs/{need_id:str}",
    "/needs/follow/{token:str}",
    "/needs/tasks/{need_id:str}",
    "/waitlist/{entry_id:str}",
}
"""A resident's own need (and its secret link, a task of a volunteer), a waitlist entry
(the demo district has none), and /metrics (for a scraper only): the admin gets the 404
page, which is checked too."""


async def walk(browser: Browser, paths: list[str]) -> tuple[dict[str, list[str]], set[str]]:
    """Each HTML page's descriptions by path, and the paths that answered 200."""
    found, shown = {}, set()
    for path in paths:
        response = await browser.get(path)
        if response.headers.get("content-type", "").startswith("text/html"):
            found[path] = descriptions_of(response.text)
            if response.status_code == 200:
                shown.add(path)
    return found, shown


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
async def test_every_page_has_a_description_in_its_language(
    app: Litestar, browser: Browser, locale: str
) -> None:
    await demo.load(NOW)
    for domain in install_domains():
        if domain.load_demo:
            await domain.load_demo(NOW)
    routes = page_paths(app, await _path_values())
    paths = [path for _route, path in routes]
    browser.set_language(locale)
    signed_out, shown_signed_out = await walk(browser, paths)
    await browser.sign_in(demo.ADMIN_LOGIN, demo.DEMO_PASSWORD)
    signed_in, shown_signed_in = await walk(browser, paths)

    pages = [*signed_out.items(), *signed_in.items()]
    assert [path for path, found in pages if len(found) != 1 or not found[0].strip()] == []
    cjk = re.compile(r"[\u3400-\u9fff]")
    if locale == "zh_CN":
        assert [path for path, found in pages if not cjk.search(found[0])] == []
    else:
        # The English sentence may quote a name only Chinese has (a community's, say).
        assert [path for path, found in pages if cjk.search(found[0].rsplit(":", 1)[-1])] == []
    pages_routes = {route for route, path in routes if path in signed_out.keys() | signed_in}
    not_shown = pages_routes - {
        route for route, path in routes if path in shown_signed_out | shown_signed_in
    }
    assert not_shown == NOT_SHOWN_TO_ADMIN
    assert len(pages_routes) >= 67
