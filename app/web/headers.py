"""Headers on every answer (security policy, private caching, Secure cookies over HTTPS)
and the access log line, with secrets taken out of logged paths."""

from __future__ import annotations

import logging
import re
from functools import cache
from time import perf_counter
from typing import TYPE_CHECKING

from litestar.datastructures import MutableScopeHeaders
from litestar.enums import ScopeType

from app.settings import get_settings
from app.web.context import context_of

if TYPE_CHECKING:
    from litestar.types import Message, Scope

access_log = logging.getLogger("linli.access")


@cache
def _csp() -> str:
    """The Content-Security-Policy of every answer, the API reference included: only this
    site, plus the map's tile servers for images."""
    tiles = " ".join(get_settings().map.tile_origins)
    return (
        f"default-src 'self'; img-src 'self' data: {tiles}; style-src 'self'; "
        "script-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
        "frame-ancestors 'none'"
    )


_FEED_PATH = re.compile(r"^/feeds/(users|staff)/[^/]+")
_FOLLOW_PATH = re.compile(r"^/needs/follow/[^/]+")


def redacted_path(path: str) -> str:
    """The path with secret parts (feed tokens, links to follow a need) removed, for logs."""
    path = _FOLLOW_PATH.sub("/needs/follow/[redacted]", path)
    return _FEED_PATH.sub(lambda m: f"/feeds/{m.group(1)}/[redacted]", path)


async def before_send(message: Message, scope: Scope) -> None:
    """Security headers, Secure cookies over HTTPS and the access log line, on every answer."""
    if message["type"] != "http.response.start" or scope["type"] != ScopeType.HTTP:
        return
    headers = MutableScopeHeaders.from_message(message)
    path = scope["path"]
    headers.setdefault("content-security-policy", _csp())
    headers.setdefault("x-content-type-options", "nosniff")
    headers.setdefault("x-frame-options", "DENY")
    headers.setdefault(
        "referrer-policy", "no-referrer" if path.startswith("/feeds/") else "same-origin"
    )
    headers.setdefault("permissions-policy", "geolocation=(self), camera=(), microphone=()")
    headers.setdefault("cross-origin-opener-policy", "same-origin")
    # A signed-in person's pages are theirs alone; answers that declare themselves public
    # (photos, static files) stay cacheable.
    context = context_of(scope)
    signed_in = context is not None and context.actor is not None
    if signed_in and not (headers.get("cache-control") or "").startswith("public"):
        headers["cache-control"] = "private, no-store"
    if scope.get("scheme") == "https":
        headers.setdefault("strict-transport-security", "max-age=31536000")
        cookies = headers.getall("set-cookie", [])
        if cookies:
            del headers["set-cookie"]
            for cookie in cookies:
                secure = cookie if "secure" in cookie.lower() else cookie + "; Secure"
                headers.add("set-cookie", secure)
    duration_ms = f"{(perf_counter() - context.started) * 1000:.1f}ms" if context else "-"
    client = scope.get("client")
    access_log.info(
        "%s %s %s %s %s",
        client[0] if client else "-",
        scope.get("method", "-"),
        redacted_path(path),
        message["status"],
        duration_ms,
    )
