"""Staff say which amenities a station has; the working-amenities mask follows."""

from stations.logic.amenities import mask_of
from stations.tables import Station, StationAmenity
from tests.fixtures import Browser, text_of
from tests.stations.web.staff.world import (
    audit_entries,
    everything,
    rows,
)

# The browser fixture fixes the clock at Monday 2 March 2026, 09:00 in Shanghai.


# --- amenities ----------------------------------------------------------------------------


async def test_amenities_editor_keeps_the_mask_in_step(staff: Browser, station: Station) -> None:
    await StationAmenity.update({StationAmenity.status: "out_of_order"}).where(
        StationAmenity.kind == "water"
    )
    page = await staff.get("/staff/stations/rider-home/amenities")
    assert 'name="has_water" type="checkbox" value="1" checked' in page.text
    response = await staff.submit(
        "/staff/stations/rider-home/amenities",
        {
            "has_water": "1",
            "note_water": "",
            "has_toilet": "1",
            "note_toilet": "In the back yard",
            "has_seats": "1",
            "quantity_seats": "6",
            "has_charging": "",
            "quantity_charging": "2",
        },
    )
    assert response.status_code == 303
    assert [
        (r["kind"], r["quantity"], r["status"], r["note"]) for r in await rows(StationAmenity)
    ] == [
        ("water", None, "out_of_order", ""),
        ("seats", 6, "working", ""),
        ("toilet", None, "working", "In the back yard"),
    ]
    saved = await Station.objects().first()
    assert (saved.amenities_working, saved.seats_total, saved.version) == (
        mask_of(["toilet", "seats"]),
        6,
        station.version + 1,
    )
    assert await audit_entries() == [
        {
            "action": "station.amenities",
            "subject_id": "rider-home",
            "before": {
                "charging": {"quantity": 2, "note": ""},
                "seats": {"quantity": 4, "note": ""},
                "toilet": None,
            },
            "after": {
                "charging": None,
                "seats": {"quantity": 6, "note": ""},
                "toilet": {"quantity": None, "note": "In the back yard"},
            },
        }
    ]


async def test_seats_need_their_number(staff: Browser, station: Station) -> None:
    before = await everything()
    response = await staff.submit(
        "/staff/stations/rider-home/amenities",
        {"has_seats": "1", "quantity_seats": "", "has_wifi": "1", "quantity_wifi": "lots"},
    )
    assert response.status_code == 400
    text = text_of(response.text)
    assert text.count("Enter a number from 1 to 999.") == 4  # summary and field, twice
    assert 'name="has_wifi" type="checkbox" value="1" checked' in response.text
    assert await everything() == before
