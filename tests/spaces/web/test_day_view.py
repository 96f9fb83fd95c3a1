"""The space page's day view: a strip of seven days with their free counts over one day's
times, `?day=` within the window, the week grid one link away, and htmx swapping the day."""

from __future__ import annotations

import re
from datetime import date

import pytest

from app.accounts.sessions import load_actor
from spaces.logic.rules import Request
from spaces.services import availability, bookings
from tests.factories import NOW, PASSWORD, make_community, make_space, make_user, shanghai
from tests.fixtures import Browser, text_of

# The browser fixture fixes the clock at Monday 2 March 2026, 09:00 in Shanghai.
EN = {"accept-language": "en"}
HTMX = {"HX-Request": "true"}


@pytest.fixture
async def music_room(db: None):
    home = await make_community(
        "caijiaxiang", name_zh="蔡家巷社区", name_en="Caijiaxiang Community"
    )
    return await make_space(
        home, "music-room", weekly_hours={"mon": "09:00-12:00", "tue": "09:00-12:00"}
    )


def strip_of(html: str) -> list[str]:
    """The day strip's entries as read, the current day marked with a leading `>`."""
    nav = re.search(r'<nav class="day-strip".*?</ul>', html, re.S)
    assert nav, "no day strip"
    entries = re.findall(r"<li>(.*?)</li>", nav.group(0), re.S)
    return [(">" if 'aria-current="date"' in entry else "") + text_of(entry) for entry in entries]


def heading_of(html: str) -> str:
    found = re.search(r'<h3 id="day-heading"[^>]*>(.*?)</h3>', html, re.S)
    assert found, "no day heading"
    return text_of(found.group(1))


def times_of(html: str) -> str:
    found = re.search(r'<section class="day day-shown".*?</section>', html, re.S)
    assert found, "no day shown"
    return text_of(found.group(0))


async def book_as_neighbour(space, *spans) -> None:
    neighbour = await make_user("13900000099", name="张大爷", community=space.community)
    for start, end in spans:
        await bookings.book(await load_actor(neighbour), space.slug, Request(start, end), now=NOW)


async def test_space_page_opens_on_today_under_the_strip(browser: Browser, music_room) -> None:
    page = await browser.get("/spaces/music-room")
    assert page.status_code == 200
    assert strip_of(page.text) == [
        ">今天 3月2日 6 个空闲",
        "周二 3月3日 6 个空闲",
        "周三 3月4日 不开放",
        "周四 3月5日 不开放",
        "周五 3月6日 不开放",
        "周六 3月7日 不开放",
        "周日 3月8日 不开放",
    ]
    assert heading_of(page.text) == "3月2日周一 · 今天"
    assert times_of(page.text) == (
        "3月2日周一 · 今天 09:00 可预约 09:30 可预约 10:00 可预约 10:30 可预约 11:00 可预约 "
        "11:30 可预约"
    )
    assert '<a class="view-switch-link" href="/spaces/music-room?view=week">查看整周</a>' in (
        page.text
    )
    assert page.text.count('section class="day') == 1


async def test_strip_counts_free_times_and_says_when_none_are(browser: Browser, music_room) -> None:
    await book_as_neighbour(
        music_room, (shanghai(2, 10), shanghai(2, 11)), (shanghai(3, 9), shanghai(3, 12))
    )
    browser.set_language("en")
    page = await browser.get("/spaces/music-room")
    assert strip_of(page.text)[:3] == [
        ">Today Mar 2 4 free",
        "Tue Mar 3 None free",
        "Wed Mar 4 Closed",
    ]
    assert "张大爷" not in page.text
    tuesday = await browser.get("/spaces/music-room?day=2026-03-03")
    assert heading_of(tuesday.text) == "Tue, Mar 3"
    assert times_of(tuesday.text) == (
        "Tue, Mar 3 09:00 booked 09:30 booked 10:00 booked 10:30 booked 11:00 booked 11:30 booked"
    )


async def test_one_free_time_is_singular_in_english(browser: Browser, music_room) -> None:
    await book_as_neighbour(music_room, (shanghai(3, 9), shanghai(3, 11, 30)))
    browser.set_language("en")
    page = await browser.get("/spaces/music-room?day=2026-03-03")
    assert strip_of(page.text)[:2] == ["Today Mar 2 6 free", ">Tue Mar 3 1 free"]


