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
- **Allow.** OPTIONS and 405 answers list every method of the route, HEAD included where GET
  is. Litestar's own OPTIONS answer lists the methods the route had when its path's first
  handler was registered, so where GET and POST are separate handlers it named only one.
- **JSON depth.** msgspec and `json` decode recursively; a body nested a thousand levels
  deep would exhaust the stack (a 500). Nesting deeper than `MAX_JSON_DEPTH` is refused with
  400 problem details first; no API body of Linli's nests more than a few levels. Litestar
  decodes a handler's JSON body whatever its Content-Type says, so the check covers bodies
  without one too, and the API refuses a body declared as anything but JSON (415).
- **Multipart.** Read as a stream within per-part bounds by `app.web.uploads`.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, cast

from litestar import Request
from litestar.datastructures import MutableScopeHeaders
from litestar.enums import RequestEncodingType, ScopeType
from litestar.middleware import ASGIMiddleware

from app.errors import FieldError, MalformedRequest, UnsupportedMediaType
from app.i18n import ngettext
from app.web.context import is_api_path
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


def _route_methods(app: Any, path_template: str) -> set[str]:
    """The methods of the route Litestar matched (`path_template` is how the routing names
    it, `/api/v1/bookings/{booking_id}`)."""
    return next(
        (set(route.methods) for route in app.routes if route.path_format == path_template),
        set(),
    )


async def allow_every_method(message: Message, scope: Scope) -> None:
    """`before_send`: the `Allow` header of OPTIONS and 405 answers names every method the
    route answers (see the module's docstring)."""
    if message["type"] != "http.response.start" or scope["type"] != ScopeType.HTTP:
        return
    status = message["status"]
    headers = MutableScopeHeaders.from_message(message)
    if status == 204 and scope["method"] == "OPTIONS" and "path_template" in scope:
        methods = _route_methods(scope["app"], scope["path_template"])
    elif status == 405 and headers.get("allow"):
        methods = {method.strip() for method in headers["allow"].split(",")}
    else:
        return
    if not methods:
        return
    if "GET" in methods:
        methods.add("HEAD")
    headers["allow"] = ", ".join(sorted(methods))


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


def is_json(content_type: str) -> bool:
    """Whether a Content-Type names JSON (`application/json`, or `…+json` such as
    `application/merge-patch+json`), parameters aside."""
    media_type = content_type.split(";", 1)[0].strip().lower()
    return media_type == "application/json" or media_type.endswith("+json")


class BodyGateMiddleware(ASGIMiddleware):
    """For a request with a body: the route's guards, then its size bound against
    `Content-Length`, then an API body that is not JSON (415), a JSON body's depth or a
    multipart body read as a stream, all
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
            content_type = request.headers.get("content-type", "")
            if is_api_path(scope["path"]) and content_type and not is_json(content_type):
                if request.content_length != 0 and await request.body():
                    raise UnsupportedMediaType()
            elif request.content_type[0] == RequestEncodingType.MULTI_PART:
                await receive_multipart(request)
            elif (not content_type or is_json(content_type)) and nested_deeper_than(
                await request.body(), MAX_JSON_DEPTH
            ):
                message = ngettext(
                    "The JSON is nested more than %(n)s level deep; no request needs that.",
                    "The JSON is nested more than %(n)s levels deep; no request needs that.",
                    MAX_JSON_DEPTH,
                    n=MAX_JSON_DEPTH,
                )
                raise MalformedRequest([FieldError("body", message)], message)
        await next_app(scope, receive, send)
