"""Closures and maintenance blocks: the impact preview, both choices, scoping, bad input."""

from __future__ import annotations

from app.tables import AuditEntry, Notification
from spaces.logic.rules import Request
from spaces.services import bookings, catalog
from spaces.services.availability import get_availability
from spaces.tables import Booking, SpaceClosure
from tests.factories import (
    NOW,
    PASSWORD,
    actor_for,
    make_community,
    make_space,
    make_user,
    shanghai,
)
from tests.fixtures import Browser

CLOSE_TUESDAY_MORNING = {
    "kind": "closure",
    "from_date": "2026-03-03",
    "from_time": "09:00",
    "to_date": "2026-03-03",
    "to_time": "12:00",
    "reason": "水管维修",
}


async def _book(space_slug: str, community, start, end, units: int = 1, **user) -> Booking:
    actor = await actor_for(await make_user(community=community, **user))
    result = await bookings.book(actor, space_slug, Request(start, end, units), now=NOW)
    return result.booking


async def _setup(**space):
    home = await make_community("bayi")
    staff = await make_user("staff@example.com", staff_of=[home], name="刘主任")
    room = await make_space(home, "room", **space)
    return home, staff, room


async def test_preview_lists_the_bookings_a_closure_hits(browser: Browser) -> None:
    home, _staff, _room = await _setup()
    hit = await _book("room", home, shanghai(3, 10), shanghai(3, 11), name="张三")
    await _book("room", home, shanghai(3, 12), shanghai(3, 13), name="李四")  # just after
    await browser.sign_in("staff@example.com", PASSWORD)
    page = await browser.submit("/staff/spaces/room/closures/preview", CLOSE_TUESDAY_MORNING)
    assert page.status_code == 200
    assert "张三" in page.text and "李四" not in page.text
    assert f'name="expected" value="{hit.id}"' in page.text
    # A preview stores nothing.
    assert await SpaceClosure.count() == 0


async def test_closing_and_cancelling_the_bookings_hit(browser: Browser) -> None:
    home, staff, _room = await _setup()
    confirmed = await _book("room", home, shanghai(3, 10), shanghai(3, 11))
    await browser.sign_in("staff@example.com", PASSWORD)
    response = await browser.submit(
        "/staff/spaces/room/closures",
        {
            **CLOSE_TUESDAY_MORNING,
            "choice": "cancel",
            "cancel_reason": "水管爆了，抱歉",
            "expected": str(confirmed.id),
        },
    )
    assert response.status_code == 303
    closure = await SpaceClosure.objects().first()
    assert (closure.starts_at, closure.ends_at, closure.units, closure.reason) == (
        shanghai(3, 9),
        shanghai(3, 12),
        None,
        "水管维修",
    )
    stored = await Booking.objects().where(Booking.id == confirmed.id).first()
    assert (stored.status, stored.cancel_reason, stored.cancelled_by) == (
        "cancelled",
        "水管爆了，抱歉",
        staff.id,
    )
    notice = await Notification.objects().where(Notification.kind == "booking.cancelled").first()
    assert notice.user == confirmed.user
    entry = await AuditEntry.objects().where(AuditEntry.action == "space.closure_added").first()
    assert entry.actor == staff.id and entry.community == home.id
    # The morning can no longer be booked: the space is closed then.
    space = await catalog.get_space("room")
    view = await get_availability(space, shanghai(3, 0).date(), 1, now=NOW)
    morning = [s for s in view.days[0][1] if shanghai(3, 9) <= s.start < shanghai(3, 12)]
    assert morning == []


async def test_keeping_the_bookings_still_refuses_pending_requests(browser: Browser) -> None:
    home, _staff, _room = await _setup(requires_approval=True)
    pending = await _book("room", home, shanghai(3, 10), shanghai(3, 11))
    await browser.sign_in("staff@example.com", PASSWORD)
    response = await browser.submit(
        "/staff/spaces/room/closures",
        {**CLOSE_TUESDAY_MORNING, "choice": "keep", "expected": str(pending.id)},
    )
    assert response.status_code == 303
    stored = await Booking.objects().where(Booking.id == pending.id).first()
    assert (stored.status, stored.decision_note) == ("rejected", "水管维修")
    notice = await Notification.objects().where(Notification.user == pending.user).first()
    assert notice.kind == "booking.rejected"
    assert await SpaceClosure.count() == 1


async def test_cancel_choice_rejects_pending_requests_with_the_reason(browser: Browser) -> None:
    home, _staff, _room = await _setup(requires_approval=True)
    pending = await _book("room", home, shanghai(3, 10), shanghai(3, 11))
    await browser.sign_in("staff@example.com", PASSWORD)
    await browser.submit(
        "/staff/spaces/room/closures",
        {**CLOSE_TUESDAY_MORNING, "choice": "cancel", "expected": str(pending.id)},
    )
    stored = await Booking.objects().where(Booking.id == pending.id).first()
    assert (stored.status, stored.decision_note) == ("rejected", "水管维修")


async def test_a_booking_made_after_the_preview_shows_the_preview_again(
    browser: Browser,
) -> None:
    home, _staff, _room = await _setup()
    await browser.sign_in("staff@example.com", PASSWORD)
    # The preview showed no bookings; one arrives before staff confirm.
    late = await _book("room", home, shanghai(3, 11), shanghai(3, 12), name="晚到的王五")
    response = await browser.submit(
        "/staff/spaces/room/closures", {**CLOSE_TUESDAY_MORNING, "choice": "keep", "expected": ""}
    )
    assert response.status_code == 409
    assert "晚到的王五" in response.text
    assert await SpaceClosure.count() == 0
    assert (await Booking.objects().where(Booking.id == late.id).first()).status == "confirmed"


