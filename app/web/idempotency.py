"""`Idempotency-Key` for the JSON API (IETF draft-ietf-httpapi-idempotency-key-header).

A handler opts in with `opt=IDEMPOTENT` and declares the header with `IdempotencyKeyHeader`
(so the OpenAPI schema shows it). For such a POST from a signed-in person that carries the
header, the middleware checks the key, claims it (`app.idempotency`), runs the handler and
keeps its final answer, or replays the answer kept for an earlier request with that key and
body. Requests without the header, and visitors (401), pass through untouched.
"""

from __future__ import annotations

import hashlib
import json
import logging
from typing import TYPE_CHECKING, Annotated, Any

from litestar import Request
from litestar.datastructures import Headers
from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.openapi import ResponseSpec
from litestar.params import HeaderParameter

from app import idempotency
from app.errors import FieldError, MalformedRequest
from app.i18n import _
from app.web.api import problem_responses
from app.web.context import context_of

if TYPE_CHECKING:
    from litestar.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger(__name__)

_STATE_KEY = "linli.idempotency"
IDEMPOTENT = {"idempotent": True}
"""`opt` of a handler whose answers are kept per `Idempotency-Key`."""
MAX_KEY_LENGTH = 255

IdempotencyKeyHeader = Annotated[
    str | None,
    HeaderParameter(
        name=idempotency.HEADER,
        description=(
            '1 to 255 visible ASCII characters, bare or as a quoted string (`"abc"`). '
            "A retry with the same key and the same body within 24 hours gets the first "
            "final answer again, byte for byte (2xx, 400, 404, 409 and 422; never 401, 429 "
            "or 5xx); the same key with another body answers 422, and while the first "
            "request is still running, 409."
        ),
    ),
]
"""A handler parameter `idempotency_key: IdempotencyKeyHeader = None` documents the header;
the middleware has already checked its value when the handler runs."""


def idempotent_responses(*statuses: int) -> dict[int, ResponseSpec]:
    """`problem_responses(*statuses)` plus the answers of the `Idempotency-Key` checks."""
    responses = problem_responses(*sorted({*statuses, 400, 409, 422}))
    notes = {
        400: "; or a malformed Idempotency-Key",
        409: "; or a request with this Idempotency-Key is still running",
        422: "; or this Idempotency-Key was used for a different request",
    }
    for status, note in notes.items():
        spec = responses[status]
        responses[status] = ResponseSpec(
            data_container=spec.data_container,
            description=(spec.description or "") + note,
            media_type=spec.media_type,
        )
    return responses


def booking_key_of(request: Request[Any, Any, Any]) -> str | None:
    """The idempotency key a booking made by this request keeps (`app.idempotency.
    booking_key`), or None when the request came without an `Idempotency-Key`."""
    found = request.scope.get("state", {}).get(_STATE_KEY)
    return idempotency.booking_key(*found) if found else None


def _bad_key() -> MalformedRequest:
    message = _("Send 1 to 255 visible ASCII characters, bare or in double quotes.")
    return MalformedRequest([FieldError(idempotency.HEADER, message)], message)


def _visible(text: str) -> bool:
    return all("!" <= char <= "~" for char in text)


def parse_key(value: str) -> str:
    """The key a header value names: a structured-field string (`"abc"`, with `\\"` and `\\\\`
    escapes) or the bare characters; 1–255 visible ASCII characters either way.

    Raises `MalformedRequest` naming the field `Idempotency-Key` for anything else."""
    text = value.strip(" \t")
    if text.startswith('"'):
        if len(text) < 2 or not text.endswith('"'):
            raise _bad_key()
        chars: list[str] = []
        inner = iter(text[1:-1])
        for char in inner:
            if char == '"':
                raise _bad_key()
            if char == "\\":
                char = next(inner, "")
                if char not in {'"', "\\"}:
                    raise _bad_key()
            chars.append(char)
        key = "".join(chars)
    else:
        key = text
    if not 1 <= len(key) <= MAX_KEY_LENGTH or not _visible(key):
        raise _bad_key()
    return key


