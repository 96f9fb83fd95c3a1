import uuid
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from app import reports as app_reports
from app.calendar import Interval
from app.errors import Forbidden, InputError
from app.i18n import set_locale, translations
from app.reports import Period
from app.tables import PublicHoliday
from spaces.logic import report_figures
from spaces.logic.report_figures import BookingFacts, Span
from spaces.services import reports
from spaces.tables import Booking, SpaceClosure, SpaceSpecialHours
from tests.factories import PASSWORD, actor_for, make_community, make_space, make_user, shanghai
from tests.fixtures import Browser, text_of

# The week of Monday 9 to Sunday 15 March 2026; "now" is Friday 13 March, 09:30 in Shanghai.
WEEK = Period(date(2026, 3, 9), date(2026, 3, 15))
NOW = shanghai(13, 9, 30).astimezone(UTC)
QUERY = "from=2026-03-09&to=2026-03-15"


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return shanghai(day, hour, minute).astimezone(UTC)


# --- pure ----------------------------------------------------------------------------------


def test_read_period_defaults_to_the_last_full_month() -> None:
    assert app_reports.read_period("", "", date(2026, 3, 2)) == Period(
        date(2026, 2, 1), date(2026, 2, 28)
    )
    assert app_reports.read_period("", "", date(2026, 1, 31)) == Period(
        date(2025, 12, 1), date(2025, 12, 31)
    )
    assert app_reports.read_period("2026-03-09", "2026-03-15", date(2026, 3, 2)) == WEEK


@pytest.mark.parametrize(
    ("first", "last", "field", "message"),
    [
        ("2026-03-15", "2026-03-09", "to", "The end date must not be before the start date."),
        ("2025-01-01", "2026-01-02", "to", "Choose at most 366 days."),
        ("2026-02-30", "2026-03-09", "from", "Enter a date like 2026-03-02."),
        ("yesterday", "2026-03-09", "from", "Enter a date like 2026-03-02."),
        ("1999-12-31", "2000-01-01", "from", "Choose a date from 2000-01-01 to 2099-12-31."),
    ],
)
def test_read_period_refuses_bad_dates(first: str, last: str, field: str, message: str) -> None:
    set_locale("en")
    with pytest.raises(InputError) as refused:
        app_reports.read_period(first, last, date(2026, 3, 2))
    assert refused.value.by_field() == {field: message}


def test_a_whole_leap_year_is_allowed() -> None:
    assert app_reports.read_period("2028-01-01", "2028-12-31", date(2026, 3, 2)).days == 366


def test_unit_time_caps_blocks_at_capacity_and_use_at_what_is_open() -> None:
    opened = [Interval(at(9, 9), at(9, 12))]
    # 09:00-10:00 two blocks of 2 units on a capacity-3 space: 3 blocked, not 4, so 0 open;
    # 10:00-11:00: 1 blocked, 2 open, 3 booked but only 2 can be used;
    # 11:00-12:00: 3 open, 1 used; the part of the booking after 12:00 is outside.
    blocks = [Span(at(9, 9), at(9, 10), 2), Span(at(9, 8), at(9, 11), 1)]
    uses = [Span(at(9, 10), at(9, 11), 3), Span(at(9, 11), at(9, 13), 1)]
    open_time, used_time = report_figures.unit_time(opened, 3, blocks, uses)
    # open: 0*60 + 2*60 + 3*60 = 300 unit-minutes; used: 0 + 2*60 + 1*60 = 180.
    assert (open_time, used_time) == (timedelta(minutes=300), timedelta(minutes=180))


def test_space_figures_count_by_status_seen_now() -> None:
    window = WEEK.window(ZoneInfo("Asia/Shanghai"))
    opened = [Interval(at(9, 9), at(9, 12))]
    bookings = [
        BookingFacts(at(9, 9), at(9, 10), 1, "confirmed", 5),  # ended: completed, held
        BookingFacts(at(13, 10), at(13, 11), 1, "pending"),  # still to decide
        BookingFacts(at(9, 10), at(9, 11), 1, "pending"),  # undecided before start: cancelled
        BookingFacts(at(9, 11), at(9, 12), 2, "no_show"),
        BookingFacts(at(8, 9), at(9, 10), 1, "confirmed", 1),  # starts before the period
    ]
    figures = report_figures.space_figures(opened, 2, [], bookings, window, NOW)
    assert (figures.total, figures.held, figures.pending, figures.cancelled) == (4, 1, 1, 1)
    assert (figures.no_shows, figures.rejected, figures.ratings, figures.rating_sum) == (1, 0, 1, 5)
    # Open 3 h x 2 units = 360; used 09:00-10:00 by two bookings of 1 unit = 120.
    assert (figures.open_unit_minutes, figures.used_unit_minutes) == (360, 120)
    assert app_reports.format_percent(figures.utilisation) == "33.3%"


