"""The three 新 as couriers and other software see them: rain gear and helmet checks found by
the amenities filter, the meals offer, dated services in nearby search (`events_next`), on
the station's page and in its calendar feed, and the integrity model mark (诚信经营示范点)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import httpx
from icalendar import Calendar

from stations.tables import Station, StationEvent
from tests.factories import NOW, make_community, make_station, shanghai
from tests.fixtures import Browser, WorkLog, text_of

# The client fixture fixes the clock at Monday 2 March 2026, 09:00 in Shanghai (01:00 UTC).
CENTRE = "lat=36.195&lon=113.116"


async def _service(
    station: Station,
    start: datetime,
    hours: float,
    title: str,
    *,
    description: str = "",
    cancelled: bool = False,
) -> StationEvent:
    row = StationEvent(
        station=station.id,
        starts_at=start,
        ends_at=start + timedelta(hours=hours),
        title=title,
        description=description,
        cancelled_at=NOW if cancelled else None,
        sequence=1 if cancelled else 0,
        created_at=NOW,
        updated_at=NOW,
    )
    await row.save()
    return row


async def _world() -> tuple[Station, Station]:
    """A noodle house with meals, an offer, rain gear and the mark; a union station in
    Urumqi's zone (UTC+6) with a helmet check."""
    home = await make_community("bayi")
    noodles = await make_station(
        home,
        "noodles",
        name_en="Old Town noodle house",
        amenities={"water": None, "seats": 8, "meals": None, "rain_gear": None, "first_aid": None},
        meals_offer="骑手凭工牌 8 折",
        integrity_model_since=date(2025, 12, 18),
    )
    union = await make_station(
        home,
        "union",
        lat=36.196,
        amenities={"water": None, "helmet_check": None},
        timezone="Asia/Urumqi",
        hours={d: "00:00-24:00" for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")},
    )
    return noodles, union


async def test_new_amenities_are_found_by_the_filter(client: httpx.AsyncClient) -> None:
    await _world()
    for wanted, found in (
        ("rain_gear", ["noodles"]),
        ("helmet_check", ["union"]),
        ("water,rain_gear,meals", ["noodles"]),
        ("rain_gear,helmet_check", []),
    ):
        response = await client.get(f"/api/v1/stations/nearby?{CENTRE}&amenities={wanted}")
        assert [f["id"] for f in response.json()["features"]] == found, wanted
    page = await client.get(f"/stations?{CENTRE}&amenity=helmet_check&open_now=0")
    assert 'href="/stations/union' in page.text and 'href="/stations/noodles' not in page.text


async def test_the_new_keys_keep_the_old_bits_and_are_in_the_schema(
    client: httpx.AsyncClient,
) -> None:
    from stations.logic.amenities import BITS

    assert (BITS["battery_swap"], BITS["rain_gear"], BITS["helmet_check"]) == (1024, 2048, 4096)
    schema = (await client.get("/schema/openapi.json")).json()
    parameters = schema["paths"]["/api/v1/stations/nearby"]["get"]["parameters"]
    amenities = next(p for p in parameters if p["name"] == "amenities")
    assert amenities["description"].endswith("battery_swap, rain_gear, helmet_check.")
    properties = schema["components"]["schemas"]["StationProperties"]["properties"]
    assert {"meals_offer", "integrity_model_since", "events_next"} <= set(properties)


async def test_events_next_lists_the_next_three_with_their_offsets(
    client: httpx.AsyncClient, work_log: WorkLog
) -> None:
    noodles, union = await _world()
    await _service(noodles, shanghai(1, 14), 3, "Over already")
    await _service(noodles, shanghai(2, 8), 2, "Under way")  # 08:00-10:00 today: still on
    await _service(noodles, shanghai(3, 14), 3, "Cancelled", cancelled=True)
    await _service(noodles, shanghai(4, 14), 3, "Free legal help")
    await _service(noodles, shanghai(6, 9), 2.5, "Free health check")
    await _service(noodles, shanghai(7, 9), 1, "Fourth: not listed")
    await _service(noodles, shanghai(17, 9), 1, "Beyond 14 days")
    # 10:00 in Urumqi is 04:00 UTC, 12:00 in Shanghai.
    await _service(union, datetime(2026, 3, 5, 4, 0, tzinfo=UTC), 1, "Safety talk")
    work_log.clear()
    response = await client.get(f"/api/v1/stations/nearby?{CENTRE}")
    by_id = {f["id"]: f["properties"] for f in response.json()["features"]}
    assert by_id["noodles"]["events_next"] == [
        {
            "start": "2026-03-02T08:00:00+08:00",
            "end": "2026-03-02T10:00:00+08:00",
            "title": "Under way",
        },
        {
            "start": "2026-03-04T14:00:00+08:00",
            "end": "2026-03-04T17:00:00+08:00",
            "title": "Free legal help",
        },
        {
            "start": "2026-03-06T09:00:00+08:00",
            "end": "2026-03-06T11:30:00+08:00",
            "title": "Free health check",
        },
    ]
    assert by_id["union"]["events_next"] == [
        {
            "start": "2026-03-05T10:00:00+06:00",
            "end": "2026-03-05T11:00:00+06:00",
            "title": "Safety talk",
        }
    ]
    assert (by_id["noodles"]["meals_offer"], by_id["noodles"]["integrity_model_since"]) == (
        "骑手凭工牌 8 折",
        "2025-12-18",
    )
    assert (by_id["union"]["meals_offer"], by_id["union"]["integrity_model_since"]) == (None, None)
    # One query reads the services of every station listed (the search's own statement
    # only asks which stations have any).
    assert (
        len([sql for sql in work_log.statements if "FROM station_event WHERE station IN" in sql])
        == 1
    )


async def test_the_station_api_shows_the_offer_the_mark_and_the_services(
    client: httpx.AsyncClient,
) -> None:
    noodles, _union = await _world()
    await _service(noodles, shanghai(4, 14), 3, "Free legal help")
    body = (await client.get("/api/v1/stations/noodles")).json()
    assert (body["meals_offer"], body["integrity_model_since"], body["events_next"]) == (
        "骑手凭工牌 8 折",
        "2025-12-18",
        [
            {
                "start": "2026-03-04T14:00:00+08:00",
                "end": "2026-03-04T17:00:00+08:00",
                "title": "Free legal help",
            }
        ],
    )
    assert [a["key"] for a in body["amenities"]] == [
        "water",
        "seats",
        "first_aid",
        "meals",
        "rain_gear",
    ]


async def test_the_station_page_groups_amenities_under_the_three_new(browser: Browser) -> None:
    noodles, _union = await _world()
    await _service(noodles, shanghai(4, 14), 3, "Free legal help", description="Bring papers.")
    await _service(noodles, shanghai(5, 14), 1, "Cancelled talk", cancelled=True)
    browser.set_language("en")
    text = text_of((await browser.get("/stations/noodles")).text)
    assert (
        "Integrity model shop The host shop was named an integrity model shop (诚信经营示范点) "
        "on Thu, Dec 18, 2025." in text
    )
    assert (
        "What is here "
        "Warm service Water, charging, a toilet and a seat: the basics of a rest. "
        "Drinking water Seats (8 seats) "
        "Meal discounts Meals at a lower price for couriers and outdoor workers. "
        "Discounted meals (食惠贴新): 骑手凭工牌 8 折 "
        "Safety Help to stay safe on the road: first aid, rain gear, helmet checks, and dated "
        "services such as legal-help hours and safety talks. "
        "First aid kit Rain gear to borrow "
        "Dated services in the next two weeks Wed, Mar 4 14:00 – 17:00 Free legal help "
        "Bring papers. "
        "Hours this week" in text
    )
    assert "Cancelled talk" not in text
    browser.set_language("zh-CN")
    chinese = text_of((await browser.get("/stations/noodles")).text)
    for heading in ("服务暖“新”", "食惠贴“新”", "护航安“新”", "诚信经营示范点"):
        assert heading in chinese


async def test_the_list_and_the_map_name_the_mark_in_words(browser: Browser) -> None:
    await _world()
    browser.set_language("en")
    listed = text_of((await browser.get(f"/stations?{CENTRE}&open_now=0")).text)
    assert "Old Town noodle house 0 m Open until 20:00 8 seats free Integrity model shop" in listed
    page = await browser.get("/stations/map")
    assert 'data-integrity="Integrity model shop"' in page.text
    script = await browser.get("/static/map.js")
    assert "p.integrity_model_since" in script.text and "d.integrity" in script.text


async def test_the_feed_lists_each_service_once_and_cancelled_ones_as_cancelled(
    browser: Browser,
) -> None:
    noodles, _union = await _world()
    legal = await _service(noodles, shanghai(4, 14), 3, "免费法律咨询", description="带上合同。")
    talk = await _service(noodles, shanghai(5, 10), 1, "安全讲座", cancelled=True)
    body = (await browser.get("/feeds/stations/noodles.ics")).content
    services = [
        event
        for event in Calendar.from_ical(body).walk("VEVENT")
        if "-service-" in str(event["uid"])
    ]
    assert [
        (
            str(e["uid"]),
            e.decoded("dtstart"),
            e.decoded("dtend"),
            str(e["summary"]),
            str(e.get("description", "")),
            str(e["status"]),
            int(e["sequence"]),
            str(e["transp"]),
            e.decoded("dtstamp"),
        )
        for e in services
    ] == [
        (
            f"station-{noodles.id}-service-{legal.id}@linli",
            shanghai(4, 14),
            shanghai(4, 17),
            "免费法律咨询（测试驿站）",
            "带上合同。",
            "CONFIRMED",
            0,
            "OPAQUE",
            NOW,
        ),
        (
            f"station-{noodles.id}-service-{talk.id}@linli",
            shanghai(5, 10),
            shanghai(5, 11),
            "安全讲座（测试驿站）",
            "",
            "CANCELLED",
            1,
            "OPAQUE",
            NOW,
        ),
    ]
    assert b"DTSTART;TZID=Asia/Shanghai:20260304T140000" in body
