"""Nearby search: the nearest active stations with the wanted amenities working, with their
open state and free seats; the couriers' page and the API both search through `search`.

It narrows by a bounding box on the `(latitude, longitude)` index and by the amenity bit
mask in the database (one index holds all four), measures exact great-circle distances in
Python, and only then evaluates opening hours, for the few stations left: from each row's
precomputed opening week (stations.logic.open_week), or, for a station with a holiday,
dated hours or a closure near the moment, from its full calendar read in one batch. The hot
path uses plain SQL; free seats and the next dated services take one query each for all the
stations listed.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from app.calendar import CLOSES_SOON, OpenState
from stations.logic.amenities import keys_of
from stations.logic.geo import Point, bounding_box, distance_m
from stations.logic.nearby import NearbyQuery, radii_to_try
from stations.logic.open_week import state_at
from stations.logic.seats import seat_count
from stations.queries.calendars import calendar_data, calendar_span, hours_spec, state_of
from stations.queries.open_weeks import open_week_of
from stations.queries.stations import seat_counts
from stations.services.dated_services import NEXT_WITHIN, next_services
from stations.tables import Station

LIST_COLUMNS = (
    "id, slug, name_zh, name_en, latitude, longitude, amenities_working, seats_total, "
    "walk_in_reserve, timezone, weekly_hours, holiday_policy, holiday_hours, "
    "makeup_days_as_workdays, version, created_at, address_zh, address_en, community, "
    "meals_offer, integrity_model_since, open_week, open_week_version"
)


@dataclass
class NearbyStation:
    row: dict[str, Any]
    """The station's `LIST_COLUMNS`."""
    distance_m: float
    open: OpenState
    amenities: list[str]
    """Keys of the amenities present and working."""
    seats_free: int | None
    """Seats an online check-in can still take; None where the station records no seats."""
    seats_kept: int
    """Seats kept for couriers who walk in without checking in."""
    zone: ZoneInfo
    services_next: list[dict[str, Any]] = field(default_factory=list)
    """The next dated services (`starts_at`, `ends_at`, `title`; dated_services.NEXT_LIMIT
    within NEXT_WITHIN of now)."""


@dataclass
class NearbyResult:
    stations: list[NearbyStation]
    truncated: bool
    """More stations matched than `limit`."""
    at: datetime
    """The moment the open states describe."""
    radius_m: int
    """The radius searched (the query's, or a wider one when widening found something)."""
    later: list[NearbyStation] = field(default_factory=list)
    """Stations within the radius not open now, nearest first, following too few open
    ones (`NearbyQuery.closed_after`)."""
    changes: list[datetime] = field(default_factory=list)
    """When an open state the search evaluated changes next (closes, starts closing soon,
    opens), listed or not: until the first of them the same search finds the same states."""


BOX_WHERE = (
    "active = {} AND latitude >= {} AND latitude <= {} AND longitude >= {} AND longitude <= {} "
    "AND (amenities_working & {}) = {}"
)
"""The box and the amenities, every column of it in the `station_nearby` index."""
DATED_NEAR = (
    "EXISTS (SELECT 1 FROM station_special_hours d WHERE d.station = station.id "
    "AND d.on_date >= {} AND d.on_date <= {}) AS dated_near, "
    "EXISTS (SELECT 1 FROM station_closure c WHERE c.station = station.id "
    "AND c.starts_at < {} AND c.ends_at > {}) AS closure_near, "
    "EXISTS (SELECT 1 FROM public_holiday h WHERE h.on_date >= {} AND h.on_date <= {} "
    "AND h.is_workday = {}) AS holiday_near, "
    "EXISTS (SELECT 1 FROM public_holiday h WHERE h.on_date >= {} AND h.on_date <= {} "
    "AND h.is_workday = {}) AS makeup_near"
)
"""Whether anything dated lies in the span stations.queries.calendars.calendar_data reads
around the moment: the station's dated hours or closures, a public holiday, a make-up day.
One index probe each, per station found."""
IN_USE_NOW = (
    "EXISTS (SELECT 1 FROM check_in k WHERE k.station = station.id AND k.expires_at > {} "
    "AND k.checked_out_at IS NULL) AS checked_in, "
    "EXISTS (SELECT 1 FROM station_event e WHERE e.station = station.id "
    "AND e.cancelled_at IS NULL AND e.ends_at > {} AND e.starts_at < {}) AS services_soon"
)
"""Whether the station has check-ins running now (else all its seats are free) and dated
services ahead (`dated_services.next_services`); only those stations are read further."""


def box_args(query: NearbyQuery) -> list[Any]:
    box = bounding_box(query.centre, query.radius_m)
    return [True, box.south, box.north, box.west, box.east, query.amenity_mask, query.amenity_mask]


