"""The staff timeline: its query read strictly, and the day and week views of my spaces."""

from __future__ import annotations

import re
from datetime import date, datetime

import pytest

from app.accounts.sessions import load_actor
from app.errors import InputError
from spaces.logic.rules import Request
from spaces.services import bookings
from spaces.tables import Space, SpaceClosure
from spaces.web.staff.timeline import read_query
from tests.factories import NOW, PASSWORD, make_community, make_space, make_user, shanghai
from tests.fixtures import Browser, text_of


@pytest.mark.parametrize(
    ("view", "day", "field"),
    [
        ("month", "", "view"),
        ("day", "2026-3-5", "date"),
        ("day", "2026-02-30", "date"),
        ("day", "1999-12-31", "date"),
    ],
)
def test_query_is_read_strictly(view: str, day: str, field: str) -> None:
    with pytest.raises(InputError) as refused:
        read_query(view, day, date(2026, 3, 2))
    assert list(refused.value.by_field()) == [field]


def test_the_week_view_starts_on_monday() -> None:
    today = date(2026, 3, 2)
    assert read_query("week", "2026-03-05", today).first_day == date(2026, 3, 2)
    assert read_query("day", "", today).first_day == today


async def named_space(community, slug: str, name: str, **columns) -> Space:
    space = await make_space(community, slug, **columns)
    await Space.update({Space.name_zh: name, Space.name_en: ""}).where(Space.id == space.id)
    return space


async def book(user, slug: str, start: datetime, end: datetime, **kwargs):
    actor = await load_actor(user)
    return (await bookings.book(actor, slug, Request(start, end, **kwargs), now=NOW)).booking


async def staff_world(browser: Browser):
    """Two communities; the signed-in staff member serves 八一 only and reads English."""
    bayi = await make_community("bayi", name_zh="八一社区", name_en="Bayi Community")
    other = await make_community("caijiaxiang", name_zh="蔡家巷社区", name_en="")
    hall = await named_space(
        bayi, "hall", "党群活动室", weekly_hours={"mon": "09:00-12:00, 14:00-20:00"}
    )
    court = await named_space(bayi, "court", "门球场", requires_approval=True)
    await named_space(other, "music", "共享音乐室")
    resident = await make_user("13900000011", name="陈老师", community=bayi)
    neighbour = await make_user("13900000022", name="刘阿姨", community=other)
    await make_user("staff@example.com", staff_of=[bayi])
    await browser.sign_in("staff@example.com", PASSWORD)
    browser.set_language("en")
    return bayi, other, hall, court, resident, neighbour


async def test_day_view_places_bookings_requests_and_blocks(browser: Browser) -> None:
    _bayi, _other, hall, _court, resident, neighbour = await staff_world(browser)
    confirmed = await book(resident, "hall", shanghai(2, 10), shanghai(2, 11))
    request = await book(resident, "court", shanghai(2, 19), shanghai(2, 21))
    await book(neighbour, "music", shanghai(2, 10), shanghai(2, 11))
    await SpaceClosure(
        space=hall.id,
        starts_at=shanghai(2, 15),
        ends_at=shanghai(2, 16),
        reason="换灯管",
        units=1,
        created_at=NOW,
    ).save()
    page = await browser.get("/staff/spaces/timeline?view=day&date=2026-03-02")
    assert page.status_code == 200
    html = page.text
    # The hours run 08:00 (the court opens) to 22:00: 14 hours.
    assert '<text x="0.0%" dx="3" y="15">08:00</text>' in html
    assert '<text x="92.8571%" dx="3" y="15">21:00</text>' in html
    assert '<line class="tl-grid" x1="100.0%" x2="100.0%" y1="0" y2="100%"/>' in html
    assert (
        f'<a class="tl-link" href="/bookings/{confirmed.id}" '
        'aria-label="10:00–11:00, Confirmed, 陈老师">' in html
    )
    assert 'class="tl-item tl-kind-confirmed" x="14.2857%" y="2" width="7.1429%"' in html
    # The request is dashed by its class and says so in words.
    assert (
        f'<a class="tl-link" href="/bookings/{request.id}" '
        'aria-label="19:00–21:00, Waiting for approval, 陈老师">' in html
    )
    assert 'class="tl-item tl-kind-pending" x="78.5714%" y="2" width="14.2857%"' in html
    assert "Waiting for approval · 陈老师" in html
    # Staff see the name; the phone number only masked, in the tooltip.
    assert "139****0011" in html and "13900000011" not in html
    assert 'class="tl-item tl-kind-block" x="50.0%" y="2" width="7.1429%"' in html
    # The hall is closed 08:00-09:00, 12:00-14:00 and 20:00-22:00: shaded, in the legend.
    for left, width in [("0.0", "7.1429"), ("28.5714", "14.2857"), ("85.7143", "14.2857")]:
        assert (
            f'<rect x="{left}%" y="0" width="{width}%" height="100%" fill="url(#tl-hatch)"/>'
            in html
        )
    assert "Hatched: outside opening hours" in html
    # Another community's space and resident never appear.
    assert "共享音乐室" not in html and "刘阿姨" not in html


