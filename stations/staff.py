"""Staff pages for stations: open problem reports to resolve, and each station's amenities
(mark one out of order until it is fixed) and confirmation of its details."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect, Template

from app import clock
from app.accounts.forms import checked
from app.errors import DomainError, Forbidden
from app.i18n import _
from app.permissions import Actor, actor_of, can_manage_community, requires_staff
from app.web import flash, page, redirect
from stations import catalog, services
from stations.controllers import REASON_LABELS
from stations.tables import Station

AnyRequest = Request[Any, Any, Any]


@dataclass
class ResolveForm:
    resolution: str = ""
    mark_out_of_order: str = ""


@dataclass
class AmenityForm:
    working: str = ""
    note: str = ""


def _actor(request: AnyRequest) -> Actor:
    actor = actor_of(request)
    assert actor is not None  # guaranteed by requires_staff
    return actor


async def managed_stations(actor: Actor) -> list[Station]:
    query = Station.objects().where(Station.active == True)  # noqa: E712
    if not actor.is_admin:
        query = query.where(Station.community.is_in(list(actor.staff_of) or [-1]))
    return await query.order_by(Station.slug)


class StaffStationsController(Controller):
    path = "/staff/stations"
    guards = [requires_staff]
    include_in_schema = False

    @get("", name="staff:stations")
    async def index(self, request: AnyRequest) -> Template:
        actor = _actor(request)
        reports = await services.open_reports(actor)
        open_by_station: dict[Any, int] = {}
        for report in reports:
            open_by_station[report.station.id] = open_by_station.get(report.station.id, 0) + 1
        return page(
            request,
            "stations/staff/index.html",
            stations=await managed_stations(actor),
            reports=reports,
            open_by_station=open_by_station,
            reasons=REASON_LABELS,
        )

    @post("/reports/{report_id:str}/resolve", name="staff:stations.resolve")
    async def resolve(
        self, request: AnyRequest, report_id: FromPath[str], data: URLEncodedBody[ResolveForm]
    ) -> Redirect:
        actor = _actor(request)
        now = clock.utcnow()
        try:
            report = await services.resolve_report(
                actor, report_id, resolution=data.resolution, now=now
            )
            amenity = services.REASON_AMENITY.get(report.reason)
            if amenity and checked(data.mark_out_of_order):
                station = await Station.objects().where(Station.id == report.station).first()
                await services.set_amenity_status(
                    actor, station, amenity, working=False, note=data.resolution, now=now
                )
        except DomainError as exc:
            flash(request, exc.detail, "error")
        else:
            flash(request, _("The report is resolved."))
        return redirect(request.app.route_reverse("staff:stations"))

    @get("/{slug:str}", name="staff:station")
    async def station(self, request: AnyRequest, slug: FromPath[str]) -> Template:
        actor = _actor(request)
        station = await catalog.get_station(slug)
        if not can_manage_community(actor, station.community.id):
            raise Forbidden(_("Only staff of this station's community may manage it."))
        return page(
            request,
            "stations/staff/station.html",
            station=station,
            amenities=await catalog.amenities_of(station),
        )

    @post("/{slug:str}/amenities/{kind:str}", name="staff:station.amenity")
    async def amenity(
        self,
        request: AnyRequest,
        slug: FromPath[str],
        kind: FromPath[str],
        data: URLEncodedBody[AmenityForm],
    ) -> Redirect:
        station = await catalog.get_station(slug)
        await services.set_amenity_status(
            _actor(request),
            station,
            kind,
            checked(data.working),
            note=data.note,
            now=clock.utcnow(),
        )
        flash(request, _("Saved. Searches now show it as it is."))
        return redirect(request.app.route_reverse("staff:station", slug=slug))

    @post("/{slug:str}/verified", name="staff:station.verified")
    async def verified(self, request: AnyRequest, slug: FromPath[str]) -> Redirect:
        station = await catalog.get_station(slug)
        await services.mark_verified(_actor(request), station, now=clock.utcnow())
        flash(request, _("Thank you: the station's details are confirmed as of today."))
        return redirect(request.app.route_reverse("staff:station", slug=slug))
