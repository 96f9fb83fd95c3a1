"""Staff keep seats for couriers who walk in without checking in, on the station's form:
from 0 to the station's seats, audited, and shown to couriers."""

from stations.logic.station_form import form_of
from stations.tables import Station
from tests.fixtures import Browser, text_of
from tests.stations.web.staff.world import NO_FILE, audit_entries

# The browser fixture fixes the clock at Monday 2 March 2026, 09:00 in Shanghai.


async def test_staff_set_the_walk_in_reserve_up_to_the_seats(
    staff: Browser, station: Station
) -> None:
    form = vars(form_of(station, seats=4))
    too_many = await staff.submit(
        "/staff/stations/rider-home/edit", {**form, "walk_in_reserve": "5"}, files=NO_FILE
    )
    assert too_many.status_code == 400
    assert "Keep at most as many seats for walk-ins as the station has (4)." in text_of(
        too_many.text
    )
    assert 'name="walk_in_reserve" type="number" value="5"' in too_many.text
    assert (await Station.objects().first()).walk_in_reserve == 0
    saved = await staff.submit(
        "/staff/stations/rider-home/edit", {**form, "walk_in_reserve": "1"}, files=NO_FILE
    )
    assert saved.status_code == 303
    assert (await Station.objects().first()).walk_in_reserve == 1
    assert await audit_entries() == [
        {
            "action": "station.update",
            "subject_id": "rider-home",
            "before": {"walk_in_reserve": 0},
            "after": {"walk_in_reserve": 1},
        }
    ]
    edit = await staff.get("/staff/stations/rider-home/edit")
    assert 'name="walk_in_reserve" type="number" value="1"' in edit.text
    assert "3 seats free (1 kept for walk-ins)" in text_of(
        (await staff.get("/stations/rider-home")).text
    )