def test_no_open_time_gives_no_utilisation() -> None:
    figures = report_figures.combined([])
    assert figures.utilisation is None and figures.average_rating is None
    assert app_reports.format_percent(figures.utilisation) == "—"
    assert app_reports.format_decimal(figures.average_rating, "") == ""


# --- with the database ---------------------------------------------------------------------


async def add_booking(space, start, end, status, *, units=1, rating=None) -> None:
    await Booking.insert(
        Booking(
            id=uuid.uuid4(),
            space=space.id,
            starts_at=start,
            ends_at=end,
            units=units,
            status=status,
            rating=rating,
            created_at=at(2, 9),
            updated_at=at(2, 9),
        )
    )


@pytest.fixture
async def music_room(db: None):
    """A capacity-2 room open Monday to Friday 09:00-12:00, closed on public holidays, with
    a week of bookings and exceptions (all figures below are for `WEEK` and `NOW`)."""
    home = await make_community("caijiaxiang", name_en="Caijiaxiang Community")
    room = await make_space(
        home,
        "music-room",
        capacity=2,
        weekly_hours=dict.fromkeys(("mon", "tue", "wed", "thu", "fri"), "09:00-12:00"),
        closed_on_holidays=True,
    )
    await PublicHoliday.insert(
        PublicHoliday(on_date=date(2026, 3, 11), name_zh="测试假日", name_en="Test holiday")
    )
    await SpaceSpecialHours.insert(
        SpaceSpecialHours(space=room.id, on_date=date(2026, 3, 13), hours="09:00-11:00")
    )
    await SpaceClosure.insert(
        # Closed from Thursday 10:30 for the afternoon.
        SpaceClosure(space=room.id, starts_at=at(12, 10, 30), ends_at=at(12, 14), created_at=NOW),
        # One unit under repair on Tuesday 08:00-10:00.
        SpaceClosure(
            space=room.id, starts_at=at(10, 8), ends_at=at(10, 10), units=1, created_at=NOW
        ),
    )
    # Before the period (Sunday 8 March 20:00) into Monday 09:30: used, not counted.
    await add_booking(room, at(8, 20), at(9, 9, 30), "confirmed", rating=1)
    await add_booking(room, at(9, 8), at(9, 10), "confirmed", rating=5)
    await add_booking(room, at(9, 11), at(9, 13), "completed", units=2, rating=4)
    await add_booking(room, at(10, 9), at(10, 11), "confirmed")
    await add_booking(room, at(10, 11), at(10, 12), "no_show")
    await add_booking(room, at(13, 9), at(13, 10), "cancelled", units=2)
    await add_booking(room, at(12, 9), at(12, 10), "rejected")
    await add_booking(room, at(13, 10), at(13, 11), "pending")
    await add_booking(room, at(9, 10), at(9, 11), "pending")
    await add_booking(room, at(12, 10), at(12, 12), "confirmed", rating=4)
    await add_booking(room, at(15, 10), at(15, 11), "confirmed")
    return room


