"""Nearby search: the nearest active stations with the wanted amenities working, open when
asked, with free seats; and widening a search that finds nothing near."""

import random
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from app.tables import PublicHoliday
from stations.logic.amenities import mask_of
from stations.logic.geo import Point, distance_m, wgs84_to_gcj02
from stations.logic.nearby import NearbyQuery, read_query
from stations.services import amenities
from stations.services.nearby import nearby, search
from stations.tables import Station, StationClosure
from tests.factories import actor_for, make_community, make_station, make_user

ZONE = ZoneInfo("Asia/Shanghai")
SQUARE = Point(36.1950, 113.1160)
KM_NORTH_DEG = 1 / 111.2
"""About one kilometre of latitude, in degrees."""
MONDAY_NOON = datetime(2026, 3, 2, 12, 0, tzinfo=ZONE)


def query(**kwargs: object) -> NearbyQuery:
    values = {"centre": SQUARE, "radius_m": 1000, "limit": 20}
    values.update(kwargs)
    return NearbyQuery(**values)  # type: ignore[arg-type]


async def test_results_match_a_brute_force_search(db: None) -> None:
    home = await make_community()
    rng = random.Random(3)
    for n in range(150):
        await make_station(
            home,
            f"s-{n:03d}",
            lat=SQUARE.lat + rng.uniform(-0.04, 0.04),
            lon=SQUARE.lon + rng.uniform(-0.05, 0.05),
        )
    result = await nearby(query(radius_m=3000, limit=100), now=MONDAY_NOON)
    everything = await Station.select(Station.slug, Station.latitude, Station.longitude)
    reference = sorted(
        (distance_m(SQUARE, Point(r["latitude"], r["longitude"])), r["slug"]) for r in everything
    )
    within = [slug for d, slug in reference if d <= 3000]
    assert [s.row["slug"] for s in result.stations] == within[:100]
    assert result.truncated == (len(within) > 100)
    assert [round(s.distance_m, 6) for s in result.stations] == [
        round(d, 6) for d, slug in reference if d <= 3000
    ][:100]
    assert len(within) > 20  # the test exercises real sorting


async def test_limit_cuts_and_says_so(db: None) -> None:
    home = await make_community()
    for n in range(5):
        await make_station(home, f"s-{n}", lat=SQUARE.lat + n * 0.001)
    result = await nearby(query(limit=3), now=MONDAY_NOON)
    assert ([s.row["slug"] for s in result.stations], result.truncated) == (
        ["s-0", "s-1", "s-2"],
        True,
    )
    result = await nearby(query(limit=5), now=MONDAY_NOON)
    assert result.truncated is False


async def test_amenities_must_be_present_and_working(db: None) -> None:
    home = await make_community()
    staff = await actor_for(await make_user(staff_of=[home]))
    await make_station(home, "both", amenities={"water": None, "toilet": None})
    await make_station(home, "water-only", amenities={"water": None}, lat=SQUARE.lat + 0.001)
    wanted = mask_of(["water", "toilet"])
    found = await nearby(query(amenity_mask=wanted), now=MONDAY_NOON)
    assert [s.row["slug"] for s in found.stations] == ["both"]
    station = await Station.objects().where(Station.slug == "both").first()
    await amenities.set_amenity_status(staff, station, "toilet", False, now=MONDAY_NOON)
    found = await nearby(query(amenity_mask=wanted), now=MONDAY_NOON)
    assert found.stations == []
    water = await nearby(query(amenity_mask=mask_of(["water"])), now=MONDAY_NOON)
    assert [s.row["slug"] for s in water.stations] == ["both", "water-only"]
    assert water.stations[0].amenities == ["water"]


