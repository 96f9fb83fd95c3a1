"""The staff's page of a station's three 新 extras: its dated services (add, change, cancel)
and its integrity model mark (诚信经营示范点)."""

from __future__ import annotations

from datetime import datetime
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from litestar import Controller, Request, get, post
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect, Template

from app.errors import InputError
from app.i18n import _
from app.web.context import CurrentActor, RequestNow, flash
from app.web.guards import requires_staff
from app.web.responses import page, redirect
from stations.logic.services_form import (
    DESCRIPTION_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    IntegrityForm,
    ServiceForm,
    form_of_service,
)
from stations.services import dated_services, management
from stations.tables import Station, StationEvent
from stations.web.presentation import closure_when
from stations.web.staff.stations import station_url

AnyRequest = Request[Any, Any, Any]


async def _services_page(
    request: AnyRequest,
    station: Station,
    now: datetime,
    *,
    service: ServiceForm | None = None,
    integrity: IntegrityForm | None = None,
    errors: dict[str, str] | None = None,
) -> Template:
    return page(
        request,
        "stations/staff/services.html",
        status_code=400 if errors else 200,
        station=station,
        zone=station.timezone,
        when=partial(closure_when, all_day=False, zone=ZoneInfo(station.timezone)),
        services=await dated_services.services_ahead(station, now),
        service=service or ServiceForm(),
        integrity=integrity or IntegrityForm(),
        title_max=TITLE_MAX_LENGTH,
        description_max=DESCRIPTION_MAX_LENGTH,
        errors=errors or {},
    )


def _edit_page(
    request: AnyRequest,
    station: Station,
    row: StationEvent,
    form: ServiceForm,
    errors: dict[str, str] | None = None,
) -> Template:
    return page(
        request,
        "stations/staff/service.html",
        status_code=400 if errors else 200,
        station=station,
        row=row,
        zone=station.timezone,
        service=form,
        title_max=TITLE_MAX_LENGTH,
        description_max=DESCRIPTION_MAX_LENGTH,
        errors=errors or {},
    )


class StaffStationServicesController(Controller):
    path = "/staff/stations"
    guards = [requires_staff]
    include_in_schema = False

    @get("/{slug:str}/services", name="staff:station.services")
    async def services(
        self, request: AnyRequest, slug: FromPath[str], actor: CurrentActor, now: RequestNow
    ) -> Template:
        station = await management.managed_station(actor, slug)
        return await _services_page(request, station, now)

    @post("/{slug:str}/services", name="staff:station.service.add")
    async def add_service(
        self,
        request: AnyRequest,
        slug: FromPath[str],
        data: URLEncodedBody[ServiceForm],
        actor: CurrentActor,
        now: RequestNow,
    ) -> Template | Redirect:
        station = await management.managed_station(actor, slug)
        try:
            await dated_services.add_service(actor, station, data, now=now)
        except InputError as exc:
            return await _services_page(request, station, now, service=data, errors=exc.by_field())
        flash(request, _("The service was added. Couriers see it on the station's page."))
        return redirect(station_url(request, "staff:station.services", slug))

    @get("/{slug:str}/services/{service_id:int}", name="staff:station.service")
    async def service(
        self,
        request: AnyRequest,
        slug: FromPath[str],
        service_id: FromPath[int],
        actor: CurrentActor,
    ) -> Template:
        station = await management.managed_station(actor, slug)
        row = await dated_services.managed_service(actor, station, service_id)
        form = form_of_service(
            row.starts_at, row.ends_at, row.title, row.description, ZoneInfo(station.timezone)
        )
        return _edit_page(request, station, row, form)

    @post("/{slug:str}/services/{service_id:int}", name="staff:station.service.change")
    async def change_service(
        self,
        request: AnyRequest,
        slug: FromPath[str],
        service_id: FromPath[int],
        data: URLEncodedBody[ServiceForm],
        actor: CurrentActor,
        now: RequestNow,
    ) -> Template | Redirect:
        station = await management.managed_station(actor, slug)
        row = await dated_services.managed_service(actor, station, service_id)
        try:
            await dated_services.change_service(actor, station, service_id, data, now=now)
        except InputError as exc:
            return _edit_page(request, station, row, data, exc.by_field())
        flash(request, _("The service was changed."))
        return redirect(station_url(request, "staff:station.services", slug))

    @post("/{slug:str}/services/{service_id:int}/cancel", name="staff:station.service.cancel")
    async def cancel_service(
        self,
        request: AnyRequest,
        slug: FromPath[str],
        service_id: FromPath[int],
        actor: CurrentActor,
        now: RequestNow,
    ) -> Redirect:
        station = await management.managed_station(actor, slug)
        await dated_services.cancel_service(actor, station, service_id, now=now)
        flash(request, _("The service was cancelled. Calendars show it as cancelled."))
        return redirect(station_url(request, "staff:station.services", slug))

    @post("/{slug:str}/integrity", name="staff:station.integrity")
    async def set_integrity(
        self,
        request: AnyRequest,
        slug: FromPath[str],
        data: URLEncodedBody[IntegrityForm],
        actor: CurrentActor,
        now: RequestNow,
    ) -> Template | Redirect:
        station = await management.managed_station(actor, slug)
        try:
            await dated_services.set_integrity_mark(actor, station, data, now=now)
        except InputError as exc:
            return await _services_page(
                request, station, now, integrity=data, errors=exc.by_field()
            )
        flash(request, _("Marked as an integrity model shop. Couriers see the mark."))
        return redirect(station_url(request, "staff:station.services", slug))

    @post("/{slug:str}/integrity/remove", name="staff:station.integrity.remove")
    async def remove_integrity(
        self, request: AnyRequest, slug: FromPath[str], actor: CurrentActor, now: RequestNow
    ) -> Redirect:
        station = await management.managed_station(actor, slug)
        await dated_services.remove_integrity_mark(actor, station, now=now)
        flash(request, _("The integrity model mark was removed."))
        return redirect(station_url(request, "staff:station.services", slug))
