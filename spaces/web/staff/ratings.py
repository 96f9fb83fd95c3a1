"""Staff page of the ratings and comments on their spaces, where abusive comments are
hidden."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from app.i18n import _
from app.web.context import CurrentActor, RequestNow, flash
from app.web.guards import requires_staff
from app.web.responses import page, redirect
from spaces.services import ratings

AnyRequest = Request[Any, Any, Any]


class StaffRatingsController(Controller):
    path = "/staff/spaces/ratings"
    guards = [requires_staff]
    include_in_schema = False

    @get("", name="staff:ratings")
    async def ratings(
        self,
        request: AnyRequest,
        actor: CurrentActor,
        now: RequestNow,
    ) -> Template:
        return page(
            request,
            "spaces/staff/ratings.html",
            ratings=await ratings.ratings_to_review(actor),
            now=now,
        )

    @post("/{booking_id:str}/hide", name="staff:ratings.hide")
    async def hide_rating(
        self,
        request: AnyRequest,
        booking_id: FromPath[str],
        actor: CurrentActor,
        now: RequestNow,
    ) -> Redirect:
        await ratings.hide_rating(actor, booking_id, now=now)
        flash(request, _("The comment is hidden; the audit log keeps its text."))
        return redirect(request.app.route_reverse("staff:ratings"))
