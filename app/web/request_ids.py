"""Every request's id: made here, or kept from a trusted proxy's `X-Request-ID`; returned on
every answer (`app.web.headers.before_send`), written on the request's log lines
(`app.web.logs`) and shown on error pages, so a person can quote it and staff can find it.

The same wrapper resolves `X-Forwarded-For` and `X-Forwarded-Proto` with uvicorn's own
middleware (`linli serve` turns uvicorn's off): it must see the address the connection
came from before that is replaced by the client's, to know whether a proxy sent the id.
"""

from __future__ import annotations

import re
import secrets
from typing import TYPE_CHECKING

from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from app.web.logs import current_request_id

if TYPE_CHECKING:
    from litestar.types import ASGIApp, Receive, Scope, Send

HEADER = b"x-request-id"
_STATE_KEY = "linli.request_id"
_SAFE = re.compile(rb"[A-Za-z0-9._:+=@/-]{1,128}")
"""An incoming id is kept only when it is short and cannot break a log line or a header."""


def new_request_id() -> str:
    """16 random hex digits: unique enough to find one request in a day's logs."""
    return secrets.token_hex(8)


def request_id_of(scope: Scope) -> str | None:
    found = scope.get("state", {}).get(_STATE_KEY)
    return found if isinstance(found, str) else None


def incoming_request_id(scope: Scope, from_trusted_proxy: bool) -> str:
    """A trusted proxy's valid `X-Request-ID`, else a new id."""
    if from_trusted_proxy:
        for name, value in scope["headers"]:
            if name == HEADER:
                if _SAFE.fullmatch(value):
                    return value.decode("ascii")
                break
    return new_request_id()


def with_request_ids(app: ASGIApp, trusted_proxies: str) -> ASGIApp:
    """Wrap `app` (before routing): give each HTTP request its id, then resolve forwarded
    headers from `trusted_proxies` (LINLI_TRUSTED_PROXIES) as uvicorn would."""
    resolve = ProxyHeadersMiddleware(app, trusted_hosts=trusted_proxies)  # type: ignore[arg-type]
    trusted = resolve.trusted_hosts

    async def handle(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await resolve(scope, receive, send)  # type: ignore[arg-type]
            return
        client = scope.get("client")
        request_id = incoming_request_id(scope, client is not None and client[0] in trusted)
        scope.setdefault("state", {})[_STATE_KEY] = request_id
        token = current_request_id.set(request_id)
        try:
            await resolve(scope, receive, send)  # type: ignore[arg-type]
        finally:
            current_request_id.reset(token)

    return handle
