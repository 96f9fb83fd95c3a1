"""The staff dashboard (`/staff`): each domain's panels, scoped to the staff member's
communities. English is used so that the expected text does not depend on the catalog."""

from datetime import datetime

import pytest

from app.accounts.sessions import load_actor
from app.asgi import install_domains
from app.domains import Panel, dashboard_panels
from app.i18n import set_locale
from app.tables import Community, User
from spaces.logic.rules import Request
from spaces.services import bookings
from spaces.services import dashboard as spaces_dashboard
from spaces.tables import Space, SpaceClosure, SpaceSpecialHours
from tests.factories import (
    NOW,
    PASSWORD,
    actor_for,
    make_community,
    make_space,
    make_station,
    make_user,
    shanghai,
)
from tests.fixtures import Browser, text_of

TUESDAY_TO_SUNDAY = {day: "08:00-22:00" for day in ("tue", "wed", "thu", "fri", "sat", "sun")}


async def named_space(community: Community, slug: str, name: str, **columns) -> Space:
    space = await make_space(community, slug, **columns)
    await Space.update({Space.name_zh: name, Space.name_en: ""}).where(Space.id == space.id)
    return space


async def book(user: User, slug: str, start: datetime, end: datetime, *, at: datetime = NOW):
    actor = await load_actor(user)
    return (await bookings.book(actor, slug, Request(start, end), now=at)).booking


async def closure(space: Space, start: datetime, end: datetime, reason: str, units=None):
    await SpaceClosure(
        space=space.id, starts_at=start, ends_at=end, reason=reason, units=units, created_at=NOW
    ).save()


@pytest.fixture
async def district(db: None) -> dict[str, object]:
    """八一 (the staff member's) with six spaces and a busy Monday; 蔡家巷 next door."""
    bayi = await make_community("bayi", name_zh="八一社区", name_en="Bayi Community")
    other = await make_community("caijiaxiang", name_zh="蔡家巷社区", name_en="")
    hall = await named_space(bayi, "hall", "党群活动室")
    court = await named_space(bayi, "court", "门球场", requires_approval=True)
    corner = await named_space(bayi, "corner", "漫时光驿站")
    await named_space(bayi, "studio", "书画室", weekly_hours=TUESDAY_TO_SUNDAY)
    yard = await named_space(bayi, "yard", "小院")
    music = await named_space(other, "music", "共享音乐室", requires_approval=True)
    chen = await make_user("13900000011", name="陈老师", community=bayi)
    zhang = await make_user("13900000022", name="张大爷", community=bayi)
    liu = await make_user("13900000033", name="刘阿姨", community=other)
    the_day_before = shanghai(1, 9)
    # Today's bookings and requests, booked in another order than they happen.
    late = await book(chen, "hall", shanghai(2, 14), shanghai(2, 15))
    early = await book(zhang, "hall", shanghai(2, 8), shanghai(2, 8, 30), at=the_day_before)
    morning = await book(zhang, "hall", shanghai(2, 9, 30), shanghai(2, 10, 30))
    asked_today = await book(chen, "court", shanghai(2, 10), shanghai(2, 11))
    # Requests for later days, asked before today's; and one that expired at 08:00.
    asked_first = await book(zhang, "court", shanghai(4, 19), shanghai(4, 20), at=shanghai(1, 18))
    asked_second = await book(chen, "court", shanghai(3, 19), shanghai(3, 20), at=shanghai(1, 20))
    await book(chen, "court", shanghai(2, 8), shanghai(2, 9), at=shanghai(1, 19))
    # Next door: never shown to 八一's staff.
    await book(liu, "music", shanghai(2, 10), shanghai(2, 11), at=the_day_before)
    await closure(music, shanghai(2, 0), shanghai(3, 0), "别处")
    # Closed today, each for its own reason; blocks today and tomorrow.
    await closure(corner, shanghai(1, 18), shanghai(3, 9), "装修")
    await closure(court, shanghai(2, 12), shanghai(2, 13), "午休")
    await SpaceSpecialHours(space=yard.id, on_date=NOW.date(), hours="", note="社区活动").save()
    await closure(hall, shanghai(2, 15), shanghai(2, 16), "换灯管", units=1)
    await closure(hall, shanghai(3, 15), shanghai(3, 16), "明天的维护", units=1)
    await closure(music, shanghai(2, 15), shanghai(2, 16), "别处的维护", units=1)
    staff = await make_user("staff@example.com", staff_of=[bayi])
    return {
        "staff": staff,
        "bookings": [early, morning, asked_today, late],
        "requests": [asked_first, asked_second, asked_today],
    }


async def spaces_panel(user: User, now: datetime = NOW) -> Panel:
    set_locale("en")
    (panel,) = await spaces_dashboard.dashboard(await actor_for(user), now)
    return panel


