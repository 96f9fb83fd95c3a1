"""Reading stations: nearby search, one station with its hours, amenities and seats.

Nearby search narrows by a bounding box on the `(latitude, longitude)` index and by the
amenity bit mask in the database, measures exact great-circle distances in Python, and only
then evaluates opening hours, for the few stations left. The hot paths use plain SQL.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from app import holidays
from app.cache import VersionedCache
from app.calendar import (
    Calendar,
    Interval,
    OpenState,
    TimeRange,
    WeeklyHours,
    open_state,
    parse_ranges,
)
from app.db import placeholders
from app.errors import NotFound
from app.i18n import _, localized
from app.tables import Community
from stations.logic.amenities import AMENITIES, keys_of
from stations.logic.geo import Point, bounding_box, distance_m
from stations.logic.hours import HoursSpec, station_calendar
from stations.tables import (
    CheckIn,
    Station,
    StationAmenity,
    StationClosure,
    StationSpecialHours,
)

LIST_COLUMNS = (
    "id, slug, name_zh, name_en, latitude, longitude, amenities_working, seats_total, "
    "timezone, weekly_hours, holiday_policy, holiday_hours, makeup_days_as_workdays, "
    "version, created_at, address_zh, address_en, community"
)


_specs: VersionedCache[HoursSpec] = VersionedCache(max_entries=20_000)


def hours_spec(row: dict[str, Any] | Station) -> HoursSpec:
    """The parsed hours of a station row, cached by its id, creation and version."""
    get = row.get if isinstance(row, dict) else lambda key: getattr(row, key)
    key = (get("id"), get("created_at"), get("version"))
    spec = _specs.get(key)
    if spec is None:
        weekly = get("weekly_hours")
        if isinstance(weekly, str):
            weekly = json.loads(weekly) if weekly else {}
        spec = HoursSpec(
            zone=ZoneInfo(str(get("timezone"))),
            weekly=WeeklyHours.parse(weekly or {}),
            holiday_policy=str(get("holiday_policy")),
            holiday_hours=parse_ranges(get("holiday_hours") or ""),
            makeup_days_as_workdays=bool(get("makeup_days_as_workdays")),
        )
        _specs.put(key, spec)
    return spec


@dataclass
class CalendarData:
    """Dated hours and closures of several stations, and the holidays, around a moment."""

    holidays: dict[date, bool]
    special: dict[int, dict[date, tuple[TimeRange, ...]]] = field(default_factory=dict)
    closures: dict[int, list[Interval]] = field(default_factory=dict)


async def calendar_data(
    station_ids: list[int],
    around: datetime,
    *,
    before: timedelta = timedelta(days=2),
    after: timedelta = timedelta(days=9),
) -> CalendarData:
    """What opening-state evaluation needs, from `before` until `after` around `around`
    (about a week each way unless asked), in three queries."""
    first, last = (around - before).date(), (around + after).date()
    data = CalendarData(holidays=await holidays.between(first, last))
    if not station_ids:
        return data
    marks = placeholders(len(station_ids))
    for row in await StationSpecialHours.raw(
        f"SELECT station, on_date, hours FROM station_special_hours "
        f"WHERE station IN ({marks}) AND on_date >= {{}} AND on_date <= {{}}",
        *station_ids,
        first,
        last,
    ):
        data.special.setdefault(row["station"], {})[row["on_date"]] = parse_ranges(row["hours"])
    for row in await StationClosure.raw(
        f"SELECT station, starts_at, ends_at FROM station_closure "
        f"WHERE station IN ({marks}) AND starts_at < {{}} AND ends_at > {{}}",
        *station_ids,
        around + after,
        around - before,
    ):
        data.closures.setdefault(row["station"], []).append(
            Interval(row["starts_at"], row["ends_at"])
        )
    return data


def station_calendar_of(row: dict[str, Any] | Station, data: CalendarData) -> Calendar | None:
    station_id = row["id"] if isinstance(row, dict) else row.id
    return station_calendar(
        hours_spec(row),
        holidays=data.holidays,
        special=data.special.get(station_id, {}),
        closures=data.closures.get(station_id, []),
    )


def state_of(row: dict[str, Any] | Station, data: CalendarData, at: datetime) -> OpenState:
    return open_state(station_calendar_of(row, data), at)


async def seats_taken(station_ids: list[int], now: datetime) -> dict[int, int]:
    """Active check-ins per station."""
    if not station_ids:
        return {}
    rows = await CheckIn.raw(
        "SELECT station, COUNT(*) AS taken FROM check_in "
        f"WHERE station IN ({placeholders(len(station_ids))}) "
        "AND expires_at > {} AND checked_out_at IS NULL GROUP BY station",
        *station_ids,
        now,
    )
    return {row["station"]: row["taken"] for row in rows}


@dataclass(frozen=True)
class NearbyQuery:
    centre: Point
    radius_m: int
    limit: int
    amenity_mask: int = 0
    at: datetime | None = None
    """Evaluate opening at this moment (open_at); None means now."""
    open_only: bool = False


@dataclass
class NearbyStation:
    row: dict[str, Any]
    distance_m: float
    open: OpenState
    amenities: list[str]
    seats_free: int | None


@dataclass
class NearbyResult:
    stations: list[NearbyStation]
    truncated: bool
    at: datetime


async def candidates(query: NearbyQuery) -> list[tuple[float, dict[str, Any]]]:
    """Stations within the radius having every wanted amenity working, nearest first."""
    box = bounding_box(query.centre, query.radius_m)
    rows = await Station.raw(
        f"SELECT {LIST_COLUMNS} FROM station "
        "WHERE active = {} AND latitude >= {} AND latitude <= {} "
        "AND longitude >= {} AND longitude <= {} AND (amenities_working & {}) = {}",
        True,
        box.south,
        box.north,
        box.west,
        box.east,
        query.amenity_mask,
        query.amenity_mask,
    )
    measured = []
    for row in rows:
        distance = distance_m(query.centre, Point(row["latitude"], row["longitude"]))
        if distance <= query.radius_m:
            measured.append((distance, row))
    measured.sort(key=lambda pair: (pair[0], pair[1]["slug"]))
    return measured


async def nearby(query: NearbyQuery, *, now: datetime) -> NearbyResult:
    """The nearest stations (GeoJSON-ready), with open state, amenities and free seats."""
    at = query.at or now
    measured = await candidates(query)
    if query.open_only:
        # Only the stations near enough need their calendars; one batch of queries.
        data = await calendar_data([row["id"] for _, row in measured], at)
        states = [(d, row, state_of(row, data, at)) for d, row in measured]
        chosen = [(d, row, s) for d, row, s in states if s.state == "open"]
    else:
        picked = measured[: query.limit + 1]
        data = await calendar_data([row["id"] for _, row in picked], at)
        chosen = [(d, row, state_of(row, data, at)) for d, row in picked]
    truncated = len(chosen) > query.limit
    chosen = chosen[: query.limit]
    taken = await seats_taken([row["id"] for _, row, _ in chosen], now)
    return NearbyResult(
        stations=[
            NearbyStation(
                row=row,
                distance_m=distance,
                open=state,
                amenities=keys_of(row["amenities_working"]),
                seats_free=max(0, row["seats_total"] - taken.get(row["id"], 0))
                if row["seats_total"]
                else None,
            )
            for distance, row, state in chosen
        ],
        truncated=truncated,
        at=at,
    )


async def get_station(slug: str) -> Station:
    """The active station at `slug`, with its community."""
    station = (
        await Station.objects()
        .where((Station.slug == slug) & (Station.active == True))  # noqa: E712
        .first()
    )
    if station is None:
        raise NotFound(_("There is no station at this address."))
    station.community = await Community.objects().where(Community.id == station.community).first()
    return station


@dataclass
class AmenityView:
    key: str
    label: str
    quantity: int | None
    working: bool
    note: str


async def amenities_of(station: Station) -> list[AmenityView]:
    rows = {
        row.kind: row
        for row in await StationAmenity.objects().where(StationAmenity.station == station.id)
    }
    return [
        AmenityView(key, label, rows[key].quantity, rows[key].status == "working", rows[key].note)
        for key, label in AMENITIES.items()
        if key in rows
    ]


async def upcoming_closures(station: Station, now: datetime, days: int = 30) -> list[Any]:
    return (
        await StationClosure.objects()
        .where(
            (StationClosure.station == station.id)
            & (StationClosure.ends_at > now)
            & (StationClosure.starts_at < now + timedelta(days=days))
        )
        .order_by(StationClosure.starts_at)
    )


async def community_centres() -> list[tuple[str, str, float, float]]:
    """(slug, name, latitude, longitude) of the middle of each community's stations."""
    rows = await Station.raw(
        "SELECT community, AVG(latitude) AS lat, AVG(longitude) AS lon FROM station "
        "WHERE active = {} GROUP BY community",
        True,
    )
    communities = {c.id: c for c in await Community.objects()}
    centres = [
        (
            communities[r["community"]].slug,
            localized(communities[r["community"]], "name"),
            r["lat"],
            r["lon"],
        )
        for r in rows
        if r["community"] in communities
    ]
    return sorted(centres)
