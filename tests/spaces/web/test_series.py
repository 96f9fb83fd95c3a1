"""The staff's pages of group series: plan, book, see and edit them, scoped to their
community."""

from __future__ import annotations

from datetime import date

import pytest

from spaces.services import series
from spaces.tables import Booking, BookingSeries
from tests.factories import (
    NOW,
    PASSWORD,
    make_community,
    make_user,
)
from tests.fixtures import Browser, text_of
from tests.spaces.services.test_series import elderly_band, series_world
from tests.spaces.web.test_form_tokens import token_of


async def test_series_pages_for_staff(browser: Browser) -> None:
    _home, _staff, _leader, _hall = await series_world()
    await browser.sign_in("staff@example.com", PASSWORD)
    form = {
        "resident": "138 1234 5678",
        "group_name": "老年合唱团",
        "weekdays": ["tue", "thu"],
        "start_time": "09:00",
        "end_time": "11:00",
        "starts_on": "2026-03-03",
        "count": "4",
    }
    preview = await browser.submit("/staff/spaces/hall/series/preview", form)
    assert preview.status_code == 200
    assert "3月3日" in preview.text and "3月12日" in preview.text
    confirmed = {**form, "form_token": token_of(preview.text)}
    response = await browser.submit("/staff/spaces/hall/series", confirmed)
    assert response.status_code == 303
    made = await BookingSeries.objects().first()
    assert response.headers["location"] == f"/staff/spaces/hall/series/{made.id}"
    again = await browser.submit("/staff/spaces/hall/series", confirmed)  # a double click
    assert (again.status_code, again.headers["location"]) == (303, response.headers["location"])
    assert await BookingSeries.count() == 1
    page = await browser.get(f"/staff/spaces/hall/series/{made.id}")
    assert page.status_code == 200 and "老年合唱团" in page.text
    assert await Booking.count() == 4


async def test_series_pages_are_scoped_to_the_staff_community(browser: Browser) -> None:
    _home, staff, _leader, hall = await series_world()
    made, _b, _s = await series.create(staff, hall, elderly_band(), now=NOW)
    other = await make_community("caijiaxiang")
    await make_user("other@example.com", staff_of=[other])
    await browser.sign_in("other@example.com", PASSWORD)
    base = f"/staff/spaces/hall/series/{made.id}"
    first = await Booking.objects().where(Booking.occurrence_on == date(2026, 3, 3)).first()
    assert (await browser.get("/staff/spaces/hall/series")).status_code == 403
    assert (await browser.get(base)).status_code == 403
    for url, data in [
        ("/staff/spaces/hall/series/preview", {"weekdays": "tue"}),
        ("/staff/spaces/hall/series", {"weekdays": "tue"}),
        (f"{base}/edit/preview", {"scope": "all"}),
        (f"{base}/edit", {"scope": "all"}),
        (f"{base}/occurrences/{first.id}", {"on_date": "2026-03-04"}),
        (f"{base}/occurrences/{first.id}/cancel", {"reason": "x"}),
        (f"{base}/skips/2026-03-05/restore", {}),
        (f"{base}/end", {"reason": "x"}),
    ]:
        assert (await browser.submit(url, data)).status_code == 403, url
    assert await Booking.count() == 8
    assert await Booking.count().where(Booking.status == "cancelled") == 0
    assert await BookingSeries.count() == 1


async def test_a_group_series_shows_its_group_on_staff_pages(browser: Browser) -> None:
    _home, staff, _leader, hall = await series_world()
    await series.create(staff, hall, elderly_band(resident=""), now=NOW)
    await browser.sign_in("staff@example.com", PASSWORD)
    for url in ("/staff/spaces/hall", "/staff/spaces/hall/series", "/staff/spaces/timeline"):
        page = await browser.get(url)
        assert page.status_code == 200, url
    assert "团体：老年合唱团" in (await browser.get("/staff/spaces/hall")).text


@pytest.mark.parametrize("token", ["", "x" * 65, "a b", "<b>"])
async def test_a_plan_confirmed_without_a_good_token_is_shown_again_with_a_new_one(
    browser: Browser, token: str
) -> None:
    await series_world()
    await browser.sign_in("staff@example.com", PASSWORD)
    form = {
        "group_name": "老年合唱团",
        "weekdays": "tue",
        "start_time": "09:00",
        "end_time": "11:00",
        "starts_on": "2026-03-03",
        "count": "2",
        "form_token": token,
    }
    refused = await browser.submit("/staff/spaces/hall/series", form)
    assert refused.status_code == 400
    assert "无法核对这张表单，请检查填写的内容后再提交一次。" in text_of(refused.text)
    fresh = token_of(refused.text)
    assert len(fresh) == 22 and fresh != token
    assert await BookingSeries.count() == 0
    booked = await browser.submit("/staff/spaces/hall/series", {**form, "form_token": fresh})
    assert booked.status_code == 303
    assert await Booking.count() == 2


async def test_the_plan_counts_its_dates_in_words_of_the_right_number(browser: Browser) -> None:
    await series_world()
    await browser.sign_in("staff@example.com", PASSWORD)
    browser.set_language("en")
    form = {
        "group_name": "Band",
        "weekdays": "tue",
        "start_time": "09:00",
        "end_time": "11:00",
        "starts_on": "2026-03-03",
    }
    one = await browser.submit("/staff/spaces/hall/series/preview", {**form, "count": "1"})
    assert "1 date can be booked." in text_of(one.text)
    two = await browser.submit("/staff/spaces/hall/series/preview", {**form, "count": "2"})
    assert "2 dates can be booked." in text_of(two.text)
