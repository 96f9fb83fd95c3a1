"""Staff import a space's closures from a calendar file: the preview with the bookings each
closure hits, the confirmation in one transaction, and every way it is refused."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from app.tables import AuditEntry, Notification
from spaces.logic.rules import Request
from spaces.services import bookings, decisions
from spaces.tables import Booking, Space, SpaceClosure
from tests.factories import NOW, PASSWORD, actor_for, make_community, make_space, make_user
from tests.factories import shanghai as sh
from tests.fixtures import Browser, text_of
from tests.ics_files import event, ics

# The browser fixture fixes the clock at Monday 2 March 2026, 09:00 in Shanghai.
SHANGHAI = ZoneInfo("Asia/Shanghai")
PREVIEW = "/staff/spaces/room/closures/import/preview"
CONFIRM = "/staff/spaces/room/closures/import"
TUESDAY = "2026-03-02T16:00:00+00:00|2026-03-03T16:00:00+00:00|1|水管维修"
CHOIR = "2026-03-10T06:00:00+00:00|2026-03-10T08:00:00+00:00|0|合唱团演出"
NEW_YEAR = "2026-12-31T16:00:00+00:00|2027-01-01T16:00:00+00:00|1|元旦"
CALENDAR = ics(
    event("元旦", date(2027, 1, 1)),
    event("水管维修", date(2026, 3, 3)),
    event("合唱团演出", sh(10, 14), sh(10, 16)),
    event("去年的活动", date(2025, 5, 1)),
)


def upload(data: bytes = CALENDAR, name: str = "社区日历.ics") -> dict[str, Any]:
    return {"files": {"file": (name, data, "text/calendar")}}


async def _book(community, start, end, **user) -> Booking:
    actor = await actor_for(await make_user(community=community, **user))
    return (await bookings.book(actor, "room", Request(start, end), now=NOW)).booking


async def _setup(browser: Browser, **space):
    home = await make_community("bayi")
    staff = await make_user("staff@example.com", staff_of=[home], name="刘主任")
    await make_space(home, "room", **space)
    await browser.sign_in("staff@example.com", PASSWORD)
    browser.set_language("en")
    return home, staff


async def closures() -> list[tuple[str, str, bool, str, int | None]]:
    return [
        (c.starts_at.isoformat(), c.ends_at.isoformat(), c.all_day, c.reason, c.units)
        for c in await SpaceClosure.objects().order_by(SpaceClosure.starts_at)
    ]


async def imports() -> list[dict[str, Any]]:
    rows = (
        await AuditEntry.select()
        .where(AuditEntry.action == "space.closures_imported")
        .output(load_json=True)
    )
    return [{k: row[k] for k in ("subject_id", "community", "actor", "after")} for row in rows]


async def _existing_new_year(staff_id: int) -> None:
    await SpaceClosure.insert(
        SpaceClosure(
            space=(await Space.objects().first()).id,
            starts_at=datetime(2027, 1, 1, tzinfo=SHANGHAI),
            ends_at=datetime(2027, 1, 2, tzinfo=SHANGHAI),
            all_day=True,
            reason="元旦放假",
            created_by=staff_id,
            created_at=NOW,
        )
    )


async def test_preview_lists_the_closures_and_the_bookings_each_hits(browser: Browser) -> None:
    home, staff = await _setup(browser)
    hit = await _book(home, sh(3, 10), sh(3, 11), name="张三")
    await _book(home, sh(4, 10), sh(4, 11), name="李四")
    await _existing_new_year(staff.id)
    response = await browser.submit(PREVIEW, **upload())
    assert response.status_code == 200
    html = response.text
    assert [line.strip() for line in html.splitlines() if 'name="events"' in line] == [
        f'<input type="hidden" name="events" value="{value}">'
        for value in (TUESDAY, CHOIR, NEW_YEAR)
    ]
    assert f'name="expected" value="{hit.id}"' in html
    assert 'name="file_name" value="社区日历.ics"' in html
    text = text_of(html)
    assert "Closures to add: 2" in text
    assert "Tue, Mar 3, all day · 水管维修 It hits 1 booking: Tue, Mar 3 10:00–11:00 · 张三" in text
    assert "Tue, Mar 10 14:00–16:00 · 合唱团演出 No booking is affected." in text
    assert "Skipped, already closures: 1 Fri, Jan 1, 2027, all day · 元旦" in text
    assert "李四" not in text and "去年的活动" not in text
    assert "Add these 2 closures" in text
    # A preview stores nothing.
    assert len(await closures()) == 1


async def test_confirm_adds_the_closures_and_keeps_the_bookings_hit(browser: Browser) -> None:
    home, staff = await _setup(browser)
    hit = await _book(home, sh(3, 10), sh(3, 11))
    await _existing_new_year(staff.id)
    version = (await Space.objects().first()).version
    response = await browser.submit(
        CONFIRM,
        {
            "events": [TUESDAY, CHOIR, NEW_YEAR],
            "file_name": "社区日历.ics",
            "choice": "keep",
            "expected": str(hit.id),
        },
    )
    assert response.status_code == 303
    assert await closures() == [
        ("2026-03-02T16:00:00+00:00", "2026-03-03T16:00:00+00:00", True, "水管维修", None),
        ("2026-03-10T06:00:00+00:00", "2026-03-10T08:00:00+00:00", False, "合唱团演出", None),
        ("2026-12-31T16:00:00+00:00", "2027-01-01T16:00:00+00:00", True, "元旦放假", None),
    ]
    stored = await Booking.objects().where(Booking.id == hit.id).first()
    assert stored.status == "confirmed"
    notices = await Notification.objects().where(Notification.user == hit.user)
    assert [n.kind for n in notices if n.kind.startswith("booking.closure")] == [
        "booking.closure_kept"
    ]
    assert (await Space.objects().first()).version == version + 1
    assert await imports() == [
        {
            "subject_id": "room",
            "community": home.id,
            "actor": staff.id,
            "after": {
                "file": "社区日历.ics",
                "count": 2,
                "skipped": 1,
                "first": "2026-03-02T16:00:00+00:00",
                "last": "2026-03-10T08:00:00+00:00",
                "bookings": "keep",
                "booking_ids": [str(hit.id)],
            },
        }
    ]
    page = text_of((await browser.get("/staff/spaces/room/closures")).text)
    assert "2 closures were imported from 社区日历.ics." in page
    assert "1 event was skipped: the same closure was there already." in page
    assert "1 booking stands and the resident was told." in page


async def test_confirm_cancels_bookings_and_rejects_requests_hit(browser: Browser) -> None:
    home, staff = await _setup(browser, requires_approval=True)
    pending = await _book(home, sh(3, 10), sh(3, 11))
    other = await _book(home, sh(10, 14), sh(10, 15))
    await decisions.approve(await actor_for(staff), str(other.id), now=NOW)
    response = await browser.submit(
        CONFIRM,
        {
            "events": [TUESDAY, CHOIR],
            "file_name": "社区日历.ics",
            "choice": "cancel",
            "cancel_reason": "",
            "expected": ",".join(sorted([str(pending.id), str(other.id)])),
        },
    )
    assert response.status_code == 303
    rows = {b.id: b for b in await Booking.objects()}
    # Without a reason typed, each resident reads the title of the event that hit them.
    assert (rows[pending.id].status, rows[pending.id].decision_note) == ("rejected", "水管维修")
    assert (
        rows[other.id].status,
        rows[other.id].cancel_reason,
        rows[other.id].cancelled_by,
    ) == ("cancelled", "合唱团演出", staff.id)
    assert len(await closures()) == 2
    assert (await imports())[0]["after"]["bookings"] == "cancel"


async def test_a_booking_made_since_the_preview_stops_the_import(browser: Browser) -> None:
    home, _staff = await _setup(browser)
    preview = await browser.submit(PREVIEW, **upload())
    assert 'name="expected" value=""' in preview.text
    late = await _book(home, sh(10, 14), sh(10, 15), name="王五")
    response = await browser.submit(
        CONFIRM,
        {"events": [TUESDAY, CHOIR, NEW_YEAR], "file_name": "x.ics", "choice": "keep"},
    )
    assert response.status_code == 409
    text = text_of(response.text)
    assert "Bookings changed since you looked." in text
    assert "王五" in text
    assert f'name="expected" value="{late.id}"' in response.text
    assert await closures() == []
    assert await imports() == []
    assert await Notification.objects().where(Notification.kind == "booking.closure_kept") == []


async def test_a_choice_is_needed_when_bookings_are_hit(browser: Browser) -> None:
    home, _staff = await _setup(browser)
    hit = await _book(home, sh(3, 10), sh(3, 11))
    response = await browser.submit(
        CONFIRM, {"events": [TUESDAY], "file_name": "x.ics", "expected": str(hit.id)}
    )
    assert response.status_code == 400
    assert "Choose what happens to the bookings." in text_of(response.text)
    assert await closures() == []


async def test_tampered_hidden_fields_are_refused(browser: Browser) -> None:
    await _setup(browser)
    message = "The events to import could not be read. Choose the calendar file again."
    for events in (
        [TUESDAY, CHOIR.replace("06:00", "6am")],
        [TUESDAY.replace("2026-03-02T16", "2026-03-02T15")],  # not midnight in Shanghai
        [CHOIR.replace("合唱团演出", "长" * 201)],
        [],
    ):
        response = await browser.submit(
            CONFIRM, {"events": events, "file_name": "x.ics", "choice": "keep"}
        )
        assert response.status_code == 400
        assert message in text_of(response.text)
    assert await closures() == []
    assert await imports() == []


async def test_a_bad_file_is_explained_on_the_closures_page(browser: Browser) -> None:
    await _setup(browser)
    response = await browser.submit(PREVIEW, **upload(b"not a calendar", "notes.txt"))
    assert response.status_code == 400
    text = text_of(response.text)
    assert "Import closures from a calendar file (.ics)" in text
    assert (
        "This file is not an iCalendar file. Choose a .ics file exported from a calendar app."
        in text
    )
    empty = await browser.submit(PREVIEW, files={"file": ("", b"", "application/octet-stream")})
    assert empty.status_code == 400
    assert "Choose a calendar file (.ics) to import." in text_of(empty.text)


async def test_nothing_to_add_when_every_event_is_a_closure_already(browser: Browser) -> None:
    _home, staff = await _setup(browser)
    await _existing_new_year(staff.id)
    only_new_year = ics(event("元旦", date(2027, 1, 1)))
    preview = await browser.submit(PREVIEW, **upload(only_new_year))
    text = text_of(preview.text)
    assert "Every event in this file is a closure already: there is nothing to add." in text
    assert 'name="events"' not in preview.text
    response = await browser.submit(
        CONFIRM, {"events": [NEW_YEAR], "file_name": "x.ics", "choice": "keep"}
    )
    assert response.status_code == 303
    assert len(await closures()) == 1
    assert await imports() == []


async def test_staff_of_another_community_cannot_import(browser: Browser) -> None:
    await make_space(await make_community("bayi"), "room")
    elsewhere = await make_community("guangchang")
    await make_user("other@example.com", staff_of=[elsewhere])
    await browser.sign_in("other@example.com", PASSWORD)
    assert (await browser.submit(PREVIEW, **upload())).status_code == 403
    response = await browser.submit(
        CONFIRM, {"events": [TUESDAY], "file_name": "x.ics", "choice": "keep"}
    )
    assert response.status_code == 403
    assert await closures() == []
    assert await imports() == []
