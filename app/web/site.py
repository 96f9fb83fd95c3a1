"""Site-wide pages: home, privacy notice, language and text-size switches, health."""

from __future__ import annotations

from typing import Any

from litestar import MediaType, Request, get, post
from litestar.response import Redirect, Response, Template

from app import db, i18n, notifications
from app.accounts import services
from app.communities.services import communities_by_street, district
from app.errors import FieldError, InputError
from app.i18n import _
from app.settings import SUPPORTED_LOCALES
from app.web.accounts import forms
from app.web.context import (
    TEXT_SIZE_COOKIE,
    CurrentActor,
    CurrentViewer,
    RequestNow,
    flash,
)
from app.web.guards import requires_signed_in
from app.web.responses import page, preference_cookie, redirect, safe_next

AnyRequest = Request[Any, Any, Any]


@get("/", name="home", include_in_schema=False)
async def home(request: AnyRequest) -> Template:
    """Sends each kind of visitor where they need to go."""
    return page(
        request,
        "home.html",
        district=await district(),
        streets=await communities_by_street(),
    )


@get("/privacy", name="privacy", include_in_schema=False)
async def privacy(request: AnyRequest) -> Template:
    return page(request, "privacy.html", privacy_version=services.PRIVACY_VERSION)


@post("/preferences/language", name="preferences:language", include_in_schema=False)
async def set_language(
    request: AnyRequest, data: forms.LanguageBody, viewer: CurrentViewer
) -> Redirect:
    """Remember the language in a cookie, and on the account of a signed-in person."""
    if data.locale not in SUPPORTED_LOCALES:
        raise InputError([FieldError("locale", _("Choose a language from the list."))])
    if viewer is not None:
        await services.set_locale(viewer.user, data.locale)
    i18n.set_locale(data.locale)
    return redirect(
        safe_next(data.next),
        cookies=[preference_cookie(request, i18n.LOCALE_COOKIE, data.locale)],
    )


@post("/preferences/text-size", name="preferences:text-size", include_in_schema=False)
async def set_text_size(
    request: AnyRequest, data: forms.TextSizeBody, viewer: CurrentViewer
) -> Redirect:
    """Large text (适老化) for visitors; signed-in people keep it on their account too."""
    large = data.size == "large"
    if viewer is not None:
        await services.update_preferences(
            viewer.user,
            name=viewer.user.name,
            locale=viewer.user.locale,
            large_text=large,
        )
    flash(request, _("Large text is on.") if large else _("Normal text size is on."))
    return redirect(
        safe_next(data.next),
        cookies=[preference_cookie(request, TEXT_SIZE_COOKIE, "large" if large else "normal")],
    )


@get("/notifications", name="notifications", include_in_schema=False, guards=[requires_signed_in])
async def notification_list(request: AnyRequest, actor: CurrentActor) -> Template:
    items = await notifications.recent(actor.id)
    return page(
        request,
        "notifications.html",
        items=items,
        undelivered=await notifications.undelivered(items),
    )


@post(
    "/notifications/read",
    name="notifications:read",
    include_in_schema=False,
    guards=[requires_signed_in],
)
async def notifications_read(request: AnyRequest, now: RequestNow, actor: CurrentActor) -> Redirect:
    await notifications.mark_all_read(actor.id, now)
    return redirect(request.app.route_reverse("notifications"))


@get("/healthz", name="healthz", include_in_schema=False, cache=False)
async def healthz() -> Response[dict[str, str]]:
    """200 when the database answers, 503 otherwise; for load balancers and monitors."""
    if await db.ping():
        return Response({"status": "ok"}, media_type=MediaType.JSON)
    return Response({"status": "unavailable"}, status_code=503, media_type=MediaType.JSON)
