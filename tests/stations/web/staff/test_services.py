"""Staff add, change and cancel a station's dated services and set its integrity model mark
(诚信经营示范点); the meals offer is kept with the amenities. Each route reaches only the
staff's own communities' stations."""

import pytest

from app.tables import Community
from stations.tables import Station, StationEvent
from tests.factories import PASSWORD, make_community, make_station, make_user
from tests.fixtures import Browser, text_of
from tests.stations.web.staff.world import audit_entries, rows, signed_in

# The browser fixture fixes the clock at Monday 2 March 2026, 09:00 in Shanghai.

LEGAL_HELP = {
    "on_date": "2026-03-04",
    "from_time": "14:00",
    "to_time": "17:00",
    "title": "Free legal help",
    "description": "Lawyers answer questions on contracts and accident claims.",
}


def _service(row: dict) -> tuple:
    return (
        row["starts_at"].isoformat(),
        row["ends_at"].isoformat(),
        row["title"],
        row["description"],
        row["cancelled_at"] is not None,
        row["sequence"],
    )


async def test_staff_add_change_and_cancel_a_dated_service(
    staff: Browser, station: Station
) -> None:
    added = await staff.submit("/staff/stations/rider-home/services", LEGAL_HELP)
    assert added.status_code == 303
    (row,) = await rows(StationEvent)
    assert _service(row) == (
        "2026-03-04T06:00:00+00:00",
        "2026-03-04T09:00:00+00:00",
        "Free legal help",
        "Lawyers answer questions on contracts and accident claims.",
        False,
        0,
    )
    assert (await Station.objects().first()).version == station.version + 1
    listed = text_of((await staff.get("/staff/stations/rider-home/services")).text)
    assert "Wed, Mar 4 14:00 – 17:00 Free legal help" in listed
    edit = await staff.get(f"/staff/stations/rider-home/services/{row['id']}")
    assert edit.status_code == 200
    assert 'value="2026-03-04"' in edit.text and 'value="14:00"' in edit.text
    changed = await staff.submit(
        f"/staff/stations/rider-home/services/{row['id']}", {**LEGAL_HELP, "to_time": "18:00"}
    )
    assert changed.status_code == 303
    assert _service((await rows(StationEvent))[0])[1:] == (
        "2026-03-04T10:00:00+00:00",
        "Free legal help",
        "Lawyers answer questions on contracts and accident claims.",
        False,
        1,
    )
    cancelled = await staff.submit(f"/staff/stations/rider-home/services/{row['id']}/cancel")
    assert cancelled.status_code == 303
    assert _service((await rows(StationEvent))[0])[4:] == (True, 2)
    assert "Free legal help — cancelled" in text_of(
        (await staff.get("/staff/stations/rider-home/services")).text
    )
    # A cancelled service cannot be changed any more.
    again = await staff.submit(f"/staff/stations/rider-home/services/{row['id']}", LEGAL_HELP)
    assert again.status_code == 404
    assert [entry["action"] for entry in await audit_entries()] == [
        "station.service.add",
        "station.service.change",
        "station.service.cancel",
    ]
    assert (await audit_entries())[1]["after"] == {"ends_at": "2026-03-04T10:00:00+00:00"}


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"on_date": "2026-03-01"}, "on_date", "Choose a date from 2026-03-02 to 2027-03-02."),
        ({"on_date": "2027-03-03"}, "on_date", "Choose a date from 2026-03-02 to 2027-03-02."),
        ({"to_time": "13:00"}, "to_time", "The end must be after the start."),
        (
            {"on_date": "2026-03-02", "from_time": "07:00", "to_time": "08:30"},
            "to_time",
            "This time is already over.",
        ),
        ({"title": ""}, "title", "Say what the service is, for couriers to read."),
        ({"title": "x" * 61}, "title", "Use at most 60 characters."),
        ({"description": "x" * 301}, "description", "Use at most 300 characters."),
        ({"from_time": "2pm"}, "from_time", "Enter a time like 09:30."),
    ],
)
async def test_a_dated_service_must_make_sense(
    staff: Browser, station: Station, changes: dict, field: str, message: str
) -> None:
    response = await staff.submit("/staff/stations/rider-home/services", {**LEGAL_HELP, **changes})
    assert response.status_code == 400
    assert f'id="error-{field}"' in response.text
    assert message in text_of(response.text)
    assert f'value="{({**LEGAL_HELP, **changes})["from_time"]}"' in response.text
    assert await StationEvent.count() == 0


async def test_staff_mark_and_unmark_an_integrity_model_shop(
    staff: Browser, station: Station
) -> None:
    future = await staff.submit("/staff/stations/rider-home/integrity", {"since": "2026-03-03"})
    assert future.status_code == 400
    assert "Choose a date from 2000-01-01 to 2026-03-02." in text_of(future.text)
    marked = await staff.submit("/staff/stations/rider-home/integrity", {"since": "2025-12-18"})
    assert marked.status_code == 303
    saved = await Station.objects().first()
    assert (str(saved.integrity_model_since), saved.version) == ("2025-12-18", station.version + 1)
    assert "Integrity model shop since Thu, Dec 18, 2025." in text_of(
        (await staff.get("/staff/stations/rider-home/services")).text
    )
    await staff.submit("/staff/stations/rider-home/integrity/remove")
    assert (await Station.objects().first()).integrity_model_since is None
    assert [(e["action"], e["before"], e["after"]) for e in await audit_entries()] == [
        (
            "station.integrity_model",
            {"integrity_model_since": None},
            {"integrity_model_since": "2025-12-18"},
        ),
        (
            "station.integrity_model",
            {"integrity_model_since": "2025-12-18"},
            {"integrity_model_since": None},
        ),
    ]


