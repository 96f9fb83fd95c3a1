"""Staff import a station's closures from a calendar file: the preview, the confirmation in
one transaction with one audit entry, and every way it is refused."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from app.tables import AuditEntry
from stations.tables import Station, StationClosure
from tests.factories import NOW, PASSWORD, make_community, make_station, make_user
from tests.fixtures import Browser, text_of
from tests.ics_files import event, ics

# The browser fixture fixes the clock at Monday 2 March 2026, 09:00 in Shanghai.
SHANGHAI = ZoneInfo("Asia/Shanghai")
PREVIEW = "/staff/stations/rider-home/closures/import/preview"
CONFIRM = "/staff/stations/rider-home/closures/import"
QINGMING = "2026-04-03T16:00:00+00:00|2026-04-06T16:00:00+00:00|1|清明节"
MEETING = "2026-03-05T06:00:00+00:00|2026-03-05T07:30:00+00:00|0|店铺盘点"
LABOUR_DAY = "2026-04-30T16:00:00+00:00|2026-05-05T16:00:00+00:00|1|劳动节"
CALENDAR = ics(
    event("劳动节", date(2026, 5, 1), date(2026, 5, 6)),
    event("清明节", date(2026, 4, 4), date(2026, 4, 7)),
    event(
        "店铺盘点",
        datetime(2026, 3, 5, 14, tzinfo=SHANGHAI),
        datetime(2026, 3, 5, 15, 30, tzinfo=SHANGHAI),
    ),
    event("取消的活动", date(2026, 3, 20), status="CANCELLED"),
)


def upload(data: bytes = CALENDAR, name: str = "holidays.ics") -> dict[str, Any]:
    return {"files": {"file": (name, data, "text/calendar")}}


async def _setup(browser: Browser, **station: Any) -> tuple[Any, Any, Station]:
    home = await make_community("bayi")
    staff = await make_user("staff@bayi.example", staff_of=[home])
    made = await make_station(home, "rider-home", **station)
    await browser.sign_in("staff@bayi.example", PASSWORD)
    browser.set_language("en")
    return home, staff, made


async def closures() -> list[tuple[str, str, bool, str]]:
    return [
        (c.starts_at.isoformat(), c.ends_at.isoformat(), c.all_day, c.reason)
        for c in await StationClosure.objects().order_by(StationClosure.starts_at)
    ]


async def audit() -> list[dict[str, Any]]:
    rows = await AuditEntry.select().order_by(AuditEntry.id).output(load_json=True)
    return [
        {k: row[k] for k in ("action", "subject_id", "community", "actor", "after")} for row in rows
    ]


async def _existing_labour_day(station: Station) -> None:
    await StationClosure.insert(
        StationClosure(
            station=station.id,
            starts_at=datetime(2026, 5, 1, tzinfo=SHANGHAI),
            ends_at=datetime(2026, 5, 6, tzinfo=SHANGHAI),
            all_day=True,
            reason="五一放假",
            created_at=NOW,
        )
    )


async def test_preview_lists_the_closures_to_add(browser: Browser) -> None:
    _home, _staff, station = await _setup(browser)
    await _existing_labour_day(station)
    response = await browser.submit(PREVIEW, **upload())
    assert response.status_code == 200
    assert [line.strip() for line in response.text.splitlines() if 'name="events"' in line] == [
        f'<input type="hidden" name="events" value="{value}">'
        for value in (MEETING, QINGMING, LABOUR_DAY)
    ]
    text = text_of(response.text)
    assert (
        "Closures to add: 2 When Reason Thu, Mar 5 14:00 – 15:30 店铺盘点 "
        "Sat, Apr 4 – Mon, Apr 6 清明节" in text
    )
    assert "Skipped, already closures: 1 Fri, May 1 – Tue, May 5 · 劳动节" in text
    assert "取消的活动" not in text
    assert "Add these 2 closures" in text
    assert len(await closures()) == 1


async def test_confirm_adds_the_closures_in_one_audited_change(browser: Browser) -> None:
    home, staff, station = await _setup(browser)
    await _existing_labour_day(station)
    response = await browser.submit(
        CONFIRM, {"events": [MEETING, QINGMING, LABOUR_DAY], "file_name": "holidays.ics"}
    )
    assert response.status_code == 303
    assert await closures() == [
        ("2026-03-05T06:00:00+00:00", "2026-03-05T07:30:00+00:00", False, "店铺盘点"),
        ("2026-04-03T16:00:00+00:00", "2026-04-06T16:00:00+00:00", True, "清明节"),
        ("2026-04-30T16:00:00+00:00", "2026-05-05T16:00:00+00:00", True, "五一放假"),
    ]
    assert (await Station.objects().first()).version == station.version + 1
    assert await audit() == [
        {
            "action": "station.closures.import",
            "subject_id": "rider-home",
            "community": home.id,
            "actor": staff.id,
            "after": {
                "file": "holidays.ics",
                "count": 2,
                "skipped": 1,
                "first": "2026-03-05T06:00:00+00:00",
                "last": "2026-04-06T16:00:00+00:00",
            },
        }
    ]
    page = text_of((await browser.get("/staff/stations/rider-home/dates")).text)
    assert "2 closures were imported from holidays.ics." in page
    assert "1 event was skipped: the same closure was there already." in page
    assert "Sat, Apr 4 – Mon, Apr 6 清明节" in page


async def test_whole_days_follow_the_station_zone(browser: Browser) -> None:
    await _setup(browser, timezone="Europe/Berlin")
    data = ics(event("Ostern", date(2026, 4, 5), date(2026, 4, 7)))
    preview = await browser.submit(PREVIEW, **upload(data))
    easter = "2026-04-04T22:00:00+00:00|2026-04-06T22:00:00+00:00|1|Ostern"
    assert f'name="events" value="{easter}"' in preview.text
    response = await browser.submit(CONFIRM, {"events": easter, "file_name": "de.ics"})
    assert response.status_code == 303
    assert await closures() == [
        ("2026-04-04T22:00:00+00:00", "2026-04-06T22:00:00+00:00", True, "Ostern")
    ]


async def test_tampered_hidden_fields_are_refused(browser: Browser) -> None:
    _home, _staff, station = await _setup(browser)
    for events in (
        [MEETING, QINGMING.replace("|1|", "|yes|")],
        [MEETING.replace("2026-03-05T07:30", "2026-03-05T05:30")],  # ends before it starts
        ["2025-03-05T06:00:00+00:00|2025-03-05T07:30:00+00:00|0|店铺盘点"],  # over
        [],
    ):
        response = await browser.submit(CONFIRM, {"events": events, "file_name": "x.ics"})
        assert response.status_code == 400
        assert "The events to import could not be read. Choose the calendar file again." in text_of(
            response.text
        )
    assert await closures() == []
    assert await audit() == []
    assert (await Station.objects().first()).version == station.version


async def test_a_bad_file_is_explained_on_the_dates_page(browser: Browser) -> None:
    await _setup(browser)
    nothing_ahead = ics(event("去年", date(2025, 5, 1)))
    response = await browser.submit(PREVIEW, **upload(nothing_ahead))
    assert response.status_code == 400
    assert "No event in this file falls between Mon, Mar 2, 2026 and Tue, Mar 2, 2027." in text_of(
        response.text
    )
    too_big = b"BEGIN:VCALENDAR\r\n" + b" " * (1024 * 1024)
    response = await browser.submit(PREVIEW, **upload(too_big))
    assert response.status_code == 400
    assert "The file is larger than 1 MB." in text_of(response.text)
    assert await closures() == []


async def test_staff_of_another_community_cannot_import(browser: Browser) -> None:
    await make_station(await make_community("bayi"), "rider-home")
    elsewhere = await make_community("guangchang")
    await make_user("other@example.com", staff_of=[elsewhere])
    await browser.sign_in("other@example.com", PASSWORD)
    assert (await browser.submit(PREVIEW, **upload())).status_code == 403
    response = await browser.submit(CONFIRM, {"events": [MEETING], "file_name": "x.ics"})
    assert response.status_code == 403
    assert await closures() == []
    assert await audit() == []