def fingerprint(body: bytes) -> str:
    """SHA-256 (hex) of the body's canonical JSON (sorted keys, no whitespace), so that the
    same request sent with other spacing or key order counts as the same; a body that is not
    JSON is hashed as it came."""
    try:
        parsed = json.loads(body)
        canonical = json.dumps(parsed, sort_keys=True, separators=(",", ":")).encode()
    except (ValueError, RecursionError):
        canonical = body
    return hashlib.sha256(canonical).hexdigest()


def _header(headers: list[tuple[bytes, bytes]], name: bytes) -> str:
    for key, value in headers:
        if key.lower() == name:
            return value.decode("latin-1")
    return ""


def _final_answer(messages: list[Message]) -> idempotency.Answer | None:
    """The answer the handler sent, if it is one to keep."""
    start = next((m for m in messages if m["type"] == "http.response.start"), None)
    if start is None or not idempotency.is_final(int(start["status"])):
        return None
    headers = list(start.get("headers", []))
    return idempotency.Answer(
        status=int(start["status"]),
        content_type=_header(headers, b"content-type"),
        location=_header(headers, b"location"),
        body=b"".join(m.get("body", b"") for m in messages if m["type"] == "http.response.body"),
    )


async def _replay(answer: idempotency.Answer, send: Send) -> None:
    headers = [
        (b"content-type", answer.content_type.encode("latin-1")),
        (b"content-length", str(len(answer.body)).encode()),
    ]
    if answer.location:
        headers.append((b"location", answer.location.encode("latin-1")))
    await send({"type": "http.response.start", "status": answer.status, "headers": headers})
    await send({"type": "http.response.body", "body": answer.body, "more_body": False})


class IdempotencyMiddleware(ASGIMiddleware):
    """Keeps and replays the answers of `IDEMPOTENT` handlers per person and key.

    Runs inside `RequestContextMiddleware`, so the person is the one the handlers see (the
    bearer token's). The answer is kept before it is sent, so a client that retries at once
    after reading it gets it again rather than "still running"."""

    scopes = (ScopeType.HTTP,)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        handler: Any = scope.get("route_handler")
        if scope.get("method") != "POST" or not (handler and handler.opt.get("idempotent")):
            await next_app(scope, receive, send)
            return
        context = context_of(scope)
        values = Headers.from_scope(scope).getall(idempotency.HEADER, [])
        if not values or context is None or context.actor is None:
            # Without the header, as before; a visitor gets the handler's 401, never kept.
            await next_app(scope, receive, send)
            return
        if len(values) > 1:
            raise _bad_key()
        key = parse_key(values[0])
        body_fingerprint = fingerprint(await Request[Any, Any, Any](scope, receive).body())
        outcome = await idempotency.claim(
            context.actor.id,
            key,
            target=f"POST {scope['path']}",
            fingerprint=body_fingerprint,
            now=context.now,
        )
        if isinstance(outcome, idempotency.Answer):
            await _replay(outcome, send)
            return
        scope.setdefault("state", {})[_STATE_KEY] = (key, body_fingerprint)
        messages: list[Message] = []

        async def keep(message: Message) -> None:
            messages.append(message)

        try:
            await next_app(scope, receive, keep)
        except Exception:
            await idempotency.release(outcome)
            raise
        answer = _final_answer(messages)
        if answer is not None:
            try:
                await idempotency.complete(outcome, answer, now=context.now)
            except Exception:
                # The work is done: answer it. The key stays in flight, and a retry after
                # 60 s runs afresh (a booking finds itself by its own key).
                log.exception("could not keep the answer for an Idempotency-Key")
        else:
            await idempotency.release(outcome)
        for message in messages:
            await send(message)
