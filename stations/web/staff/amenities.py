"""The staff's page of a station's amenities: which it has, with their numbers and notes."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from app.errors import InputError
from app.i18n import _
from app.web.context import CurrentActor, RequestNow, flash
from app.web.guards import requires_staff
from app.web.responses import page, redirect
from stations.logic.amenities import AMENITIES, MEALS_OFFER_MAX_LENGTH
from stations.queries.stations import amenities_of
from stations.services import amenities, management
from stations.tables import Station
from stations.web.staff.stations import station_url

AnyRequest = Request[Any, Any, Any]


async def _amenities_page(
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
        offer_max_length=MEALS_OFFER_MAX_LENGTH,
        working={a.key: a.working for a in await amenities_of(station)},
    )


class StaffAmenitiesController(Controller):
    path = "/staff/stations"
    guards = [requires_staff]
    include_in_schema = False

    @get("/{slug:str}/amenities", name="staff:station.amenities")
    async def amenities(
        self, request: AnyRequest, slug: FromPath[str], actor: CurrentActor
    ) -> Template:
        station = await management.managed_station(actor, slug)
        values: dict[str, str] = {"offer_meals": station.meals_offer}
        for amenity in await amenities_of(station):
            values[f"has_{amenity.key}"] = "1"
            values[f"quantity_{amenity.key}"] = str(amenity.quantity or "")
            values[f"note_{amenity.key}"] = amenity.note
        return await _amenities_page(request, station, values)

    @post("/{slug:str}/amenities", name="staff:station.amenities.save")
    async def save_amenities(
        self, request: AnyRequest, slug: FromPath[str], actor: CurrentActor, now: RequestNow
    ) -> Template | Redirect:
        station = await management.managed_station(actor, slug)
        form = await request.form()
        values = {key: value for key, value in form.items() if isinstance(value, str)}
        try:
            await amenities.save_amenities(actor, station, values, now=now)
        except InputError as exc:
            return await _amenities_page(request, station, values, exc.by_field())
        flash(request, _("Saved. Searches now show it as it is."))
        return redirect(station_url(request, "staff:station", slug))
