"""The impact step over HTTP: a space's weekly hours, buffer, capacity and special hours, and
its closures. The step carries what was typed, has no default, and changes things once."""

from __future__ import annotations

import html
import json
import re
from dataclasses import asdict

from app.tables import AuditEntry, Notification
from spaces.logic.rules import Request
from spaces.logic.space_form import form_of
from spaces.services import bookings
from spaces.tables import Booking, Space, SpaceClosure, SpaceSpecialHours
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

NO_FILE = {"photo": ("", b"", "application/octet-stream")}
EDIT = "/staff/spaces/room/edit"
HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')


def carried(page: str) -> dict[str, str]:
    """The hidden fields of the step's form, as a browser would send them again."""
    return {
        name: html.unescape(value) for name, value in HIDDEN.findall(page) if name != "_csrf_token"
    }


async def _world(browser: Browser, **space):
    home = await make_community("bayi")
    await make_user("staff@example.com", staff_of=[home], name="刘主任")
    room = await make_space(home, "room", **space)
    await browser.sign_in("staff@example.com", PASSWORD)
    return home, room


async def _book(home, start, end, *, name="王阿姨", locale="") -> Booking:
    actor = await actor_for(await make_user(community=home, name=name, locale=locale))
    return (await bookings.book(actor, "room", Request(start, end), now=NOW)).booking


def _edit(room: Space, **changes: str) -> dict[str, str]:
    return {**asdict(form_of(room)), **changes}


async def _status(booking: Booking) -> str:
    return (await Booking.objects().where(Booking.id == booking.id).first()).status


async def _tuesday(room: Space) -> str:
    stored = await Space.objects().where(Space.id == room.id).first()
    hours = stored.weekly_hours
    return (hours if isinstance(hours, dict) else json.loads(hours))["tue"]


async def test_hours_that_strand_a_booking_show_the_step_and_save_nothing(
    browser: Browser,
) -> None:
    home, room = await _world(browser)
    evening = await _book(home, shanghai(3, 19), shanghai(3, 21), name="张三")
    await _book(home, shanghai(3, 10), shanghai(3, 11), name="李四")
    page = await browser.submit(EDIT, _edit(room, hours_tue="08:00-18:00"), files=NO_FILE)
    assert page.status_code == 200
    text = text_of(page.text)
    assert "星期二：08:00-22:00 → 08:00-18:00" in text
    assert "不在新开放时间内的预约：1 个" in text
    assert "张三" in text and "李四" not in text
    fields = carried(page.text)
    assert (fields["hours_tue"], fields["step"], fields["expected"]) == (
        "08:00-18:00",
        "1",
        f"outside:{evening.id}",
    )
    # No choice is made for staff: both options are offered, neither ticked.
    assert page.text.count('name="choice"') == 2 and " checked" not in page.text
    assert await _tuesday(room) == "08:00-22:00"


async def test_confirming_without_a_choice_re_renders_the_step(browser: Browser) -> None:
    home, room = await _world(browser)
    evening = await _book(home, shanghai(3, 19), shanghai(3, 21))
    step = await browser.submit(EDIT, _edit(room, hours_tue="08:00-18:00"), files=NO_FILE)
    answer = {**carried(step.text), "cancel_reason": "临时培训"}
    page = await browser.submit(EDIT, answer, files=NO_FILE)
    assert page.status_code == 400
    assert re.search(
        r'<fieldset class="field field-error" id="field-choice">\s*<legend>[^<]+</legend>\s*'
        r'<p class="error-message"><span class="visually-hidden">错误：</span> '
        r"请选择如何处理这些预约。</p>",
        page.text,
    )
    assert 'value="临时培训"' in page.text
    assert carried(page.text)["hours_tue"] == "08:00-18:00"
    assert await _tuesday(room) == "08:00-22:00"
    assert await _status(evening) == "confirmed"
    assert await Notification.count() == 0


