"""`/metrics` for Prometheus, through Litestar's Prometheus plugin.

Requests and their latency are counted by route template (`/spaces/{slug:str}`, never the
address asked for, which would make a series per space), method and status class (2xx …
5xx). The page answers only a scraper: from an address in LINLI_METRICS_ADDRESSES, or with
`Authorization: Bearer` LINLI_METRICS_TOKEN; anyone else gets the site's 404, as if there
were no such page (the figures are not secret, but they are nobody else's business, and a
404 tells a prober nothing about the token).
"""

from __future__ import annotations

import hmac
import ipaddress
from time import perf_counter
from typing import TYPE_CHECKING, Any, ClassVar, cast

from litestar import Request, Response, get
from litestar.exceptions import NotFoundException
from litestar.plugins.prometheus import PrometheusConfig, PrometheusController, PrometheusMiddleware

from app import metrics
from app.settings import MetricsSettings, Settings

if TYPE_CHECKING:
    from litestar.types import HTTPScope, Message, Receive, Scope, Send

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
"""The classic text format `generate_latest` writes, which every Prometheus reads."""
LABELS: dict[str, str | int | float] = {"method": "GET", "route": "", "status": ""}


class RouteMetricsMiddleware(PrometheusMiddleware):
    """The plugin's middleware with the labels above and nothing else per request: two
    series updates, no Request object, no in-progress gauge."""

    _series: ClassVar[dict[tuple[str, str, str], tuple[Any, Any]]] = {}
    """The (count, latency) children of each label set, found once: `labels()` takes a
    lock and builds a key on every call."""

    def series(self, values: tuple[str, str, str]) -> tuple[Any, Any]:
        found = self._series.get(values)
        if found is None:
            found = (
                self.request_count(LABELS).labels(*values),
                self.request_time(LABELS).labels(*values),
            )
            self._series[values] = found
        return found

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = perf_counter()
        status = 500  # a failure that escapes before an answer starts

        async def send_noting_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_noting_status)
        finally:
            method = cast("HTTPScope", scope)["method"]
            count, latency = self.series(
                (method, scope.get("path_template", ""), f"{status // 100}xx")
            )
            count.inc()
            latency.observe(perf_counter() - started)


def configure_prometheus() -> PrometheusConfig:
    return PrometheusConfig(
        app_name="linli",
        prefix="linli_http",
        group_path=True,
        middleware_class=RouteMetricsMiddleware,
        buckets=[0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    )


def may_scrape(settings: MetricsSettings, client_host: str | None, authorization: str) -> bool:
    """True for a listed address, or the right bearer token (compared in constant time)."""
    if settings.token:
        scheme, _sep, given = authorization.partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(
            given.strip().encode(), settings.token.encode()
        ):
            return True
    if client_host and settings.addresses:
        try:
            address = ipaddress.ip_address(client_host)
        except ValueError:
            return False
        return any(address in network for network in settings.addresses)
    return False


class MetricsController(PrometheusController):
    path = "/metrics"
    include_in_schema = False

    @get()
    async def get(self, request: Request[Any, Any, Any]) -> Response[bytes]:
        client = request.client.host if request.client else None
        settings: Settings = request.app.state.settings
        if not may_scrape(settings.metrics, client, request.headers.get("authorization", "")):
            raise NotFoundException()
        body = metrics.exposition(await metrics.site_state())
        return Response(body, headers={"Content-Type": CONTENT_TYPE, "Cache-Control": "no-store"})
