"""Turning up, for staff: the residents of their communities who missed bookings, and the
printable QR code for a space's door that leads to its check-in page."""

from __future__ import annotations

from typing import Any

import segno
from litestar import Controller, Request, get
from litestar.params import FromPath
from litestar.response import Template
from markupsafe import Markup

from app.web.context import CurrentActor, RequestNow
from app.web.guards import requires_staff
from app.web.responses import page
from spaces.services import attendance
from spaces.services.catalog import managed_space

AnyRequest = Request[Any, Any, Any]


class StaffAttendanceController(Controller):
    path = "/staff/spaces"
    guards = [requires_staff]
    include_in_schema = False

    @get("/no-shows", name="staff:no-shows")
    async def no_shows(
        self,
        request: AnyRequest,
        actor: CurrentActor,
        now: RequestNow,
    ) -> Template:
        rows = await attendance.no_shows_by_community(actor, now)
        return page(request, "spaces/staff/no_shows.html", rows=rows)

    @get("/{slug:str}/qr", name="staff:space.qr")
    async def qr(
        self,
        request: AnyRequest,
        slug: FromPath[str],
        actor: CurrentActor,
    ) -> Template:
        """A printable sign for the door: the QR code of the space's check-in page."""
        space = await managed_space(actor, slug)
        url = str(request.base_url).rstrip("/") + request.app.route_reverse(
            "spaces:checkin", slug=slug
        )
        return page(
            request,
            "spaces/staff/qr.html",
            space=space,
            url=url,
            qr=Markup(segno.make(url, error="m").svg_inline(scale=8, title=url)),
        )
