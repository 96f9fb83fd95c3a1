"""Reading stations: one active station (for another domain, as a `StationRef`), what its
public page and the API show of it, and the places a courier may search from.

Public module: `station_ref` is what other domains use (needs: the station a need was filed
at).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from app.calendar import Calendar, OpenState
from app.db import gather
from app.errors import NotFound
from app.i18n import _, localized
from app.queries import overlapping
from stations.logic.devices import device_hash
from stations.logic.hours import DayHours, HoursSpec, week_hours
from stations.logic.refs import StationRef
from stations.queries.calendars import calendar_data, hours_spec, state_of, station_calendar_of
from stations.queries.stations import AmenityView, amenities_of, seat_counts
from stations.services.checkins import active_check_in
from stations.services.dated_services import upcoming
from stations.tables import CheckIn, Landmark, Station, StationClosure, StationEvent

STALE_AFTER = timedelta(days=180)
"""Details the community has not confirmed for this long may be out of date."""
CLOSURES_AHEAD = timedelta(days=30)
"""How far ahead a station's page lists its closures."""


async def station_ref(slug: str) -> StationRef | None:
    """The active station at `slug` as a plain value, or None when there is none."""
    row = (
        await Station.select(
            Station.slug,
            Station.name_zh,
            Station.name_en,
            Station.community,
            Station.community.slug.as_alias("community_slug"),
        )
        .where((Station.slug == slug) & (Station.active == True))  # noqa: E712
        .first()
    )
    if row is None:
        return None
    return StationRef(
        slug=row["slug"],
        name_zh=row["name_zh"],
        name_en=row["name_en"],
        community_id=row["community"],
        community_slug=row["community_slug"],
    )


async def get_station(slug: str) -> Station:
    """The active station at `slug`, with its community; `NotFound` otherwise."""
    station = (
        await Station.objects(Station.community)
        .where((Station.slug == slug) & (Station.active == True))  # noqa: E712
        .first()
    )
    if station is None:
        raise NotFound(_("There is no station at this address."))
    return station


@dataclass
class StationDetails:
    """An active station as couriers and the API see it at a moment."""

    station: Station
    """With its community."""
    hours: HoursSpec
    state: OpenState
    calendar: Calendar | None
    """None when the station has no recorded hours."""
    amenities: list[AmenityView]
    seats_free: int | None
    """Seats an online check-in can still take; None where the station records no seats."""
    seats_kept: int
    """Seats kept for couriers who walk in without checking in."""
    services: list[StationEvent]
    """Its dated services ahead (dated_services.upcoming), soonest first."""

    @property
    def zone(self) -> ZoneInfo:
        return self.hours.zone


async def station_details(slug: str, now: datetime) -> StationDetails:
    """The active station at `slug` with its open state, amenities and free seats."""
    station = await get_station(slug)
    data = await calendar_data([station.id], now)
    seats = (await seat_counts({station.id: (station.seats_total, station.walk_in_reserve)}, now))[
        station.id
    ]
    return StationDetails(
        station=station,
        hours=hours_spec(station),
        state=state_of(station, data, now),
        calendar=station_calendar_of(station, data),
        amenities=await amenities_of(station),
        seats_free=seats.free if station.seats_total else None,
        seats_kept=seats.kept,
        services=await upcoming(station.id, now),
    )


@dataclass
class StationPage:
    """What a station's public page shows: its details, this week's hours, the closures
    ahead, and whether this device is checked in here."""

    details: StationDetails
    week: list[DayHours]
    closures: list[StationClosure]
    check_in: CheckIn | None
    """This device's current check-in, wherever it is."""
    stale: bool
    """The details were never confirmed, or not for `STALE_AFTER`."""

    @property
    def checked_in_here(self) -> bool:
        return self.check_in is not None and self.check_in.station == self.details.station.id


async def station_page(slug: str, now: datetime, *, device_token: str | None) -> StationPage:
    """The public page of the active station at `slug`, for the device with `device_token`."""
    details = await station_details(slug, now)
    station = details.station
    today = now.astimezone(details.zone).date()
    verified = station.last_verified_at
    return StationPage(
        details=details,
        week=week_hours(details.calendar, today) if details.calendar else [],
        closures=await StationClosure.objects()
        .where(
            (StationClosure.station == station.id)
            & overlapping(
                StationClosure.starts_at, StationClosure.ends_at, now, now + CLOSURES_AHEAD
            )
        )
        .order_by(StationClosure.starts_at),
        check_in=await active_check_in(device_hash(device_token), now) if device_token else None,
        stale=verified is None or now - verified > STALE_AFTER,
    )


@dataclass(frozen=True, order=True)
class Place:
    """Somewhere to search from when the browser gives no position."""

    slug: str
    """`landmark:<slug>` or `community:<slug>`."""
    name: str
    lat: float
    lon: float


async def places() -> list[Place]:
    """Landmarks, then the middle of each community's active stations, in the viewer's
    language. Two plain SQL statements read at once: the couriers' page asks on every
    request, and Piccolo's builder and whole community rows cost more than the answer."""
    landmarks, centres = await gather(
        Landmark.raw("SELECT slug, name_zh, name_en, latitude, longitude FROM landmark"),
        Station.raw(
            "SELECT community.slug AS slug, community.name_zh AS name_zh, "
            "community.name_en AS name_en, AVG(station.latitude) AS latitude, "
            "AVG(station.longitude) AS longitude FROM station "
            "JOIN community ON community.id = station.community WHERE station.active = {} "
            "GROUP BY community.id, community.slug, community.name_zh, community.name_en",
            True,
        ),
    )
    return sorted(
        Place(f"landmark:{r['slug']}", localized(r, "name"), r["latitude"], r["longitude"])
        for r in landmarks
    ) + sorted(
        Place(f"community:{r['slug']}", localized(r, "name"), r["latitude"], r["longitude"])
        for r in centres
    )
