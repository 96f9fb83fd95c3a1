"""Cancelling from the booking's page asks once, then offers to undo it for 60 seconds."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from app.accounts.sessions import load_actor
from spaces.logic.rules import Request
from spaces.services import bookings
from spaces.tables import Booking
from tests.factories import NOW, PASSWORD, make_community, make_space, make_user, shanghai
from tests.fixtures import Browser, text_of

# The browser fixture fixes the clock at Monday 2 March 2026, 09:00 in Shanghai.


@pytest.fixture
async def mine(db: None):
    """A resident's booking of the music room on Monday 10:00-11:00, and the resident."""
    home = await make_community("caijiaxiang")
    await make_space(home, "music-room", location_zh="蔡家巷 12 号", location_en="12 Caijia Lane")
    user = await make_user("13812345678", community=home)
    booking = (
        await bookings.book(
            await load_actor(user), "music-room", Request(shanghai(2, 10), shanghai(2, 11)), now=NOW
        )
    ).booking
    return {"home": home, "user": user, "booking": booking, "url": f"/bookings/{booking.id}"}


async def status_of(booking: Booking) -> str:
    return (await Booking.objects().where(Booking.id == booking.id).first()).status


async def test_the_booking_page_asks_before_cancelling(browser: Browser, mine) -> None:
    await browser.sign_in("13812345678", PASSWORD)
    page = await browser.get(mine["url"])
    assert f'<a class="button button-secondary" href="{mine["url"]}/cancel">取消这个预约</a>' in (
        page.text
    )
    assert f'action="{mine["url"]}/cancel"' not in page.text  # no form cancels at one tap

    asked = await browser.get(f"{mine['url']}/cancel")
    assert asked.status_code == 200
    text = text_of(asked.text)
    assert (
        "要取消这个预约吗？ 场地 共享音乐室 时间 3月2日周一 10:00–11:00 地点 蔡家巷 12 号 "
        "取消后，这个时间会让给需要的邻居。取消后 60 秒内还可以撤销。 确认取消 不取消，保留预约"
    ) in text
    assert f'<form class="card" method="post" action="{mine["url"]}/cancel">' in asked.text
    assert 'name="_csrf_token"' in asked.text
    assert f'<a class="button button-secondary" href="{mine["url"]}">' in asked.text
    assert await status_of(mine["booking"]) == "confirmed"  # asking changes nothing


async def test_the_question_in_english(browser: Browser, mine) -> None:
    await browser.sign_in("13812345678", PASSWORD)
    browser.set_language("en")
    text = text_of((await browser.get(f"{mine['url']}/cancel")).text)
    assert (
        "Cancel this booking? Space Shared music room When Mon, Mar 2 10:00–11:00 "
        "Where 12 Caijia Lane The time goes to neighbours who want it. For 60 seconds after "
        "cancelling you can still undo it. Yes, cancel it Keep my booking"
    ) in text


async def test_cancel_then_undo_within_sixty_seconds(browser: Browser, mine, frozen_clock) -> None:
    await browser.sign_in("13812345678", PASSWORD)
    cancelled = await browser.submit(f"{mine['url']}/cancel")
    assert (cancelled.status_code, cancelled.headers["location"]) == (303, mine["url"])
    page = await browser.get(mine["url"])
    text = text_of(page.text)
    assert "预约已取消。" in text and "已取消" in text
    assert (
        "改主意了？ 在 09:01:00 之前（取消后 60 秒内），如果这个时间还没被别人约走，"
        "您可以撤销取消。 撤销取消"
    ) in text
    assert f'action="{mine["url"]}/undo-cancel" data-undo-seconds="60"' in page.text

    frozen_clock[0] = NOW + timedelta(seconds=15, microseconds=1)
    page = await browser.get(mine["url"])  # the script hides the button when the time is up
    assert 'data-undo-seconds="45"' in page.text

    frozen_clock[0] = NOW + timedelta(seconds=45)
    undone = await browser.submit(f"{mine['url']}/undo-cancel")
    assert (undone.status_code, undone.headers["location"]) == (303, mine["url"])
    text = text_of((await browser.get(mine["url"])).text)
    assert "预约已恢复。" in text and "已确认" in text and "撤销取消" not in text
    assert await status_of(mine["booking"]) == "confirmed"


