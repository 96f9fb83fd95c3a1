"""The resident pages: the list, the week grid (and its htmx fragment), booking and being
refused with alternatives, cancelling and rating, and what staff pages refuse residents."""

import re

import pytest

from spaces.tables import Booking
from tests.factories import PASSWORD, make_community, make_space, make_user
from tests.fixtures import Browser, text_of

# The browser fixture fixes the clock at Monday 2 March 2026, 09:00 in Shanghai.
START = "2026-03-02T10:00:00+08:00"
START_QUERY = "start=2026-03-02T10%3A00%3A00%2B08%3A00"


@pytest.fixture
async def music_room(db: None):
    home = await make_community(
        "caijiaxiang", name_zh="蔡家巷社区", name_en="Caijiaxiang Community"
    )
    return await make_space(
        home,
        "music-room",
        weekly_hours={"mon": "09:00-12:00", "tue": "09:00-12:00"},
        max_party_size=12,
    )


async def signed_in(browser: Browser, community, login: str = "13812345678", **kwargs) -> None:
    await make_user(login, community=community, **kwargs)
    await browser.sign_in(login, PASSWORD)


async def test_space_list_filters_by_kind(browser: Browser, music_room) -> None:
    await make_space(music_room.community, "court", kind="court")
    browser.set_language("en")
    everything = text_of((await browser.get("/spaces")).text)
    assert "Shared music room" in everything and everything.count("Shared music room") == 2
    courts = await browser.get("/spaces?kind=court")
    assert courts.text.count('href="/spaces/court"') == 1
    assert 'href="/spaces/music-room"' not in courts.text


async def test_week_shows_free_and_booked_without_names(browser: Browser, music_room) -> None:
    other = await make_user("13900000099", name="张大爷", community=music_room.community)
    from app.accounts.sessions import load_actor
    from spaces.logic.rules import Request
    from spaces.services import bookings
    from tests.factories import NOW, shanghai

    await bookings.book(
        await load_actor(other), "music-room", Request(shanghai(2, 10), shanghai(2, 11)), now=NOW
    )
    page = await browser.get("/spaces/music-room")
    assert page.status_code == 200
    assert "张大爷" not in page.text
    text = text_of(page.text)
    assert "09:00 可预约 09:30 可预约 10:00 已约满 10:30 已约满 11:00 可预约" in text
    assert 'aria-label="3月2日周一 09:00, 可预约"' in page.text


async def test_htmx_gets_only_the_week(browser: Browser, music_room) -> None:
    week = "/spaces/music-room?view=week&from=2026-03-09"
    fragment = await browser.get(week, headers={"HX-Request": "true"})
    assert fragment.text.lstrip().startswith('<div id="times" class="times times-week"')
    assert "<html" not in fragment.text
    assert fragment.headers["vary"] == "HX-Request,Accept-Encoding"
    whole = await browser.get(week)
    assert whole.headers["vary"] == "HX-Request,Accept-Encoding"
    assert fragment.text.strip() in whole.text
    restored = await browser.get(
        week, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}
    )
    assert "<html" in restored.text


async def test_book_through_the_form_and_see_it_in_my_bookings(
    browser: Browser, music_room
) -> None:
    await signed_in(browser, music_room.community)
    form = await browser.get(f"/spaces/music-room?{START_QUERY}")
    token = re.search(r'name="form_token" value="([^"]+)"', form.text).group(1)
    fields = {
        "start": START,
        "duration_minutes": "60",
        "party_size": "8",
        "note": "乐队排练",
        "form_token": token,
    }
    response = await browser.submit("/spaces/music-room/book", fields)
    assert response.status_code == 303
    again = await browser.submit("/spaces/music-room/book", fields)  # a double click
    assert again.headers["location"] == response.headers["location"]
    assert await Booking.count() == 1
    detail = await browser.get(response.headers["location"])
    assert "预约成功" in detail.text and "已确认" in detail.text
    mine = text_of((await browser.get("/bookings")).text)
    assert "共享音乐室 已确认 3月2日周一 10:00–11:00" in mine


