"""A nearby search as the API's parameters describe it, and how far a widening search looks."""

from datetime import UTC, datetime, timedelta

import pytest

from app.errors import InputError
from stations.logic.amenities import mask_of
from stations.logic.geo import Point
from stations.logic.nearby import NearbyQuery, radii_to_try, read_query


def test_radii_to_try_widen_only_when_asked_and_only_outwards() -> None:
    assert radii_to_try(1000, widen=False) == [1000]
    assert radii_to_try(1000, widen=True) == [1000, 2000, 5000, 10_000]
    assert radii_to_try(3000, widen=True) == [3000, 5000, 10_000]
    assert radii_to_try(10_000, widen=True) == [10_000]


def test_read_query_converts_gcj02_and_reads_the_moment() -> None:
    query = read_query(
        36.1950,
        113.1160,
        radius_m=500,
        limit=5,
        amenities="water, toilet",
        open_now=False,
        open_at="2026-03-02T21:30:00+08:00",
        coordsys="wgs84",
    )
    assert query == NearbyQuery(
        centre=Point(36.1950, 113.1160),
        radius_m=500,
        limit=5,
        amenity_mask=mask_of(["water", "toilet"]),
        at=datetime(2026, 3, 2, 13, 30, tzinfo=UTC),
        open_only=True,
    )
    assert query.at is not None and query.at.utcoffset() == timedelta(hours=8)
    shifted = read_query(
        36.1950,
        113.1160,
        radius_m=500,
        limit=5,
        amenities=None,
        open_now=False,
        open_at=None,
        coordsys="gcj02",
    )
    assert (shifted.centre.lat < 36.1950, shifted.centre.lon < 113.1160) == (True, True)


@pytest.mark.parametrize(
    ("amenities", "open_at", "field"),
    [
        ("water,sauna", None, "amenities"),
        (None, "soon", "open_at"),
        (None, "2026-03-02T21:30:00", "open_at"),
        (None, "1999-12-31T23:00:00+08:00", "open_at"),
    ],
)
def test_read_query_names_the_field_to_correct(amenities, open_at, field) -> None:
    with pytest.raises(InputError) as refused:
        read_query(
            0.0,
            0.0,
            radius_m=1,
            limit=1,
            amenities=amenities,
            open_now=False,
            open_at=open_at,
            coordsys="wgs84",
        )
    assert list(refused.value.by_field()) == [field]
