"""The request context every handler sees: who is asking (session cookie for pages, bearer
token for the API), in which language, and the flash messages carried across a redirect."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass, field
from time import perf_counter
from typing import TYPE_CHECKING, Any

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.datastructures import Cookie, MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware

from app import clock, i18n
from app.accounts import sessions
from app.permissions import Actor

if TYPE_CHECKING:
    from litestar.types import ASGIApp, Message, Receive, Scope, Send

SESSION_COOKIE = "linli_session"
FLASH_COOKIE = "linli_flash"
TEXT_SIZE_COOKIE = "linli_text"
PREFERENCE_MAX_AGE_S = 365 * 24 * 3600


def is_api_path(path: str) -> bool:
    return path == "/api" or path.startswith("/api/")


def actor_of(connection: ASGIConnection[Any, Any, Any, Any]) -> Actor | None:
    """The person making this request, found by the middleware; None for visitors."""
    return connection.scope.get("linli.actor")  # type: ignore[return-value]


@dataclass
class FlashState:
    incoming: list[list[str]]
    outgoing: list[list[str]] = field(default_factory=list)
    shown: bool = False


def _sign(payload: bytes, secret: str) -> str:
    mac = hmac.new(secret.encode(), payload, hashlib.sha256).digest()[:16]
    return base64.urlsafe_b64encode(payload).decode() + "." + base64.urlsafe_b64encode(mac).decode()


def _unsign(value: str | None, secret: str) -> bytes | None:
    if not value or "." not in value:
        return None
    data, _sep, mac = value.rpartition(".")
    try:
        payload = base64.urlsafe_b64decode(data)
        expected = hmac.new(secret.encode(), payload, hashlib.sha256).digest()[:16]
        if hmac.compare_digest(expected, base64.urlsafe_b64decode(mac)):
            return payload
    except (ValueError, TypeError):
        return None
    return None


def _read_flashes(value: str | None, secret: str) -> list[list[str]]:
    payload = _unsign(value, secret)
    if payload is None:
        return []
    try:
        items = json.loads(payload)
    except ValueError:
        return []
    return [
        [str(item[0]), str(item[1])] for item in items if isinstance(item, list) and len(item) == 2
    ][:5]


class RequestContextMiddleware(ASGIMiddleware):
    """Finds the actor (session cookie for pages, bearer token for the API), chooses the
    language and carries flash messages across a redirect in a signed cookie."""

    scopes = (ScopeType.HTTP,)
    exclude_path_pattern = ("^/static/",)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        scope["linli.started"] = perf_counter()  # type: ignore[typeddict-unknown-key]
        request: Request[Any, Any, Any] = Request(scope)
        now = clock.utcnow()
        path = scope["path"]
        actor: Actor | None = None
        session_hash: str | None = None
        if is_api_path(path):
            actor = await sessions.actor_for_bearer(request.headers.get("authorization"), now)
        elif not path.startswith("/feeds/"):
            found = await sessions.actor_for_session(request.cookies.get(SESSION_COOKIE), now)
            if found:
                actor, session_hash = found
        scope["linli.actor"] = actor  # type: ignore[typeddict-unknown-key]
        scope["linli.session_hash"] = session_hash  # type: ignore[typeddict-unknown-key]
        scope["user"] = actor.user if actor else None
        locale = i18n.choose_locale(
            actor.user.locale if actor else None,
            request.cookies.get(i18n.LOCALE_COOKIE),
            request.headers.get("accept-language"),
        )
        i18n.set_locale(locale)
        scope["linli.locale"] = locale  # type: ignore[typeddict-unknown-key]
        secret = scope["app"].state.secret_key
        flash_state = FlashState(incoming=_read_flashes(request.cookies.get(FLASH_COOKIE), secret))
        scope["linli.flash"] = flash_state  # type: ignore[typeddict-unknown-key]
        secure = scope.get("scheme") == "https"

        async def send_with_flash(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableScopeHeaders.from_message(message)
                pending = flash_state.outgoing + ([] if flash_state.shown else flash_state.incoming)
                if pending and 300 <= message["status"] < 400:
                    value = _sign(json.dumps(pending[-5:]).encode(), secret)
                    headers.add("set-cookie", _cookie_header(FLASH_COOKIE, value, secure, None))
                elif flash_state.incoming and flash_state.shown:
                    headers.add("set-cookie", _cookie_header(FLASH_COOKIE, "", secure, 0))
            await send(message)

        await next_app(scope, receive, send_with_flash)


def _cookie_header(key: str, value: str, secure: bool, max_age: int | None) -> str:
    return Cookie(
        key=key,
        value=value,
        httponly=True,
        samesite="lax",
        secure=secure,
        max_age=max_age,
        path="/",
    ).to_header(header="")


def flash(request: Request[Any, Any, Any], message: str, category: str = "success") -> None:
    """Show `message` on the next page this visitor sees (the one rendered or redirected to)."""
    state: FlashState | None = request.scope.get("linli.flash")  # type: ignore[assignment]
    if state is not None:
        state.outgoing.append([category, message])


def ensure_locale(request: Request[Any, Any, Any]) -> None:
    """Choose the language for responses that bypassed the request context (unrouted 404)."""
    if "linli.locale" not in request.scope:
        i18n.set_locale(
            i18n.choose_locale(
                None,
                request.cookies.get(i18n.LOCALE_COOKIE),
                request.headers.get("accept-language"),
            )
        )


def client_ip(request: Request[Any, Any, Any]) -> str:
    """The client's address; uvicorn already resolved trusted proxies' X-Forwarded-For."""
    return request.client.host if request.client else "unknown"