async def test_the_meals_offer_is_kept_with_the_amenity(staff: Browser, station: Station) -> None:
    too_long = await staff.submit(
        "/staff/stations/rider-home/amenities", {"has_meals": "1", "offer_meals": "折" * 61}
    )
    assert too_long.status_code == 400
    assert 'id="error-offer_meals"' in too_long.text
    assert "Use at most 60 characters." in text_of(too_long.text)
    assert (await Station.objects().first()).meals_offer == ""
    saved = await staff.submit(
        "/staff/stations/rider-home/amenities",
        {"has_meals": "1", "has_rain_gear": "1", "offer_meals": " 骑手凭工牌 8 折 "},
    )
    assert saved.status_code == 303
    assert (await Station.objects().first()).meals_offer == "骑手凭工牌 8 折"
    form = await staff.get("/staff/stations/rider-home/amenities")
    assert 'name="offer_meals" type="text" maxlength="60" value="骑手凭工牌 8 折"' in form.text
    # Without meals, the offer goes too.
    await staff.submit(
        "/staff/stations/rider-home/amenities", {"has_water": "1", "offer_meals": "x"}
    )
    assert (await Station.objects().first()).meals_offer == ""
    assert [e["after"].get("meals_offer") for e in await audit_entries()] == ["骑手凭工牌 8 折", ""]


# --- who reaches what ---------------------------------------------------------------------


async def _service_of(station: Station) -> StationEvent:
    row = StationEvent(
        station=station.id,
        starts_at=station.created_at.replace(day=4),
        ends_at=station.created_at.replace(day=4, hour=3),
        title="Safety talk",
        created_at=station.created_at,
        updated_at=station.created_at,
    )
    await row.save()
    return row


def _routes(service_id: int) -> tuple[list[str], list[tuple[str, dict]]]:
    base = "/staff/stations/rider-home"
    gets = [f"{base}/services", f"{base}/services/{service_id}"]
    posts = [
        (f"{base}/services", LEGAL_HELP),
        (f"{base}/services/{service_id}", LEGAL_HELP),
        (f"{base}/services/{service_id}/cancel", {}),
        (f"{base}/integrity", {"since": "2026-01-01"}),
        (f"{base}/integrity/remove", {}),
    ]
    return gets, posts


async def _unchanged() -> tuple:
    return (await rows(StationEvent), await rows(Station), await audit_entries())


async def test_anonymous_visitors_are_sent_to_sign_in(browser: Browser, station: Station) -> None:
    service = await _service_of(station)
    gets, posts = _routes(service.id)
    before = await _unchanged()
    for url in gets:
        response = await browser.get(url)
        assert response.status_code in (302, 303), url
        assert response.headers["location"].startswith("/account/signin"), url
    for url, data in posts:
        response = await browser.submit(url, data)
        assert response.status_code in (302, 303), url
        assert response.headers["location"].startswith("/account/signin"), url
    assert await _unchanged() == before


async def test_residents_are_refused(browser: Browser, station: Station) -> None:
    service = await _service_of(station)
    await make_user("13812345678")
    await browser.sign_in("13812345678", PASSWORD)
    gets, posts = _routes(service.id)
    before = await _unchanged()
    for url in gets:
        assert (await browser.get(url)).status_code == 403, url
    for url, data in posts:
        assert (await browser.submit(url, data)).status_code == 403, url
    assert await _unchanged() == before


async def test_staff_of_another_community_are_refused(browser: Browser, station: Station) -> None:
    service = await _service_of(station)
    await signed_in(browser, await make_community("other"), "staff@other.example")
    gets, posts = _routes(service.id)
    before = await _unchanged()
    for url in gets:
        assert (await browser.get(url)).status_code == 403, url
    for url, data in posts:
        assert (await browser.submit(url, data)).status_code == 403, url
    assert await _unchanged() == before


@pytest.mark.parametrize("who", ["staff of the community", "administrator"])
async def test_staff_of_the_community_and_administrators_reach_every_route(
    browser: Browser, home: Community, station: Station, who: str
) -> None:
    service = await _service_of(station)
    if who == "administrator":
        await make_user("admin@example.com", is_admin=True)
        await browser.sign_in("admin@example.com", PASSWORD)
        browser.set_language("en")
    else:
        await signed_in(browser, home, "staff@bayi.example")
    gets, posts = _routes(service.id)
    for url in gets:
        assert (await browser.get(url)).status_code == 200, url
    for url, data in posts:
        assert (await browser.submit(url, data)).status_code == 303, url


async def test_a_service_of_another_station_is_not_found(
    staff: Browser, home: Community, station: Station
) -> None:
    other = await _service_of(await make_station(home, "other-home", lat=36.196))
    base = "/staff/stations/rider-home/services"
    before = await _unchanged()
    assert (await staff.get(f"{base}/{other.id}")).status_code == 404
    assert (await staff.submit(f"{base}/{other.id}", LEGAL_HELP)).status_code == 404
    assert (await staff.submit(f"{base}/{other.id}/cancel")).status_code == 404
    assert (await staff.get(f"{base}/999999")).status_code == 404
    assert await _unchanged() == before


async def test_the_button_that_cancels_a_service_says_so_in_chinese(
    staff: Browser, station: Station
) -> None:
    assert (
        await staff.submit("/staff/stations/rider-home/services", LEGAL_HELP)
    ).status_code == 303
    staff.set_language("zh_CN")
    listed = text_of((await staff.get("/staff/stations/rider-home/services")).text)
    assert "修改 Free legal help 取消活动 Free legal help" in listed
    assert "取消预约" not in listed  # the booking's "Cancel", not a service's
