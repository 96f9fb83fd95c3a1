"""Double-submit protection of the booking forms: every render carries a new form token, a
re-render after an error too, and a repeated token returns the booking it made."""

import re

import pytest

from spaces.tables import Booking
from tests.factories import PASSWORD, make_community, make_space, make_user
from tests.fixtures import Browser, text_of

START = "2026-03-02T10:00:00+08:00"
START_QUERY = "start=2026-03-02T10%3A00%3A00%2B08%3A00"


def token_of(html: str) -> str:
    (token,) = re.findall(r'name="form_token" value="([^"]+)"', html)
    return token


async def test_resident_form_gets_a_new_token_on_every_render(browser: Browser, db: None) -> None:
    home = await make_community("caijiaxiang")
    await make_space(home, "music-room", weekly_hours={"mon": "09:00-12:00"}, max_party_size=12)
    await make_user("13812345678", community=home)
    await browser.sign_in("13812345678", PASSWORD)
    first = token_of((await browser.get(f"/spaces/music-room?{START_QUERY}")).text)
    second = token_of((await browser.get(f"/spaces/music-room?{START_QUERY}")).text)
    fields = {"start": START, "duration_minutes": "60", "party_size": "20", "form_token": second}
    refused = await browser.submit("/spaces/music-room/book", fields)
    assert refused.status_code == 422
    rerendered = token_of(refused.text)
    assert len({first, second, rerendered}) == 3
    fields = {**fields, "party_size": "8", "form_token": rerendered}
    booked = await browser.submit("/spaces/music-room/book", fields)
    again = await browser.submit("/spaces/music-room/book", fields)  # a double click
    assert (booked.status_code, again.status_code) == (303, 303)
    assert again.headers["location"] == booked.headers["location"]
    assert await Booking.count() == 1


async def test_counter_form_gets_a_new_token_on_every_render(browser: Browser, db: None) -> None:
    home = await make_community("bayi")
    await make_space(home, "hall")
    await make_user("staff@example.com", staff_of=[home])
    await make_user("13900000011", name="李大爷", community=home)
    await browser.sign_in("staff@example.com", PASSWORD)
    first = token_of((await browser.get("/staff/spaces/hall/book-for")).text)
    fields = {
        "resident": "13900000099",
        "on_date": "2026-03-03",
        "start_time": "10:00",
        "end_time": "11:00",
        "form_token": first,
    }
    refused = await browser.submit("/staff/spaces/hall/book-for", fields)
    assert refused.status_code == 400
    rerendered = token_of(refused.text)
    assert rerendered != first
    fields = {**fields, "resident": "13900000011", "form_token": rerendered}
    booked = await browser.submit("/staff/spaces/hall/book-for", fields)
    again = await browser.submit("/staff/spaces/hall/book-for", fields)
    assert (booked.status_code, again.status_code) == (303, 303)
    assert again.headers["location"] == booked.headers["location"]
    assert await Booking.count() == 1


@pytest.mark.parametrize("token", ["", "x" * 65, "a b", "票"])
async def test_resident_form_without_a_good_token_is_shown_again_with_a_new_one(
    browser: Browser, db: None, token: str
) -> None:
    home = await make_community("caijiaxiang")
    await make_space(home, "music-room", weekly_hours={"mon": "09:00-12:00"})
    await make_user("13812345678", community=home)
    await browser.sign_in("13812345678", PASSWORD)
    fields = {"start": START, "duration_minutes": "60", "form_token": token}
    refused = await browser.submit("/spaces/music-room/book", fields)
    assert refused.status_code == 400
    assert "无法核对这张表单，请检查填写的内容后再提交一次。" in text_of(refused.text)
    fresh = token_of(refused.text)
    assert len(fresh) == 22 and fresh != token
    assert await Booking.count() == 0
    booked = await browser.submit("/spaces/music-room/book", {**fields, "form_token": fresh})
    assert booked.status_code == 303
    assert await Booking.count() == 1


async def test_counter_form_without_a_token_is_shown_again_with_a_new_one(
    browser: Browser, db: None
) -> None:
    home = await make_community("bayi")
    await make_space(home, "hall")
    await make_user("staff@example.com", staff_of=[home])
    await make_user("13900000011", community=home)
    await browser.sign_in("staff@example.com", PASSWORD)
    fields = {
        "resident": "13900000011",
        "on_date": "2026-03-03",
        "start_time": "10:00",
        "end_time": "11:00",
    }
    refused = await browser.submit("/staff/spaces/hall/book-for", fields)
    assert refused.status_code == 400
    assert "无法核对这张表单，请检查填写的内容后再提交一次。" in text_of(refused.text)
    assert len(token_of(refused.text)) == 22
    assert await Booking.count() == 0
