"""Staff add stations to their communities: the slug, the coordinates, and every mistake
explained with what was typed kept."""

import pytest

from app.tables import AuditEntry, Community
from stations.logic.amenities import mask_of
from stations.tables import Station, StationAmenity
from tests.factories import make_community
from tests.fixtures import Browser, text_of
from tests.stations.web.staff.world import (
    WEEK,
    audit_entries,
    everything,
    rows,
    signed_in,
    station_form,
)

# The browser fixture fixes the clock at Monday 2 March 2026, 09:00 in Shanghai.


# --- creating -----------------------------------------------------------------------------


async def test_create_a_station_with_a_slug_from_its_english_name(staff: Browser) -> None:
    response = await staff.submit("/staff/stations/new", station_form())
    assert response.status_code == 303
    assert response.headers["location"] == "/staff/stations/temple-square-shop/amenities"
    station = (await rows(Station))[0]
    expected_hours = {day: "08:00-20:00" for day in WEEK if day != "sun"}
    assert {key: station[key] for key in station if key not in ("id", "community")} == {
        "slug": "temple-square-shop",
        "name_zh": "城隍庙便利店驿站",
        "name_en": "Temple Square Shop",
        "host_name_zh": "好邻居便利店",
        "host_name_en": "Good Neighbour Store",
        "host_type": "shop",
        "address_zh": "城隍庙广场东侧 12 号",
        "address_en": "12 East Side, Temple Square",
        "latitude": 36.1953125,
        "longitude": 113.1171875,
        "access_notes_zh": "左侧小门",
        "access_notes_en": "Small door on the left",
        "phone": "0355-1234567",
        "photo": "",
        "timezone": "Asia/Shanghai",
        "weekly_hours": expected_hours,
        "holiday_policy": "special",
        "holiday_hours": "10:00-16:00",
        "makeup_days_as_workdays": True,
        "amenities_working": mask_of(["seats"]),
        "seats_total": 3,
        "walk_in_reserve": 0,
        "active": True,
        "last_verified_at": station["created_at"],
        "created_at": station["created_at"],
        "updated_at": station["created_at"],
        "version": 0,
        "meals_offer": "",
        "integrity_model_since": None,
        # Monday to Saturday 08:00-20:00 in minutes of the week, built for version 0.
        "open_week": "[[480,1200],[1920,2640],[3360,4080],[4800,5520],[6240,6960],[7680,8400]]",
        "open_week_version": 0,
    }
    assert [(r["kind"], r["quantity"], r["status"]) for r in await rows(StationAmenity)] == [
        ("seats", 3, "working")
    ]
    assert await audit_entries() == [
        {
            "action": "station.create",
            "subject_id": "temple-square-shop",
            "before": None,
            "after": {
                "slug": "temple-square-shop",
                "name_zh": "城隍庙便利店驿站",
                "name_en": "Temple Square Shop",
                "host_name_zh": "好邻居便利店",
                "host_name_en": "Good Neighbour Store",
                "host_type": "shop",
                "address_zh": "城隍庙广场东侧 12 号",
                "address_en": "12 East Side, Temple Square",
                "latitude": 36.1953125,
                "longitude": 113.1171875,
                "access_notes_zh": "左侧小门",
                "access_notes_en": "Small door on the left",
                "phone": "0355-1234567",
                "timezone": "Asia/Shanghai",
                "weekly_hours": expected_hours,
                "holiday_policy": "special",
                "holiday_hours": "10:00-16:00",
                "makeup_days_as_workdays": True,
                "walk_in_reserve": 0,
                "photo": "",
                "seats": 3,
            },
        }
    ]
    # The same English name again gets a number; the new station is public at once.
    again = await staff.submit("/staff/stations/new", station_form(name_zh="第二家", seats=""))
    assert again.headers["location"] == "/staff/stations/temple-square-shop-2/amenities"
    page = await staff.get("/stations/temple-square-shop-2")
    assert page.status_code == 200 and "<h1>Temple Square Shop</h1>" in page.text
    assert [r["slug"] for r in await rows(Station)] == [
        "temple-square-shop",
        "temple-square-shop-2",
    ]


async def test_create_with_a_chosen_slug_and_gcj02_coordinates(staff: Browser) -> None:
    response = await staff.submit(
        "/staff/stations/new",
        station_form(
            slug="shop-east", coordsys="gcj02", latitude="36.196300", longitude="113.122100"
        ),
    )
    assert response.headers["location"] == "/staff/stations/shop-east/amenities"
    station = await Station.objects().first()
    assert station.slug == "shop-east"
    # Converted to WGS-84 and rounded to 6 decimals (36.196132, 113.115435); PostgreSQL's
    # single-precision REAL keeps them to within a metre.
    assert station.latitude == pytest.approx(36.196132, abs=2e-6)
    assert station.longitude == pytest.approx(113.115435, abs=8e-6)


async def test_create_refuses_a_taken_or_reserved_slug(staff: Browser, station: Station) -> None:
    before = await everything()
    taken = await staff.submit("/staff/stations/new", station_form(slug="rider-home"))
    assert taken.status_code == 400
    assert "This web address is taken. Choose another." in text_of(taken.text)
    reserved = await staff.submit("/staff/stations/new", station_form(slug="new"))
    assert reserved.status_code == 400
    assert "This web address is reserved. Choose another." in text_of(reserved.text)
    assert 'value="城隍庙便利店驿站"' in reserved.text  # what was typed is kept
    assert await everything() == before


async def test_create_refuses_bad_input_and_keeps_what_was_typed(staff: Browser) -> None:
    response = await staff.submit(
        "/staff/stations/new",
        station_form(
            name_zh="",
            name_en="  ",
            latitude="200",
            longitude="east",
            timezone="Asia/Changzhi",
            hours_mon="09:00-12:00, 11:00-14:00",
            hours_tue="22:00-06:00",
            holiday_hours="",
            phone="call me",
            seats="-2",
        ),
    )
    assert response.status_code == 400
    text = text_of(response.text)
    for message in (
        "Enter the name in Chinese.",
        "Enter the name in English or pinyin.",
        "Enter decimal degrees from -90 to 90, such as 36.195012.",
        "Enter decimal degrees from -180 to 180, such as 113.116025.",
        "Enter a time zone name such as Asia/Shanghai.",
        "09:00-12:00 and 11:00-14:00 overlap. Join them into one range or correct one.",
        "“22:00-06:00” ends before it starts. For hours past midnight, split them over two "
        "days: 22:00-24:00 on the first day and 00:00-06:00 on the next.",
        "Enter the hours on public holidays, or choose “Closed on public holidays”.",
        "Use digits, spaces, +, - and brackets only, such as 0355-1234567.",
        "Enter a number from 0 to 500.",
    ):
        assert message in text, message
    assert 'value="09:00-12:00, 11:00-14:00"' in response.text
    assert 'value="Asia/Changzhi"' in response.text
    assert 'value="200"' in response.text
    assert await Station.count() == 0
    assert await AuditEntry.count() == 0


async def test_create_only_in_my_communities(browser: Browser, home: Community) -> None:
    await make_community("other", name_en="Other Community")
    await signed_in(browser, home, "staff@bayi.example")
    form = await browser.get("/staff/stations/new")
    assert '<option value="bayi" selected>Bayi Community</option>' in form.text
    assert "Other Community" not in form.text
    response = await browser.submit("/staff/stations/new", station_form(community="other"))
    assert response.status_code == 403
    assert await Station.count() == 0
    assert await AuditEntry.count() == 0