async def candidates(
    query: NearbyQuery, at: datetime, now: datetime
) -> list[tuple[float, dict[str, Any]]]:
    """Stations within the radius having every wanted amenity working, nearest first, each
    saying whether anything dated is near `at` (`DATED_NEAR`) and what is in use `now`
    (`IN_USE_NOW`)."""
    first, last = calendar_span(at)
    rows = await Station.raw(
        f"SELECT {LIST_COLUMNS}, {DATED_NEAR}, {IN_USE_NOW} FROM station WHERE {BOX_WHERE}",
        first.date(),
        last.date(),
        last,
        first,
        first.date(),
        last.date(),
        False,
        first.date(),
        last.date(),
        True,
        now,
        now,
        now + NEXT_WITHIN,
        *box_args(query),
    )
    measured = []
    for row in rows:
        distance = distance_m(query.centre, Point(row["latitude"], row["longitude"]))
        if distance <= query.radius_m:
            measured.append((distance, row))
    measured.sort(key=lambda pair: (pair[0], pair[1]["slug"]))
    return measured


def _weekly_decides(row: dict[str, Any]) -> bool:
    """Whether only the weekly hours decide the row's open state near the moment (what
    station_calendar would apply of the dated things `DATED_NEAR` found)."""
    if row["dated_near"] or row["closure_near"]:
        return False
    if row["holiday_near"] and row["holiday_policy"] != "normal":
        return False
    return not (row["makeup_near"] and row["makeup_days_as_workdays"])


async def states_at(rows: list[dict[str, Any]], at: datetime) -> list[OpenState]:
    """The open state at `at` of each row `candidates` read: from its opening week where
    only the weekly hours decide, else from its calendar (one batch of queries for those
    rows only)."""
    states: list[OpenState | None] = []
    for row in rows:
        week = open_week_of(row) if _weekly_decides(row) else None
        states.append(None if week is None else state_at(week, hours_spec(row), at))
    slow = [row for row, state in zip(rows, states, strict=True) if state is None]
    if not slow:
        return [state for state in states if state is not None]
    data = await calendar_data([row["id"] for row in slow], at)
    return [
        state if state is not None else state_of(row, data, at)
        for row, state in zip(rows, states, strict=True)
    ]


def changes_of(states: list[OpenState]) -> list[datetime]:
    """The moments at which `states` change: each closing, the start of its "closes soon",
    each opening."""
    moments = []
    for state in states:
        if state.closes_at is not None:
            moments += [state.closes_at, state.closes_at - CLOSES_SOON]
        if state.opens_next_at is not None:
            moments.append(state.opens_next_at)
    return moments


async def nearby(query: NearbyQuery, *, now: datetime, services: bool = True) -> NearbyResult:
    """The nearest stations within the query's radius (GeoJSON-ready), with open state,
    amenities and free seats; with `services` off, no station's `services_next` is read."""
    at = query.at or now
    measured = await candidates(query, at, now)
    if query.open_only:
        found = await states_at([row for _, row in measured], at)
        states = [(d, row, s) for (d, row), s in zip(measured, found, strict=True)]
        chosen = [(d, row, s) for d, row, s in states if s.state == "open"]
        later = [(d, row, s) for d, row, s in states if s.state == "closed"]
        later = later[: max(0, query.closed_after - len(chosen))]
        changes = changes_of(found)
    else:
        picked = measured[: query.limit + 1]
        found = await states_at([row for _, row in picked], at)
        chosen = [(d, row, s) for (d, row), s in zip(picked, found, strict=True)]
        later = []
        changes = changes_of(found)
    truncated = len(chosen) > query.limit
    chosen = chosen[: query.limit]
    listed = [row for _, row, _ in [*chosen, *later]]
    seats = {
        row["id"]: seat_count(row["seats_total"], row["walk_in_reserve"], []) for row in listed
    }
    seats |= await seat_counts(
        {
            row["id"]: (row["seats_total"], row["walk_in_reserve"])
            for row in listed
            if row["checked_in"]
        },
        now,
    )
    services_of: dict[int, list[dict[str, Any]]] = {row["id"]: [] for row in listed}
    if services:
        soon = [row["id"] for row in listed if row["services_soon"]]
        services_of |= await next_services(soon, now)

    def shown(distance: float, row: dict[str, Any], state: OpenState) -> NearbyStation:
        return NearbyStation(
            row=row,
            distance_m=distance,
            open=state,
            amenities=keys_of(row["amenities_working"]),
            seats_free=seats[row["id"]].free if row["seats_total"] else None,
            seats_kept=seats[row["id"]].kept,
            zone=hours_spec(row).zone,
            services_next=services_of[row["id"]],
        )

    return NearbyResult(
        stations=[shown(*found) for found in chosen],
        truncated=truncated,
        at=at,
        radius_m=query.radius_m,
        later=[shown(*found) for found in later],
        changes=changes,
    )


async def search(
    query: NearbyQuery, *, now: datetime, widen: bool = False, services: bool = True
) -> NearbyResult:
    """The nearest stations `query` asks for. With `widen`, a search that finds nothing
    within its radius looks again within each wider radius (stations.logic.nearby
    `WIDER_RADII_M`) until it finds some (open or, with `closed_after`, opening later);
    `radius_m` of the result says where it stopped; its `changes` are those of every
    radius searched (a station opening nearer would stop the widening sooner)."""
    result = await nearby(query, now=now, services=services)
    for wider_m in radii_to_try(query.radius_m, widen=widen)[1:]:
        if result.stations or result.later:
            break
        wider = await nearby(replace(query, radius_m=wider_m), now=now, services=services)
        result = replace(wider, changes=[*result.changes, *wider.changes])
    return result
