"""A station's calendar feed: its openings (holidays applied) and closures."""

from __future__ import annotations

from icalendar import Calendar

from stations.tables import Station, StationClosure
from tests.factories import NOW, make_community, make_station, shanghai
from tests.fixtures import Browser


def _events(body: bytes) -> list:
    return list(Calendar.from_ical(body).walk("VEVENT"))


async def test_a_station_feed_lists_openings_and_closures(browser: Browser) -> None:
    home = await make_community("bayi")
    station = await make_station(home, "rider-home", hours={"mon": "08:00-12:00, 14:00-20:00"})
    await StationClosure(
        station=station.id,
        starts_at=shanghai(9, 8),
        ends_at=shanghai(9, 12),
        reason="装修",
        created_at=NOW,
    ).save()
    response = await browser.get("/feeds/stations/rider-home.ics")
    assert response.status_code == 200
    events = _events(response.content)
    openings = [e for e in events if "-open-" in str(e["uid"])]
    # Mondays from 23 February (a week back) to 27 April (two months ahead), two openings
    # each, less the morning of 9 March that the closure removes.
    starts = sorted(e.decoded("dtstart") for e in openings)
    assert starts[:3] == [shanghai(23, 8, month=2), shanghai(23, 14, month=2), shanghai(2, 8)]
    assert shanghai(9, 8) not in starts and shanghai(9, 14) in starts
    assert {str(e["transp"]) for e in openings} == {"TRANSPARENT"}
    (closure,) = [e for e in events if "-closure-" in str(e["uid"])]
    assert str(closure["summary"]) == "暂停开放：测试驿站（装修）"
    assert closure.decoded("dtstart") == shanghai(9, 8)


async def test_a_deactivated_station_has_no_feed(browser: Browser) -> None:
    home = await make_community("bayi")
    await make_station(home, "rider-home")
    await Station.update({Station.active: False}).where(Station.slug == "rider-home")
    assert (await browser.get("/feeds/stations/rider-home.ics")).status_code == 404


async def test_the_station_feed_answers_304_until_the_station_changes(browser: Browser) -> None:
    home = await make_community("bayi")
    station = await make_station(home, "rider-home")
    first = await browser.get("/feeds/stations/rider-home.ics")
    etag = first.headers["etag"]
    again = await browser.get("/feeds/stations/rider-home.ics", headers={"If-None-Match": etag})
    assert again.status_code == 304
    await Station.update({Station.version: Station.version + 1}).where(Station.id == station.id)
    changed = await browser.get("/feeds/stations/rider-home.ics", headers={"If-None-Match": etag})
    assert changed.status_code == 200