async def test_space_report_hand_computed_week(db: None, music_room) -> None:
    staff = await actor_for(await make_user(staff_of=[music_room.community]))
    report = await reports.space_report(staff, WEEK, now=NOW)
    [row] = report.rows
    figures = row.figures
    # Open, in unit-minutes (capacity 2):
    #   Mon 09:00-12:00          180 min x 2 = 360
    #   Tue 09:00-12:00          180 x 2 - 60 (1 unit blocked 09:00-10:00) = 300
    #   Wed public holiday       0
    #   Thu 09:00-10:30 (closed) 90 x 2 = 180
    #   Fri special 09:00-11:00  120 x 2 = 240
    #   Sat, Sun closed          0
    #   total 360 + 300 + 180 + 240 = 1080
    assert figures.open_unit_minutes == 1080
    # Used: Sun-Mon booking 09:00-09:30 x1 = 30; Mon 08:00-10:00 inside 09:00-10:00 x1 = 60;
    # Mon 11:00-13:00 inside 11:00-12:00 x2 = 120; Tue 09:00-11:00 x1 = 120 (beside the
    # block); Thu 10:00-12:00 until the closure at 10:30 x1 = 30; Sunday's booking 0;
    # no-show, cancelled, rejected and pending 0. 30 + 60 + 120 + 120 + 30 = 360.
    assert figures.used_unit_minutes == 360
    # 360 / 1080 = 33.33 %
    assert app_reports.format_percent(figures.utilisation) == "33.3%"
    # Starting in the week: 10 bookings. Held: Mon 08:00, Mon 11:00, Tue 09:00, Thu 10:00,
    # Sun 10:00 = 5; cancelled: Fri 09:00 and the Mon 10:00 request nobody decided = 2;
    # rejected 1; no-show 1; still pending: Fri 10:00 = 1.
    counts = (figures.total, figures.held, figures.cancelled, figures.rejected)
    assert counts == (10, 5, 2, 1)
    assert (figures.no_shows, figures.pending) == (1, 1)
    # Ratings of bookings starting in the week: 5, 4, 4 (the 1 started before) = 13 / 3.
    assert figures.ratings == 3
    assert app_reports.format_decimal(figures.average_rating) == "4.3"
    assert report.total == figures


async def test_report_only_shows_my_communities(db: None, music_room) -> None:
    elsewhere = await make_community("bayi", name_en="Bayi Community")
    await make_space(elsewhere, "gateball-court")
    mine = await actor_for(await make_user(staff_of=[music_room.community]))
    theirs = await actor_for(await make_user(staff_of=[elsewhere]))
    admin = await actor_for(await make_user(is_admin=True))

    def slugs(report):
        return [row.space.slug for row in report.rows]

    assert slugs(await reports.space_report(mine, WEEK, now=NOW)) == ["music-room"]
    assert slugs(await reports.space_report(theirs, WEEK, now=NOW)) == ["gateball-court"]
    assert slugs(await reports.space_report(admin, WEEK, now=NOW)) == [
        "gateball-court",
        "music-room",
    ]
    only_bayi = await reports.space_report(admin, WEEK, community_slug="bayi", now=NOW)
    assert slugs(only_bayi) == ["gateball-court"]
    with pytest.raises(Forbidden):
        await reports.space_report(theirs, WEEK, community_slug="caijiaxiang", now=NOW)


# --- pages ---------------------------------------------------------------------------------


async def signed_in_staff(browser: Browser, frozen_clock, community, login="13812345678"):
    frozen_clock[0] = NOW
    await make_user(login, staff_of=[community])
    await browser.sign_in(login, PASSWORD)
    browser.set_language("en")


async def test_report_page_shows_table_chart_and_csv_link(
    browser: Browser, frozen_clock, music_room
) -> None:
    await signed_in_staff(browser, frozen_clock, music_room.community)
    response = await browser.get(f"/staff/spaces/reports?{QUERY}")
    assert response.status_code == 200
    text = text_of(response.text)
    assert "Shared music room Caijiaxiang Community 2 1080 360 33.3% 10 5 2 1 1 1 4.3 3" in text
    assert "Total 1080 360 33.3% 10 5 2 1 1 1 4.3 3" in text
    assert 'role="img" aria-label="Utilisation per space: Shared music room 33.3%"' in (
        response.text
    )
    assert '<text class="chart-value" x="87.3" y="32">33.3%</text>' in response.text
    csv_query = QUERY.replace("&", "&amp;")
    assert f'href="/staff/spaces/reports.csv?{csv_query}" download' in response.text
    assert 'href="/staff/spaces/reports"' in response.text  # in the staff menu


async def test_report_page_defaults_to_last_month(
    browser: Browser, frozen_clock, music_room
) -> None:
    await signed_in_staff(browser, frozen_clock, music_room.community)
    response = await browser.get("/staff/spaces/reports")
    assert response.status_code == 200
    assert 'value="2026-02-01"' in response.text and 'value="2026-02-28"' in response.text
    # February had no bookings: open time only. Of its 20 weekdays, 6 were Spring Festival
    # holidays (16-20 and 23 February), so 14 x 3 h x 2 units = 5040 unit-minutes.
    assert "Shared music room Caijiaxiang Community 2 5040 0 0.0% 0 0 0 0 0 0 — 0" in text_of(
        response.text
    )


