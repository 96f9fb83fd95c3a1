"""My bookings: upcoming, cancelled and ended bookings in their own groups, each with a
heading and a count; empty groups hidden."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.accounts.sessions import load_actor
from spaces.logic.rules import Request
from spaces.services import bookings, cancellation
from spaces.tables import Booking
from tests.factories import NOW, PASSWORD, make_community, make_space, make_user, shanghai
from tests.fixtures import Browser, text_of

# The browser fixture fixes the clock at Monday 2 March 2026, 09:00 in Shanghai.


@pytest.fixture
async def mine(db: None):
    """A resident's booking of the music room on Monday 10:00-11:00, and the resident."""
    home = await make_community("caijiaxiang")
    await make_space(home, "music-room")
    user = await make_user("13812345678", community=home)
    booking = (
        await bookings.book(
            await load_actor(user), "music-room", Request(shanghai(2, 10), shanghai(2, 11)), now=NOW
        )
    ).booking
    return {"user": user, "booking": booking, "url": f"/bookings/{booking.id}"}


@pytest.fixture
async def history(mine, frozen_clock):
    """Beside `mine` (Monday 10:00, coming up): Tuesday 10:00 coming up, Wednesday 10:00
    cancelled, and two bookings of the week before that have ended; seen on Monday 09:00."""
    actor = await load_actor(mine["user"])

    async def book(day: int, month: int = 3) -> Booking:
        slot = Request(shanghai(day, 10, month=month), shanghai(day, 11, month=month))
        return (
            await bookings.book(actor, "music-room", slot, now=slot.start - timedelta(days=1))
        ).booking

    await book(3)
    cancelled = await book(4)
    await cancellation.cancel(actor, str(cancelled.id), now=NOW)
    await book(24, month=2)
    await book(26, month=2)
    return mine


async def test_my_bookings_in_groups_with_counts(browser: Browser, history) -> None:
    await browser.sign_in("13812345678", PASSWORD)
    text = text_of((await browser.get("/bookings")).text)
    assert (
        "我的账户 我的预约 即将开始 2 个预约 共享音乐室 已确认 3月2日周一 10:00–11:00 "
        "共享音乐室 已确认 3月3日周二 10:00–11:00 "
        "已取消 1 个预约 共享音乐室 已取消 3月4日周三 10:00–11:00 "
        "已结束 2 个预约 共享音乐室 已完成 2月26日周四 10:00–11:00 去评价 "
        "共享音乐室 已完成 2月24日周二 10:00–11:00 去评价 语言："
    ) in text, text


async def test_my_bookings_in_english(browser: Browser, history) -> None:
    await browser.sign_in("13812345678", PASSWORD)
    browser.set_language("en")
    text = text_of((await browser.get("/bookings")).text)
    assert (
        "My account My bookings Coming up 2 bookings Shared music room Confirmed Mon, Mar 2 10:00–11:00 "
        "Shared music room Confirmed Tue, Mar 3 10:00–11:00 "
        "Cancelled 1 booking Shared music room Cancelled Wed, Mar 4 10:00–11:00 "
        "Ended 2 bookings Shared music room Completed Thu, Feb 26 10:00–11:00 Rate it "
        "Shared music room Completed Tue, Feb 24 10:00–11:00 Rate it Language:"
    ) in text, text


async def test_empty_groups_are_hidden(browser: Browser, mine) -> None:
    await browser.sign_in("13812345678", PASSWORD)
    await browser.submit(f"{mine['url']}/cancel")
    page = await browser.get("/bookings")
    text = text_of(page.text)
    assert "还没有预约。 找个空间 已取消 1 个预约 共享音乐室 已取消 3月2日周一 10:00–11:00" in text
    assert "即将开始" not in text and "已结束" not in text
