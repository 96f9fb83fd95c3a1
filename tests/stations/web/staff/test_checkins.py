"""Staff see a station's current check-ins (times and whether each counts, nothing
personal) and clear one or all, audited; staff of another community reach none of it."""

from datetime import timedelta

from app.tables import Community
from stations.logic.devices import device_hash
from stations.services import checkins
from stations.tables import CheckIn, Station
from tests.factories import NOW, make_community, make_station
from tests.fixtures import Browser, text_of
from tests.stations.web.staff.world import audit_entries, rows, signed_in

# The browser fixture fixes the clock at Monday 2 March 2026, 09:00 in Shanghai.


def device(n: int) -> str:
    return f"device-{n:02d}-" + "x" * 20


async def _check_ins(station: Station) -> list[CheckIn]:
    """Four seats, two per address: three from one address (the third not counted), then
    one from another."""
    for n, (minutes_ago, client_ip) in enumerate(
        [(30, "198.51.100.1"), (20, "198.51.100.1"), (10, "198.51.100.1"), (5, "198.51.100.2")]
    ):
        await checkins.check_in(
            station, device(n), client_ip=client_ip, now=NOW - timedelta(minutes=minutes_ago)
        )
    return await CheckIn.objects().order_by(CheckIn.id)


async def test_staff_see_which_check_ins_count_and_nothing_personal(
    staff: Browser, station: Station
) -> None:
    await _check_ins(station)
    page = await staff.get("/staff/stations/rider-home/checkins")
    assert page.status_code == 200
    text = text_of(page.text)
    assert "1 seat free" in text
    assert "Couriers checking in from one internet address take at most 2 of the 4 seats" in text
    assert (
        "08:30 10:00 counted Clear 08:30 "
        "08:40 10:10 counted Clear 08:40 "
        "08:50 10:20 not counted Clear 08:50 "
        "08:55 10:25 counted Clear 08:55 "
        "Clear all check-ins"
    ) in text
    for row in await rows(CheckIn):
        assert row["device_hash"] not in page.text
        assert row["address_hash"] not in page.text
    assert "198.51.100" not in page.text
    station_page = await staff.get("/staff/stations/rider-home")
    assert 'href="/staff/stations/rider-home/checkins"' in station_page.text


async def test_the_check_ins_page_reads_in_chinese(staff: Browser, station: Station) -> None:
    await _check_ins(station)
    staff.set_language("zh_CN")
    text = text_of((await staff.get("/staff/stations/rider-home/checkins")).text)
    assert "还剩 1 个座位" in text
    assert "签到时间 到期时间 是否占座" in text
    assert "不计入" in text and "清除全部签到" in text


async def test_staff_clear_one_check_in_then_all_audited(staff: Browser, station: Station) -> None:
    made = await _check_ins(station)
    response = await staff.submit(f"/staff/stations/rider-home/checkins/{made[0].id}/clear")
    assert response.status_code == 303
    assert response.headers["location"] == "/staff/stations/rider-home/checkins"
    page = text_of((await staff.get("/staff/stations/rider-home/checkins")).text)
    assert "The check-in was cleared; its seat is free." in page
    # The third check-in of the first address counts now in place of the cleared one.
    assert "1 seat free" in page
    assert "10:20 counted Clear" in page and "Holds a seat Actions 08:40" in page
    assert await checkins.active_check_in(device_hash(device(0)), NOW) is None
    again = await staff.submit(f"/staff/stations/rider-home/checkins/{made[0].id}/clear")
    assert again.status_code == 303
    assert "That check-in had already ended." in text_of(
        (await staff.get("/staff/stations/rider-home/checkins")).text
    )
    await staff.submit("/staff/stations/rider-home/checkins/clear")
    page = text_of((await staff.get("/staff/stations/rider-home/checkins")).text)
    assert "Check-ins cleared: 3." in page and "Nobody is checked in." in page
    assert "4 seats free" in page
    assert await CheckIn.count().where(CheckIn.checked_out_at == NOW) == 4
    await staff.submit("/staff/stations/rider-home/checkins/clear")
    assert "There were no check-ins to clear." in text_of(
        (await staff.get("/staff/stations/rider-home/checkins")).text
    )
    assert await audit_entries() == [
        {
            "action": "station.checkin_clear",
            "subject_id": "rider-home",
            "before": {
                "check_in": made[0].id,
                "checked_in_at": "2026-03-02T00:30:00+00:00",
                "expires_at": "2026-03-02T02:00:00+00:00",
            },
            "after": {"check_in": made[0].id, "ended_at": "2026-03-02T01:00:00+00:00"},
        },
        {
            "action": "station.checkins_clear",
            "subject_id": "rider-home",
            "before": {"check_ins": 3},
            "after": {"check_ins": 0},
        },
    ]


async def test_a_check_in_of_another_station_is_not_found(
    staff: Browser, home: Community, station: Station
) -> None:
    other = await make_station(home, "other-home", lat=36.196)
    await checkins.check_in(other, device(1), client_ip="198.51.100.1", now=NOW)
    elsewhere = await CheckIn.objects().first()
    response = await staff.submit(f"/staff/stations/rider-home/checkins/{elsewhere.id}/clear")
    assert response.status_code == 404
    assert await CheckIn.count().where(CheckIn.checked_out_at.is_null()) == 1


async def test_staff_of_another_community_reach_no_check_ins(
    browser: Browser, station: Station
) -> None:
    made = await _check_ins(station)
    await signed_in(browser, await make_community("other"), "staff@other.example")
    before = (await rows(CheckIn), await audit_entries())
    base = "/staff/stations/rider-home/checkins"
    assert (await browser.get(base)).status_code == 403
    assert (await browser.submit(f"{base}/{made[0].id}/clear")).status_code == 403
    assert (await browser.submit(f"{base}/clear")).status_code == 403
    assert (await rows(CheckIn), await audit_entries()) == before
