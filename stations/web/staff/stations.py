"""Staff pages for stations: open problem reports to resolve; each station's page (amenities
out of order, confirmation of its details); creating and editing stations, their amenities,
closures and special hours; deactivating and reactivating them."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from functools import partial
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from litestar import Controller, Request, get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, URLEncodedBody
from litestar.response import Redirect, Template

from app import clock, ics_import, photos
from app.calendar_exceptions import ClosureForm, SpecialHoursForm
from app.communities.services import managed_communities
from app.errors import DomainError, InputError
from app.formfields import checked
from app.i18n import _, format_day, localized
from app.permissions import Actor
from app.settings import get_settings
from app.web.context import actor_of, flash
from app.web.guards import requires_staff
from app.web.responses import page, redirect
from stations.logic import station_form
from stations.logic.amenities import AMENITIES
from stations.logic.labels import HOLIDAY_LABELS, HOST_LABELS, REASON_LABELS
from stations.queries.stations import amenities_of
from stations.services import amenities as amenity_services
from stations.services import closures, management, problem_reports, special_hours
from stations.tables import Station
from stations.web.presentation import closure_when

AnyRequest = Request[Any, Any, Any]


@dataclass
class ResolveForm:
    resolution: str = ""
    mark_out_of_order: str = ""


@dataclass
class AmenityForm:
    working: str = ""
    note: str = ""


@dataclass
class StationEditForm(station_form.StationForm):
    photo: UploadFile | None = None
    remove_photo: str = ""


@dataclass
class CalendarUpload:
    file: UploadFile | None = None


def _actor(request: AnyRequest) -> Actor:
    actor = actor_of(request)
    assert actor is not None  # guaranteed by requires_staff
    return actor


def _station_url(request: AnyRequest, name: str, slug: str) -> str:
    return request.app.route_reverse(name, slug=slug)


class StaffStationsController(Controller):
    path = "/staff/stations"
    guards = [requires_staff]
    include_in_schema = False

    @get("", name="staff:stations")
    async def index(self, request: AnyRequest) -> Template:
        actor = _actor(request)
        reports = await problem_reports.open_reports(actor)
        open_by_station: dict[Any, int] = {}
        for report in reports:
            open_by_station[report.station.id] = open_by_station.get(report.station.id, 0) + 1
        return page(
            request,
            "stations/staff/index.html",
            stations=await management.managed_stations(actor),
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
            await problem_reports.resolve_report(
                actor,
                report_id,
                resolution=data.resolution,
                mark_out_of_order=checked(data.mark_out_of_order),
                now=now,
            )
        except DomainError as exc:
            flash(request, exc.detail, "error")
        else:
            flash(request, _("The report is resolved."))
        return redirect(request.app.route_reverse("staff:stations"))

    # --- creating and editing -------------------------------------------------------------

    async def _form_page(
        self,
        request: AnyRequest,
        form: station_form.StationForm,
        *,
        station: Station | None = None,
        errors: dict[str, str] | None = None,
    ) -> Template:
        communities = [] if station else await managed_communities(_actor(request))
        return page(
            request,
            "stations/staff/form.html",
            status_code=400 if errors else 200,
            station=station,
            form=form,
            form_values=vars(form),
            errors=errors or {},
            communities=communities,
            community_options=[("", _("Choose…"))]
            + [(c.slug, localized(c, "name")) for c in communities],
            host_options=[(key, _(label)) for key, label in HOST_LABELS.items()],
            holiday_options=[(key, _(label)) for key, label in HOLIDAY_LABELS.items()],
        )

    @get("/new", name="staff:stations.new")
    async def new(self, request: AnyRequest) -> Template:
        communities = await managed_communities(_actor(request))
        form = station_form.StationForm(
            community=communities[0].slug if len(communities) == 1 else "",
            timezone=get_settings().site.timezone,
        )
        return await self._form_page(request, form)

    @post("/new", name="staff:stations.create")
    async def create(
        self, request: AnyRequest, data: URLEncodedBody[station_form.StationForm]
    ) -> Template | Redirect:
        try:
            station = await management.create_station(_actor(request), data, now=clock.utcnow())
        except InputError as exc:
            return await self._form_page(request, data, errors=exc.by_field())
        flash(request, _("The station was added. Now say which amenities it has."))
        return redirect(_station_url(request, "staff:station.amenities", station.slug))

    @get("/{slug:str}/edit", name="staff:station.edit")
    async def edit(self, request: AnyRequest, slug: FromPath[str]) -> Template:
        station = await management.managed_station(_actor(request), slug)
        form = station_form.form_of(station, await management.seats_of(station.id))
        return await self._form_page(request, form, station=station)

    @post(
        "/{slug:str}/edit",
        name="staff:station.update",
        request_max_body_size=photos.UPLOAD_MAX_BODY_BYTES,
    )
    async def update(
        self,
        request: AnyRequest,
        slug: FromPath[str],
        data: Annotated[StationEditForm, Body(media_type=RequestEncodingType.MULTI_PART)],
    ) -> Template | Redirect:
        actor = _actor(request)
        station = await management.managed_station(actor, slug)
        upload = await data.photo.read() if data.photo is not None else None
        try:
            changed = await management.update_station(
                actor,
                station,
                data,
                photo=upload,
                remove_photo=checked(data.remove_photo),
                now=clock.utcnow(),
            )
        except InputError as exc:
            errors = photos.ask_again(exc.by_field(), upload)
            return await self._form_page(request, data, station=station, errors=errors)
        flash(request, _("The station was saved.") if changed else _("Nothing was changed."))
        return redirect(_station_url(request, "staff:station", slug))

    @post("/{slug:str}/deactivate", name="staff:station.deactivate")
    async def deactivate(self, request: AnyRequest, slug: FromPath[str]) -> Redirect:
        actor = _actor(request)
        station = await management.managed_station(actor, slug)
        await management.set_active(actor, station, False, now=clock.utcnow())
        flash(request, _("The station is hidden from couriers until you reactivate it."))
        return redirect(_station_url(request, "staff:station", slug))

    @post("/{slug:str}/reactivate", name="staff:station.reactivate")
    async def reactivate(self, request: AnyRequest, slug: FromPath[str]) -> Redirect:
        actor = _actor(request)
        station = await management.managed_station(actor, slug)
        await management.set_active(actor, station, True, now=clock.utcnow())
        flash(request, _("The station is shown to couriers again."))
        return redirect(_station_url(request, "staff:station", slug))

    # --- amenities ------------------------------------------------------------------------

    async def _amenities_page(
        self,
        request: AnyRequest,
        station: Station,
        values: dict[str, str],
        errors: dict[str, str] | None = None,
    ) -> Template:
        return page(
            request,
            "stations/staff/amenities.html",
            status_code=400 if errors else 200,
            station=station,
            values=values,
            errors=errors or {},
            amenity_labels=AMENITIES,
            working={a.key: a.working for a in await amenities_of(station)},
        )

    @get("/{slug:str}/amenities", name="staff:station.amenities")
    async def amenities(self, request: AnyRequest, slug: FromPath[str]) -> Template:
        station = await management.managed_station(_actor(request), slug)
        values: dict[str, str] = {}
        for amenity in await amenities_of(station):
            values[f"has_{amenity.key}"] = "1"
            values[f"quantity_{amenity.key}"] = str(amenity.quantity or "")
            values[f"note_{amenity.key}"] = amenity.note
        return await self._amenities_page(request, station, values)

    @post("/{slug:str}/amenities", name="staff:station.amenities.save")
    async def save_amenities(self, request: AnyRequest, slug: FromPath[str]) -> Template | Redirect:
        actor = _actor(request)
        station = await management.managed_station(actor, slug)
        form = await request.form()
        values = {key: value for key, value in form.items() if isinstance(value, str)}
        try:
            await amenity_services.save_amenities(actor, station, values, now=clock.utcnow())
        except InputError as exc:
            return await self._amenities_page(request, station, values, exc.by_field())
        flash(request, _("Saved. Searches now show it as it is."))
        return redirect(_station_url(request, "staff:station", slug))

    # --- closures and special hours -------------------------------------------------------

    async def _dates_page(
        self,
        request: AnyRequest,
        station: Station,
        *,
        closure: ClosureForm | None = None,
        special: SpecialHoursForm | None = None,
        errors: dict[str, str] | None = None,
        import_errors: dict[str, str] | None = None,
    ) -> Template:
        now = clock.utcnow()
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

    @get("/{slug:str}/dates", name="staff:station.dates")
    async def dates(self, request: AnyRequest, slug: FromPath[str]) -> Template:
        station = await management.managed_station(_actor(request), slug)
        return await self._dates_page(request, station)

    @post("/{slug:str}/closures", name="staff:station.closure.add")
    async def add_closure(
        self, request: AnyRequest, slug: FromPath[str], data: URLEncodedBody[ClosureForm]
    ) -> Template | Redirect:
        actor = _actor(request)
        station = await management.managed_station(actor, slug)
        try:
            await closures.add_closure(actor, station, data, now=clock.utcnow())
        except InputError as exc:
            return await self._dates_page(request, station, closure=data, errors=exc.by_field())
        flash(request, _("The closure was added. Couriers see the station as closed then."))
        return redirect(_station_url(request, "staff:station.dates", slug))

    @post("/{slug:str}/closures/{closure_id:int}/delete", name="staff:station.closure.delete")
    async def remove_closure(
        self, request: AnyRequest, slug: FromPath[str], closure_id: FromPath[int]
    ) -> Redirect:
        actor = _actor(request)
        station = await management.managed_station(actor, slug)
        await closures.remove_closure(actor, station, closure_id, now=clock.utcnow())
        flash(request, _("The closure was removed."))
        return redirect(_station_url(request, "staff:station.dates", slug))

    @post(
        "/{slug:str}/closures/import/preview",
        name="staff:station.closures.import.preview",
        request_max_body_size=ics_import.UPLOAD_MAX_BODY_BYTES,
    )
    async def preview_import(
        self,
        request: AnyRequest,
        slug: FromPath[str],
        data: Annotated[CalendarUpload, Body(media_type=RequestEncodingType.MULTI_PART)],
    ) -> Template:
        """The closures a calendar file (.ics) would add, to check before confirming."""
        station = await management.managed_station(_actor(request), slug)
        upload = await data.file.read() if data.file is not None else b""
        start, end = ics_import.window(clock.utcnow())
        zone = ZoneInfo(station.timezone)
        try:
            events = await asyncio.to_thread(
                ics_import.read_events, upload, zone=zone, start=start, end=end
            )
        except InputError as exc:
            return await self._dates_page(request, station, import_errors=exc.by_field())
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
            file_name=ics_import.file_label(getattr(data.file, "filename", "")),
        )

    @post("/{slug:str}/closures/import", name="staff:station.closures.import")
    async def import_closures(
        self,
        request: AnyRequest,
        slug: FromPath[str],
        data: URLEncodedBody[ics_import.CarriedForm],
    ) -> Template | Redirect:
        actor = _actor(request)
        station = await management.managed_station(actor, slug)
        now = clock.utcnow()
        start, end = ics_import.window(now)
        try:
            events = ics_import.read_carried(
                ics_import.carried_values(data.events),
                zone=ZoneInfo(station.timezone),
                start=start,
                end=end,
            )
        except InputError as exc:
            return await self._dates_page(request, station, import_errors=exc.by_field())
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
                _(
                    "%(n)s closures were imported from %(file)s.",
                    n=len(added),
                    file=file_name or _("the calendar file"),
                ),
            )
        else:
            flash(request, _("Nothing was imported: every event is a closure already."))
        if added and skipped:
            flash(
                request,
                _("%(n)s events were skipped: the same closure was there already.", n=skipped),
            )
        return redirect(_station_url(request, "staff:station.dates", slug))

    @post("/{slug:str}/special-hours", name="staff:station.special.add")
    async def set_special_hours(
        self,
        request: AnyRequest,
        slug: FromPath[str],
        data: URLEncodedBody[SpecialHoursForm],
    ) -> Template | Redirect:
        actor = _actor(request)
        station = await management.managed_station(actor, slug)
        try:
            await special_hours.set_special_hours(actor, station, data, now=clock.utcnow())
        except InputError as exc:
            return await self._dates_page(request, station, special=data, errors=exc.by_field())
        flash(request, _("The hours for that date were saved."))
        return redirect(_station_url(request, "staff:station.dates", slug))

    @post("/{slug:str}/special-hours/{row_id:int}/delete", name="staff:station.special.delete")
    async def remove_special_hours(
        self, request: AnyRequest, slug: FromPath[str], row_id: FromPath[int]
    ) -> Redirect:
        actor = _actor(request)
        station = await management.managed_station(actor, slug)
        await special_hours.remove_special_hours(actor, station, row_id, now=clock.utcnow())
        flash(request, _("The special hours were removed; the weekly hours apply that day."))
        return redirect(_station_url(request, "staff:station.dates", slug))

    # --- one station ----------------------------------------------------------------------

    @get("/{slug:str}", name="staff:station")
    async def station(self, request: AnyRequest, slug: FromPath[str]) -> Template:
        station = await management.managed_station(_actor(request), slug)
        return page(
            request,
            "stations/staff/station.html",
            station=station,
            amenities=await amenities_of(station),
            host_labels=HOST_LABELS,
        )

    @post("/{slug:str}/amenities/{kind:str}", name="staff:station.amenity")
    async def amenity(
        self,
        request: AnyRequest,
        slug: FromPath[str],
        kind: FromPath[str],
        data: URLEncodedBody[AmenityForm],
    ) -> Redirect:
        actor = _actor(request)
        station = await management.managed_station(actor, slug)
        await amenity_services.set_amenity_status(
            actor, station, kind, checked(data.working), note=data.note, now=clock.utcnow()
        )
        flash(request, _("Saved. Searches now show it as it is."))
        return redirect(_station_url(request, "staff:station", slug))

    @post("/{slug:str}/verified", name="staff:station.verified")
    async def verified(self, request: AnyRequest, slug: FromPath[str]) -> Redirect:
        actor = _actor(request)
        station = await management.managed_station(actor, slug)
        await management.mark_verified(actor, station, now=clock.utcnow())
        flash(request, _("Thank you: the station's details are confirmed as of today."))
        return redirect(_station_url(request, "staff:station", slug))
