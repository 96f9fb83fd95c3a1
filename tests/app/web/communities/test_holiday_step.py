"""The impact step of a new public holiday over HTTP (`POST /staff/holidays`): the bookings
and requests it hits, by space; no default; each answer applied once; a changed list shown
again."""

from __future__ import annotations

import html
import re
from datetime import date

from app.tables import AuditEntry, Notification, PublicHoliday
from spaces.logic.rules import Request
from spaces.services import bookings
from spaces.tables import Booking, Space
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

DAY = date(2026, 3, 4)
FORM = {
    "on_date": "2026-03-04",
    "kind": "holiday",
    "name_zh": "测试假日",
    "name_en": "Test holiday",
}
HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')


def carried(page: str) -> dict[str, str]:
    """The hidden fields of the step's form, as a browser would send them again (not the
    CSRF token, nor the language switch's `next`)."""
    return {
        name: html.unescape(value)
        for name, value in HIDDEN.findall(page)
        if name not in {"_csrf_token", "next"}
    }


async def _world(browser: Browser) -> None:
    home = await make_community("bayi")
    await make_space(home, "room", closed_on_holidays=True)
    await make_space(home, "hall", closed_on_holidays=True, requires_approval=True)
    await make_space(home, "court", closed_on_holidays=False)
    await Space.update({Space.name_zh: "党群活动室", Space.name_en: "Activity room"}).where(
        Space.slug == "hall"
    )
    await Space.update({Space.name_zh: "门球场", Space.name_en: "Gateball court"}).where(
        Space.slug == "court"
    )
    await make_user("admin@example.com", is_admin=True, name="管理员")
    await browser.sign_in("admin@example.com", PASSWORD)


async def _book(slug: str, start, end, *, name="王阿姨", locale="") -> Booking:
    space = await Space.objects(Space.community).where(Space.slug == slug).first()
    user = await make_user(community=space.community, name=name, locale=locale)
    return (await bookings.book(await actor_for(user), slug, Request(start, end), now=NOW)).booking


async def _status(booking: Booking) -> str:
    return (await Booking.objects().where(Booking.id == booking.id).first()).status


async def _day_in_table() -> list[bool]:
    rows = await PublicHoliday.objects().where(PublicHoliday.on_date == DAY)
    return [row.is_workday for row in rows]


async def _titles() -> list[str]:
    return [n.title for n in await Notification.objects().order_by(Notification.id)]


async def test_a_day_off_that_hits_bookings_shows_the_step_by_space(browser: Browser) -> None:
    await _world(browser)
    confirmed = await _book("room", shanghai(4, 19), shanghai(4, 21), name="张三")
    pending = await _book("hall", shanghai(4, 9), shanghai(4, 10), name="李四")
    await _book("court", shanghai(4, 19), shanghai(4, 21), name="球友")
    page = await browser.submit("/staff/holidays", FORM)
    assert page.status_code == 200
    text = text_of(page.text)
    assert "当天已确认的预约：1 个 共享音乐室 时间 预约人 19:00–21:00 张三" in text, text
    assert "当天待审批的申请：1 个" in text
    assert "党群活动室 时间 预约人 09:00–10:00 李四" in text
    assert "球友" not in text and "门球场" not in text
    assert carried(page.text) == {
        **FORM,
        "step": "1",
        "expected": ",".join(sorted([f"outside:{confirmed.id}", f"request:{pending.id}"])),
    }
    # No choice is made for the administrator: both options offered, neither ticked.
    assert page.text.count('name="choice"') == 2 and " checked" not in page.text
    assert await _day_in_table() == []


async def test_confirming_without_a_choice_re_renders_the_step(browser: Browser) -> None:
    await _world(browser)
    booking = await _book("room", shanghai(4, 19), shanghai(4, 21))
    step = await browser.submit("/staff/holidays", FORM)
    page = await browser.submit("/staff/holidays", {**carried(step.text), "cancel_reason": "放假"})
    assert page.status_code == 400
    assert re.search(
        r'<fieldset class="field field-error" id="field-choice">\s*<legend>[^<]+</legend>\s*'
        r'<p class="error-message"><span class="visually-hidden">错误：</span> '
        r"请选择如何处理这些预约。</p>",
        page.text,
    )
    assert 'value="放假"' in page.text
    assert carried(page.text) == carried(step.text)
    assert await _day_in_table() == []
    assert await _status(booking) == "confirmed"
    assert await Notification.count() == 0


