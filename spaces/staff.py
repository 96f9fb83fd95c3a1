"""Staff pages for spaces: the requests to decide (with competing ones side by side) and each
space's upcoming bookings. Cancelling with a reason happens on the booking's own page."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any

import segno
from litestar import Controller, Request, get, post
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect, Template
from markupsafe import Markup

from app import clock
from app.communities.services import managed_communities
from app.errors import DomainError, Forbidden
from app.i18n import _
from app.permissions import Actor, actor_of, can_manage_community, requires_staff
from app.web import flash, page, redirect
from spaces import attendance, bookings, catalog, decisions, views
from spaces.controllers import viewer_zone
from spaces.tables import Space

AnyRequest = Request[Any, Any, Any]


@dataclass
class DecisionForm:
    reason: str = ""


def _actor(request: AnyRequest) -> Actor:
    actor = actor_of(request)
    assert actor is not None  # guaranteed by requires_staff
    return actor


async def managed_spaces(actor: Actor) -> list[Space]:
    query = Space.objects(Space.community).where(Space.active == True)  # noqa: E712
    if not actor.is_admin:
        query = query.where(Space.community.is_in(list(actor.staff_of) or [-1]))
    return await query.order_by(Space.community.slug).order_by(Space.slug)


class StaffSpacesController(Controller):
    path = "/staff/spaces"
    guards = [requires_staff]
    include_in_schema = False

    @get("", name="staff:spaces")
    async def index(self, request: AnyRequest) -> Template:
        actor = _actor(request)
        pending = await decisions.pending_requests(actor)
        waiting: dict[Any, int] = {}
        for request_row in pending:
            waiting[request_row.space.id] = waiting.get(request_row.space.id, 0) + 1
        return page(
            request,
            "spaces/staff/index.html",
            spaces=await managed_spaces(actor),
            waiting=waiting,
            pending_total=len(pending),
            kind_labels=views.KIND_LABELS,
        )

    @get("/requests", name="staff:requests")
    async def requests(self, request: AnyRequest) -> Template:
        now = clock.utcnow()
        pending = await decisions.pending_requests(_actor(request))
        return page(
            request,
            "spaces/staff/requests.html",
            pending=pending,
            competing=decisions.competing(pending),
            now=now,
            expired=lambda b: bookings.is_expired_request(b, now),
            viewer_zone=viewer_zone(),
            zone_of=catalog.zone_of,
            local_time=views.local_time,
            day_label=partial(views.day_label, today=now.astimezone(viewer_zone()).date()),
        )

    @post("/requests/{booking_id:str}/approve", name="staff:requests.approve")
    async def approve(self, request: AnyRequest, booking_id: FromPath[str]) -> Redirect:
        try:
            await decisions.approve(_actor(request), booking_id, now=clock.utcnow())
        except DomainError as exc:
            flash(request, exc.detail, "error")
        else:
            flash(request, _("The request was approved; the resident sees it as confirmed."))
        return redirect(request.app.route_reverse("staff:requests"))

    @post("/requests/{booking_id:str}/reject", name="staff:requests.reject")
    async def reject(
        self, request: AnyRequest, booking_id: FromPath[str], data: URLEncodedBody[DecisionForm]
    ) -> Redirect:
        try:
            await decisions.reject(
                _actor(request), booking_id, reason=data.reason, now=clock.utcnow()
            )
        except DomainError as exc:
            message = exc.detail
            if hasattr(exc, "errors") and exc.errors:
                message = exc.errors[0].message
            flash(request, message, "error")
        else:
            flash(request, _("The request was rejected."))
        return redirect(request.app.route_reverse("staff:requests"))

    @get("/no-shows", name="staff:no-shows")
    async def no_shows(self, request: AnyRequest) -> Template:
        actor = _actor(request)
        now = clock.utcnow()
        rows = [
            (community, await attendance.no_show_counts(actor, community, now))
            for community in await managed_communities(actor)
        ]
        return page(request, "spaces/staff/no_shows.html", rows=rows)

    @get("/{slug:str}/qr", name="staff:space.qr")
    async def qr(self, request: AnyRequest, slug: FromPath[str]) -> Template:
        """A printable sign for the door: the QR code of the space's check-in page."""
        actor = _actor(request)
        space = await catalog.get_space(slug)
        if not can_manage_community(actor, space.community.id):
            raise Forbidden(_("Only staff of this space's community may see its bookings."))
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

    @get("/{slug:str}", name="staff:space")
    async def space(self, request: AnyRequest, slug: FromPath[str]) -> Template:
        actor = _actor(request)
        space = await catalog.get_space(slug)
        if not can_manage_community(actor, space.community.id):
            raise Forbidden(_("Only staff of this space's community may see its bookings."))
        now = clock.utcnow()
        return page(
            request,
            "spaces/staff/space.html",
            space=space,
            upcoming=await decisions.upcoming_of_space(space, now),
            now=now,
            viewer_zone=viewer_zone(),
            zone=catalog.zone_of(space),
            local_time=views.local_time,
            day_label=partial(views.day_label, today=now.astimezone(viewer_zone()).date()),
            status_labels=views.STATUS_LABELS,
            status_of=lambda b: bookings.effective_status(b, now),
        )
