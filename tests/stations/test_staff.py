"""Staff managing stations: create, edit (with photo), deactivate, amenities, closures and
special hours; every change scoped to the staff's own communities and audited."""

import io
from pathlib import Path
from typing import Any

import pytest
from PIL import ExifTags, Image

from app import photos
from app.tables import AuditEntry, Community
from stations.logic.amenities import mask_of
from stations.logic.station_form import form_of
from stations.tables import Station, StationAmenity, StationClosure, StationSpecialHours
from tests.factories import PASSWORD, make_community, make_station, make_user
from tests.fixtures import Browser, text_of

# The browser fixture fixes the clock at Monday 2 March 2026, 09:00 in Shanghai.
WEEK = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
NO_FILE = {"photo": ("", b"", "application/octet-stream")}
"""What a browser sends for a file input left empty."""


@pytest.fixture(autouse=True)
def media(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(photos, "media_dir", lambda: tmp_path)
    return tmp_path


@pytest.fixture
async def home(db: None) -> Community:
    return await make_community("bayi", name_zh="八一社区", name_en="Bayi Community")


@pytest.fixture
async def station(home: Community) -> Station:
    return await make_station(home, "rider-home", name_zh="骑手之家", name_en="Riders' Home")


async def signed_in(browser: Browser, community: Community, login: str) -> None:
    await make_user(login, staff_of=[community])
    await browser.sign_in(login, PASSWORD)
    browser.set_language("en")


@pytest.fixture
async def staff(browser: Browser, home: Community) -> Browser:
    await signed_in(browser, home, "staff@bayi.example")
    return browser


def station_form(**changes: str) -> dict[str, str]:
    form = {
        "community": "bayi",
        "slug": "",
        "name_zh": "城隍庙便利店驿站",
        "name_en": "Temple Square Shop",
        "host_type": "shop",
        "host_name_zh": "好邻居便利店",
        "host_name_en": "Good Neighbour Store",
        "address_zh": "城隍庙广场东侧 12 号",
        "address_en": "12 East Side, Temple Square",
        # Exact in single precision too: PostgreSQL keeps `Float` columns as REAL.
        "latitude": "36.1953125",
        "longitude": "113.1171875",
        "coordsys": "wgs84",
        "access_notes_zh": "左侧小门",
        "access_notes_en": "Small door on the left",
        "phone": "0355-1234567",
        "timezone": "Asia/Shanghai",
        **{f"hours_{day}": "08:00-20:00" for day in WEEK},
        "hours_sun": "",
        "holiday_policy": "special",
        "holiday_hours": "10:00-16:00",
        "makeup_days_as_workdays": "1",
        "seats": "3",
    }
    form.update(changes)
    return form


async def rows(table: Any) -> list[dict[str, Any]]:
    return await table.select().order_by(table.id).output(load_json=True)


async def audit_entries() -> list[dict[str, Any]]:
    return [
        {key: row[key] for key in ("action", "subject_id", "before", "after")}
        for row in await AuditEntry.select()
        .where(AuditEntry.subject_type == "station")
        .order_by(AuditEntry.id)
        .output(load_json=True)
    ]


async def everything() -> list[Any]:
    """Every row a station change could touch, to prove nothing changed."""
    return [
        await rows(table)
        for table in (Station, StationAmenity, StationClosure, StationSpecialHours, AuditEntry)
    ]


def camera_jpeg() -> bytes:
    """A 40×20 photo, turned by EXIF orientation 6, with GPS and camera details."""
    image = Image.new("RGB", (40, 20), (0, 0, 255))
    image.paste((255, 0, 0), (0, 0, 20, 20))
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Huawei"
    exif[ExifTags.Base.Model] = "Mate 60"
    exif[ExifTags.Base.Orientation] = 6
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (36.0, 11.0, 42.0)
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


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
        "active": True,
        "last_verified_at": station["created_at"],
        "created_at": station["created_at"],
        "updated_at": station["created_at"],
        "version": 0,
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


# --- editing ------------------------------------------------------------------------------


async def test_edit_saves_changed_fields_and_audits_them(staff: Browser, station: Station) -> None:
    page = await staff.get("/staff/stations/rider-home/edit")
    assert page.status_code == 200
    assert 'value="08:00-20:00"' in page.text and 'value="Riders&#39; Home"' in page.text
    form = vars(form_of(station, seats=4))  # as the page fills it in
    form.update(
        name_zh="骑手之家（东）",
        hours_mon="９：００－１２：００，１４：００－２１：００",
        hours_tue="08:00-20:00",
        hours_sun="24小时",
        holiday_policy="closed",
        seats="6",
    )
    response = await staff.submit("/staff/stations/rider-home/edit", form, files=NO_FILE)
    assert response.status_code == 303
    assert response.headers["location"] == "/staff/stations/rider-home"
    saved = await Station.objects().where(Station.slug == "rider-home").first()
    assert (saved.name_zh, saved.version, saved.holiday_policy, saved.seats_total) == (
        "骑手之家（东）",
        station.version + 1,
        "closed",
        6,
    )
    weekly = {day: "08:00-20:00" for day in WEEK}
    weekly.update(mon="09:00-12:00, 14:00-21:00", sun="00:00-24:00")
    assert (await audit_entries()) == [
        {
            "action": "station.update",
            "subject_id": "rider-home",
            "before": {
                "name_zh": "骑手之家",
                "weekly_hours": {day: "08:00-20:00" for day in WEEK},
                "holiday_policy": "normal",
                "seats": 4,
            },
            "after": {
                "name_zh": "骑手之家（东）",
                "weekly_hours": weekly,
                "holiday_policy": "closed",
                "seats": 6,
            },
        }
    ]
    seats = await StationAmenity.objects().where(StationAmenity.kind == "seats").first()
    assert seats.quantity == 6
    # Saving the same values again changes nothing: no new version, no new entry.
    again = await staff.submit("/staff/stations/rider-home/edit", form, files=NO_FILE)
    assert again.status_code == 303
    assert (await Station.objects().first()).version == station.version + 1
    assert len(await audit_entries()) == 1


async def test_edit_refuses_bad_input_and_changes_nothing(staff: Browser, station: Station) -> None:
    before = await everything()
    response = await staff.submit(
        "/staff/stations/rider-home/edit",
        station_form(
            name_en="",
            latitude="200",
            timezone="Mars/Olympus",
            hours_wed="18:00-09:00",
            hours_thu="9:00-13:00, 12:00-17:00",
        ),
        files=NO_FILE,
    )
    assert response.status_code == 400
    text = text_of(response.text)
    assert "Enter the name in English or pinyin." in text
    assert "Enter decimal degrees from -90 to 90, such as 36.195012." in text
    assert "Enter a time zone name such as Asia/Shanghai." in text
    assert "“18:00-09:00” ends before it starts." in text
    assert "09:00-13:00 and 12:00-17:00 overlap." in text
    assert 'value="18:00-09:00"' in response.text and 'value="Mars/Olympus"' in response.text
    assert 'aria-invalid="true"' in response.text
    assert await everything() == before


async def test_photo_upload_keeps_no_exif_and_replaces_the_old_one(
    staff: Browser, station: Station, media: Path
) -> None:
    form = vars(form_of(station, seats=4))
    response = await staff.submit(
        "/staff/stations/rider-home/edit",
        form,
        files={"photo": ("IMG_0001.jpg", camera_jpeg(), "image/jpeg")},
    )
    assert response.status_code == 303
    first = (await Station.objects().first()).photo
    stored = media / "photos" / first
    assert photos.is_photo_name(first)
    with Image.open(stored) as image:
        assert image.size == (20, 40)  # turned upright
        assert dict(image.getexif()) == {}
        assert "exif" not in image.info
    assert b"Huawei" not in stored.read_bytes()
    served = await staff.get(f"/media/photos/{first}")
    assert served.status_code == 200 and served.content == stored.read_bytes()
    assert 'src="/media/photos/' + first in (await staff.get("/staff/stations/rider-home")).text
    assert 'src="/media/photos/' + first in (await staff.get("/stations/rider-home")).text
    # A new photo replaces the old one, whose file is deleted.
    await staff.submit(
        "/staff/stations/rider-home/edit",
        form,
        files={"photo": ("second.jpg", camera_jpeg(), "image/jpeg")},
    )
    second = (await Station.objects().first()).photo
    assert second != first
    assert sorted(p.name for p in (media / "photos").iterdir()) == [second]
    entries = await audit_entries()
    assert [e["after"] for e in entries] == [{"photo": first}, {"photo": second}]
    assert entries[1]["before"] == {"photo": first}
    # Removing it deletes the file too.
    await staff.submit(
        "/staff/stations/rider-home/edit", {**form, "remove_photo": "1"}, files=NO_FILE
    )
    assert (await Station.objects().first()).photo == ""
    assert list((media / "photos").iterdir()) == []


async def test_a_text_file_named_jpg_is_refused(
    staff: Browser, station: Station, media: Path
) -> None:
    before = await everything()
    response = await staff.submit(
        "/staff/stations/rider-home/edit",
        station_form(name_zh="新名字"),
        files={"photo": ("menu.jpg", b"Noodles 12 yuan\nDumplings 15 yuan\n", "image/jpeg")},
    )
    assert response.status_code == 400
    assert "This file is not a photo. Choose a JPEG, PNG or WebP picture." in text_of(response.text)
    assert 'value="新名字"' in response.text
    assert await everything() == before
    assert not (media / "photos").exists()


async def test_an_oversized_photo_is_refused(staff: Browser, station: Station) -> None:
    before = await everything()
    response = await staff.submit(
        "/staff/stations/rider-home/edit",
        station_form(),
        files={"photo": ("huge.jpg", b"\xff\xd8\xff" + b"0" * (8 * 1024 * 1024), "image/jpeg")},
    )
    assert response.status_code == 400
    assert (
        "The photo is larger than 8 MB. Choose a smaller one, or take it again at a lower "
        "resolution." in text_of(response.text)
    )
    assert await everything() == before


# --- deactivating -------------------------------------------------------------------------


async def test_deactivated_stations_leave_public_pages_but_not_staff_ones(
    staff: Browser, station: Station
) -> None:
    response = await staff.submit("/staff/stations/rider-home/deactivate")
    assert response.status_code == 303
    saved = await Station.objects().first()
    assert (saved.active, saved.version) == (False, station.version + 1)
    assert (await staff.get("/stations/rider-home")).status_code == 404
    nearby = await staff.get("/api/v1/stations/nearby?lat=36.195&lon=113.116")
    assert nearby.json()["features"] == []
    staff_page = await staff.get("/staff/stations/rider-home")
    assert staff_page.status_code == 200
    assert "Deactivated: couriers do not see this station" in text_of(staff_page.text)
    assert "Riders&#39; Home deactivated" in text_of((await staff.get("/staff/stations")).text)
    assert (await staff.get("/staff/stations/rider-home/edit")).status_code == 200
    await staff.submit("/staff/stations/rider-home/reactivate")
    assert (await staff.get("/stations/rider-home")).status_code == 200
    assert await audit_entries() == [
        {
            "action": "station.deactivate",
            "subject_id": "rider-home",
            "before": {"active": True},
            "after": {"active": False},
        },
        {
            "action": "station.reactivate",
            "subject_id": "rider-home",
            "before": {"active": False},
            "after": {"active": True},
        },
    ]


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


# --- scoping ------------------------------------------------------------------------------


async def test_staff_of_another_community_reach_nothing(
    browser: Browser, home: Community, station: Station
) -> None:
    closure = StationClosure(
        station=station.id,
        starts_at=station.created_at,
        ends_at=station.created_at.replace(year=2027),
        reason="Old",
        created_at=station.created_at,
    )
    await closure.save()
    special = StationSpecialHours(station=station.id, on_date=station.created_at.date())
    await special.save()
    other = await make_community("other")
    await signed_in(browser, other, "staff@other.example")
    before = await everything()
    base = "/staff/stations/rider-home"
    for url in (base, f"{base}/edit", f"{base}/amenities", f"{base}/dates"):
        assert (await browser.get(url)).status_code == 403, url
    posts = [
        (f"{base}/edit", station_form(name_zh="抢来的"), NO_FILE),
        (f"{base}/edit", station_form(), {"photo": ("p.jpg", camera_jpeg(), "image/jpeg")}),
        (f"{base}/deactivate", {}, None),
        (f"{base}/reactivate", {}, None),
        (f"{base}/amenities", {"has_wifi": "1"}, None),
        (f"{base}/amenities/water", {"working": ""}, None),
        (f"{base}/verified", {}, None),
        (f"{base}/closures", {"all_day": "1", "from_date": "2026-03-05", "reason": "x"}, None),
        (f"{base}/closures/{closure.id}/delete", {}, None),
        (f"{base}/special-hours", {"on_date": "2026-03-05", "hours": ""}, None),
        (f"{base}/special-hours/{special.id}/delete", {}, None),
    ]
    for url, data, files in posts:
        response = await browser.submit(url, data, files=files)
        assert response.status_code == 403, url
    assert await everything() == before
    assert not (photos.media_dir() / "photos").exists()
    index = await browser.get("/staff/stations")
    assert "Riders&#39; Home" not in index.text


async def test_residents_cannot_reach_the_editor(browser: Browser, station: Station) -> None:
    await make_user("13812345678")
    await browser.sign_in("13812345678", PASSWORD)
    assert (await browser.get("/staff/stations/new")).status_code == 403
    response = await browser.submit("/staff/stations/new", station_form())
    assert response.status_code == 403
    assert await Station.count() == 1


async def test_pages_link_to_the_editor(staff: Browser, station: Station) -> None:
    index = await staff.get("/staff/stations")
    assert 'href="/staff/stations/new"' in index.text
    assert 'href="/staff/stations/rider-home/edit"' in index.text
    page = await staff.get("/staff/stations/rider-home")
    for link in ("/edit", "/amenities", "/dates"):
        assert f'href="/staff/stations/rider-home{link}"' in page.text
