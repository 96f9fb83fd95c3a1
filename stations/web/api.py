"""GET /api/v1/stations/nearby (GeoJSON) and GET /api/v1/stations/{slug}."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

import msgspec
from litestar import get
from litestar.params import FromPath, FromQuery, QueryParameter

from app.calendar import OpenState
from app.i18n import localized
from app.web.api import problem_responses
from app.web.context import RequestNow
from stations.logic.amenities import AMENITIES
from stations.logic.geo import Point, wgs84_to_gcj02
from stations.logic.nearby import (
    DEFAULT_LIMIT,
    DEFAULT_RADIUS_M,
    MAX_LIMIT,
    MAX_RADIUS_M,
    read_query,
)
from stations.services import catalog
from stations.services.dated_services import NEXT_LIMIT
from stations.services.nearby import NearbyStation, search


class OpenOut(msgspec.Struct):
    state: str
    closes_at: datetime | None
    closes_soon: bool
    opens_next_at: datetime | None


class ServiceOut(msgspec.Struct):
    """A dated service at a station (legal-help hours, a safety talk, a free health check)."""

    start: datetime
    """With the station's UTC offset."""
    end: datetime
    title: str


class PointGeometry(msgspec.Struct):
    coordinates: list[float]
    """[longitude, latitude], WGS-84."""
    type: str = "Point"


class StationProperties(msgspec.Struct):
    slug: str
    name: str
    distance_m: int
    open: OpenOut
    amenities: list[str]
    """Keys of the amenities present and working (water, charging, toilet, seats, microwave,
    wifi, climate, umbrella, first_aid, meals, battery_swap, rain_gear, helmet_check)."""
    seats_free: int | None
    """Seats an online check-in can still take; the walk-in reserve is not among them."""
    seats_total: int
    address: str
    url: str
    coordinates_gcj02: list[float]
    """[longitude, latitude] in GCJ-02, for maps drawn by Chinese tile services."""
    seats_kept_for_walk_ins: int
    """Seats staff keep for couriers who walk in without checking in (0: none)."""
    meals_offer: str | None
    """What the `meals` amenity offers couriers, in the staff's words ("骑手凭工牌 8 折");
    null without one."""
    integrity_model_since: date | None
    """The day the host shop was named an integrity model shop (诚信经营示范点); null when
    it is not one."""
    events_next: list[ServiceOut]
    """The next dated services, at most 3, starting within 14 days (not cancelled, not
    over), soonest first."""


class Feature(msgspec.Struct):
    id: str
    geometry: PointGeometry
    properties: StationProperties
    type: str = "Feature"


class FeatureCollection(msgspec.Struct):
    features: list[Feature]
    truncated: bool
    """True when `limit` cut the list: more stations matched."""
    at: datetime
    """The moment the open states describe."""
    type: str = "FeatureCollection"


def open_out(state: OpenState, zone: Any) -> OpenOut:
    def local(moment: datetime | None) -> datetime | None:
        return moment.astimezone(zone) if moment else None

    return OpenOut(
        state=state.state,
        closes_at=local(state.closes_at),
        closes_soon=state.closes_soon,
        opens_next_at=local(state.opens_next_at),
    )


def services_out(rows: list[Any], zone: Any) -> list[ServiceOut]:
    """Dated services (rows or `StationEvent`s) with times in the station's zone."""
    return [
        ServiceOut(
            start=_get(row, "starts_at").astimezone(zone),
            end=_get(row, "ends_at").astimezone(zone),
            title=_get(row, "title"),
        )
        for row in rows
    ]


def _get(row: Any, name: str) -> Any:
    return row[name] if isinstance(row, dict) else getattr(row, name)


def _day(value: Any) -> date | None:
    """A date column as SQLite (text) or PostgreSQL (a date) gives it from raw SQL."""
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def feature(found: NearbyStation) -> Feature:
    row = found.row
    gcj = wgs84_to_gcj02(Point(row["latitude"], row["longitude"]))
    return Feature(
        id=row["slug"],
        geometry=PointGeometry([round(row["longitude"], 7), round(row["latitude"], 7)]),
        properties=StationProperties(
            slug=row["slug"],
            name=localized(row, "name"),
            distance_m=round(found.distance_m),
            open=open_out(found.open, found.zone),
            amenities=found.amenities,
            seats_free=found.seats_free,
            seats_total=row["seats_total"],
            address=localized(row, "address"),
            url=f"/stations/{row['slug']}",
            coordinates_gcj02=[round(gcj.lon, 7), round(gcj.lat, 7)],
            seats_kept_for_walk_ins=found.seats_kept,
            meals_offer=row["meals_offer"] or None,
            integrity_model_since=_day(row["integrity_model_since"]),
            events_next=services_out(found.services_next, found.zone),
        ),
    )


