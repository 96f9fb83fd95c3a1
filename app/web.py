"""What every page shares: the request context (who, which language, flash messages),
security headers, the access log, cookies and the page-rendering helper."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import re
from dataclasses import dataclass, field
from functools import cache
from time import perf_counter
from typing import TYPE_CHECKING, Any

from litestar import MediaType, Request, Response
from litestar.datastructures import Cookie, MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.response import Redirect, Template

from app import clock, i18n
from app.accounts import sessions
from app.errors import is_api_path
from app.permissions import Actor, actor_of
from app.settings import get_settings

if TYPE_CHECKING:
    from litestar.types import ASGIApp, Message, Receive, Scope, Send

    from app.errors import Problem

access_log = logging.getLogger("linli.access")

SESSION_COOKIE = "linli_session"
FLASH_COOKIE = "linli_flash"
TEXT_SIZE_COOKIE = "linli_text"
PREFERENCE_MAX_AGE_S = 365 * 24 * 3600


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


def base_context(request: Request[Any, Any, Any]) -> dict[str, Any]:
    """What the layout needs: the viewer, the language, flash messages, text size."""
    actor = actor_of(request)
    state: FlashState | None = request.scope.get("linli.flash")  # type: ignore[assignment]
    messages: list[list[str]] = []
    if state is not None:
        messages = state.incoming + state.outgoing
        state.outgoing = []
        state.shown = True
    large_text = (
        bool(actor.user.large_text) if actor else request.cookies.get(TEXT_SIZE_COOKIE) == "large"
    )
    return {"actor": actor, "flashes": messages, "large_text": large_text}


def page(
    request: Request[Any, Any, Any],
    template_name: str,
    *,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
    **context: Any,
) -> Template:
    """A full page: `context` plus what the layout needs."""
    return Template(
        template_name=template_name,
        context={**base_context(request), **context},
        status_code=status_code,
        headers=headers,
    )


def error_page(request: Request[Any, Any, Any], problem: Problem) -> Response[str]:
    """The error page, rendered now so that a failure here can still fall back to text."""
    template = request.app.template_engine.get_template("errors/error.html")
    html = template.render(request=request, problem=problem, **base_context(request))
    return Response(
        html,
        status_code=problem.status,
        media_type=MediaType.HTML,
        headers=problem.headers or None,
    )


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


_SAFE_NEXT = re.compile(r"^/(?![/\\])[^\s]*$")


def safe_next(target: str | None, default: str = "/") -> str:
    """`target` if it is a path on this site, else `default` (no open redirects)."""
    if target and _SAFE_NEXT.match(target):
        return target
    return default


def redirect(path: str, *, cookies: list[Cookie] | None = None) -> Redirect:
    return Redirect(path=path, status_code=303, cookies=cookies)


def session_cookie(request: Request[Any, Any, Any], token: str) -> Cookie:
    return Cookie(
        key=SESSION_COOKIE,
        value=token,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        max_age=int(sessions.SESSION_LIFETIME.total_seconds()),
        path="/",
    )


def expired_cookie(key: str) -> Cookie:
    return Cookie(key=key, value="", max_age=0, expires=0, path="/", httponly=True, samesite="lax")


def preference_cookie(request: Request[Any, Any, Any], key: str, value: str) -> Cookie:
    return Cookie(
        key=key,
        value=value,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        max_age=PREFERENCE_MAX_AGE_S,
        path="/",
    )


# --- headers on every response --------------------------------------------------------------


@cache
def _csp(for_schema: bool) -> str:
    """The Content-Security-Policy: only this site, plus the map's tile servers for images;
    the API reference pages load their viewer from a CDN."""
    tiles = " ".join(get_settings().map.tile_origins)
    if for_schema:
        return (
            "default-src 'self'; img-src 'self' data: https:; "
            "style-src 'self' 'unsafe-inline' https:; "
            "script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net https://unpkg.com; "
            "font-src 'self' https:; object-src 'none'; base-uri 'self'; frame-ancestors 'none'"
        )
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
    headers.setdefault("content-security-policy", _csp(path.startswith("/schema")))
    headers.setdefault("x-content-type-options", "nosniff")
    headers.setdefault("x-frame-options", "DENY")
    headers.setdefault(
        "referrer-policy", "no-referrer" if path.startswith("/feeds/") else "same-origin"
    )
    headers.setdefault("permissions-policy", "geolocation=(self), camera=(), microphone=()")
    headers.setdefault("cross-origin-opener-policy", "same-origin")
    # A signed-in person's pages are theirs alone; answers that declare themselves public
    # (photos, static files) stay cacheable.
    if scope.get("linli.actor") is not None and not (headers.get("cache-control") or "").startswith(
        "public"
    ):
        headers["cache-control"] = "private, no-store"
    if scope.get("scheme") == "https":
        headers.setdefault("strict-transport-security", "max-age=31536000")
        cookies = headers.getall("set-cookie", [])
        if cookies:
            del headers["set-cookie"]
            for cookie in cookies:
                secure = cookie if "secure" in cookie.lower() else cookie + "; Secure"
                headers.add("set-cookie", secure)
    started = scope.get("linli.started")
    duration_ms = f"{(perf_counter() - started) * 1000:.1f}ms" if started else "-"
    client = scope.get("client")
    access_log.info(
        "%s %s %s %s %s",
        client[0] if client else "-",
        scope.get("method", "-"),
        redacted_path(path),
        message["status"],
        duration_ms,
    )
