"""Seats as couriers see them: one person dropping the device cookie cannot make a station
look full, and the seats staff keep for walk-ins are shown, in both languages and in the
API."""

import httpx
import pytest

from stations.services import checkins
from stations.tables import CheckIn, Station
from tests.factories import NOW, make_community, make_station
from tests.fixtures import Browser, text_of

# The browser fixture fixes the clock at Monday 2 March 2026, 09:00 in Shanghai; every
# request comes from 203.0.113.7.


@pytest.fixture
async def eight_seats(db: None) -> Station:
    home = await make_community("bayi", name_zh="八一社区")
    return await make_station(
        home, "rider-home", name_zh="骑手之家", name_en="Riders' Home", amenities={"seats": 8}
    )


async def test_a_new_device_cookie_for_each_check_in_leaves_most_seats_free(
    browser: Browser, eight_seats: Station
) -> None:
    """The break: dropping the device cookie before each check-in took 8 free seats to 0."""
    for _ in range(8):
        browser.client.cookies.delete("linli_device")
        response = await browser.submit("/stations/rider-home/checkin")
        assert response.status_code == 303
        # The courier is checked in all the same.
        assert "签退" in (await browser.get("/stations/rider-home")).text
    assert await CheckIn.count() == 8
    page = text_of((await browser.get("/stations/rider-home")).text)
    assert "还剩 5 个座位" in page
    found = (await browser.get("/api/v1/stations/nearby?lat=36.195&lon=113.116")).json()
    assert found["features"][0]["properties"]["seats_free"] == 5
    assert (await browser.get("/api/v1/stations/rider-home")).json()["seats_free"] == 5


async def _keep_for_walk_ins(station: Station, seats: int, taken: int) -> None:
    await Station.update({Station.walk_in_reserve: seats}).where(Station.id == station.id)
    for n in range(taken):
        await checkins.check_in(
            station, f"device-{n:02d}" + "x" * 20, client_ip=f"198.51.100.{n}", now=NOW
        )


async def test_pages_show_the_seats_kept_for_walk_ins(
    browser: Browser, eight_seats: Station
) -> None:
    await _keep_for_walk_ins(eight_seats, 2, taken=5)
    detail = text_of((await browser.get("/stations/rider-home")).text)
    assert "还剩 1 个座位（另留 2 个给到店骑手）" in detail
    listed = text_of((await browser.get("/stations?near=community:bayi")).text)
    assert "还剩 1 个座位（另留 2 个给到店骑手）" in listed
    browser.set_language("en")
    assert "1 seat free (2 kept for walk-ins)" in text_of(
        (await browser.get("/stations/rider-home")).text
    )
    await checkins.check_out("device-00" + "x" * 20, now=NOW)
    assert "2 seats free (2 kept for walk-ins)" in text_of(
        (await browser.get("/stations?near=community:bayi")).text
    )


async def test_online_check_ins_never_take_the_walk_in_seats(
    browser: Browser, eight_seats: Station
) -> None:
    await _keep_for_walk_ins(eight_seats, 2, taken=7)
    page = text_of((await browser.get("/stations/rider-home")).text)
    assert "还剩 0 个座位（另留 2 个给到店骑手）" in page


async def test_the_api_adds_the_seats_kept_for_walk_ins(
    client: httpx.AsyncClient, eight_seats: Station
) -> None:
    await _keep_for_walk_ins(eight_seats, 3, taken=1)
    nearby = (await client.get("/api/v1/stations/nearby?lat=36.195&lon=113.116")).json()
    properties = nearby["features"][0]["properties"]
    assert (
        properties["seats_total"],
        properties["seats_free"],
        properties["seats_kept_for_walk_ins"],
    ) == (8, 4, 3)
    detail = (await client.get("/api/v1/stations/rider-home")).json()
    assert (detail["seats_total"], detail["seats_free"], detail["seats_kept_for_walk_ins"]) == (
        8,
        4,
        3,
    )
    schema = (await client.get("/schema/openapi.json")).json()["components"]["schemas"]
    described = [
        name
        for name, body in schema.items()
        if "seats_kept_for_walk_ins" in body.get("required", [])
    ]
    assert sorted(described) == ["StationOut", "StationProperties"]
