"""Feedback where the eyes are: a refused booking comes back focused on its message, the
"outside opening hours" refusal names the hours with the next free times, and a quota
refusal offers no button that would fail again."""

import pytest

from spaces.tables import Booking
from tests.factories import PASSWORD, make_community, make_space, make_user
from tests.fixtures import Browser, text_of

# The browser fixture fixes the clock at Monday 2 March 2026, 09:00 in Shanghai.
START = "2026-03-02T10:00:00+08:00"
SUMMARY = '<div class="error-summary" id="form-errors" role="alert" tabindex="-1" autofocus>'


@pytest.fixture
async def music_room(db: None):
    home = await make_community(
        "caijiaxiang", name_zh="蔡家巷社区", name_en="Caijiaxiang Community"
    )
    return await make_space(
        home,
        "music-room",
        weekly_hours={"mon": "09:00-12:00", "tue": "09:00-12:00"},
        quota_day_count=1,
    )


async def signed_in(browser: Browser, community) -> None:
    await make_user("13812345678", community=community)
    await browser.sign_in("13812345678", PASSWORD)


async def test_a_first_render_has_no_summary_and_posts_without_a_fragment(
    browser: Browser, music_room
) -> None:
    await signed_in(browser, music_room.community)
    page = await browser.get("/spaces/music-room?start=2026-03-02T10%3A00%3A00%2B08%3A00")
    assert '<form method="post" action="/spaces/music-room/book">' in page.text
    assert "autofocus" not in page.text and "form-errors" not in page.text
    assert '<script src="/static/focus.js?v=' in page.text


async def test_a_refused_booking_focuses_its_message_and_posts_without_a_fragment(
    browser: Browser, music_room
) -> None:
    await signed_in(browser, music_room.community)
    response = await browser.submit(
        "/spaces/music-room/book",
        {"start": START, "duration_minutes": "600", "form_token": "d1"},
    )
    assert response.status_code == 422
    assert response.text.count("autofocus") == 1
    assert SUMMARY in response.text
    assert '<form method="post" action="/spaces/music-room/book">' in response.text


async def test_outside_opening_hours_names_the_hours_and_the_next_free_times(
    browser: Browser, music_room
) -> None:
    await signed_in(browser, music_room.community)
    browser.set_language("en")
    response = await browser.submit(
        "/spaces/music-room/book",
        {"start": "2026-03-02T11:00:00+08:00", "duration_minutes": "120", "form_token": "c1"},
    )
    assert response.status_code == 422
    assert SUMMARY in response.text
    text = text_of(response.text)
    assert "That day the space is open 09:00–12:00, not for the whole of this time." in text
    assert (
        "Free instead: Mon, Mar 2 10:00–12:00 Mon, Mar 2 09:30–11:30 Mon, Mar 2 09:00–11:00" in text
    )


async def test_a_start_outside_the_hours_shows_no_fields_without_a_button(
    browser: Browser, music_room
) -> None:
    await signed_in(browser, music_room.community)
    browser.set_language("en")
    response = await browser.submit(
        "/spaces/music-room/book",
        {"start": "2026-03-02T13:00:00+08:00", "duration_minutes": "60", "form_token": "c2"},
    )
    assert response.status_code == 422
    assert "That day the space is open 09:00–12:00, not for the whole of this time." in (
        text_of(response.text)
    )
    assert "No booking can start at this time." in response.text
    assert 'name="note"' not in response.text
    assert 'type="submit">Book now' not in response.text


async def test_a_quota_refusal_hides_the_button_that_would_fail_again(
    browser: Browser, music_room
) -> None:
    await signed_in(browser, music_room.community)
    browser.set_language("en")
    first = await browser.submit(
        "/spaces/music-room/book", {"start": START, "duration_minutes": "30", "form_token": "q1"}
    )
    assert first.status_code == 303
    response = await browser.submit(
        "/spaces/music-room/book",
        {"start": "2026-03-02T11:00:00+08:00", "duration_minutes": "30", "form_token": "q2"},
    )
    assert response.status_code == 422
    assert SUMMARY in response.text
    assert "Book now" not in response.text
    assert 'action="/spaces/music-room/book"' not in response.text
    assert '<p><a href="/bookings">My bookings</a></p>' in response.text
    assert await Booking.count() == 1


async def test_a_refused_sign_in_focuses_its_message(browser: Browser, db: None) -> None:
    browser.set_language("en")
    page = await browser.get("/account/signin")
    assert 'action="/account/signin"' in page.text and "autofocus" not in page.text
    response = await browser.submit(
        "/account/signin", {"login": "13800000000", "password": "wrong", "next": ""}
    )
    assert SUMMARY in response.text
    assert 'action="/account/signin"' in response.text
