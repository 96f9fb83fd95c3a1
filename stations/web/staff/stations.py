"""Staff pages for stations: my stations with their open problem reports to resolve; each
station's page (amenities out of order, confirmation of its details); creating, editing,
deactivating and reactivating stations. Amenities are in `amenities`, closures and special
hours in `dates`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery, QueryParameter, URLEncodedBody
from litestar.response import Redirect, Template

from app import photos
from app.communities.services import managed_communities
from app.errors import DomainError, InputError
from app.formfields import checked
from app.i18n import _, localized
from app.permissions import Actor
from app.settings import get_settings
from app.web.context import CurrentActor, RequestNow, flash
from app.web.guards import requires_staff
from app.web.responses import page, redirect
from app.web.uploads import accepts_files, received_form
from stations.logic.labels import HOLIDAY_LABELS, HOST_LABELS, REASON_LABELS
from stations.logic.station_filters import StationFilters
from stations.logic.station_form import StationForm, form_of
from stations.queries.stations import amenities_of
from stations.services import amenities, management, problem_reports, staff_list
from stations.tables import Station

AnyRequest = Request[Any, Any, Any]


@dataclass
class ResolveForm:
    resolution: str = ""
    mark_out_of_order: str = ""
    public_note: str = ""


@dataclass
class AmenityForm:
    working: str = ""
    note: str = ""


@dataclass
class StationEditForm(StationForm):
    remove_photo: str = ""


def station_url(request: AnyRequest, name: str, slug: str) -> str:
    return request.app.route_reverse(name, slug=slug)


async def _form_page(
    request: AnyRequest,
    actor: Actor,
    form: StationForm,
    *,
    station: Station | None = None,
    errors: dict[str, str] | None = None,
) -> Template:
    communities = [] if station else await managed_communities(actor)
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


class StaffStationsController(Controller):
    path = "/staff/stations"
    guards = [requires_staff]
    include_in_schema = False

    @get("", name="staff:stations")
    async def index(
        self,
        request: AnyRequest,
        actor: CurrentActor,
        now: RequestNow,
        q: FromQuery[str] = "",
        community: FromQuery[str] = "",
        open_state: Annotated[str, QueryParameter(name="open")] = "",
        reports: FromQuery[str] = "",
    ) -> Template:
        filters = StationFilters(q=q, community=community, open=open_state, reports=reports)
        listed = await staff_list.station_list(actor, filters, now=now)
        return page(
            request,
            "stations/staff/index.html",
            listed=listed,
            filters=filters.cleaned(),
            filtered=filters.any,
            reports=listed.reports,
            reasons=REASON_LABELS,
        )

    @post("/reports/{report_id:str}/resolve", name="staff:stations.resolve")
    async def resolve(
        self,
        request: AnyRequest,
        report_id: FromPath[str],
        data: URLEncodedBody[ResolveForm],
        actor: CurrentActor,
        now: RequestNow,
    ) -> Redirect:
        try:
            await problem_reports.resolve_report(
                actor,
                report_id,
                resolution=data.resolution,
                mark_out_of_order=checked(data.mark_out_of_order),
                public_note=data.public_note,
                now=now,
            )
        except DomainError as exc:
            flash(request, exc.detail, "error")
        else:
            flash(request, _("The report is resolved."))
        return redirect(request.app.route_reverse("staff:stations"))

    # --- creating and editing -------------------------------------------------------------

    @get("/new", name="staff:stations.new")
    async def new(self, request: AnyRequest, actor: CurrentActor) -> Template:
        communities = await managed_communities(actor)
        form = StationForm(
            community=communities[0].slug if len(communities) == 1 else "",
            timezone=get_settings().site.timezone,
        )
        return await _form_page(request, actor, form)

    @post("/new", name="staff:stations.create")
    async def create(
        self,
        request: AnyRequest,
        data: URLEncodedBody[StationForm],
        actor: CurrentActor,
        now: RequestNow,
    ) -> Template | Redirect:
        try:
            station = await management.create_station(actor, data, now=now)
        except InputError as exc:
            return await _form_page(request, actor, data, errors=exc.by_field())
        flash(request, _("The station was added. Now say which amenities it has."))
        return redirect(station_url(request, "staff:station.amenities", station.slug))

    @get("/{slug:str}/edit", name="staff:station.edit")
    async def edit(self, request: AnyRequest, slug: FromPath[str], actor: CurrentActor) -> Template:
        station = await management.managed_station(actor, slug)
        form = form_of(station, await management.seats_of(station.id))
        return await _form_page(request, actor, form, station=station)

    @post(
        "/{slug:str}/edit",
        name="staff:station.update",
        **accepts_files(photos.MAX_UPLOAD_BYTES),
    )
    async def update(
        self,
        request: AnyRequest,
        slug: FromPath[str],
        actor: CurrentActor,
        now: RequestNow,
    ) -> Template | Redirect:
        station = await management.managed_station(actor, slug)
        received = received_form(request)
        data = received.fill(StationEditForm)
        upload = received.file("photo")
        try:
            received.check()
            changed = await management.update_station(
                actor,
                station,
                data,
                photo=upload,
                remove_photo=checked(data.remove_photo),
                now=now,
            )
        except InputError as exc:
            errors = photos.ask_again(exc.by_field(), upload)
            return await _form_page(request, actor, data, station=station, errors=errors)
        flash(request, _("The station was saved.") if changed else _("Nothing was changed."))
        return redirect(station_url(request, "staff:station", slug))

    async def _set_active(
        self, request: AnyRequest, slug: str, active: bool, actor: Actor, now: datetime
    ) -> Redirect:
        station = await management.managed_station(actor, slug)
        await management.set_active(actor, station, active, now=now)
        flash(
            request,
            _("The station is shown to couriers again.")
            if active
            else _("The station is hidden from couriers until you reactivate it."),
        )
        return redirect(station_url(request, "staff:station", slug))

    @post("/{slug:str}/deactivate", name="staff:station.deactivate")
    async def deactivate(
        self, request: AnyRequest, slug: FromPath[str], actor: CurrentActor, now: RequestNow
    ) -> Redirect:
        return await self._set_active(request, slug, False, actor, now)

    @post("/{slug:str}/reactivate", name="staff:station.reactivate")
    async def reactivate(
        self, request: AnyRequest, slug: FromPath[str], actor: CurrentActor, now: RequestNow
    ) -> Redirect:
        return await self._set_active(request, slug, True, actor, now)

    # --- one station ----------------------------------------------------------------------

    @get("/{slug:str}", name="staff:station")
    async def station(
        self, request: AnyRequest, slug: FromPath[str], actor: CurrentActor
    ) -> Template:
        station = await management.managed_station(actor, slug)
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
        actor: CurrentActor,
        now: RequestNow,
    ) -> Redirect:
        station = await management.managed_station(actor, slug)
        await amenities.set_amenity_status(
            actor, station, kind, checked(data.working), note=data.note, now=now
        )
        flash(request, _("Saved. Searches now show it as it is."))
        return redirect(station_url(request, "staff:station", slug))

    @post("/{slug:str}/verified", name="staff:station.verified")
    async def verified(
        self, request: AnyRequest, slug: FromPath[str], actor: CurrentActor, now: RequestNow
    ) -> Redirect:
        station = await management.managed_station(actor, slug)
        await management.mark_verified(actor, station, now=now)
        flash(request, _("Thank you: the station's details are confirmed as of today."))
        return redirect(station_url(request, "staff:station", slug))
