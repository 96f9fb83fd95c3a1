"""Answers every page handler gives: a rendered page with what the layout needs, the error
page, redirects that stay on this site, and the cookies Linli sets."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment
from litestar import MediaType, Request, Response
from litestar.datastructures import Cookie
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Redirect, Template
from litestar.utils.scope.state import ScopeState
from markupsafe import escape

from app.accounts import sessions
from app.web.compression import negotiate, tagged
from app.web.context import (
    PREFERENCE_MAX_AGE_S,
    SESSION_COOKIE,
    TEXT_SIZE_COOKIE,
    actor_of,
    context_of,
)
from app.web.csrf import mask, unmask


def base_context(request: Request[Any, Any, Any]) -> dict[str, Any]:
    """What the layout needs: the viewer, the language, flash messages, text size."""
    context = context_of(request.scope)
    state = context.flash if context else None
    messages: list[list[str]] = []
    if state is not None:
        messages = state.incoming + state.outgoing
        state.outgoing = []
        state.shown = True
    return {"actor": actor_of(request), "flashes": messages, "large_text": large_text(request)}


def large_text(request: Request[Any, Any, Any]) -> bool:
    """Whether the person asked for larger text (their setting, else a visitor's cookie)."""
    actor = actor_of(request)
    if actor:
        return bool(actor.user.large_text)
    return request.cookies.get(TEXT_SIZE_COOKIE) == "large"


def has_flashes(request: Request[Any, Any, Any]) -> bool:
    """Whether the page answering this request has flash messages to show."""
    context = context_of(request.scope)
    return context is not None and bool(context.flash.incoming or context.flash.outgoing)


CSRF_STAND_IN = "linli-csrf-stand-in-0d6f3a"
"""What a page rendered once for many requests carries where the CSRF token goes
(`csrf_token=lambda: CSRF_STAND_IN` in its context); `html_page` puts each request's own in."""


@dataclass(frozen=True)
class RenderedPage:
    """A page rendered once, encoded, and cut where each request's CSRF token goes."""

    parts: tuple[bytes, ...]

    @classmethod
    def of(cls, html: str) -> RenderedPage:
        return cls(tuple(html.encode().split(CSRF_STAND_IN.encode())))

    def with_text(self, stand_in: str, text: str) -> RenderedPage:
        """This page with `text` (which holds no CSRF token) where `stand_in` stands."""
        if CSRF_STAND_IN in text:
            raise ValueError("the text put in a rendered page holds a form")
        old, new = stand_in.encode(), text.encode()
        return RenderedPage(tuple(part.replace(old, new) for part in self.parts))


def for_any_visitor(request: Request[Any, Any, Any]) -> bool:
    """Whether this request may be answered with a page rendered once for every visitor:
    nobody is signed in and no flash message waits."""
    return actor_of(request) is None and not has_flashes(request)


def render_for_visitors(
    request: Request[Any, Any, Any], template_name: str, **context: Any
) -> RenderedPage:
    """A page as every signed-out visitor sees it, with the stand-in for the CSRF token
    (`html_page` puts each answer's own in)."""
    html = render(
        request,
        template_name,
        **base_context(request),
        **context,
        csrf_token=lambda: CSRF_STAND_IN,
    )
    return RenderedPage.of(html)


def html_page(
    request: Request[Any, Any, Any],
    rendered: RenderedPage,
    *,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> Response[bytes]:
    """A page rendered earlier, with this answer's masked CSRF token in place of the
    stand-in (`app.web.csrf`: the page may be compressed)."""
    plain = ScopeState.from_scope(request.scope).csrf_token
    token = str(escape(mask(unmask(plain)) if isinstance(plain, str) and plain else "")).encode()
    return Response(
        token.join(rendered.parts),
        status_code=status_code,
        media_type=MediaType.HTML,
        headers=headers,
    )


def wants_fragment(request: Request[Any, Any, Any]) -> bool:
    """True for an htmx request that swaps part of a page (a history restore wants it all)."""
    headers = request.headers
    return (
        headers.get("hx-request") == "true" and headers.get("hx-history-restore-request") != "true"
    )


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


def page_or_fragment(
    request: Request[Any, Any, Any],
    template_name: str,
    fragment: str,
    *,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
    **context: Any,
) -> Template | Response[str]:
    """The page, or for an htmx request the block `fragment` of the same template alone,
    rendered from the same context. Both answers vary on `HX-Request`, so that no cache
    hands out one for the other."""
    headers = {**(headers or {}), "Vary": "HX-Request"}
    if not wants_fragment(request):
        return page(request, template_name, status_code=status_code, headers=headers, **context)
    html = render_block(request, template_name, fragment, actor=actor_of(request), **context)
    return Response(html, status_code=status_code, media_type=MediaType.HTML, headers=headers)


_SAFE_NEXT = re.compile(r"/(?![/\\])[^\s\x00-\x1f\x7f]*")
"""A path here: one slash not followed by another or a backslash, then no space or control
character. Matched whole (`fullmatch`: `$` would let a final newline through)."""


def safe_next(target: str | None, default: str = "/") -> str:
    """`target` if it is a path on this site, else `default` (no open redirects)."""
    if target and _SAFE_NEXT.fullmatch(target):
        return target
    return default


def with_next(path: str, target: str | None) -> str:
    """`path` carrying `target` as its `next` when that is a path on this site, so a
    newcomer's detour (signing up, confirming their contact) still ends where it began."""
    target = safe_next(target, "")
    return f"{path}?{urlencode({'next': target})}" if target else path


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
    return _environment(request).get_template(template_name).render(request=request, **context)


def render_block(
    request: Request[Any, Any, Any], template_name: str, block: str, **context: Any
) -> str:
    """One block of a template rendered to text, with the context the whole page would get."""
    template = _environment(request).get_template(template_name)
    if block not in template.blocks:
        raise LookupError(f"{template_name} has no block {block!r}")
    return "".join(template.blocks[block](template.new_context({"request": request, **context})))


def _environment(request: Request[Any, Any, Any]) -> Environment:
    engine = request.app.template_engine
    if not isinstance(engine, JinjaTemplateEngine):
        raise RuntimeError("the application renders with Jinja")
    return engine.engine


def etag_matches(request: Request[Any, Any, Any], etag: str) -> bool:
    """True when the request's `If-None-Match` names `etag` (quoted, weak or strong), the tag
    of its compressed form in the coding this request accepts (`app.web.compression`), or
    `*`: the client's copy is current and a 304 will do."""
    match = request.headers.get("if-none-match")
    if match is None:
        return False
    tags = {tag.strip().removeprefix("W/") for tag in match.split(",")}
    coding = negotiate(request.headers.get("accept-encoding"))
    return etag in tags or "*" in tags or (coding is not None and tagged(etag, coding) in tags)