async def test_keep_tells_an_english_resident_in_english(browser: Browser) -> None:
    await _world(browser)
    booking = await _book("room", shanghai(4, 19), shanghai(4, 21), name="Anna", locale="en")
    step = await browser.submit("/staff/holidays", FORM)
    saved = await browser.submit("/staff/holidays", {**carried(step.text), "choice": "keep"})
    assert saved.status_code == 303
    after = text_of((await browser.get(saved.headers["location"])).text)
    assert "节假日表已更新。" in after and "1 个预约保留有效，已通知居民。" in after
    assert await _status(booking) == "confirmed"
    assert await _titles() == [
        "Shared music room is closed for Test holiday on the day of your booking, "
        "Wed, Mar 4, 2026 19:00. Your booking stands; the staff will let you in."
    ]
    assert await _day_in_table() == [False]


async def test_cancel_sent_twice_cancels_and_rejects_once(browser: Browser) -> None:
    await _world(browser)
    confirmed = await _book("room", shanghai(4, 19), shanghai(4, 21), name="Anna", locale="en")
    pending = await _book("hall", shanghai(4, 9), shanghai(4, 10), name="李四")
    step = await browser.submit("/staff/holidays", FORM)
    answer = {**carried(step.text), "choice": "cancel", "cancel_reason": "节日放假"}
    first = await browser.submit("/staff/holidays", answer)
    assert first.status_code == 303
    told = text_of((await browser.get(first.headers["location"])).text)
    assert "已取消 1 个预约，并告知了居民原因。" in told
    assert "已拒绝 1 个申请，并告知了居民原因。" in told
    second = await browser.submit("/staff/holidays", answer)
    assert second.status_code == 303
    again = text_of((await browser.get(second.headers["location"])).text)
    assert "这个日期已经保存过了，没有任何修改。" in again
    assert (await _status(confirmed), await _status(pending)) == ("cancelled", "rejected")
    assert await _titles() == [
        "Your booking of Shared music room on Wed, Mar 4, 2026 19:00 was cancelled because it is "
        "closed for Test holiday: 节日放假",
        "您申请的党群活动室（2026年3月4日周三 09:00）未获批准，因为测试假日当天不开放：节日放假",
    ]
    assert await AuditEntry.count().where(AuditEntry.action == "holiday.set") == 1


async def test_a_booking_made_after_the_step_shows_the_new_list(browser: Browser) -> None:
    await _world(browser)
    booking = await _book("room", shanghai(4, 19), shanghai(4, 21), name="张三")
    step = await browser.submit("/staff/holidays", FORM)
    await _book("room", shanghai(4, 9), shanghai(4, 10), name="晚到的王五")
    page = await browser.submit("/staff/holidays", {**carried(step.text), "choice": "keep"})
    assert page.status_code == 409
    text = text_of(page.text)
    assert "刚才有预约发生了变化。请重新核对名单后再确认。" in text
    assert "当天已确认的预约：2 个" in text and "晚到的王五" in text
    assert carried(page.text)["expected"] != carried(step.text)["expected"]
    assert await _day_in_table() == []
    assert await _status(booking) == "confirmed"
    assert await Notification.count() == 0


async def test_a_day_off_that_hits_nothing_is_saved_at_once(browser: Browser) -> None:
    await _world(browser)
    await _book("court", shanghai(4, 19), shanghai(4, 21))
    saved = await browser.submit("/staff/holidays", FORM)
    assert saved.status_code == 303
    assert await _day_in_table() == [False]
    assert await Notification.count() == 0


async def test_a_make_up_working_day_needs_no_step(browser: Browser) -> None:
    await _world(browser)
    booking = await _book("room", shanghai(4, 19), shanghai(4, 21))
    saved = await browser.submit("/staff/holidays", {**FORM, "kind": "workday"})
    assert saved.status_code == 303
    assert await _day_in_table() == [True]
    assert await _status(booking) == "confirmed"