async def test_day_asked_is_shown_in_the_strip_of_its_week(browser: Browser, music_room) -> None:
    browser.set_language("en")
    page = await browser.get("/spaces/music-room?day=2026-03-10")
    assert page.status_code == 200
    assert strip_of(page.text) == [
        "Mon Mar 9 6 free",
        ">Tue Mar 10 6 free",
        "Wed Mar 11 Closed",
        "Thu Mar 12 Closed",
        "Fri Mar 13 Closed",
        "Sat Mar 14 Closed",
        "Sun Mar 15 Closed",
    ]
    assert heading_of(page.text) == "Tue, Mar 10"
    assert 'aria-label="Tue, Mar 10 09:00, free"' in page.text
    assert 'aria-label="Mon, Mar 2 09:00, free"' not in page.text
    weeks = re.search(r'<p class="strip-weeks">.*?</p>', page.text, re.S).group(0)
    assert re.findall(r'href="([^"]+)"', weeks) == [
        "/spaces/music-room?day=2026-03-02",
        "/spaces/music-room",
        "/spaces/music-room?day=2026-03-16",
    ]
    assert 'href="/spaces/music-room?view=week&amp;from=2026-03-09">Show the whole week' in (
        page.text
    )


async def test_past_days_say_so_in_words(browser: Browser, music_room) -> None:
    page = await browser.get("/spaces/music-room?day=2026-02-24")
    assert strip_of(page.text) == [
        "周一 2月23日 已过去",
        ">周二 2月24日 已过去",
        "周三 2月25日 已过去",
        "周四 2月26日 已过去",
        "周五 2月27日 已过去",
        "周六 2月28日 已过去",
        "周日 3月1日 已过去",
    ]
    assert times_of(page.text) == "2月24日周二 已过去"


async def test_strip_at_the_end_of_the_window_links_only_days_inside_it(
    browser: Browser, music_room
) -> None:
    browser.set_language("en")
    page = await browser.get("/spaces/music-room?day=2027-03-03")
    assert page.status_code == 200
    days = re.findall(r'<li>\s*<(a|span) class="strip-day[^"]*"', page.text)
    assert days == ["a", "a", "a", "span", "span", "span", "span"]
    assert "?day=2027-03-08" not in page.text
    weeks = re.search(r'<p class="strip-weeks">.*?</p>', page.text, re.S).group(0)
    assert text_of(weeks) == "‹ Previous 7 days Today"


@pytest.mark.parametrize("day", ["2026-3-2", "tomorrow", "2026-02-30", "20260302", "2026-W10-1"])
async def test_malformed_day_is_refused_with_how_to_write_it(
    browser: Browser, music_room, day: str
) -> None:
    browser.set_language("en")
    response = await browser.get(f"/spaces/music-room?day={day}")
    assert response.status_code == 400
    text = text_of(response.text)
    assert "Write the day as year-month-day, for example 2026-03-02." in text
    assert 'href="/spaces/music-room">Show today</a>' in response.text


async def test_day_outside_the_window_is_refused_in_chinese_too(
    browser: Browser, music_room
) -> None:
    response = await browser.get("/spaces/music-room?day=9999-12-31")
    assert response.status_code == 400
    assert "请选择 2025-03-01 至 2027-03-03 之间的日期。" in text_of(response.text)
    assert 'href="/spaces/music-room">查看今天</a>' in response.text


async def test_unknown_view_is_refused(browser: Browser, music_room) -> None:
    browser.set_language("en")
    response = await browser.get("/spaces/music-room?view=month")
    assert response.status_code == 400
    assert "Show the times as a day or as a week." in text_of(response.text)


async def test_week_view_shows_the_grid_and_links_back_to_the_day(
    browser: Browser, music_room
) -> None:
    browser.set_language("en")
    page = await browser.get("/spaces/music-room?view=week")
    assert page.status_code == 200
    assert page.text.count('<section class="day') == 7
    assert 'class="day-strip"' not in page.text
    assert '<a class="view-switch-link" href="/spaces/music-room">Show one day at a time</a>' in (
        page.text
    )
    later = await browser.get("/spaces/music-room?view=week&from=2026-03-09")
    assert 'href="/spaces/music-room?day=2026-03-09">Show one day at a time</a>' in later.text


