"""Staff page of the requests to decide, oldest first, with the competing ones side by side;
approving and rejecting them."""

from __future__ import annotations

from functools import partial
from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect, Template

from app.clock import site_date
from app.errors import DomainError, InputError
from app.i18n import _
from app.web.context import CurrentActor, RequestNow, flash
from app.web.guards import requires_staff
from app.web.responses import page, redirect
from spaces.logic.statuses import is_expired_request
from spaces.logic.wording import day_label, local_time, site_zone
from spaces.services import catalog, decisions
from spaces.web.forms import ReasonForm

AnyRequest = Request[Any, Any, Any]


class StaffRequestsController(Controller):
    path = "/staff/spaces/requests"
    guards = [requires_staff]
    include_in_schema = False

    @get("", name="staff:requests")
    async def requests(
        self,
        request: AnyRequest,
        actor: CurrentActor,
        now: RequestNow,
    ) -> Template:
        pending = await decisions.pending_requests(actor)
        return page(
            request,
            "spaces/staff/requests.html",
            pending=pending,
            competing=decisions.competing(pending),
            fits=await decisions.still_fitting(pending),
            now=now,
            expired=lambda b: is_expired_request(b, now),
            viewer_zone=site_zone(),
            zone_of=catalog.zone_of,
            local_time=local_time,
            day_label=partial(day_label, today=site_date(now)),
        )

    @post("/{booking_id:str}/approve", name="staff:requests.approve")
    async def approve(
        self,
        request: AnyRequest,
        booking_id: FromPath[str],
        actor: CurrentActor,
        now: RequestNow,
    ) -> Redirect:
        try:
            await decisions.approve(actor, booking_id, now=now)
        except DomainError as exc:
            flash(request, exc.detail, "error")
        else:
            flash(request, _("The request was approved; the resident sees it as confirmed."))
        return redirect(request.app.route_reverse("staff:requests"))

    @post("/{booking_id:str}/reject", name="staff:requests.reject")
    async def reject(
        self,
        request: AnyRequest,
        booking_id: FromPath[str],
        data: URLEncodedBody[ReasonForm],
        actor: CurrentActor,
        now: RequestNow,
    ) -> Redirect:
        try:
            await decisions.reject(actor, booking_id, reason=data.reason, now=now)
        except DomainError as exc:
            message = exc.detail
            if isinstance(exc, InputError) and exc.errors:
                message = exc.errors[0].message
            flash(request, message, "error")
        else:
            flash(request, _("The request was rejected."))
        return redirect(request.app.route_reverse("staff:requests"))
