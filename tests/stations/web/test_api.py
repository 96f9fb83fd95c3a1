import re

import httpx
import pytest

from tests.factories import make_community, make_station

# The client fixture fixes the clock at Monday 2 March 2026, 09:00 in Shanghai.
CENTRE = "lat=36.195&lon=113.116"


@pytest.fixture
async def stations(db: None):
    home = await make_community("bayi")
    await make_station(home, "near", amenities={"water": None, "seats": 4})
    await make_station(
        home,
        "far",
        lat=36.2000,
        amenities={"water": None, "toilet": None},
        hours={d: "10:00-20:00" for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")},
    )
    return home


async def test_nearby_is_geojson_sorted_by_distance(client: httpx.AsyncClient, stations) -> None:
    response = await client.get(
        f"/api/v1/stations/nearby?{CENTRE}", headers={"accept-language": "en"}
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["type"], body["truncated"], body["at"]) == (
        "FeatureCollection",
        False,
        "2026-03-02T01:00:00Z",
    )
    near, far = body["features"]
    assert near == {
        "id": "near",
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [113.116, 36.195]},
        "properties": {
            "slug": "near",
            "name": "Test station",
            "distance_m": 0,
            "open": {
                "state": "open",
                "closes_at": "2026-03-02T20:00:00+08:00",
                "closes_soon": False,
                "opens_next_at": None,
            },
            "amenities": ["water", "seats"],
            "seats_free": 4,
            "seats_total": 4,
            "address": "",
            "url": "/stations/near",
            "coordinates_gcj02": near["properties"]["coordinates_gcj02"],
            "seats_kept_for_walk_ins": 0,
            "meals_offer": None,
            "integrity_model_since": None,
            "events_next": [],
        },
    }
    assert (far["id"], far["properties"]["distance_m"], far["properties"]["open"]["state"]) == (
        "far",
        556,
        "closed",
    )
    assert far["properties"]["open"]["opens_next_at"] == "2026-03-02T10:00:00+08:00"


async def test_nearby_filters(client: httpx.AsyncClient, stations) -> None:
    toilets = await client.get(f"/api/v1/stations/nearby?{CENTRE}&amenities=water,toilet")
    assert [f["id"] for f in toilets.json()["features"]] == ["far"]
    open_now = await client.get(f"/api/v1/stations/nearby?{CENTRE}&open_now=true")
    assert [f["id"] for f in open_now.json()["features"]] == ["near"]
    later = await client.get(
        f"/api/v1/stations/nearby?{CENTRE}&open_at=2026-03-02T19:30:00%2B08:00"
    )
    assert [f["id"] for f in later.json()["features"]] == ["near", "far"]
    assert later.json()["features"][0]["properties"]["open"]["closes_soon"] is True
    short = await client.get(f"/api/v1/stations/nearby?{CENTRE}&radius_m=100")
    assert [f["id"] for f in short.json()["features"]] == ["near"]
    cut = await client.get(f"/api/v1/stations/nearby?{CENTRE}&limit=1")
    assert (len(cut.json()["features"]), cut.json()["truncated"]) == (1, True)


@pytest.mark.parametrize(
    ("amenities", "found"),
    [
        ("", ["near", "far"]),
        ("water,", ["near", "far"]),
        (" water , toilet ", ["far"]),
        (",,toilet", ["far"]),
        ("\twater", None),
        ("water\n", None),
        ("water;toilet", None),
    ],
)
async def test_amenity_lists_are_read_exactly_as_the_schema_allows(
    client: httpx.AsyncClient, stations, amenities: str, found: list[str] | None
) -> None:
    # Found by Schemathesis: `amenities=` was answered 200 though the schema refused it.
    schema = (await client.get("/schema/openapi.json")).json()
    parameters = schema["paths"]["/api/v1/stations/nearby"]["get"]["parameters"]
    pattern = next(p for p in parameters if p["name"] == "amenities")["schema"]["pattern"]
    response = await client.get(
        "/api/v1/stations/nearby", params={"lat": 36.195, "lon": 113.116, "amenities": amenities}
    )
    assert bool(re.fullmatch(pattern, amenities)) is (found is not None)
    if found is None:
        assert response.status_code == 422
    else:
        assert [f["id"] for f in response.json()["features"]] == found


async def test_an_empty_open_at_is_not_given_as_the_schema_allows(
    client: httpx.AsyncClient, stations
) -> None:
    # Found by Schemathesis: `open_at=` was answered 200 though the schema asked for a time.
    schema = (await client.get("/schema/openapi.json")).json()
    parameters = schema["paths"]["/api/v1/stations/nearby"]["get"]["parameters"]
    open_at = next(p for p in parameters if p["name"] == "open_at")["schema"]
    assert "format" not in open_at
    assert open_at["anyOf"] == [{"format": "date-time"}, {"maxLength": 0}]
    empty = await client.get(f"/api/v1/stations/nearby?{CENTRE}&open_at=")
    assert [f["id"] for f in empty.json()["features"]] == ["near", "far"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("lat=91&lon=113", "lat"),
        ("lat=36&lon=181", "lon"),
        (f"{CENTRE}&radius_m=10001", "radius_m"),
        (f"{CENTRE}&radius_m=0", "radius_m"),
        (f"{CENTRE}&limit=101", "limit"),
        (f"{CENTRE}&amenities=water,sauna", "amenities"),
        (f"{CENTRE}&open_at=tonight", "open_at"),
        (f"{CENTRE}&open_at=2026-03-02T19:30:00", "open_at"),
        (f"{CENTRE}&coordsys=bd09", "coordsys"),
        ("lon=113", "lat"),
    ],
)
async def test_bad_input_is_422_naming_the_field(
    client: httpx.AsyncClient, stations, query: str, field: str
) -> None:
    response = await client.get(f"/api/v1/stations/nearby?{query}")
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert [e["field"] for e in response.json()["errors"]] == [field]


async def test_station_detail(client: httpx.AsyncClient, stations) -> None:
    response = await client.get("/api/v1/stations/near")
    body = response.json()
    assert (body["slug"], body["community"], body["seats_free"], body["weekly_hours"]["mon"]) == (
        "near",
        "bayi",
        4,
        "08:00-20:00",
    )
    assert body["amenities"] == [
        {"key": "water", "quantity": None, "working": True},
        {"key": "seats", "quantity": 4, "working": True},
    ]
    assert (await client.get("/api/v1/stations/nowhere")).status_code == 404
