"""Staff edit a station: changed fields saved and audited, bad input changing nothing, and
the photo cleaned of its metadata."""

import io
from pathlib import Path

from PIL import Image

from app import photos
from stations.logic.station_form import form_of
from stations.tables import Station, StationAmenity
from tests.fixtures import Browser, text_of
from tests.stations.web.staff.world import (
    NO_FILE,
    WEEK,
    audit_entries,
    camera_jpeg,
    everything,
    station_form,
)
from tests.stored_photos import stored_body, stored_names, visibility_of

# The browser fixture fixes the clock at Monday 2 March 2026, 09:00 in Shanghai.


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
    stored = await stored_body(first)
    assert photos.is_photo_name(first)
    with Image.open(io.BytesIO(stored)) as image:
        assert image.size == (20, 40)  # turned upright
        assert dict(image.getexif()) == {}
        assert "exif" not in image.info
    assert b"Huawei" not in stored
    assert await visibility_of(first) == "public"
    served = await staff.get(f"/media/photos/{first}")
    assert served.status_code == 200 and served.content == stored
    assert 'src="/media/photos/' + first in (await staff.get("/staff/stations/rider-home")).text
    assert 'src="/media/photos/' + first in (await staff.get("/stations/rider-home")).text
    # A new photo replaces the old one, which is deleted.
    await staff.submit(
        "/staff/stations/rider-home/edit",
        form,
        files={"photo": ("second.jpg", camera_jpeg(), "image/jpeg")},
    )
    second = (await Station.objects().first()).photo
    assert second != first
    assert await stored_names() == [second]
    entries = await audit_entries()
    assert [e["after"] for e in entries] == [{"photo": first}, {"photo": second}]
    assert entries[1]["before"] == {"photo": first}
    # Removing it deletes it too; nothing was ever written to the media folder.
    await staff.submit(
        "/staff/stations/rider-home/edit", {**form, "remove_photo": "1"}, files=NO_FILE
    )
    assert (await Station.objects().first()).photo == ""
    assert await stored_names() == []
    assert not (media / "photos").exists()


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
