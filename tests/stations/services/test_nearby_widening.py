"""A search that finds nothing within its radius looks further when asked (the couriers'
page does); otherwise, as for the API, it searches exactly the radius asked for."""

from datetime import UTC, datetime

from stations.logic.geo import Point
from stations.logic.nearby import NearbyQuery, radii_to_try
from stations.services.nearby import search
from tests.factories import make_community, make_station

SQUARE = Point(36.1950, 113.1160)
MONDAY_NOON = datetime(2026, 3, 2, 4, 0, tzinfo=UTC)
KM_NORTH_DEG = 1 / 111.2
"""About one kilometre of latitude, in degrees."""


def query(radius_m: int = 1000) -> NearbyQuery:
    return NearbyQuery(centre=SQUARE, radius_m=radius_m, limit=20)


def test_radii_to_try_widen_only_when_asked_and_only_outwards() -> None:
    assert radii_to_try(1000, widen=False) == [1000]
    assert radii_to_try(1000, widen=True) == [1000, 2000, 5000, 10_000]
    assert radii_to_try(3000, widen=True) == [3000, 5000, 10_000]
    assert radii_to_try(10_000, widen=True) == [10_000]


async def test_widening_stops_at_the_first_radius_that_finds_a_station(db: None) -> None:
    home = await make_community()
    await make_station(home, "three-km", lat=SQUARE.lat + 3 * KM_NORTH_DEG)
    await make_station(home, "seven-km", lat=SQUARE.lat + 7 * KM_NORTH_DEG)

    widened = await search(query(), now=MONDAY_NOON, widen=True)
    exact = await search(query(), now=MONDAY_NOON)

    assert widened.radius_m == 5000
    assert [found.row["slug"] for found in widened.stations] == ["three-km"]
    assert (exact.radius_m, exact.stations) == (1000, [])


async def test_widening_ends_at_the_largest_radius_when_nothing_is_near(db: None) -> None:
    home = await make_community()
    await make_station(home, "far", lat=SQUARE.lat + 20 * KM_NORTH_DEG)

    result = await search(query(), now=MONDAY_NOON, widen=True)

    assert (result.radius_m, result.stations) == (10_000, [])