_AMENITY_ITEM = " *({keys})? *".format(keys="|".join(AMENITIES))
AMENITY_LIST_PATTERN = f"^{_AMENITY_ITEM}(,{_AMENITY_ITEM})*$"
"""What `amenities` may hold: a comma list of amenity keys, spaces around them and empty
items ignored (so an empty value filters nothing), as `read_amenities` reads it."""


@get(
    "/api/v1/stations/nearby",
    name="api:stations.nearby",
    tags=["stations"],
    responses=problem_responses(422),
)
async def nearby(
    now: RequestNow,
    lat: Annotated[float, QueryParameter(ge=-90, le=90)],
    lon: Annotated[float, QueryParameter(ge=-180, le=180)],
    radius_m: Annotated[int, QueryParameter(ge=1, le=MAX_RADIUS_M)] = DEFAULT_RADIUS_M,
    limit: Annotated[int, QueryParameter(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    amenities: Annotated[
        str | None,
        QueryParameter(
            max_length=200,
            description="Comma list of amenity keys that must all be present and working: "
            + ", ".join(AMENITIES)
            + ".",
            schema_extra={"pattern": AMENITY_LIST_PATTERN},
        ),
    ] = None,
    open_now: FromQuery[bool] = False,
    open_at: Annotated[
        str | None,
        # Empty is read as "not given" (read_moment), so the schema allows it beside a time.
        QueryParameter(
            max_length=40, schema_extra={"anyOf": [{"format": "date-time"}, {"maxLength": 0}]}
        ),
    ] = None,
    coordsys: FromQuery[Literal["wgs84", "gcj02"]] = "wgs84",
) -> FeatureCollection:
    """Stations within `radius_m` metres, nearest first. `amenities` lists keys that must all
    be present and working; `open_now` or `open_at` keep only open stations;
    `coordsys=gcj02` for coordinates taken from Amap or Tencent maps."""
    query = read_query(
        lat,
        lon,
        radius_m=radius_m,
        limit=limit,
        amenities=amenities,
        open_now=open_now,
        open_at=open_at,
        coordsys=coordsys,
    )
    result = await search(query, now=now)
    return FeatureCollection(
        features=[feature(found) for found in result.stations],
        truncated=result.truncated,
        at=result.at,
    )


class AmenityOut(msgspec.Struct):
    key: str
    quantity: int | None
    working: bool


class StationOut(msgspec.Struct):
    slug: str
    name: str
    name_zh: str
    name_en: str
    community: str
    host: str
    host_type: str
    address: str
    access_notes: str
    phone: str
    latitude: float
    longitude: float
    timezone: str
    weekly_hours: dict[str, str]
    holiday_policy: str
    open: OpenOut
    amenities: list[AmenityOut]
    seats_total: int
    seats_free: int | None
    """Seats an online check-in can still take; the walk-in reserve is not among them."""
    last_verified_at: datetime | None
    seats_kept_for_walk_ins: int
    """Seats staff keep for couriers who walk in without checking in (0: none)."""
    meals_offer: str | None
    """What the `meals` amenity offers couriers ("骑手凭工牌 8 折"); null without one."""
    integrity_model_since: date | None
    """The day the host shop was named an integrity model shop (诚信经营示范点); null when
    it is not one."""
    events_next: list[ServiceOut]
    """The next dated services, at most 3, starting within 14 days, soonest first."""


@get(
    "/api/v1/stations/{slug:str}",
    name="api:station",
    tags=["stations"],
    responses=problem_responses(404),
)
async def station(slug: FromPath[str], now: RequestNow) -> StationOut:
    details = await catalog.station_details(slug, now)
    found = details.station
    return StationOut(
        slug=found.slug,
        name=localized(found, "name"),
        name_zh=found.name_zh,
        name_en=found.name_en,
        community=found.community.slug,
        host=localized(found, "host_name"),
        host_type=found.host_type,
        address=localized(found, "address"),
        access_notes=localized(found, "access_notes"),
        phone=found.phone,
        latitude=found.latitude,
        longitude=found.longitude,
        timezone=found.timezone,
        weekly_hours=details.hours.weekly.to_spec(),
        holiday_policy=found.holiday_policy,
        open=open_out(details.state, details.zone),
        amenities=[AmenityOut(a.key, a.quantity, a.working) for a in details.amenities],
        seats_total=found.seats_total,
        seats_free=details.seats_free,
        last_verified_at=found.last_verified_at,
        seats_kept_for_walk_ins=details.seats_kept,
        meals_offer=found.meals_offer or None,
        integrity_model_since=found.integrity_model_since,
        events_next=services_out(details.services[:NEXT_LIMIT], details.zone),
    )


ROUTES = [nearby, station]
