"""Staff manage spaces: create, edit details, hours and rules, photos, deactivate, the hours
of one date; bad input and other communities' staff change nothing."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from dataclasses import asdict
from datetime import date
from pathlib import Path

import pytest
from PIL import Image

from app import photos
from app.tables import AuditEntry
from spaces.logic.rules import Request
from spaces.logic.space_form import form_of
from spaces.services import bookings, catalog
from spaces.services.availability import get_availability
from spaces.tables import Space, SpaceSpecialHours
from tests.app.test_photos import camera_jpeg
from tests.factories import (
    NOW,
    PASSWORD,
    actor_for,
    make_community,
    make_space,
    make_user,
    shanghai,
)
from tests.fixtures import Browser, text_of
from tests.stored_photos import stored_body, stored_names, visibility_of

NO_FILE = {"photo": ("", b"", "application/octet-stream")}
"""What a browser sends for a file input left empty."""
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@pytest.fixture(autouse=True)
def media(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setattr(photos, "media_dir", lambda: tmp_path)
    yield tmp_path


def music_room(**changes: str) -> dict[str, str]:
    form = {
        "community": "bayi",
        "kind": "music_room",
        "name_zh": "共享琴房",
        "name_en": "Shared Piano Room",
        "capacity": "1",
        "timezone": "Asia/Shanghai",
        "hours_mon": "09:00-12:00，14:00-21:00",
        "hours_sat": "24小时",
        "slot_minutes": "30",
        "max_duration_minutes": "120",
        "quota_week_count": "2",
        "waitlist_offer_minutes": "30",
        **changes,
    }
    return {key: value for key, value in form.items() if value is not None}


async def _staff(browser: Browser):
    home = await make_community("bayi")
    staff = await make_user("staff@example.com", staff_of=[home])
    await browser.sign_in("staff@example.com", PASSWORD)
    return home, staff


async def test_staff_add_a_space_and_residents_can_book_it(browser: Browser) -> None:
    home, staff = await _staff(browser)
    response = await browser.submit("/staff/spaces/new", music_room())
    assert response.status_code == 303
    assert response.headers["location"] == "/staff/spaces/shared-piano-room"
    space = await Space.objects().where(Space.slug == "shared-piano-room").first()
    assert (space.community, space.capacity, space.max_duration_minutes) == (home.id, 1, 120)
    assert json.loads(space.weekly_hours) == {
        "mon": "09:00-12:00, 14:00-21:00",
        "sat": "00:00-24:00",
    }
    assert (space.quota_week_count, space.quota_day_count, space.requires_approval) == (
        2,
        None,
        False,
    )
    entry = await AuditEntry.objects().where(AuditEntry.action == "space.create").first()
    assert (entry.actor, entry.community, entry.subject_id) == (staff.id, home.id, space.slug)
    # A second space with the same English name gets the next free address.
    again = await browser.submit("/staff/spaces/new", music_room())
    assert again.headers["location"] == "/staff/spaces/shared-piano-room-2"
    resident = await actor_for(await make_user(community=home))
    booked = await bookings.book(
        resident, "shared-piano-room", Request(shanghai(2, 10), shanghai(2, 11)), now=NOW
    )
    assert booked.booking.status == "confirmed"


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"hours_mon": "09:00-12:00, 11:00-13:00"}, "hours_mon", "时间段重叠"),
        ({"hours_tue": "18:00-09:00"}, "hours_tue", "22:00-24:00"),
        ({"timezone": "Mars/Olympus"}, "timezone", "Asia/Shanghai"),
        ({"name_zh": ""}, "name_zh", "请输入中文名称。"),
        ({"min_duration_minutes": "45"}, "min_duration_minutes", "时段长度（30 分钟）的整数倍"),
        ({"min_duration_minutes": "120", "max_duration_minutes": "60"}, "max_duration_minutes", ""),
        ({"capacity": "0"}, "capacity", "请输入 1 到 500 之间的数字。"),
        ({"slot_minutes": "7"}, "slot_minutes", ""),
    ],
)
async def test_bad_space_forms_are_explained_and_nothing_is_stored(
    browser: Browser, changes: dict[str, str], field: str, message: str
) -> None:
    await _staff(browser)
    response = await browser.submit("/staff/spaces/new", music_room(**changes))
    assert response.status_code == 400
    assert f'id="error-{field}"' in response.text
    assert message in response.text
    assert 'value="Shared Piano Room"' in response.text
    assert await Space.count() == 0
    assert await AuditEntry.count() == 0


async def test_staff_cannot_add_a_space_to_another_community(browser: Browser) -> None:
    await _staff(browser)
    await make_community("caijiaxiang")
    response = await browser.submit("/staff/spaces/new", music_room(community="caijiaxiang"))
    assert response.status_code == 403
    assert await Space.count() == 0


async def test_edit_hours_and_rules_is_audited_and_seen_at_once(browser: Browser) -> None:
    home, staff = await _staff(browser)
    room = await make_space(home, "room")
    page = await browser.get("/staff/spaces/room/edit")
    assert page.status_code == 200 and 'value="08:00-22:00"' in page.text
    form = {
        **{f"hours_{day}": "08:00-22:00" for day in DAYS},
        "kind": "music_room",
        "name_zh": "共享音乐室",
        "name_en": "Shared music room",
        "capacity": "1",
        "timezone": "Asia/Shanghai",
        "slot_minutes": "30",
        "waitlist_offer_minutes": "30",
        "hours_mon": "10:00-12:00",
        "lead_time_minutes": "60",
    }
    response = await browser.submit("/staff/spaces/room/edit", form, files=NO_FILE)
    assert response.status_code == 303
    stored = await Space.objects().where(Space.id == room.id).first()
    assert (json.loads(stored.weekly_hours)["mon"], stored.lead_time_minutes, stored.version) == (
        "10:00-12:00",
        60,
        1,
    )
    entry = (
        await AuditEntry.objects()
        .output(load_json=True)
        .where(AuditEntry.action == "space.update")
        .first()
    )
    assert entry.actor == staff.id
    assert entry.before == {
        "weekly_hours": {day: "08:00-22:00" for day in DAYS},
        "lead_time_minutes": None,
    }
    assert entry.after == {
        "weekly_hours": {**{day: "08:00-22:00" for day in DAYS}, "mon": "10:00-12:00"},
        "lead_time_minutes": 60,
    }
    # Monday 09:00 is no longer open: the availability shown changes at once.
    space = await catalog.get_space("room")
    view = await get_availability(space, date(2026, 3, 9), 1, now=NOW)
    assert view.days[0][1][0].start == shanghai(9, 10)


async def test_capacity_below_what_is_booked_goes_through_the_impact_step(
    browser: Browser,
) -> None:
    home, _staff_user = await _staff(browser)
    cabinet = await make_space(home, "drills", capacity=2)
    for _ in range(2):
        resident = await actor_for(await make_user(community=home))
        await bookings.book(resident, "drills", Request(shanghai(3, 10), shanghai(3, 11)), now=NOW)
    form = music_room(capacity="1", kind="tool")
    del form["community"]
    response = await browser.submit("/staff/spaces/drills/edit", form, files=NO_FILE)
    assert response.status_code == 200
    assert "按新设置会超出数量的预约：2 个" in response.text
    assert (await Space.objects().where(Space.id == cabinet.id).first()).capacity == 2


async def test_a_photo_loses_its_location_and_camera(browser: Browser, media: Path) -> None:
    home, _staff_user = await _staff(browser)
    await make_space(home, "room")
    form = music_room()
    del form["community"]
    response = await browser.submit(
        "/staff/spaces/room/edit",
        form,
        files={"photo": ("IMG_0001.jpg", camera_jpeg(), "image/jpeg")},
    )
    assert response.status_code == 303
    stored = await Space.objects().where(Space.slug == "room").first()
    with Image.open(io.BytesIO(await stored_body(stored.photo))) as image:
        assert dict(image.getexif()) == {}
        assert "icc_profile" not in image.info and "comment" not in image.info
    assert await visibility_of(stored.photo) == "public"
    public = await browser.get("/spaces/room")
    assert f"/media/photos/{stored.photo}" in public.text
    # A new photo replaces the old one, which is deleted; removing it deletes it too.
    await browser.submit(
        "/staff/spaces/room/edit", form, files={"photo": ("2.jpg", camera_jpeg(), "image/jpeg")}
    )
    replaced = await Space.objects().where(Space.slug == "room").first()
    assert replaced.photo != stored.photo
    assert await stored_names() == [replaced.photo]
    await browser.submit("/staff/spaces/room/edit", {**form, "remove_photo": "1"}, files=NO_FILE)
    assert (await Space.objects().where(Space.slug == "room").first()).photo == ""
    assert await stored_names() == []
    assert not (media / "photos").exists()


async def test_deactivated_spaces_leave_public_pages(browser: Browser) -> None:
    home, staff = await _staff(browser)
    await make_space(home, "room")
    response = await browser.submit("/staff/spaces/room/deactivate")
    assert response.status_code == 303
    assert (await browser.get("/spaces/room")).status_code == 404
    assert 'href="/spaces/room"' not in (await browser.get("/spaces")).text
    staff_page = await browser.get("/staff/spaces/room")
    assert staff_page.status_code == 200
    assert "这个场地已停用" in staff_page.text
    await browser.submit("/staff/spaces/room/reactivate")
    assert (await browser.get("/spaces/room")).status_code == 200
    actions = [e.action for e in await AuditEntry.objects().order_by(AuditEntry.id)]
    assert actions == ["space.deactivate", "space.activate"]
    assert staff.id == (await AuditEntry.objects().first()).actor


async def test_special_hours_for_one_date(browser: Browser) -> None:
    home, _staff_user = await _staff(browser)
    await make_space(home, "room")
    response = await browser.submit(
        "/staff/spaces/room/special-hours",
        {"on_date": "2026-03-04", "hours": "13:00-15:00", "note": "消防演练"},
    )
    assert response.status_code == 303
    space = await catalog.get_space("room")
    view = await get_availability(space, date(2026, 3, 4), 1, now=NOW)
    starts = [slot.start for slot in view.days[0][1]]
    assert (starts[0], starts[-1]) == (shanghai(4, 13), shanghai(4, 14, 30))
    bad = await browser.submit(
        "/staff/spaces/room/special-hours", {"on_date": "2026-03-04", "hours": "15:00-13:00"}
    )
    assert bad.status_code == 400
    row = await SpaceSpecialHours.objects().first()
    assert row.hours == "13:00-15:00"
    removed = await browser.submit(f"/staff/spaces/room/special-hours/{row.id}/delete")
    assert removed.status_code == 303
    assert await SpaceSpecialHours.count() == 0


async def test_staff_of_another_community_cannot_manage_my_spaces(browser: Browser) -> None:
    home = await make_community("bayi")
    room = await make_space(home, "room")
    row = SpaceSpecialHours(space=room.id, on_date=date(2026, 3, 4), hours="")
    await row.save()
    other = await make_community("caijiaxiang")
    await make_user("other@example.com", staff_of=[other])
    await browser.sign_in("other@example.com", PASSWORD)
    form = music_room()
    assert (await browser.get("/staff/spaces/room/edit")).status_code == 403
    assert (await browser.get("/staff/spaces/room")).status_code == 403
    for url, data, files in [
        ("/staff/spaces/room/edit", form, NO_FILE),
        ("/staff/spaces/room/deactivate", {}, None),
        ("/staff/spaces/room/reactivate", {}, None),
        ("/staff/spaces/room/special-hours", {"on_date": "2026-03-05"}, None),
        (f"/staff/spaces/room/special-hours/{row.id}/delete", {}, None),
    ]:
        response = await browser.submit(url, data, files=files)
        assert response.status_code == 403, url
    stored = await Space.objects().where(Space.id == room.id).first()
    assert (stored.name_en, stored.active, stored.version) == ("Shared music room", True, 0)
    assert await SpaceSpecialHours.count() == 1
    assert await AuditEntry.count() == 0


def _edited_from(page: str) -> str:
    (fingerprint,) = re.findall(r'name="edited_from" value="([0-9a-f]{32})"', page)
    return fingerprint


async def _opened(browser: Browser, slug: str) -> dict[str, str]:
    """The edit form as a browser has it after opening the page: the stored values and the
    fingerprint rendered in it."""
    page = await browser.get(f"/staff/spaces/{slug}/edit")
    stored = await Space.objects().where(Space.slug == slug).first()
    return {**asdict(form_of(stored)), "edited_from": _edited_from(page.text)}


async def test_a_stale_edit_form_is_refused_and_shown_with_the_saved_values(
    browser: Browser,
) -> None:
    home, _staff_user = await _staff(browser)
    room = await make_space(home, "room")
    by_a = await _opened(browser, "room")
    by_b = await _opened(browser, "room")
    saved = await browser.submit(
        "/staff/spaces/room/edit", {**by_b, "hours_fri": "08:00-12:00"}, files=NO_FILE
    )
    assert saved.status_code == 303
    stale = await browser.submit(
        "/staff/spaces/room/edit", {**by_a, "name_en": "Band room"}, files=NO_FILE
    )
    assert stale.status_code == 409
    assert (
        "在您打开表单之后，有人保存了这个空间，您的修改没有保存。表单现在显示的是已保存的内容："
        "请核对后重新修改并保存。"
    ) in text_of(stale.text)
    stored = await Space.objects().where(Space.id == room.id).first()
    assert (json.loads(stored.weekly_hours)["fri"], stored.name_en) == (
        "08:00-12:00",
        "Shared music room",
    )
    assert 'name="hours_fri" type="text" value="08:00-12:00"' in stale.text
    again = {**by_a, "hours_fri": "08:00-12:00", "name_en": "Band room"}
    again["edited_from"] = _edited_from(stale.text)
    assert (
        await browser.submit("/staff/spaces/room/edit", again, files=NO_FILE)
    ).status_code == 303
    stored = await Space.objects().where(Space.id == room.id).first()
    assert (json.loads(stored.weekly_hours)["fri"], stored.name_en) == ("08:00-12:00", "Band room")


async def test_a_photo_sent_with_a_refused_edit_leaves_no_stored_photo(
    browser: Browser, media: Path
) -> None:
    home, _staff_user = await _staff(browser)
    await make_space(home, "room")
    by_a = await _opened(browser, "room")
    by_b = await _opened(browser, "room")
    await browser.submit(
        "/staff/spaces/room/edit", {**by_b, "hours_fri": "08:00-12:00"}, files=NO_FILE
    )
    stale = await browser.submit(
        "/staff/spaces/room/edit",
        by_a,
        files={"photo": ("IMG_0001.jpg", camera_jpeg(), "image/jpeg")},
    )
    assert stale.status_code == 409
    assert (await Space.objects().where(Space.slug == "room").first()).photo == ""
    assert await stored_names() == []


async def test_a_booking_made_while_the_edit_form_is_open_does_not_refuse_it(
    browser: Browser,
) -> None:
    home, _staff_user = await _staff(browser)
    room = await make_space(home, "room")
    opened = await _opened(browser, "room")
    resident = await actor_for(await make_user(community=home))
    await bookings.book(resident, "room", Request(shanghai(3, 10), shanghai(3, 11)), now=NOW)
    assert (await Space.objects().where(Space.id == room.id).first()).version == 1
    saved = await browser.submit(
        "/staff/spaces/room/edit", {**opened, "name_en": "Band room"}, files=NO_FILE
    )
    assert saved.status_code == 303
    assert (await Space.objects().where(Space.id == room.id).first()).name_en == "Band room"