async def test_chosen_start_opens_its_day(browser: Browser, music_room) -> None:
    await make_user("13812345678", community=music_room.community)
    await browser.sign_in("13812345678", PASSWORD)
    page = await browser.get("/spaces/music-room?start=2026-03-10T10%3A00%3A00%2B08%3A00")
    assert heading_of(page.text) == "3月10日周二"
    assert 'href="/spaces/music-room?day=2026-03-10">换个时间</a>' in page.text


async def test_htmx_gets_the_day_alone_and_a_history_restore_the_page(
    browser: Browser, music_room
) -> None:
    day = "/spaces/music-room?day=2026-03-03"
    fragment = await browser.get(day, headers=HTMX)
    assert fragment.status_code == 200
    assert fragment.text.lstrip().startswith('<div id="times" class="times times-day">')
    assert "<html" not in fragment.text
    assert heading_of(fragment.text) == "3月3日周二"
    assert fragment.headers["vary"] == "HX-Request,Accept-Encoding"
    whole = await browser.get(day)
    assert "<html" in whole.text
    assert whole.headers["vary"] == "HX-Request,Accept-Encoding"
    assert fragment.text.strip() in whole.text
    restored = await browser.get(day, headers={**HTMX, "HX-History-Restore-Request": "true"})
    assert "<html" in restored.text and heading_of(restored.text) == "3月3日周二"
    assert 'hx-get="/spaces/music-room?day=2026-03-02" hx-target="#times"' in whole.text
    assert 'hx-push-url="true"' in whole.text


async def test_a_day_and_the_week_from_its_strip_share_one_computed_availability(
    browser: Browser, music_room, monkeypatch: pytest.MonkeyPatch
) -> None:
    computed = []
    compute = availability._slots_by_day

    async def counting(space, rules, zone, first_day, days, now):  # type: ignore[no-untyped-def]
        computed.append((first_day, days))
        return await compute(space, rules, zone, first_day, days, now)

    monkeypatch.setattr(availability, "_slots_by_day", counting)
    await browser.get("/spaces/music-room?day=2026-03-04")
    await browser.get("/spaces/music-room?day=2026-03-06")
    await browser.get("/spaces/music-room?view=week")
    assert computed == [(date(2026, 3, 2), 7)]


def week_nav_of(html: str) -> str:
    return re.search(r'<nav class="week-nav".*?</nav>', html, re.S).group(0)


async def test_the_week_at_either_end_of_the_window_links_no_week_outside_it(
    browser: Browser, music_room
) -> None:
    """The week's Previous and Next pointed a week past the window (a 400 page), and the
    day view's week link at its first day asked for a week starting before it."""
    browser.set_language("en")
    last = await browser.get("/spaces/music-room?view=week&from=2027-02-27")
    assert last.status_code == 200
    nav = week_nav_of(last.text)
    assert text_of(nav) == "‹ Previous 7 days From today"
    assert 'href="/spaces/music-room?view=week&amp;from=2027-02-20"' in nav
    first = await browser.get("/spaces/music-room?view=week&from=2025-03-01")
    assert first.status_code == 200
    nav = week_nav_of(first.text)
    assert text_of(nav) == "From today Next 7 days ›"
    assert 'href="/spaces/music-room?view=week&amp;from=2025-03-08"' in nav
    near_first = await browser.get("/spaces/music-room?view=week&from=2025-03-04")
    assert 'href="/spaces/music-room?view=week&amp;from=2025-03-01"' in week_nav_of(near_first.text)
    day = await browser.get("/spaces/music-room?day=2025-03-01")
    assert day.text.count('href="/spaces/music-room?view=week&amp;from=2025-03-01"') == 2
    assert "from=2025-02-24" not in day.text
    for response in (last, first, near_first, day):
        for link in re.findall(r'href="(/spaces/music-room\?view=week[^"]*)"', response.text):
            assert (await browser.get(link.replace("&amp;", "&"))).status_code == 200, link
