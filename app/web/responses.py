"""Answers every page handler gives: a rendered page with what the layout needs, the error
page, redirects that stay on this site, and the cookies Linli sets."""

from __future__ import annotations

import re
from typing import Any

from litestar import Request
from litestar.datastructures import Cookie
from litestar.response import Redirect, Template

from app.accounts import sessions
from app.web.context import (
    PREFERENCE_MAX_AGE_S,
    SESSION_COOKIE,
    TEXT_SIZE_COOKIE,
    actor_of,
    context_of,
)


def base_context(request: Request[Any, Any, Any]) -> dict[str, Any]:
    """What the layout needs: the viewer, the language, flash messages, text size."""
    actor = actor_of(request)
    context = context_of(request.scope)
    state = context.flash if context else None
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


def render(request: Request[Any, Any, Any], template_name: str, **context: Any) -> str:
    """A template rendered to text now, with the app's one Jinja environment."""
    engine = request.app.template_engine
    if engine is None:
        raise RuntimeError("the application has no template engine")
    return str(engine.get_template(template_name).render(request=request, **context))