async def test_open_now_and_open_at(db: None) -> None:
    home = await make_community()
    await make_station(
        home,
        "day",
        hours={d: "08:00-20:00" for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")},
    )
    await make_station(
        home,
        "night",
        lat=SQUARE.lat + 0.001,
        hours={d: "20:00-06:00" for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")},
    )
    await make_station(home, "unknown", lat=SQUARE.lat + 0.002, hours={})
    noon = await nearby(query(open_only=True), now=MONDAY_NOON)
    assert [s.row["slug"] for s in noon.stations] == ["day"]
    late = await nearby(
        query(open_only=True, at=MONDAY_NOON + timedelta(hours=11)), now=MONDAY_NOON
    )
    assert [s.row["slug"] for s in late.stations] == ["night"]
    everyone = await nearby(query(), now=MONDAY_NOON)
    assert [(s.row["slug"], s.open.state) for s in everyone.stations] == [
        ("day", "open"),
        ("night", "closed"),
        ("unknown", "unknown"),
    ]
    assert everyone.stations[0].open.closes_at == datetime(2026, 3, 2, 20, 0, tzinfo=ZONE)
    assert everyone.stations[1].open.opens_next_at == datetime(2026, 3, 2, 20, 0, tzinfo=ZONE)


async def test_closures_holidays_and_make_up_days(db: None) -> None:
    home = await make_community()
    bank = await make_station(
        home,
        "bank",
        hours={d: "09:00-17:00" for d in ("mon", "tue", "wed", "thu", "fri")},
        holiday_policy="closed",
        makeup_days_as_workdays=True,
    )
    await PublicHoliday.delete().where(PublicHoliday.id > 0)
    await PublicHoliday.insert(
        PublicHoliday(
            on_date=datetime(2026, 3, 3).date(),
            is_workday=False,
            name_zh="测试节",
            name_en="Test day",
        ),
        PublicHoliday(
            on_date=datetime(2026, 3, 7).date(),
            is_workday=True,
            name_zh="调休",
            name_en="Make-up day",
        ),
    )
    holiday_noon = MONDAY_NOON + timedelta(days=1)
    makeup_noon = MONDAY_NOON + timedelta(days=5)
    assert (await nearby(query(open_only=True, at=holiday_noon), now=MONDAY_NOON)).stations == []
    assert [
        s.row["slug"]
        for s in (await nearby(query(open_only=True, at=makeup_noon), now=MONDAY_NOON)).stations
    ] == ["bank"]
    await StationClosure.insert(
        StationClosure(
            station=bank.id,
            starts_at=MONDAY_NOON - timedelta(hours=1),
            ends_at=MONDAY_NOON + timedelta(hours=1),
            reason="盘点",
            created_at=MONDAY_NOON,
        )
    )
    (found,) = (await nearby(query(), now=MONDAY_NOON)).stations
    assert (found.open.state, found.open.opens_next_at) == (
        "closed",
        MONDAY_NOON + timedelta(hours=1),
    )


async def test_gcj02_input_finds_the_same_stations(db: None) -> None:
    home = await make_community()
    await make_station(home, "here")
    gcj = wgs84_to_gcj02(SQUARE)
    found = await search(
        read_query(
            gcj.lat,
            gcj.lon,
            radius_m=50,
            limit=5,
            amenities=None,
            open_now=False,
            open_at=None,
            coordsys="gcj02",
        ),
        now=MONDAY_NOON,
    )
    assert [s.row["slug"] for s in found.stations] == ["here"]
    assert found.stations[0].distance_m < 1
    plain = await search(
        read_query(
            gcj.lat,
            gcj.lon,
            radius_m=50,
            limit=5,
            amenities=None,
            open_now=False,
            open_at=None,
            coordsys="wgs84",
        ),
        now=MONDAY_NOON,
    )
    assert plain.stations == []  # the GCJ-02 point is some 500 m off in WGS-84


# --- widening ------------------------------------------------------------------------------


async def test_widening_stops_at_the_first_radius_that_finds_a_station(db: None) -> None:
    home = await make_community()
    await make_station(home, "three-km", lat=SQUARE.lat + 3 * KM_NORTH_DEG)
    await make_station(home, "seven-km", lat=SQUARE.lat + 7 * KM_NORTH_DEG)

    widened = await search(query(radius_m=1000), now=MONDAY_NOON, widen=True)
    exact = await search(query(radius_m=1000), now=MONDAY_NOON)

    assert widened.radius_m == 5000
    assert [found.row["slug"] for found in widened.stations] == ["three-km"]
    assert (exact.radius_m, exact.stations) == (1000, [])


async def test_widening_ends_at_the_largest_radius_when_nothing_is_near(db: None) -> None:
    home = await make_community()
    await make_station(home, "far", lat=SQUARE.lat + 20 * KM_NORTH_DEG)

    result = await search(query(radius_m=1000), now=MONDAY_NOON, widen=True)

    assert (result.radius_m, result.stations) == (10_000, [])
