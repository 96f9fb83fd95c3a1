"""The staff's page of a station's current check-ins: when each began and ends and whether
it counts, with buttons to clear one or all."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from app.i18n import _
from app.web.context import CurrentActor, RequestNow, flash
from app.web.guards import requires_staff
from app.web.responses import page, redirect
from stations.logic.seats import per_address_cap
from stations.services import management, seat_keeping
from stations.web.staff.stations import station_url

AnyRequest = Request[Any, Any, Any]


class StaffCheckInsController(Controller):
    path = "/staff/stations"
    guards = [requires_staff]
    include_in_schema = False

    @get("/{slug:str}/checkins", name="staff:station.checkins")
    async def check_ins(
        self, request: AnyRequest, slug: FromPath[str], actor: CurrentActor, now: RequestNow
    ) -> Template:
        station = await management.managed_station(actor, slug)
        seats = await seat_keeping.station_seats(actor, station, now=now)
        return page(
            request,
            "stations/staff/checkins.html",
            station=station,
            seats=seats,
            per_address=per_address_cap(seats.seats),
            zone=station.timezone,
        )

    @post("/{slug:str}/checkins/{check_in_id:int}/clear", name="staff:station.checkin.clear")
    async def clear_one(
        self,
        request: AnyRequest,
        slug: FromPath[str],
        check_in_id: FromPath[int],
        actor: CurrentActor,
        now: RequestNow,
    ) -> Redirect:
        station = await management.managed_station(actor, slug)
        if await seat_keeping.clear_check_in(actor, station, check_in_id, now=now):
            flash(request, _("The check-in was cleared; its seat is free."))
        else:
            flash(request, _("That check-in had already ended."))
        return redirect(station_url(request, "staff:station.checkins", slug))

    @post("/{slug:str}/checkins/clear", name="staff:station.checkins.clear")
    async def clear_all(
        self, request: AnyRequest, slug: FromPath[str], actor: CurrentActor, now: RequestNow
    ) -> Redirect:
        station = await management.managed_station(actor, slug)
        cleared = await seat_keeping.clear_check_ins(actor, station, now=now)
        flash(
            request,
            _("Check-ins cleared: %(count)s.", count=cleared)
            if cleared
            else _("There were no check-ins to clear."),
        )
        return redirect(station_url(request, "staff:station.checkins", slug))
