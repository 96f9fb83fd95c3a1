"""Headers on every answer (security policy, private caching, Secure cookies over HTTPS)
and the access log line, with secrets taken out of logged paths."""

from __future__ import annotations

import logging
import re
from functools import cache
from time import perf_counter
from typing import TYPE_CHECKING

from litestar.enums import ScopeType

from app.settings import get_settings
from app.web.context import context_of
from app.web.request_ids import request_id_of

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


@cache
def _every_answer() -> tuple[tuple[bytes, bytes], ...]:
    """The headers every answer carries unless it set its own."""
    return (
        (b"content-security-policy", _csp().encode()),
        (b"x-content-type-options", b"nosniff"),
        (b"x-frame-options", b"DENY"),
        (b"permissions-policy", b"geolocation=(self), camera=(), microphone=()"),
        (b"cross-origin-opener-policy", b"same-origin"),
    )


async def before_send(message: Message, scope: Scope) -> None:
    """Security headers, Secure cookies over HTTPS and the access log line, on every answer.

    It works on the raw header list: every answer passes here, and a lookup by name in
    Litestar's header views scans the list each time."""
    if message["type"] != "http.response.start" or scope["type"] != ScopeType.HTTP:
        return
    raw = list(message.get("headers") or ())
    present = {name.lower() for name, _value in raw}
    path = scope["path"]
    raw += [(name, value) for name, value in _every_answer() if name not in present]
    if b"referrer-policy" not in present:
        policy = b"no-referrer" if path.startswith("/feeds/") else b"same-origin"
        raw.append((b"referrer-policy", policy))
    # A signed-in person's pages are theirs alone; answers that declare themselves public
    # (photos, static files) stay cacheable.
    context = context_of(scope)
    if context is not None and context.actor is not None:
        cache_control = next((v for n, v in raw if n.lower() == b"cache-control"), b"")
        if not cache_control.startswith(b"public"):
            raw = [(n, v) for n, v in raw if n.lower() != b"cache-control"]
            raw.append((b"cache-control", b"private, no-store"))
    if scope.get("scheme") == "https":
        if b"strict-transport-security" not in present:
            raw.append((b"strict-transport-security", b"max-age=31536000"))
        raw = [
            (n, v + b"; Secure")
            if n.lower() == b"set-cookie" and b"secure" not in v.lower()
            else (n, v)
            for n, v in raw
        ]
    request_id = request_id_of(scope)
    if request_id is not None:
        raw.append((b"x-request-id", request_id.encode()))
    message["headers"] = raw
    if not access_log.isEnabledFor(logging.INFO):
        return
    duration_ms = round((perf_counter() - context.started) * 1000, 1) if context else None
    client = scope.get("client")
    host = client[0] if client else "-"
    method = scope.get("method", "-")
    shown_path = redacted_path(path)
    status = message["status"]
    access_log.info(
        "%s %s %s %s %s",
        host,
        method,
        shown_path,
        status,
        f"{duration_ms}ms" if duration_ms is not None else "-",
        extra={
            "client": host,
            "method": method,
            "path": shown_path,
            "route": scope.get("path_template"),
            "status": status,
            "duration_ms": duration_ms,
        },
    )
