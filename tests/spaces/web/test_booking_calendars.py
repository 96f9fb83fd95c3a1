"""Calendars people in China use: the booking page offers the `.ics` file first, then the
subscription to all one's bookings, and Google Calendar (unreachable on the mainland) last."""

import re

from tests.factories import PASSWORD, make_community, make_space, make_user
from tests.fixtures import Browser


async def test_booking_page_offers_mainland_calendars_before_google(
    browser: Browser, db: None
) -> None:
    home = await make_community("caijiaxiang")
    await make_space(home, "hall")
    await make_user("13812345678", community=home)
    await browser.sign_in("13812345678", PASSWORD)
    booked = await browser.submit(
        "/spaces/hall/book",
        {"start": "2026-03-03T10:00:00+08:00", "duration_minutes": "60", "form_token": "t1"},
    )
    url = booked.headers["location"]
    page = await browser.get(url)
    actions = re.search(r'<p class="actions">(.*?)</p>', page.text, re.S).group(1)
    links = re.findall(r'<a [^>]*href="([^"]+)"[^>]*>([^<]+)</a>', actions)
    assert [(href.split("?")[0], label) for href, label in links] == [
        (f"{url}/event.ics", "加入我的日历"),
        ("/account#calendars", "订阅我的全部预约"),
        ("https://calendar.google.com/calendar/render", "添加到谷歌日历"),
    ]
