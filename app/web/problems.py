"""How the HTTP edge answers every failure: the JSON API with RFC 9457 problem details,
calendar clients with a line of text, people with a translated error page. Nothing escapes
as a bare 500."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from typing import Any

from litestar import MediaType, Request, Response
from litestar.exceptions import (
    HTTPException,
    NotAuthorizedException,
    PermissionDeniedException,
    ValidationException,
)
from litestar.response import Redirect
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

from app.db import is_unreachable
from app.errors import DomainError, Throttled
from app.i18n import _, ngettext
from app.web.context import ensure_locale, is_api_path
from app.web.domains import error_answer_for
from app.web.request_ids import request_id_of
from app.web.responses import base_context, render

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"


@dataclass
class Problem:
    status: int
    slug: str
    title: str
    detail: str
    extra: dict[str, Any] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)


_MSGSPEC_PATTERNS: list[tuple[re.Pattern[str], Any]] = [
    (re.compile(r"Object missing required field `(?P<name>[^`]+)`"), lambda m: _("Required.")),
    (
        re.compile(r"Expected `str` of length <= (?P<n>\d+)"),
        lambda m: ngettext(
            "At most %(n)s character.", "At most %(n)s characters.", int(m["n"]), n=m["n"]
        ),
    ),
    (
        re.compile(r"Expected `str` of length >= (?P<n>\d+)"),
        lambda m: ngettext(
            "At least %(n)s character.", "At least %(n)s characters.", int(m["n"]), n=m["n"]
        ),
    ),
    (
        re.compile(r"Expected `(?:int|float)` >= (?P<n>-?[\d.]+)"),
        lambda m: _("Give a number of at least %(n)s.", n=m["n"]),
    ),
    (
        re.compile(r"Expected `(?:int|float)` <= (?P<n>-?[\d.]+)"),
        lambda m: _("Give a number of at most %(n)s.", n=m["n"]),
    ),
    (re.compile(r"Expected `(?P<want>\w+)`, got `\w+`"), lambda m: _("Wrong type of value.")),
    (re.compile(r"Object contains unknown field"), lambda m: _("Unknown field.")),
]


def _translate_validation_message(message: str) -> str:
    for pattern, make in _MSGSPEC_PATTERNS:
        match = pattern.search(message)
        if match:
            return make(match)
    return _("Invalid value.")


def _field_of(item: dict[str, Any]) -> str:
    message = str(item.get("message", ""))
    missing = re.search(r"required field `([^`]+)`", message)
    if missing:
        return missing.group(1)
    path = re.search(r"at `\$\.([^`]+)`", message)
    if path:
        return path.group(1)
    key = str(item.get("key") or "")
    return "" if key == "data" else key


RETRY_AFTER_S = 30
"""What a page or an API answer says to wait while the database cannot be reached."""


def problem_for(exc: Exception, *, is_api: bool) -> Problem:
    """Translate any exception into what the person will be told."""
    if isinstance(exc, DomainError):
        headers = {"Retry-After": str(exc.retry_after_s)} if isinstance(exc, Throttled) else {}
        return Problem(exc.status_code, exc.slug, exc.title(), exc.detail, exc.extra(), headers)
    malformed = Problem(
        400,
        "malformed",
        _("The request could not be read"),
        _("The body is not valid JSON.") if is_api else _("The form could not be read."),
    )
    if isinstance(exc, ValidationException):
        items = exc.extra if isinstance(exc.extra, list) else []
        missing = re.search(r"Missing required \w+ parameter '([^']+)'", str(exc.detail))
        if missing:
            items = [{"message": f"Object missing required field `{missing.group(1)}`"}]
        if not items:
            return malformed
        errors = [
            {"field": _field_of(item), "message": _translate_validation_message(item["message"])}
            for item in items
            if isinstance(item, dict)
        ]
        return Problem(
            422 if is_api else 400,
            "invalid-input",
            _("Some values need correcting"),
            _("Please correct the marked fields."),
            {"errors": errors},
        )
    if isinstance(exc, NotAuthorizedException):
        return Problem(
            401,
            "unauthorized",
            _("Sign-in required"),
            _("Send a valid token in the Authorization header.")
            if is_api
            else _("Please sign in to continue."),
            headers={"WWW-Authenticate": "Bearer"} if is_api else {},
        )
    if isinstance(exc, PermissionDeniedException):
        if "csrf" in str(exc.detail).lower():
            return Problem(
                403,
                "csrf",
                _("This form has expired"),
                _(
                    "For your security the form could not be sent. Go back, reload the page "
                    "and try again."
                ),
            )
        return Problem(
            403, "forbidden", _("Not allowed"), _("Your account may not open this page.")
        )
    if isinstance(exc, HTTPException):
        status = exc.status_code
        if status == 400:
            return malformed
        titles = {
            404: (_("Not found"), _("There is nothing at this address.")),
            405: (_("Method not allowed"), _("This address does not accept that kind of request.")),
            413: (_("Too large"), _("What you sent is larger than Linli accepts.")),
            429: (_("Too many requests"), _("Please wait a moment and try again.")),
        }
        title, detail = titles.get(status, (_("The request could not be completed"), ""))
        headers = dict(exc.headers or {})
        return Problem(status, f"http-{status}", title, detail, headers=headers)
    if is_unreachable(exc):
        log.warning("database unreachable: %s", exc)
        return Problem(
            503,
            "unavailable",
            _("Linli is briefly unavailable"),
            _(
                "The database cannot be reached just now. Try again in a minute; nothing was "
                "changed."
            ),
            headers={"Retry-After": str(RETRY_AFTER_S)},
        )
    log.exception("unhandled error", exc_info=exc)
    return Problem(
        HTTP_500_INTERNAL_SERVER_ERROR,
        "server-error",
        _("Something went wrong"),
        _("Linli could not finish this request. Nothing was changed; please try again."),
    )


def error_page(request: Request[Any, Any, Any], problem: Problem) -> Response[str]:
    """The error page, rendered now so that a failure here can still fall back to text."""
    html = render(
        request,
        "errors/error.html",
        problem=problem,
        request_id=request_id_of(request.scope),
        **base_context(request),
    )
    return Response(
        html,
        status_code=problem.status,
        media_type=MediaType.HTML,
        headers=problem.headers or None,
    )


def handle_exception(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """The one exception handler: problem details for the API, error pages elsewhere."""

    ensure_locale(request)
    answer = error_answer_for(request.url.path)
    if answer is not None:
        return answer(request, exc)
    api = is_api_path(request.url.path)
    problem = problem_for(exc, is_api=api)
    if api:
        body = {
            "type": f"urn:linli:problem:{problem.slug}",
            "title": problem.title,
            "status": problem.status,
            "detail": problem.detail,
            **problem.extra,
        }
        request_id = request_id_of(request.scope)
        if request_id is not None:
            body["request_id"] = request_id
        return Response(
            body, status_code=problem.status, media_type=PROBLEM_JSON, headers=problem.headers
        )
    if request.url.path.startswith("/feeds/"):
        # Read by calendar apps, not people; and never echoing the address asked for.
        return Response(
            f"{problem.status} {problem.detail}",
            status_code=problem.status,
            media_type=MediaType.TEXT,
            headers=problem.headers,
        )
    if problem.status == 401:
        return Redirect(
            path=request.app.route_reverse("account:signin"),
            query_params={"next": request.url.path},
            status_code=303,
        )
    try:
        return error_page(request, problem)
    except Exception:
        log.exception("error page failed to render")
        return Response(
            f"{problem.status} {problem.title}",
            status_code=problem.status,
            media_type=MediaType.TEXT,
        )
