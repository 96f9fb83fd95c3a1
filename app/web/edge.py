"""What every request meets before routing: HEAD answered as GET without a body, control
characters in a path made harmless; and what a request with a body meets before anything
reads it: the route's guards, its size bound, then the JSON depth check or the multipart
reader.

- **HEAD.** Every GET route answers HEAD (DESIGN, "Pages"): the request is routed as a GET
  and the body is dropped while the status and headers, `Content-Length` included, stay
  what GET would send.
- **Paths.** A NUL or other control character in a path cannot name anything: it is
  replaced by U+FFFD before routing, so such a path is an ordinary 404 rather than an error
  from the file system (`/static/x%00.jpg`).
- **Cheap checks first.** A visitor's body sent to a route that needs sign-in, or a body
  announced larger than the route accepts, is refused before a byte of it is read: the
  route's guards run here (Litestar runs them only after its CSRF check has read a form),
  then `Content-Length` is held against the route's `request_max_body_size` (413).
- **JSON depth.** msgspec and `json` decode recursively; a body nested a thousand levels
  deep would exhaust the stack (a 500). Nesting deeper than `MAX_JSON_DEPTH` is refused with
  400 problem details first; no API body of Linli's nests more than a few levels.
- **Multipart.** Read as a stream within per-part bounds by `app.web.uploads`.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, cast

from litestar import Request
from litestar.enums import RequestEncodingType, ScopeType
from litestar.middleware import ASGIMiddleware

from app.errors import FieldError, MalformedRequest
from app.i18n import _
from app.web.uploads import TooLarge, receive_multipart

if TYPE_CHECKING:
    from litestar.types import ASGIApp, HTTPScope, Message, Receive, Scope, Send

MAX_JSON_DEPTH = 32
_WITH_BODY = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_OPEN, _CLOSE, _QUOTE, _BACKSLASH = (b"[{", b"]}", ord('"'), ord("\\"))


def answer_head(app: ASGIApp) -> ASGIApp:
    """`app` with HEAD served as GET without a body, and control characters in paths made
    harmless (see the module's docstring)."""

    async def edge(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        http = cast("HTTPScope", scope)
        if _CONTROL.search(http["path"]):
            http = cast("HTTPScope", {**http, "path": _CONTROL.sub("\ufffd", http["path"])})
        if http["method"] != "HEAD":
            await app(http, receive, send)
            return

        async def without_body(message: Message) -> None:
            if message["type"] == "http.response.body":
                message = cast("Message", {**message, "body": b""})
            await send(message)

        await app(cast("HTTPScope", {**http, "method": "GET"}), receive, without_body)

    return edge


def nested_deeper_than(body: bytes, limit: int) -> bool:
    """Whether the JSON text `body` opens more than `limit` arrays or objects inside each
    other (brackets inside strings do not count). Linear, and nearly free for the bodies
    that cannot be that deep."""
    if body.count(b"[") + body.count(b"{") <= limit:
        return False
    depth = 0
    in_string = escaped = False
    for byte in body:
        if in_string:
            if escaped:
                escaped = False
            elif byte == _BACKSLASH:
                escaped = True
            elif byte == _QUOTE:
                in_string = False
        elif byte == _QUOTE:
            in_string = True
        elif byte in _OPEN:
            depth += 1
            if depth > limit:
                return True
        elif byte in _CLOSE:
            depth -= 1
    return False


class BodyGateMiddleware(ASGIMiddleware):
    """For a request with a body: the route's guards, then its size bound against
    `Content-Length`, then a JSON body's depth or a multipart body read as a stream, all
    before the CSRF check, the idempotency check or the handler read anything. The body
    read here is the one they read. (The guards run again in Litestar's own place; they
    only look at the request's context.)"""

    scopes = (ScopeType.HTTP,)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        if scope.get("method") in _WITH_BODY:
            request = Request[Any, Any, Any](scope, receive)
            handler = request.route_handler
            await handler.authorize_connection(request)
            limit = handler.resolve_request_max_body_size()
            if limit and (request.content_length or 0) > limit:
                raise TooLarge(limit)
            media_type = request.content_type[0]
            if media_type == RequestEncodingType.MULTI_PART:
                await receive_multipart(request)
            elif "json" in media_type and nested_deeper_than(await request.body(), MAX_JSON_DEPTH):
                message = _(
                    "The JSON is nested more than %(n)s levels deep; no request needs that.",
                    n=MAX_JSON_DEPTH,
                )
                raise MalformedRequest([FieldError("body", message)], message)
        await next_app(scope, receive, send)
