"""The staff's page of a station's dates: closures (typed, or imported from a calendar file
after a preview) and special hours for a date."""

from __future__ import annotations

import asyncio
from datetime import datetime
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from litestar import Controller, Request, get, post
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect, Template

from app import ics_import
from app.calendar_exceptions import ClosureForm, SpecialHoursForm
from app.errors import InputError
from app.i18n import _, format_day, ngettext
from app.web.context import CurrentActor, RequestNow, flash
from app.web.guards import requires_staff
from app.web.responses import page, redirect
from app.web.uploads import accepts_files, received_form
from stations.services import closures, management, special_hours
from stations.tables import Station
from stations.web.presentation import closure_when
from stations.web.staff.stations import station_url

AnyRequest = Request[Any, Any, Any]


async def _dates_page(
    request: AnyRequest,
    station: Station,
    now: datetime,
    *,
    closure: ClosureForm | None = None,
    special: SpecialHoursForm | None = None,
    errors: dict[str, str] | None = None,
    import_errors: dict[str, str] | None = None,
) -> Template:
    return page(
        request,
        "stations/staff/dates.html",
        status_code=400 if errors or import_errors else 200,
        station=station,
        zone=station.timezone,
        closure_when=partial(closure_when, zone=ZoneInfo(station.timezone)),
        day_label=format_day,
        closures=await closures.closures_ahead(station, now),
        special_hours=await special_hours.special_hours_ahead(station, now),
        closure=closure or ClosureForm(),
        special=special or SpecialHoursForm(),
        errors=errors or {},
        import_errors=import_errors or {},
    )


class StaffStationDatesController(Controller):
    path = "/staff/stations"
    guards = [requires_staff]
    include_in_schema = False

    @get("/{slug:str}/dates", name="staff:station.dates")
    async def dates(
        self, request: AnyRequest, slug: FromPath[str], actor: CurrentActor, now: RequestNow
    ) -> Template:
        station = await management.managed_station(actor, slug)
        return await _dates_page(request, station, now)

    @post("/{slug:str}/closures", name="staff:station.closure.add")
    async def add_closure(
        self,
        request: AnyRequest,
        slug: FromPath[str],
        data: URLEncodedBody[ClosureForm],
        actor: CurrentActor,
        now: RequestNow,
    ) -> Template | Redirect:
        station = await management.managed_station(actor, slug)
        try:
            await closures.add_closure(actor, station, data, now=now)
        except InputError as exc:
            return await _dates_page(request, station, now, closure=data, errors=exc.by_field())
        flash(request, _("The closure was added. Couriers see the station as closed then."))
        return redirect(station_url(request, "staff:station.dates", slug))

    @post("/{slug:str}/closures/{closure_id:int}/delete", name="staff:station.closure.delete")
    async def remove_closure(
        self,
        request: AnyRequest,
        slug: FromPath[str],
        closure_id: FromPath[int],
        actor: CurrentActor,
        now: RequestNow,
    ) -> Redirect:
        station = await management.managed_station(actor, slug)
        await closures.remove_closure(actor, station, closure_id, now=now)
        flash(request, _("The closure was removed."))
        return redirect(station_url(request, "staff:station.dates", slug))

    @post(
        "/{slug:str}/closures/import/preview",
        name="staff:station.closures.import.preview",
        **accepts_files(ics_import.MAX_FILE_BYTES),
    )
    async def preview_import(
        self,
        request: AnyRequest,
        slug: FromPath[str],
        actor: CurrentActor,
        now: RequestNow,
    ) -> Template:
        """The closures a calendar file (.ics) would add, to check before confirming."""
        station = await management.managed_station(actor, slug)
        upload = received_form(request).file(ics_import.FIELD)
        start, end = ics_import.window(now)
        zone = ZoneInfo(station.timezone)
        try:
            events = await asyncio.to_thread(
                ics_import.read_upload, upload, zone=zone, start=start, end=end
            )
        except InputError as exc:
            return await _dates_page(request, station, now, import_errors=exc.by_field())
        fresh, skipped = await closures.fresh_closures(station, closures.imported_closures(events))
        return page(
            request,
            "stations/staff/closure_import_preview.html",
            station=station,
            zone=station.timezone,
            closure_when=partial(closure_when, zone=zone),
            fresh=fresh,
            skipped=skipped,
            carried=[event.carried for event in events],
            file_name=ics_import.file_label(upload.filename if upload else ""),
        )

    @post("/{slug:str}/closures/import", name="staff:station.closures.import")
    async def import_closures(
        self,
        request: AnyRequest,
        slug: FromPath[str],
        data: URLEncodedBody[ics_import.CarriedForm],
        actor: CurrentActor,
        now: RequestNow,
    ) -> Template | Redirect:
        station = await management.managed_station(actor, slug)
        start, end = ics_import.window(now)
        try:
            events = ics_import.read_carried(
                ics_import.carried_values(data.events),
                zone=ZoneInfo(station.timezone),
                start=start,
                end=end,
            )
        except InputError as exc:
            return await _dates_page(request, station, now, import_errors=exc.by_field())
        file_name = ics_import.file_label(data.file_name)
        added, skipped = await closures.add_closures(
            actor,
            station,
            closures.imported_closures(events),
            imported_from=file_name,
            now=now,
        )
        if added:
            flash(
                request,
                ngettext(
                    "%(n)s closure was imported from %(file)s.",
                    "%(n)s closures were imported from %(file)s.",
                    len(added),
                    n=len(added),
                    file=file_name or _("the calendar file"),
                ),
            )
        else:
            flash(request, _("Nothing was imported: every event is a closure already."))
        if added and skipped:
            flash(
                request,
                ngettext(
                    "%(n)s event was skipped: the same closure was there already.",
                    "%(n)s events were skipped: the same closure was there already.",
                    skipped,
                    n=skipped,
                ),
            )
        return redirect(station_url(request, "staff:station.dates", slug))

    @post("/{slug:str}/special-hours", name="staff:station.special.add")
    async def set_special_hours(
        self,
        request: AnyRequest,
        slug: FromPath[str],
        data: URLEncodedBody[SpecialHoursForm],
        actor: CurrentActor,
        now: RequestNow,
    ) -> Template | Redirect:
        station = await management.managed_station(actor, slug)
        try:
            await special_hours.set_special_hours(actor, station, data, now=now)
        except InputError as exc:
            return await _dates_page(request, station, now, special=data, errors=exc.by_field())
        flash(request, _("The hours for that date were saved."))
        return redirect(station_url(request, "staff:station.dates", slug))

    @post("/{slug:str}/special-hours/{row_id:int}/delete", name="staff:station.special.delete")
    async def remove_special_hours(
        self,
        request: AnyRequest,
        slug: FromPath[str],
        row_id: FromPath[int],
        actor: CurrentActor,
        now: RequestNow,
    ) -> Redirect:
        station = await management.managed_station(actor, slug)
        await special_hours.remove_special_hours(actor, station, row_id, now=now)
        flash(request, _("The special hours were removed; the weekly hours apply that day."))
        return redirect(station_url(request, "staff:station.dates", slug))