async def test_cancel_over_http_cancels_the_listed_once_even_sent_twice(browser: Browser) -> None:
    home, room = await _world(browser, requires_approval=True)
    confirmed = await _book(home, shanghai(3, 19), shanghai(3, 21), name="Anna", locale="en")
    await Booking.update({Booking.status: "confirmed"}).where(Booking.id == confirmed.id)
    pending = await _book(home, shanghai(10, 19), shanghai(10, 20))
    step = await browser.submit(EDIT, _edit(room, hours_tue="08:00-18:00"), files=NO_FILE)
    assert "不在新开放时间内的申请：1 个" in text_of(step.text)
    answer = {**carried(step.text), "choice": "cancel", "cancel_reason": "周二晚上改为培训"}
    first = await browser.submit(EDIT, answer, files=NO_FILE)
    assert "已保存" in text_of((await browser.get(first.headers["location"])).text)
    second = await browser.submit(EDIT, answer, files=NO_FILE)
    assert second.status_code == 303
    # The second finds nothing left to change, and says so.
    assert "没有任何修改。" in text_of((await browser.get(second.headers["location"])).text)
    assert (await _status(confirmed), await _status(pending)) == ("cancelled", "rejected")
    assert await _tuesday(room) == "08:00-18:00"
    titles = [n.title for n in await Notification.objects().order_by(Notification.id)]
    assert titles == [
        "Your booking of Shared music room on Tue, Mar 3, 2026 19:00 was cancelled because the "
        "opening hours changed: 周二晚上改为培训",
        "您申请的共享音乐室（2026年3月10日周二 19:00）未获批准，因为开放时间变了：周二晚上改为培训",
    ]
    assert await AuditEntry.count().where(AuditEntry.action == "space.update") == 1


async def test_a_booking_made_after_the_step_shows_the_new_list(browser: Browser) -> None:
    home, room = await _world(browser)
    await _book(home, shanghai(3, 19), shanghai(3, 21), name="张三")
    step = await browser.submit(EDIT, _edit(room, hours_tue="08:00-18:00"), files=NO_FILE)
    await _book(home, shanghai(10, 20), shanghai(10, 21), name="晚到的王五")
    page = await browser.submit(EDIT, {**carried(step.text), "choice": "keep"}, files=NO_FILE)
    assert page.status_code == 409
    assert "刚才有预约发生了变化" in page.text
    assert "张三" in page.text and "晚到的王五" in page.text
    assert await _tuesday(room) == "08:00-22:00"
    assert await Notification.count() == 0


async def test_a_larger_buffer_offers_no_keep_and_needs_enough_ticked(browser: Browser) -> None:
    home, room = await _world(browser)
    first = await _book(home, shanghai(3, 10), shanghai(3, 11), name="张三")
    second = await _book(home, shanghai(3, 11), shanghai(3, 12), name="李四")
    step = await browser.submit(EDIT, _edit(room, buffer_minutes="30"), files=NO_FILE)
    assert step.status_code == 200
    assert "每次预约后留空（分钟）：0 → 30" in text_of(step.text)
    assert 'name="choice"' not in step.text
    assert step.text.count('name="cancel_booking"') == 2
    answer = {**carried(step.text), "cancel_reason": "保洁时间加长"}
    refused = await browser.submit(EDIT, answer, files=NO_FILE)
    assert refused.status_code == 400
    assert "剩下的预约同时占用 2 个，而空间只有 1 个。请再勾选要取消的预约。" in refused.text
    assert (await Space.objects().where(Space.id == room.id).first()).buffer_minutes == 0
    done = await browser.submit(EDIT, {**answer, "cancel_booking": str(first.id)}, files=NO_FILE)
    assert done.status_code == 303
    assert (await _status(first), await _status(second)) == ("cancelled", "confirmed")
    assert (await Space.objects().where(Space.id == room.id).first()).buffer_minutes == 30


async def test_a_lower_capacity_takes_several_ticked(browser: Browser) -> None:
    home, room = await _world(browser, capacity=3)
    made = [await _book(home, shanghai(3, 10), shanghai(3, 11)) for _ in range(3)]
    step = await browser.submit(EDIT, _edit(room, capacity="1"), files=NO_FILE)
    assert "数量：3 → 1" in text_of(step.text)
    answer = {**carried(step.text), "cancel_reason": "坏了两台"}
    too_few = await browser.submit(
        EDIT, {**answer, "cancel_booking": str(made[0].id)}, files=NO_FILE
    )
    assert too_few.status_code == 400
    # What was ticked stays ticked.
    assert f'value="{made[0].id}" checked' in too_few.text
    done = await browser.submit(
        EDIT, {**answer, "cancel_booking": [str(made[0].id), str(made[2].id)]}, files=NO_FILE
    )
    assert done.status_code == 303
    assert [await _status(b) for b in made] == ["cancelled", "confirmed", "cancelled"]
    assert (await Space.objects().where(Space.id == room.id).first()).capacity == 1