async def test_a_block_hits_bookings_only_when_units_run_short(browser: Browser) -> None:
    home, _staff, _room = await _setup(capacity=2)
    one = await _book("room", home, shanghai(3, 10), shanghai(3, 11))
    await browser.sign_in("staff@example.com", PASSWORD)
    block_one = {**CLOSE_TUESDAY_MORNING, "kind": "block", "units": "1"}
    page = await browser.submit("/staff/spaces/room/closures/preview", block_one)
    assert "没有预约受影响。" in page.text
    block_two = {**block_one, "units": "2"}
    page = await browser.submit("/staff/spaces/room/closures/preview", block_two)
    assert f'name="expected" value="{one.id}"' in page.text
    # A block keeps no booking in its way: the step offers no "keep", only the cancellation.
    assert 'name="choice" value="keep"' not in page.text
    assert '<input type="hidden" name="choice" value="cancel">' in page.text
    kept = await browser.submit(
        "/staff/spaces/room/closures", {**block_two, "choice": "keep", "expected": str(one.id)}
    )
    assert kept.status_code == 400
    assert "停用会占用这些数量，不能保留与之冲突的预约" in kept.text
    assert await SpaceClosure.count() == 0
    response = await browser.submit(
        "/staff/spaces/room/closures", {**block_one, "choice": "keep", "expected": ""}
    )
    assert response.status_code == 303
    # One unit is blocked and one booked: the second unit of 10:00 is gone.
    space = await catalog.get_space("room")
    view = await get_availability(space, shanghai(3, 0).date(), 1, now=NOW)
    free = {s.start: s.free_units for s in view.days[0][1]}
    assert (free[shanghai(3, 8)], free[shanghai(3, 9)], free[shanghai(3, 10)]) == (2, 1, 0)


async def test_bad_closures_are_explained_and_nothing_is_stored(browser: Browser) -> None:
    await _setup()
    await browser.sign_in("staff@example.com", PASSWORD)
    backwards = {**CLOSE_TUESDAY_MORNING, "to_time": "08:00"}
    page = await browser.submit("/staff/spaces/room/closures/preview", backwards)
    assert page.status_code == 400
    assert "结束时间必须晚于开始时间" in page.text
    assert 'value="水管维修"' in page.text
    page = await browser.submit(
        "/staff/spaces/room/closures",
        {**CLOSE_TUESDAY_MORNING, "reason": "", "from_time": "25:00", "choice": "keep"},
    )
    assert page.status_code == 400
    assert await SpaceClosure.count() == 0


async def test_staff_of_another_community_cannot_touch_closures(browser: Browser) -> None:
    _home, _staff, room = await _setup()
    other = await make_community("caijiaxiang")
    await make_user("other@example.com", staff_of=[other])
    closure = SpaceClosure(
        space=room.id, starts_at=shanghai(4, 9), ends_at=shanghai(4, 10), created_at=NOW
    )
    await closure.save()
    await browser.sign_in("other@example.com", PASSWORD)
    assert (await browser.get("/staff/spaces/room/closures")).status_code == 403
    preview = await browser.submit("/staff/spaces/room/closures/preview", CLOSE_TUESDAY_MORNING)
    assert preview.status_code == 403
    add = await browser.submit(
        "/staff/spaces/room/closures", {**CLOSE_TUESDAY_MORNING, "choice": "keep"}
    )
    assert add.status_code == 403
    delete = await browser.submit(f"/staff/spaces/room/closures/{closure.id}/delete")
    assert delete.status_code == 403
    assert await SpaceClosure.count() == 1
    assert await AuditEntry.count() == 0


async def test_removing_a_closure_reopens_the_time_and_is_audited(browser: Browser) -> None:
    _home, staff, room = await _setup()
    closure = SpaceClosure(
        space=room.id, starts_at=shanghai(3, 9), ends_at=shanghai(3, 12), created_at=NOW
    )
    await closure.save()
    await browser.sign_in("staff@example.com", PASSWORD)
    response = await browser.submit(f"/staff/spaces/room/closures/{closure.id}/delete")
    assert response.status_code == 303
    assert await SpaceClosure.count() == 0
    entry = await AuditEntry.objects().output(load_json=True).first()
    assert (entry.actor, entry.action, entry.before["reason"]) == (
        staff.id,
        "space.closure_removed",
        "",
    )
    space = await catalog.get_space("room")
    assert space.version == 1


async def test_a_block_preview_names_the_waitlist_offer_it_puts_back_in_line(
    browser: Browser,
) -> None:
    from spaces.services import cancellation, waitlist

    home, _staff, _room = await _setup()
    holder = await actor_for(await make_user(community=home, name="张三"))
    waiting = await actor_for(await make_user(community=home, name="候补的李四"))
    request = Request(shanghai(3, 10), shanghai(3, 11))
    taken = await bookings.book(holder, "room", request, now=NOW)
    await waitlist.join(waiting, "room", request, now=NOW)
    await cancellation.cancel(holder, str(taken.booking.id), now=NOW)
    await browser.sign_in("staff@example.com", PASSWORD)
    block = {**CLOSE_TUESDAY_MORNING, "kind": "block", "units": "1"}
    page = await browser.submit("/staff/spaces/room/closures/preview", block)
    assert "没有预约受影响。" in page.text
    assert "候补的李四" in page.text
    assert "这些居民将重新排队" in page.text
