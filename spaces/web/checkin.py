"""The page a printed QR code on a space's door leads to: one tap to say "we are here"."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from app.errors import RuleViolation
from app.i18n import _
from app.web.context import CurrentActor, CurrentViewer, RequestNow, flash
from app.web.guards import requires_signed_in
from app.web.responses import page, redirect
from spaces.logic.wording import local_time, site_zone
from spaces.services import attendance, catalog

AnyRequest = Request[Any, Any, Any]


class CheckInController(Controller):
    path = "/spaces/{slug:str}/checkin"
    include_in_schema = False

    @get("", name="spaces:checkin")
    async def form(
        self, request: AnyRequest, slug: FromPath[str], viewer: CurrentViewer, now: RequestNow
    ) -> Template:
        space = await catalog.get_space(slug)
        booking = await attendance.booking_to_check_in(viewer.id, space, now) if viewer else None
        zone = catalog.zone_of(space)
        return page(
            request,
            "spaces/checkin.html",
            space=space,
            booking=booking,
            zone=zone,
            when=lambda moment: local_time(moment, zone, site_zone()),
        )

    @post("", name="spaces:checkin.post", guards=[requires_signed_in])
    async def check_in(
        self,
        request: AnyRequest,
        slug: FromPath[str],
        actor: CurrentActor,
        now: RequestNow,
    ) -> Redirect:
        space = await catalog.get_space(slug)
        try:
            booking = await attendance.check_in_at_door(actor, space, now=now)
        except RuleViolation as exc:
            flash(request, exc.detail, "error")
            return redirect(request.app.route_reverse("spaces:checkin", slug=slug))
        flash(request, _("Checked in. Enjoy your time here!"))
        return redirect(request.app.route_reverse("bookings:detail", booking_id=str(booking.id)))