async def test_special_hours_go_through_the_step(browser: Browser) -> None:
    home, _room = await _world(browser)
    evening = await _book(home, shanghai(3, 19), shanghai(3, 21), name="Anna", locale="en")
    typed = {"on_date": "2026-03-03", "hours": "08:00-12:00", "note": "停电"}
    step = await browser.submit("/staff/spaces/room/special-hours", typed)
    assert step.status_code == 200
    assert "2026-03-03 的开放时间：08:00-12:00" in text_of(step.text)
    assert await SpaceSpecialHours.count() == 0
    no_choice = await browser.submit("/staff/spaces/room/special-hours", carried(step.text))
    assert no_choice.status_code == 400
    assert await SpaceSpecialHours.count() == 0
    kept = await browser.submit(
        "/staff/spaces/room/special-hours", {**carried(step.text), "choice": "keep"}
    )
    assert kept.status_code == 303
    assert [row.hours for row in await SpaceSpecialHours.objects()] == ["08:00-12:00"]
    assert await _status(evening) == "confirmed"
    notice = await Notification.objects().first()
    assert (notice.kind, notice.title) == (
        "booking.hours_kept",
        "The opening hours of Shared music room changed, and your booking on Tue, Mar 3, 2026 "
        "19:00 is now outside them. Your booking stands; the staff will let you in.",
    )


async def test_a_closure_has_no_default_and_is_added_once(browser: Browser) -> None:
    home, _room = await _world(browser)
    booking = await _book(home, shanghai(3, 10), shanghai(3, 11))
    closure = {
        "kind": "closure",
        "from_date": "2026-03-03",
        "from_time": "09:00",
        "to_date": "2026-03-03",
        "to_time": "12:00",
        "reason": "水管维修",
        "expected": str(booking.id),
    }
    page = await browser.submit("/staff/spaces/room/closures", closure)
    assert page.status_code == 400
    assert "请选择如何处理这些预约。" in page.text
    assert await SpaceClosure.count() == 0
    confirmed = {**closure, "choice": "keep"}
    first = await browser.submit("/staff/spaces/room/closures", confirmed)
    second = await browser.submit("/staff/spaces/room/closures", confirmed)
    assert (first.status_code, second.status_code) == (303, 303)
    assert await SpaceClosure.count() == 1
    assert await Notification.count() == 1


async def test_removing_special_hours_shows_the_step(browser: Browser) -> None:
    home, room = await _world(browser)
    await SpaceSpecialHours(
        space=room.id, on_date=shanghai(3, 0).date(), hours="08:00-23:00"
    ).save()
    row = await SpaceSpecialHours.objects().first()
    await _book(home, shanghai(3, 21), shanghai(3, 23), name="张三")
    url = f"/staff/spaces/room/special-hours/{row.id}/delete"
    step = await browser.submit(url)
    assert step.status_code == 200
    assert "2026-03-03 恢复按每周开放时间。" in text_of(step.text) and "张三" in step.text
    assert f'action="{url}"' in step.text
    assert (await browser.submit(url, carried(step.text))).status_code == 400
    done = await browser.submit(url, {**carried(step.text), "choice": "keep"})
    assert done.status_code == 303
    assert await SpaceSpecialHours.count() == 0


async def test_a_booking_over_midnight_shows_its_end_date(browser: Browser) -> None:
    all_day = {day: "00:00-24:00" for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    home, _room = await _world(browser, weekly_hours=all_day)
    await _book(home, shanghai(2, 14), shanghai(3, 14), name="张三")
    typed = {"on_date": "2026-03-03", "hours": "16:00-20:00", "note": "停电"}
    step = await browser.submit("/staff/spaces/room/special-hours", typed)
    assert step.status_code == 200
    assert "3月2日周一 14:00 – 3月3日周二 14:00 张三" in text_of(step.text)
