"""The couriers' pages as an installable app that keeps working without a connection: the
web app manifest, the service worker, the page it shows when nothing was saved, and the
`?offline=1` copies of /stations and /stations/{slug} the worker stores (no forms, no tokens,
nothing about who is looking)."""

from __future__ import annotations

import hashlib
from datetime import datetime
from functools import cache
from importlib.metadata import version
from typing import Annotated, Any

from litestar import Controller, Request, Response, get
from litestar.params import QueryParameter
from litestar.response import Template

from app import i18n
from app.i18n import _
from app.settings import SUPPORTED_LOCALES
from app.web.context import TEXT_SIZE_COOKIE, RequestNow
from app.web.responses import etag_matches, page
from app.web.templating import STATIC_DIR, TEMPLATES_DIR, versioned_static_url

AnyRequest = Request[Any, Any, Any]

SCOPE = "/stations"
"""What the installed app and its worker cover: the list and every station's page."""
THEME_COLOUR = "#0b5e55"
BACKGROUND_COLOUR = "#f3f5f4"
WORKER_TEMPLATE = "stations/sw.js"
PRECACHED_ASSETS = (
    "linli.css",
    "icons.svg",
    "brand.svg",
    "favicon.svg",
    "offline.js",
    "app-icon-192.png",
)
"""The static files the copies use, stored when the worker installs so a copy looks right
without a connection."""
KEPT_COPIES = 40
"""Copies a phone keeps at most; the oldest go first (every GPS search is a new address)."""
COPY_HEADERS = {"Cache-Control": "no-store", "X-Robots-Tag": "noindex"}
"""The worker keeps the copy in its own store; no HTTP cache or search engine should."""


def wants_copy(offline: str | None) -> bool:
    """Whether the request asked for the offline copy (`?offline=1`)."""
    return offline == "1"


@cache
def release() -> str:
    """The worker's version: Linli's version and the bytes of the worker and of the files it
    stores, so a deploy that changes any of them installs a new worker, which drops the old
    caches."""
    digest = hashlib.sha256(version("linli").encode())
    digest.update((TEMPLATES_DIR / WORKER_TEMPLATE).read_bytes())
    for name in PRECACHED_ASSETS:
        digest.update((STATIC_DIR / name).read_bytes())
    return digest.hexdigest()[:16]


def courier_page(
    request: AnyRequest,
    template_name: str,
    *,
    copy: bool,
    saved_at: datetime,
    status_code: int = 200,
    **context: Any,
) -> Template:
    """The page, or its offline copy: rendered for an anonymous visitor (no name, no
    notices, no flash messages taken from the visitor), stamped with the moment it was
    made, and marked for no cache and no search engine."""
    if not copy:
        return page(request, template_name, status_code=status_code, offline_copy=False, **context)
    return Template(
        template_name=template_name,
        context={
            "actor": None,
            "flashes": [],
            "large_text": request.cookies.get(TEXT_SIZE_COOKIE) == "large",
            "offline_copy": True,
            "saved_at": saved_at,
            **context,
        },
        status_code=status_code,
        headers=COPY_HEADERS,
    )


def manifest_for(request: AnyRequest, locale: str) -> dict[str, Any]:
    """The web app manifest of the couriers' pages, named in `locale`."""
    i18n.set_locale(locale)
    app = request.app
    start = app.route_reverse("stations:index")

    def icon(file_path: str, size: int, purpose: str) -> dict[str, str]:
        return {
            "src": versioned_static_url(app, file_path),
            "sizes": f"{size}x{size}",
            "type": "image/png",
            "purpose": purpose,
        }

    return {
        "id": start,
        "name": _("Linli rest stations"),
        "short_name": _("Rest stations"),
        "description": _("For couriers: water, charging, a toilet and a seat nearby, open now."),
        "lang": i18n.html_lang(locale),
        "dir": "ltr",
        "start_url": start,
        "scope": SCOPE,
        "display": "standalone",
        "theme_color": THEME_COLOUR,
        "background_color": BACKGROUND_COLOUR,
        "icons": [
            icon("app-icon-192.png", 192, "any"),
            icon("app-icon-512.png", 512, "any"),
            icon("app-icon-maskable-512.png", 512, "maskable"),
        ],
    }


class OfflineController(Controller):
    path = SCOPE
    include_in_schema = False

    @get("/manifest.webmanifest", name="stations:manifest")
    async def manifest(
        self,
        request: AnyRequest,
        lang: Annotated[str | None, QueryParameter(max_length=8)] = None,
    ) -> Response[dict[str, Any]]:
        """The manifest in the page's language (`lang`, put in the link by the page, since
        browsers fetch manifests without cookies), else the visitor's."""
        locale = lang if lang in SUPPORTED_LOCALES else i18n.current_locale()
        return Response(
            manifest_for(request, locale),
            media_type="application/manifest+json",
            headers={"Cache-Control": "no-cache"},
        )

    @get("/sw.js", name="stations:worker")
    async def worker(self, request: AnyRequest) -> Template | Response[bytes]:
        """The service worker. It lives under /stations but must also control /stations
        itself, hence `Service-Worker-Allowed`; its ETag is its version."""
        release_tag = release()
        etag = f'"{release_tag}"'
        headers = {
            "Service-Worker-Allowed": SCOPE,
            "Cache-Control": "no-cache",
            "ETag": etag,
        }
        if etag_matches(request, etag):
            return Response(b"", status_code=304, headers=headers)
        app = request.app
        config = {
            "version": release_tag,
            "scope": SCOPE,
            "assets": [versioned_static_url(app, name) for name in PRECACHED_ASSETS],
            "fallback": app.route_reverse("stations:offline"),
            "reserved": ["map", "offline", "sw.js", "manifest.webmanifest"],
            "kept_copies": KEPT_COPIES,
        }
        return Template(
            template_name=WORKER_TEMPLATE,
            context={"config": config},
            media_type="text/javascript",
            headers=headers,
        )

    @get("/offline", name="stations:offline")
    async def no_connection(self, request: AnyRequest, now: RequestNow) -> Template:
        """What the worker shows for a page that was never saved, when there is no
        connection; stored when the worker installs."""
        return courier_page(request, "stations/offline.html", copy=True, saved_at=now)