async def test_report_csv_exact_content(browser: Browser, frozen_clock, music_room) -> None:
    await signed_in_staff(browser, frozen_clock, music_room.community)
    response = await browser.get(f"/staff/spaces/reports.csv?{QUERY}&community=caijiaxiang")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"] == (
        'attachment; filename="space-report-2026-03-09-2026-03-15.csv"'
    )
    assert response.content.startswith(b"\xef\xbb\xbf")
    assert response.content.decode("utf-8-sig") == (
        "Community,Space,Capacity,Open unit-minutes,Used unit-minutes,Utilisation,Bookings,"
        "Held,Cancelled,Rejected,No-shows,Still pending,Average rating,Ratings\r\n"
        "Caijiaxiang Community,Shared music room,2,1080,360,33.3%,10,5,2,1,1,1,4.3,3\r\n"
        "Total,,,1080,360,33.3%,10,5,2,1,1,1,4.3,3\r\n"
    )


async def test_csv_header_follows_the_viewer_language(
    browser: Browser, frozen_clock, music_room
) -> None:
    await signed_in_staff(browser, frozen_clock, music_room.community)
    browser.set_language("zh_CN")
    response = await browser.get(f"/staff/spaces/reports.csv?{QUERY}")
    body = response.content.decode("utf-8-sig")
    community = translations("zh_CN").ugettext("Community")
    assert body.startswith(f"{community},") and "蔡家巷社区,共享音乐室,2,1080,360" in body


async def test_other_communities_staff_see_none_of_my_spaces(
    browser: Browser, frozen_clock, music_room
) -> None:
    elsewhere = await make_community("bayi", name_zh="八一社区", name_en="Bayi Community")
    await signed_in_staff(browser, frozen_clock, elsewhere)
    page = await browser.get(f"/staff/spaces/reports?{QUERY}")
    assert page.status_code == 200
    assert "Shared music room" not in page.text and "There are no spaces to report on." in (
        text_of(page.text)
    )
    assert 'value="caijiaxiang"' not in page.text  # not offered in the community filter
    csv = await browser.get(f"/staff/spaces/reports.csv?{QUERY}")
    assert csv.content.decode("utf-8-sig").splitlines()[1:] == ["Total,,,0,0,,0,0,0,0,0,0,,0"]
    # Asking for my community by name is refused outright, page and CSV alike.
    for path in ("/staff/spaces/reports", "/staff/spaces/reports.csv"):
        refused = await browser.get(f"{path}?{QUERY}&community=caijiaxiang")
        assert refused.status_code == 403
        assert "Shared music room" not in refused.text


async def test_residents_cannot_open_reports(browser: Browser, frozen_clock, music_room) -> None:
    await make_user("13812345670", community=music_room.community)
    await browser.sign_in("13812345670", PASSWORD)
    assert (await browser.get(f"/staff/spaces/reports?{QUERY}")).status_code == 403
    assert (await browser.get(f"/staff/spaces/reports.csv?{QUERY}")).status_code == 403


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("from=2026-03-15&to=2026-03-09", "The end date must not be before the start date."),
        ("from=2026-13-01&to=2026-03-09", "Enter a date like 2026-03-02."),
        ("from=2025-01-01&to=2026-03-09", "Choose at most 366 days."),
        ("from=0001-01-01&to=0001-01-02", "Choose a date from 2000-01-01 to 2099-12-31."),
    ],
)
async def test_bad_dates_answer_400_with_the_reason(
    browser: Browser, frozen_clock, music_room, query: str, message: str
) -> None:
    await signed_in_staff(browser, frozen_clock, music_room.community)
    page = await browser.get(f"/staff/spaces/reports?{query}")
    assert page.status_code == 400
    assert message in text_of(page.text)
    assert "Shared music room" not in page.text
    csv = await browser.get(f"/staff/spaces/reports.csv?{query}")
    assert csv.status_code == 400
    assert message in text_of(csv.text)