async def test_todays_bookings_in_order_of_start(district) -> None:
    panel = await spaces_panel(district["staff"])
    assert [
        (e.booking.id, e.space.slug, e.when, e.status, e.who, e.contact)
        for e in panel.context["bookings"]
    ] == [
        (district["bookings"][0].id, "hall", "08:00–08:30", "Completed", "张大爷", "139****0022"),
        (district["bookings"][1].id, "hall", "09:30–10:30", "Confirmed", "张大爷", "139****0022"),
        (
            district["bookings"][2].id,
            "court",
            "10:00–11:00",
            "Waiting for approval",
            "陈老师",
            "139****0011",
        ),
        (district["bookings"][3].id, "hall", "14:00–15:00", "Confirmed", "陈老师", "139****0011"),
    ]


async def test_requests_to_decide_oldest_first(district) -> None:
    panel = await spaces_panel(district["staff"])
    assert [(e.booking.id, e.when) for e in panel.context["pending"]] == [
        (district["requests"][0].id, "Wed, Mar 4 19:00–20:00"),
        (district["requests"][1].id, "Tue, Mar 3 19:00–20:00"),
        (district["requests"][2].id, "Mon, Mar 2 10:00–11:00"),
    ]
    assert (panel.count, panel.count_label) == (3, "To decide: %(n)s")


async def test_spaces_closed_today_say_why(district) -> None:
    panel = await spaces_panel(district["staff"])
    assert [
        (day.space.slug, reasons, all_day) for day, reasons, all_day in panel.context["closed"]
    ] == [
        ("corner", ["Closure: all day, 装修"], True),
        ("court", ["Closure: 12:00–13:00, 午休"], False),
        ("studio", ["No opening hours on this weekday"], True),
        ("yard", ["Dated hours close it: 社区活动"], True),
    ]
    assert [(e.space.slug, e.when, e.status, e.detail) for e in panel.context["blocks"]] == [
        ("hall", "15:00–16:00", "Maintenance, out of use: 1", "换灯管"),
    ]


async def test_a_space_closed_on_public_holidays(db: None) -> None:
    bayi = await make_community("bayi")
    await named_space(bayi, "garden", "花园", closed_on_holidays=True)
    await named_space(bayi, "hall", "党群活动室")
    panel = await spaces_panel(await make_user(staff_of=[bayi]), now=shanghai(5, 9, month=4))
    assert [(day.space.slug, reasons) for day, reasons, _ in panel.context["closed"]] == [
        ("garden", ["Closed on public holidays: Qingming Festival"]),
    ]


async def test_administrators_see_every_community(district) -> None:
    panel = await spaces_panel(await make_user(is_admin=True))
    assert [e.space.slug for e in panel.context["bookings"]] == [
        "hall",
        "hall",
        "court",
        "music",
        "hall",
    ]
    assert [e.space.slug for e in panel.context["blocks"]] == ["hall", "music"]
    assert len(panel.context["pending"]) == 4


async def test_panels_come_from_every_installed_domain_in_order(district) -> None:
    install_domains()
    panels = await dashboard_panels(await actor_for(district["staff"]), NOW)
    assert [(p.title, p.template) for p in panels] == [
        ("Spaces today", "spaces/staff/_dashboard.html"),
        ("Rest stations today", "stations/staff/_dashboard.html"),
        ("Community needs", "needs/staff/_dashboard.html"),
        ("Waiting for a follow-up", "needs/staff/_followups.html"),
    ]


async def test_the_dashboard_page(browser: Browser, district) -> None:
    await make_station(await Community.objects().where(Community.slug == "bayi").first(), "st")
    await browser.sign_in("staff@example.com", PASSWORD)
    browser.set_language("en")
    page = await browser.get("/staff")
    assert page.status_code == 200
    text = text_of(page.text)
    assert "Today, Mon, Mar 2, 2026" in text
    assert (
        "Spaces today To decide: 3 Today's timeline of all my spaces Bookings today "
        "08:00–08:30 党群活动室 Completed 张大爷 139****0022 "
        "09:30–10:30 党群活动室 Confirmed 张大爷 139****0022 "
        "10:00–11:00 门球场 Waiting for approval 陈老师 139****0011 "
        "14:00–15:00 党群活动室 Confirmed 陈老师 139****0011 "
        "Requests to decide Oldest first. Decide on the requests page "
        "门球场: Wed, Mar 4 19:00–20:00 张大爷 139****0022"
    ) in text
    assert ("Rest stations today Open reports: 0 Open problem reports No open reports.") in text
    assert "My communities Bayi Community" in text  # the communities stay on the page
    assert "共享音乐室" not in text and "刘阿姨" not in text and "别处" not in text
    first = district["bookings"][0]
    assert f'href="/bookings/{first.id}"' in page.text
    assert 'href="/staff/spaces/timeline"' in page.text
    # The staff of the space's community may open the booking the dashboard links to.
    assert (await browser.get(f"/bookings/{first.id}")).status_code == 200


async def test_staff_without_spaces_or_stations_are_told(browser: Browser) -> None:
    await make_user("staff@example.com", staff_of=[await make_community("empty")])
    await browser.sign_in("staff@example.com", PASSWORD)
    browser.set_language("en")
    text = text_of((await browser.get("/staff")).text)
    assert "Spaces today To decide: 0 Your communities have no spaces yet." in text
    assert "Rest stations today Open reports: 0 Your communities have no stations yet." in text