async def test_after_sixty_seconds_undo_is_no_longer_offered_and_refused(
    browser: Browser, mine, frozen_clock
) -> None:
    await browser.sign_in("13812345678", PASSWORD)
    browser.set_language("en")
    await browser.submit(f"{mine['url']}/cancel")
    frozen_clock[0] = NOW + timedelta(seconds=61)
    page = await browser.get(mine["url"])
    assert "Undo cancellation" not in page.text
    replayed = await browser.submit(f"{mine['url']}/undo-cancel")  # a form kept open, sent late
    assert replayed.status_code == 422
    assert (
        "A cancellation can be undone for 60 seconds only. If the time is still free, "
        "book it again."
    ) in text_of(replayed.text)
    assert await status_of(mine["booking"]) == "cancelled"


async def test_undo_when_the_time_was_taken_says_so_and_offers_free_times(
    browser: Browser, mine, frozen_clock
) -> None:
    await browser.sign_in("13812345678", PASSWORD)
    await browser.submit(f"{mine['url']}/cancel")
    neighbour = await load_actor(await make_user(community=mine["home"]))
    slot = Request(shanghai(2, 10), shanghai(2, 11))
    await bookings.book(neighbour, "music-room", slot, now=NOW + timedelta(seconds=10))
    frozen_clock[0] = NOW + timedelta(seconds=20)
    refused = await browser.submit(f"{mine['url']}/undo-cancel")
    assert refused.status_code == 409
    text = text_of(refused.text)
    assert "您取消后，这个时间已被别人预约，原来的预约无法恢复。" in text
    assert (
        "原来的预约无法恢复。 以下时间还空着： 3月2日周一 11:00–12:00 3月2日周一 11:30–12:30 "
        "3月2日周一 12:00–13:00 已取消"
    ) in text
    assert "撤销取消" not in text  # not offered again at once
    assert re.search(
        r'href="/spaces/music-room\?start=2026-03-02T11%3A00%3A00%2B08%3A00#book"', refused.text
    )
    assert await status_of(mine["booking"]) == "cancelled"


async def test_a_cancellation_past_the_cut_off_is_not_asked_about(
    browser: Browser, db: None
) -> None:
    home = await make_community("caijiaxiang")
    await make_space(home, "court", cancel_cutoff_minutes=120)
    user = await make_user("13812345678", community=home)
    booking = (
        await bookings.book(
            await load_actor(user), "court", Request(shanghai(2, 10), shanghai(2, 11)), now=NOW
        )
    ).booking
    await browser.sign_in("13812345678", PASSWORD)
    asked = await browser.get(f"/bookings/{booking.id}/cancel")
    assert asked.status_code == 422
    assert (
        "请检查以下内容 这里的预约须在开始前 2 小时 取消。现在请联系社区工作人员。 已确认"
        in text_of(asked.text)
    )
    assert await status_of(booking) == "confirmed"


async def test_staff_keep_cancelling_with_a_reason(browser: Browser, mine) -> None:
    await make_user("staff@example.com", staff_of=[mine["home"]])
    await browser.sign_in("staff@example.com", PASSWORD)
    asked = await browser.get(f"{mine['url']}/cancel")
    assert (asked.status_code, asked.headers["location"]) == (303, mine["url"])
    page = await browser.get(mine["url"])
    assert (
        "替居民取消 原因（居民会看到） 取消这个预约" in text_of(page.text)
        and 'name="reason"' in page.text
    )
    done = await browser.submit(f"{mine['url']}/cancel", {"reason": "水管维修"})
    assert done.status_code == 303
    assert await status_of(mine["booking"]) == "cancelled"
    page = await browser.get(mine["url"])
    assert "撤销取消" not in page.text  # neither staff nor the resident undo it


async def test_strangers_are_not_asked(browser: Browser, mine) -> None:
    await make_user("13900000000", community=mine["home"])
    await browser.sign_in("13900000000", PASSWORD)
    assert (await browser.get(f"{mine['url']}/cancel")).status_code == 404
    assert (await browser.submit(f"{mine['url']}/undo-cancel")).status_code == 404
