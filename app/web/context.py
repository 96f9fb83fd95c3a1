"""The request context every handler sees: who is asking (session cookie for pages, bearer
token for the API), in which language, and the flash messages carried across a redirect."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass, field
from datetime import datetime
from time import perf_counter
from typing import TYPE_CHECKING, Any, TypeAlias

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.datastructures import Cookie, MutableScopeHeaders
from litestar.di import NamedDependency, Provide
from litestar.enums import ScopeType
from litestar.exceptions import NotAuthorizedException, NotFoundException
from litestar.middleware import ASGIMiddleware
from litestar.params import SkipValidation

from app import clock, i18n
from app.accounts import sessions
from app.formfields import INTEGERS
from app.permissions import Actor

if TYPE_CHECKING:
    from litestar.types import ASGIApp, Message, Receive, Scope, Send

SESSION_COOKIE = "linli_session"
FLASH_COOKIE = "linli_flash"
TEXT_SIZE_COOKIE = "linli_text"
PREFERENCE_MAX_AGE_S = 365 * 24 * 3600


def is_api_path(path: str) -> bool:
    return path == "/api" or path.startswith("/api/")


def uses_bearer_only(path: str) -> bool:
    """Paths other software calls: the JSON API and Open311 GeoReport. They authenticate with
    `Authorization: Bearer` (or a key in the request) and never read the session cookie, so
    they need no CSRF token and a signed-in browser's cross-site post carries no one."""
    return is_api_path(path) or path.startswith("/open311/")


@dataclass
class FlashState:
    incoming: list[list[str]]
    outgoing: list[list[str]] = field(default_factory=list)
    shown: bool = False


@dataclass
class RequestContext:
    """What the middleware found out about one request, kept in the scope's state."""

    now: datetime
    """The request's moment, read from the clock once."""
    started: float
    """`perf_counter()` at arrival, for the access log."""
    actor: Actor | None = None
    session_hash: str | None = None
    """The signed-in session's hash (pages only), so it can be ended or kept."""
    flash: FlashState = field(default_factory=lambda: FlashState(incoming=[]))


_CONTEXT_KEY = "linli.context"


def context_of(scope: Scope) -> RequestContext | None:
    """The request's context, or None where the middleware did not run (static files)."""
    found = scope.get("state", {}).get(_CONTEXT_KEY)
    return found if isinstance(found, RequestContext) else None


def actor_of(connection: ASGIConnection[Any, Any, Any, Any]) -> Actor | None:
    """The person making this request, found by the middleware; None for visitors."""
    context = context_of(connection.scope)
    return context.actor if context else None


# `viewer` and `actor` name `now` as a dependency they do not use: Litestar resolves the
# dependencies of one level side by side in a task group, which costs more than the
# dependencies themselves; chained, each level has one and is simply awaited.


def provide_viewer(request: Request[Any, Any, Any], now: RequestNow) -> Actor | None:
    """Dependency `viewer`: the person making the request, or None for a visitor."""
    return actor_of(request)


def provide_actor(request: Request[Any, Any, Any], now: RequestNow) -> Actor:
    """Dependency `actor`: the signed-in person; a visitor is sent to sign in (401)."""
    actor = actor_of(request)
    if actor is None:
        raise NotAuthorizedException()
    return actor


def provide_now(request: Request[Any, Any, Any]) -> datetime:
    """Dependency `now`: the request's moment, read from the clock once per request."""
    context = context_of(request.scope)
    return context.now if context else clock.utcnow()


CurrentActor: TypeAlias = NamedDependency[SkipValidation[Actor]]
"""A handler parameter `actor: CurrentActor` receives the signed-in person (401 otherwise)."""
CurrentViewer: TypeAlias = NamedDependency[SkipValidation[Actor | None]]
"""A handler parameter `viewer: CurrentViewer` receives the person, or None for a visitor."""
RequestNow: TypeAlias = NamedDependency[datetime]
"""A handler parameter `now: RequestNow` receives the request's moment."""

DEPENDENCIES = {
    "viewer": Provide(provide_viewer, sync_to_thread=False),
    "actor": Provide(provide_actor, sync_to_thread=False),
    "now": Provide(provide_now, sync_to_thread=False),
}
"""What every handler may ask for by name instead of reading the session or the clock."""


def session_hash_of(connection: ASGIConnection[Any, Any, Any, Any]) -> str | None:
    """The hash of the browser session this request came with, if signed in."""
    context = context_of(connection.scope)
    return context.session_hash if context else None


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


def refuse_unstorable_ids(scope: Scope) -> None:
    """A whole-number id in the path that no table can hold names nothing: 404 before any
    query, where PostgreSQL (past 2³¹) or SQLite (past 2⁶³) would fail with a 500."""
    for value in (scope.get("path_params") or {}).values():
        if isinstance(value, int) and not isinstance(value, bool) and value not in INTEGERS:
            raise NotFoundException()


class RequestContextMiddleware(ASGIMiddleware):
    """Finds the actor (session cookie for pages, bearer token for the API), chooses the
    language and carries flash messages across a redirect in a signed cookie."""

    scopes = (ScopeType.HTTP,)
    # Static files need no actor, language or flash messages.
    should_bypass_for_scope = staticmethod(lambda scope: scope["path"].startswith("/static/"))

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        refuse_unstorable_ids(scope)
        started = perf_counter()
        request: Request[Any, Any, Any] = Request(scope)
        now = clock.utcnow()
        path = scope["path"]
        actor: Actor | None = None
        session_hash: str | None = None
        if uses_bearer_only(path):
            actor = await sessions.actor_for_bearer(request.headers.get("authorization"), now)
        elif not path.startswith("/feeds/"):
            found = await sessions.actor_for_session(request.cookies.get(SESSION_COOKIE), now)
            if found:
                actor, session_hash = found
        scope["user"] = actor.user if actor else None
        locale = i18n.choose_locale(
            actor.user.locale if actor else None,
            request.cookies.get(i18n.LOCALE_COOKIE),
            request.headers.get("accept-language"),
        )
        i18n.set_locale(locale)
        secret = scope["app"].state.secret_key
        flash_state = FlashState(incoming=_read_flashes(request.cookies.get(FLASH_COOKIE), secret))
        scope.setdefault("state", {})[_CONTEXT_KEY] = RequestContext(
            now=now, started=started, actor=actor, session_hash=session_hash, flash=flash_state
        )
        secure = scope.get("scheme") == "https"

        async def send_with_flash(message: Message) -> None:
            # Most answers carry no flash message either way: nothing to look at.
            if message["type"] == "http.response.start" and (
                flash_state.outgoing or flash_state.incoming
            ):
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
    context = context_of(request.scope)
    if context is not None:
        context.flash.outgoing.append([category, message])


def ensure_locale(request: Request[Any, Any, Any]) -> None:
    """Choose the language for responses that bypassed the request context (unrouted 404)."""
    if context_of(request.scope) is None:
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
