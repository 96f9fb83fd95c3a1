"""Staff close a station for days or hours and give it special hours for a date; couriers
see the station closed then."""

from stations.tables import Station, StationClosure, StationSpecialHours
from tests.fixtures import Browser, text_of
from tests.stations.web.staff.world import (
    audit_entries,
    everything,
    rows,
)

# The browser fixture fixes the clock at Monday 2 March 2026, 09:00 in Shanghai.


# --- closures and special hours -----------------------------------------------------------


async def test_a_closure_shows_the_station_closed_to_couriers(
    staff: Browser, station: Station
) -> None:
    assert "Open" in text_of((await staff.get("/stations/rider-home")).text)
    response = await staff.submit(
        "/staff/stations/rider-home/closures",
        {"all_day": "1", "from_date": "2026-03-02", "to_date": "", "reason": "Shop renovation"},
    )
    assert response.status_code == 303
    closure = (await rows(StationClosure))[0]
    assert (
        closure["starts_at"].isoformat(),
        closure["ends_at"].isoformat(),
        closure["all_day"],
    ) == (
        "2026-03-01T16:00:00+00:00",
        "2026-03-02T16:00:00+00:00",
        True,
    )
    public = text_of((await staff.get("/stations/rider-home")).text)
    assert "Closed now opens tomorrow 08:00" in public
    assert "Shop renovation" in public
    dates = text_of((await staff.get("/staff/stations/rider-home/dates")).text)
    assert "Mon, Mar 2 Shop renovation" in dates
    assert (await Station.objects().first()).version == station.version + 1
    await staff.submit(f"/staff/stations/rider-home/closures/{closure['id']}/delete")
    assert await StationClosure.count() == 0
    assert "Open" in text_of((await staff.get("/stations/rider-home")).text)
    closure_audit = {
        "starts_at": "2026-03-01T16:00:00+00:00",
        "ends_at": "2026-03-02T16:00:00+00:00",
        "all_day": True,
        "reason": "Shop renovation",
    }
    assert await audit_entries() == [
        {
            "action": "station.closure.add",
            "subject_id": "rider-home",
            "before": None,
            "after": closure_audit,
        },
        {
            "action": "station.closure.remove",
            "subject_id": "rider-home",
            "before": closure_audit,
            "after": None,
        },
    ]


async def test_a_closure_for_a_time_range(staff: Browser, station: Station) -> None:
    await staff.submit(
        "/staff/stations/rider-home/closures",
        {
            "from_date": "2026-03-03",
            "from_time": "12:00",
            "to_time": "14:30",
            "reason": "Staff meeting",
        },
    )
    closure = await StationClosure.objects().first()
    assert (closure.starts_at.isoformat(), closure.ends_at.isoformat(), closure.all_day) == (
        "2026-03-03T04:00:00+00:00",
        "2026-03-03T06:30:00+00:00",
        False,
    )
    dates = text_of((await staff.get("/staff/stations/rider-home/dates")).text)
    assert "Tue, Mar 3 12:00 – 14:30 Staff meeting" in dates


async def test_a_closure_must_make_sense(staff: Browser, station: Station) -> None:
    before = await everything()
    response = await staff.submit(
        "/staff/stations/rider-home/closures",
        {"from_date": "2026-03-03", "from_time": "14:00", "to_time": "12:00", "reason": ""},
    )
    assert response.status_code == 400
    text = text_of(response.text)
    assert "The end must be after the start." in text
    assert "Say why, for couriers to read." in text
    assert 'value="2026-03-03"' in response.text
    over = await staff.submit(
        "/staff/stations/rider-home/closures",
        {"all_day": "1", "from_date": "2026-02-27", "to_date": "2026-03-01", "reason": "Past"},
    )
    assert over.status_code == 400
    assert "This time is already over." in text_of(over.text)
    assert await everything() == before


async def test_special_hours_for_a_date(staff: Browser, station: Station) -> None:
    response = await staff.submit(
        "/staff/stations/rider-home/special-hours",
        {"on_date": "2026-03-08", "hours": "10:00-14:00", "note": "Women's Day"},
    )
    assert response.status_code == 303
    # The same date again replaces its hours.
    await staff.submit(
        "/staff/stations/rider-home/special-hours",
        {"on_date": "2026-03-08", "hours": "10:00-15:00，16:00-18:00", "note": "Women's Day"},
    )
    rows_ = await rows(StationSpecialHours)
    assert [(str(r["on_date"]), r["hours"], r["note"]) for r in rows_] == [
        ("2026-03-08", "10:00-15:00, 16:00-18:00", "Women's Day")
    ]
    public = text_of((await staff.get("/stations/rider-home")).text)
    assert "Sun, Mar 8 10:00–15:00, 16:00–18:00" in public
    bad = await staff.submit(
        "/staff/stations/rider-home/special-hours",
        {"on_date": "2026-03-09", "hours": "20:00-02:00", "note": ""},
    )
    assert bad.status_code == 400
    assert "“20:00-02:00” ends before it starts." in text_of(bad.text)
    await staff.submit(f"/staff/stations/rider-home/special-hours/{rows_[0]['id']}/delete")
    assert await StationSpecialHours.count() == 0
    assert [(e["action"], e["before"], e["after"]) for e in await audit_entries()] == [
        (
            "station.special_hours.set",
            None,
            {"on_date": "2026-03-08", "hours": "10:00-14:00", "note": "Women's Day"},
        ),
        (
            "station.special_hours.set",
            {"on_date": "2026-03-08", "hours": "10:00-14:00", "note": "Women's Day"},
            {"on_date": "2026-03-08", "hours": "10:00-15:00, 16:00-18:00", "note": "Women's Day"},
        ),
        (
            "station.special_hours.remove",
            {"on_date": "2026-03-08", "hours": "10:00-15:00, 16:00-18:00", "note": "Women's Day"},
            None,
        ),
    ]
    assert (await Station.objects().first()).version == station.version + 3