async def test_week_view_lists_each_day(browser: Browser) -> None:
    _bayi, _other, _hall, _court, resident, _neighbour = await staff_world(browser)
    await book(resident, "hall", shanghai(2, 10), shanghai(2, 11))
    await book(resident, "court", shanghai(4, 19), shanghai(4, 21))
    page = await browser.get("/staff/spaces/timeline?view=week&date=2026-03-04")
    assert page.status_code == 200
    text = text_of(page.text)
    assert "Mon, Mar 2 – Sun, Mar 8" in text
    # The hall opens on Mondays only: the other six days say why they are closed.
    assert text.count("No opening hours on this weekday") == 6
    assert "党群活动室 Bayi Community 10:00–11:00 Confirmed 陈老师" in text
    assert "Wed, Mar 4" in text and "19:00–21:00 Waiting for approval 陈老师" in text
    assert "共享音乐室" not in text
    assert 'href="/staff/spaces/timeline?view=week&amp;date=2026-02-25"' in page.text
    assert 'href="/staff/spaces/timeline?view=day&amp;date=2026-03-04"' in page.text


async def test_another_community_cannot_be_chosen(browser: Browser) -> None:
    await staff_world(browser)
    mine = await browser.get("/staff/spaces/timeline?community=bayi")
    assert mine.status_code == 200 and "门球场" in mine.text
    assert (await browser.get("/staff/spaces/timeline?community=caijiaxiang")).status_code == 403
    assert (await browser.get("/staff/spaces/timeline?community=nowhere")).status_code == 404
    # The filter offers only my communities.
    assert '<option value="caijiaxiang">' not in mine.text


async def test_bad_date_or_view_is_explained(browser: Browser) -> None:
    await staff_world(browser)
    bad_date = await browser.get("/staff/spaces/timeline?date=2026-13-01")
    assert bad_date.status_code == 400
    assert "Enter a date like 2026-03-02." in bad_date.text
    assert 'value="2026-13-01"' in bad_date.text  # what was typed stays
    bad_view = await browser.get("/staff/spaces/timeline?view=month")
    assert bad_view.status_code == 400
    assert "Choose the day view or the week view." in bad_view.text


async def test_admin_sees_every_community(browser: Browser) -> None:
    await named_space(await make_community("bayi"), "hall", "党群活动室")
    await named_space(await make_community("caijiaxiang"), "music", "共享音乐室")
    await make_user("admin@example.com", is_admin=True)
    await browser.sign_in("admin@example.com", PASSWORD)
    text = text_of((await browser.get("/staff/spaces/timeline")).text)
    assert re.search("党群活动室.*共享音乐室", text)


async def test_residents_cannot_open_the_timeline(browser: Browser) -> None:
    home = await make_community("bayi")
    await make_user("13812345678", community=home)
    await browser.sign_in("13812345678", PASSWORD)
    assert (await browser.get("/staff/spaces/timeline")).status_code == 403