async def test_refused_booking_rerenders_with_the_rule_and_alternatives(
    browser: Browser, music_room
) -> None:
    await signed_in(browser, music_room.community)
    browser.set_language("en")
    response = await browser.submit(
        "/spaces/music-room/book",
        {"start": START, "duration_minutes": "180", "party_size": "20", "form_token": "t1"},
    )
    assert response.status_code == 422
    assert "At most 12 people may use this space at once." in response.text
    assert 'value="20"' in response.text, text_of(response.text)
    assert await Booking.count() == 0


async def test_taken_slot_offers_alternatives(browser: Browser, music_room) -> None:
    await signed_in(browser, music_room.community)
    await browser.submit(
        "/spaces/music-room/book", {"start": START, "duration_minutes": "60", "form_token": "a"}
    )
    response = await browser.submit(
        "/spaces/music-room/book", {"start": START, "duration_minutes": "60", "form_token": "b"}
    )
    assert response.status_code == 409
    text = text_of(response.text)
    assert "刚刚有人预约了这个时间" in text
    assert "3月2日周一 09:00–10:00" in text and "3月2日周一 11:00–12:00" in text
    # The refusal offers the waitlist; the form below does not tell it a second time.
    assert "这个时间已经有人预约了" not in text


async def test_anonymous_visitors_are_asked_to_sign_in_to_book(
    browser: Browser, music_room
) -> None:
    page = await browser.get(f"/spaces/music-room?{START_QUERY}")
    assert "请登录后预约。" in page.text
    response = await browser.submit(
        "/spaces/music-room/book", {"start": START, "duration_minutes": "60"}
    )
    assert response.headers["location"].startswith("/account/signin?next=")


async def test_cancel_and_rate_from_the_booking_page(
    browser: Browser, music_room, frozen_clock
) -> None:
    from tests.factories import shanghai

    await signed_in(browser, music_room.community)
    booked = await browser.submit(
        "/spaces/music-room/book", {"start": START, "duration_minutes": "60", "form_token": "x"}
    )
    url = booked.headers["location"]
    frozen_clock[0] = shanghai(2, 11)
    page = await browser.get(url)
    assert "评价" in page.text and "已完成" in page.text
    rated = await browser.submit(url + "/rate", {"rating": "5", "comment": "很好"})
    assert rated.status_code == 303
    assert (await Booking.objects().first()).rating == 5


async def test_staff_approve_requests_and_see_names(browser: Browser) -> None:
    home = await make_community("bayi")
    await make_space(home, "hall", requires_approval=True)
    resident = await make_user("13900000011", name="陈老师", community=home)
    from app.accounts.sessions import load_actor
    from spaces.logic.rules import Request
    from spaces.services import bookings
    from tests.factories import NOW, shanghai

    request = (
        await bookings.book(
            await load_actor(resident),
            "hall",
            Request(shanghai(3, 19), shanghai(3, 21)),
            now=NOW,
            note="居民议事会",
        )
    ).booking
    await signed_in(browser, home, "staff@example.com", staff_of=[home])
    page = await browser.get("/staff/spaces/requests")
    assert "陈老师" in page.text and "居民议事会" in page.text
    approved = await browser.submit(f"/staff/spaces/requests/{request.id}/approve")
    assert approved.status_code == 303
    assert (await Booking.objects().first()).status == "confirmed"
    bookings_page = await browser.get("/staff/spaces/hall")
    assert "陈老师" in bookings_page.text and "139****0011" in bookings_page.text


async def test_residents_cannot_open_staff_space_pages(browser: Browser, music_room) -> None:
    await signed_in(browser, music_room.community)
    assert (await browser.get("/staff/spaces/requests")).status_code == 403
    assert (await browser.get("/staff/spaces/music-room")).status_code == 403
