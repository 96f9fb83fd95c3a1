import math
import random

import pytest

from stations.logic.geo import Point, bounding_box, distance_m, gcj02_to_wgs84, wgs84_to_gcj02


def test_distance_of_known_pairs() -> None:
    # One degree of latitude along a meridian is about 111.2 km.
    assert distance_m(Point(36.0, 113.0), Point(37.0, 113.0)) == pytest.approx(111_195, abs=5)
    assert distance_m(Point(36.195, 113.116), Point(36.195, 113.116)) == 0.0
    # From the equator to the pole is a quarter of the great circle.
    assert distance_m(Point(0.0, 10.0), Point(90.0, 10.0)) == pytest.approx(
        math.pi / 2 * 6_371_008.8, abs=0.01
    )
    # Along a parallel the distance shrinks with the cosine of the latitude (short spans).
    assert distance_m(Point(60.0, 0.0), Point(60.0, 0.001)) == pytest.approx(
        111_195.08 * 0.001 * 0.5, rel=1e-6
    )


def test_gcj02_matches_the_published_reference_point() -> None:
    gcj = wgs84_to_gcj02(Point(lat=39.915, lon=116.404))
    assert distance_m(gcj, Point(lat=39.91640, lon=116.41024)) < 5


def test_gcj02_round_trip_is_within_a_metre() -> None:
    rng = random.Random(7)
    for _ in range(200):
        wgs = Point(rng.uniform(18, 53), rng.uniform(74, 134))
        back = gcj02_to_wgs84(wgs84_to_gcj02(wgs))
        assert distance_m(wgs, back) < 1.0


def test_no_offset_outside_mainland_china() -> None:
    berlin = Point(52.52, 13.405)
    assert wgs84_to_gcj02(berlin) == berlin
    assert gcj02_to_wgs84(berlin) == berlin


def test_bounding_box_contains_every_point_of_the_circle() -> None:
    rng = random.Random(11)
    for _ in range(300):
        centre = Point(rng.uniform(-80, 80), rng.uniform(-179, 179))
        radius = rng.uniform(10, 10_000)
        box = bounding_box(centre, radius)
        for _ in range(20):
            bearing = rng.uniform(0, 2 * math.pi)
            # A point at exactly `radius` along a random bearing (spherical destination).
            d = radius / 6_371_008.8
            lat1, lon1 = math.radians(centre.lat), math.radians(centre.lon)
            lat2 = math.asin(
                math.sin(lat1) * math.cos(d) + math.cos(lat1) * math.sin(d) * math.cos(bearing)
            )
            lon2 = lon1 + math.atan2(
                math.sin(bearing) * math.sin(d) * math.cos(lat1),
                math.cos(d) - math.sin(lat1) * math.sin(lat2),
            )
            edge = Point(math.degrees(lat2), math.degrees(lon2))
            assert box.south <= edge.lat <= box.north
            assert box.west <= edge.lon <= box.east
