import uuid
from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest

from app import reports as app_reports
from app.errors import Forbidden
from app.reports import Period
from app.tables import Community
from needs import reports
from needs.reports import NeedFacts
from needs.tables import Need, PartnerUnit, Resource
from tests.factories import NOW, PASSWORD, actor_for, make_community, make_user, shanghai
from tests.fixtures import Browser, text_of

WEEK = Period(date(2026, 3, 9), date(2026, 3, 15))
QUERY = "from=2026-03-09&to=2026-03-15"


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return shanghai(day, hour, minute).astimezone(UTC)


def hours(n: float) -> timedelta:
    return timedelta(hours=n)


# --- pure ----------------------------------------------------------------------------------


def test_figures_hand_computed() -> None:
    figures = reports.need_figures(
        [
            NeedFacts("repairs", "rated", at(9, 10), at(9, 12), at(10, 10), 5, 0, (1,)),
            NeedFacts("repairs", "rated", at(10, 8), at(10, 9), at(11, 20), 4, 0, (1, 2)),
            NeedFacts("neighbours", "rated", at(11, 9), at(11, 13), at(12, 9), 3, 1, (2,)),
            NeedFacts("parking", "done", at(12, 10), at(12, 10, 30), at(12, 16), None, 0, (1,)),
            # Rated 2 stars and reopened: its old done_at does not count as a close.
            NeedFacts("elderly_care", "open", at(9, 14), at(9, 20), at(10, 14), 2, 1, (3,)),
            NeedFacts("environment", "accepted", at(13, 9), at(13, 17)),
            NeedFacts("other", "dispatched", at(14, 10), at(14, 22)),
            NeedFacts("repairs", "open", at(15, 23, 59)),
            NeedFacts("space_or_tool", "withdrawn", at(13, 11)),
        ]
    )
    assert figures.total == 9
    assert figures.by_status == {
        "open": 2,
        "dispatched": 1,
        "accepted": 1,
        "done": 1,
        "rated": 3,
        "withdrawn": 1,
    }
    assert figures.by_category == {
        "repairs": 3,
        "environment": 1,
        "parking": 1,
        "neighbours": 1,
        "space_or_tool": 1,
        "elderly_care": 1,
        "other": 1,
    }
    # Dispatch: 2, 1, 4, 0.5, 6, 8, 12 h → sorted 0.5 1 2 4 6 8 12: median 4; mean 33.5 / 7.
    assert figures.dispatch_times == tuple(hours(n) for n in (0.5, 1, 2, 4, 6, 8, 12))
    assert figures.median_hours_to_dispatch == 4.0
    assert figures.mean_hours_to_dispatch == pytest.approx(33.5 / 7)
    # Close (done or rated now): 24, 36, 24, 6 h → sorted 6 24 24 36: median 24; mean 90 / 4.
    assert figures.median_hours_to_close == 24.0
    assert figures.mean_hours_to_close == 22.5
    # Solved: 3 rated; counted: 9 filed − 1 withdrawn = 8 → 3 / 8.
    assert (figures.solved, figures.withdrawn, figures.solved_rate) == (3, 1, 0.375)
    # Ratings 5, 4, 3 and the 2 that reopened a need: 14 / 4.
    assert (sorted(figures.ratings), figures.average_rating) == ([2, 3, 4, 5], 3.5)
    assert figures.times_reopened == 2
    assert figures.resource_uses == Counter({1: 3, 2: 2, 3: 1})
    assert figures.resources_used == 3
    assert reports.top_resources(figures.resource_uses) == [(1, 3), (2, 2), (3, 1)]


def test_combined_medians_are_over_all_needs() -> None:
    first = reports.need_figures(
        [
            NeedFacts("repairs", "rated", at(9, 10), at(9, 11), at(9, 12), 5, 0, (1,)),
            NeedFacts("repairs", "withdrawn", at(9, 10)),
        ]
    )
    second = reports.need_figures(
        [
            NeedFacts("parking", "rated", at(9, 10), at(9, 12), at(9, 16), 4, 0, (1, 7)),
            NeedFacts("parking", "accepted", at(9, 10), at(9, 14)),
        ]
    )
    total = reports.combined([first, second])
    # Dispatch 1, 2, 4 h: median 2 (not the median of the medians 1 and 3); mean 7 / 3.
    assert total.median_hours_to_dispatch == 2.0
    assert app_reports.format_decimal(total.mean_hours_to_dispatch) == "2.3"
    # Close 2 and 6 h: median (2 + 6) / 2 = 4.
    assert total.median_hours_to_close == 4.0
    # Solved 2 of 4 − 1 withdrawn = 3: 66.7 %.
    assert app_reports.format_percent(total.solved_rate) == "66.7%"
    assert total.resource_uses == Counter({1: 2, 7: 1})


def test_no_needs_give_no_figures() -> None:
    figures = reports.need_figures([NeedFacts("repairs", "withdrawn", at(9, 10))])
    assert figures.solved_rate is None  # 1 filed − 1 withdrawn = 0: nothing to solve
    assert figures.median_hours_to_dispatch is None and figures.mean_hours_to_close is None
    assert figures.average_rating is None
    assert app_reports.format_percent(figures.solved_rate) == "—"
    empty = reports.need_figures([])
    assert (empty.total, empty.solved_rate, empty.resources_used) == (0, None, 0)


def test_a_low_rating_that_is_somehow_rated_is_not_solved() -> None:
    figures = reports.need_figures([NeedFacts("repairs", "rated", at(9, 10), rating=2)])
    assert (figures.solved, figures.solved_rate) == (0, 0.0)


def test_resource_ids_keep_ids_only_once() -> None:
    assert reports.resource_ids([3, "5", 3, "x", None, True, 2.5, " 7 "]) == (3, 5, 7)
    assert reports.resource_ids("[1, 2]") == ()
    assert reports.resource_ids(None) == ()


# --- with the database ---------------------------------------------------------------------


async def add_need(community: Community, category: str, status: str, created: datetime, **cols):
    need = Need(
        id=uuid.uuid4(),
        community=community.id,
        category=category,
        description="测试",
        status=status,
        reporter_kind="resident",
        created_at=created,
        updated_at=created,
        **cols,
    )
    await need.save()
    return need


async def add_resource(community: Community, unit: PartnerUnit, title_zh: str, title_en: str):
    resource = Resource(
        community=community.id,
        unit=unit.id,
        title_zh=title_zh,
        title_en=title_en,
        category="repairs",
        created_at=NOW,
        updated_at=NOW,
    )
    await resource.save()
    return resource.id


@pytest.fixture
async def west(db: None) -> Community:
    """广场西社区 with the needs of `test_figures_hand_computed` in `WEEK`, and two outside."""
    home = await make_community(
        "guangchang-xi", name_zh="广场西社区", name_en="Guangchang West Community"
    )
    unit = PartnerUnit(
        community=home.id,
        name_zh="安居物业",
        name_en="Anju Property",
        created_at=NOW,
        updated_at=NOW,
    )
    await unit.save()
    lights = await add_resource(home, unit, "楼道灯具维修", "Stairwell light repairs")
    legal = await add_resource(home, unit, "免费法律咨询", "Free legal advice")
    escort = await add_resource(home, unit, "助老陪诊", "Escort to the doctor")

    await add_need(
        home,
        "repairs",
        "rated",
        at(9, 10),
        dispatched_at=at(9, 12),
        done_at=at(10, 10),
        rating=5,
        resources=[lights],
    )
    await add_need(
        home,
        "repairs",
        "rated",
        at(10, 8),
        dispatched_at=at(10, 9),
        done_at=at(11, 20),
        rating=4,
        resources=[lights, legal],
    )
    await add_need(
        home,
        "neighbours",
        "rated",
        at(11, 9),
        dispatched_at=at(11, 13),
        done_at=at(12, 9),
        rating=3,
        times_reopened=1,
        resources=[legal],
    )
    await add_need(
        home,
        "parking",
        "done",
        at(12, 10),
        dispatched_at=at(12, 10, 30),
        done_at=at(12, 16),
        resources=[lights],
    )
    await add_need(
        home,
        "elderly_care",
        "open",
        at(9, 14),
        dispatched_at=at(9, 20),
        done_at=at(10, 14),
        rating=2,
        times_reopened=1,
        resources=[escort],
    )
    await add_need(home, "environment", "accepted", at(13, 9), dispatched_at=at(13, 17))
    await add_need(home, "other", "dispatched", at(14, 10), dispatched_at=at(14, 22))
    await add_need(home, "repairs", "open", at(15, 23, 59))  # the last minute: in
    await add_need(home, "space_or_tool", "withdrawn", at(13, 11))
    # Outside the week (local dates): the minute before and the midnight after.
    await add_need(
        home,
        "repairs",
        "rated",
        at(8, 23, 59),
        dispatched_at=at(9, 9),
        done_at=at(9, 10),
        rating=1,
        times_reopened=3,
        resources=[escort],
    )
    await add_need(home, "parking", "open", shanghai(16, 0).astimezone(UTC))
    return home


@pytest.fixture
async def east(db: None) -> Community:
    """广场东社区 with one solved need in `WEEK` (1 h to dispatch, 3 h to close, 5 stars)."""
    home = await make_community(
        "guangchang-dong", name_zh="广场东社区", name_en="Guangchang East Community"
    )
    unit = PartnerUnit(community=home.id, name_zh="和顺物业", created_at=NOW, updated_at=NOW)
    await unit.save()
    paint = await add_resource(home, unit, "车位划线", "Parking bay marking")
    await add_need(
        home,
        "parking",
        "rated",
        at(9, 9),
        dispatched_at=at(9, 10),
        done_at=at(9, 12),
        rating=5,
        resources=[paint],
    )
    return home


async def test_need_report_hand_computed(db: None, west, east) -> None:
    staff = await actor_for(await make_user(staff_of=[west]))
    report = await reports.need_report(staff, WEEK)
    assert [row.community.slug for row in report.rows] == ["guangchang-xi"]
    figures = report.total
    assert (figures.total, figures.solved, figures.withdrawn) == (9, 3, 1)
    assert (figures.median_hours_to_dispatch, figures.median_hours_to_close) == (4.0, 24.0)
    assert (figures.mean_hours_to_close, figures.solved_rate, figures.average_rating) == (
        22.5,
        0.375,
        3.5,
    )
    assert (figures.times_reopened, figures.resources_used) == (2, 3)
    assert [(use.resource["title_en"], use.uses) for use in report.top] == [
        ("Stairwell light repairs", 3),
        ("Free legal advice", 2),
        ("Escort to the doctor", 1),
    ]
    assert report.top[0].resource["unit_name_zh"] == "安居物业"


async def test_admin_sees_every_community_and_totals_over_all_needs(db: None, west, east) -> None:
    admin = await actor_for(await make_user(is_admin=True))
    report = await reports.need_report(admin, WEEK)
    assert [row.community.slug for row in report.rows] == ["guangchang-dong", "guangchang-xi"]
    total = report.total
    # Dispatch 0.5 1 1 2 4 6 8 12 h: median (2 + 4) / 2 = 3; mean 34.5 / 8 = 4.3125.
    assert (total.median_hours_to_dispatch, total.mean_hours_to_dispatch) == (3.0, 4.3125)
    # Close 3 6 24 24 36 h: median 24, mean 93 / 5 = 18.6.
    assert (total.median_hours_to_close, total.mean_hours_to_close) == (24.0, 18.6)
    # Solved 4 of 10 − 1 = 9; ratings 5 4 3 2 5: 19 / 5 = 3.8; resources 4.
    assert app_reports.format_percent(total.solved_rate) == "44.4%"
    assert (total.average_rating, len(total.ratings), total.resources_used) == (3.8, 5, 4)


async def test_need_report_scoped_to_my_communities(db: None, west, east) -> None:
    theirs = await actor_for(await make_user(staff_of=[east]))
    mine = await reports.need_report(theirs, WEEK)
    assert [row.community.slug for row in mine.rows] == ["guangchang-dong"]
    assert (mine.total.total, [use.resource["title_en"] for use in mine.top]) == (
        1,
        ["Parking bay marking"],
    )
    with pytest.raises(Forbidden):
        await reports.need_report(theirs, WEEK, community_slug="guangchang-xi")


# --- pages ---------------------------------------------------------------------------------


async def signed_in_staff(browser: Browser, *communities, login="13812345678") -> None:
    await make_user(login, staff_of=list(communities))
    await browser.sign_in(login, PASSWORD)
    browser.set_language("en")


async def test_report_page_tables_chart_and_definitions(browser: Browser, west) -> None:
    await signed_in_staff(browser, west)
    response = await browser.get(f"/staff/needs/reports?{QUERY}")
    assert response.status_code == 200
    text = text_of(response.text)
    # By status: open, dispatched, accepted, done, rated, withdrawn, all.
    assert "Guangchang West Community 2 1 1 1 3 1 9 Total 2 1 1 1 3 1 9" in text
    # By category: repairs, environment, parking, neighbours, space or tool, elderly, other.
    assert "Guangchang West Community 3 1 1 1 1 1 1 Total 3 1 1 1 1 1 1" in text
    assert (
        "Guangchang West Community 9 1 3 37.5% 4.0 4.8 24.0 22.5 3.5 4 2 3 "
        "Total 9 1 3 37.5% 4.0 4.8 24.0 22.5 3.5 4 2 3"
    ) in text
    assert (
        "Stairwell light repairs Anju Property 3 Free legal advice Anju Property 2 "
        "Escort to the doctor Anju Property 1"
    ) in text
    assert "divided by the needs filed minus those withdrawn" in text
    # Repairs (3) is the longest bar: open 1 of 3 then rated 2 of 3 of the 250 units.
    assert (
        'aria-label="Needs filed, by category and status: Repairs 3 (Waiting for dispatch 1, Rated (solved) 2); '
        "Environment and hygiene 1 (Taken by a helper 1); Parking 1 (Done, not yet rated 1);"
    ) in response.text
    assert '<rect class="chart-segment needs-chart-open" x="0.0" y="20" width="83.3"' in (
        response.text
    )
    assert '<rect class="chart-segment needs-chart-rated" x="83.3" y="20" width="166.7"' in (
        response.text
    )
    assert 'href="/staff/needs/reports.csv?from=2026-03-09&amp;to=2026-03-15"' in response.text


async def test_report_csv_exact_content(browser: Browser, west, east) -> None:
    await signed_in_staff(browser, west, east)
    response = await browser.get(f"/staff/needs/reports.csv?{QUERY}")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"] == (
        'attachment; filename="needs-report-2026-03-09-2026-03-15.csv"'
    )
    assert response.content.startswith(b"\xef\xbb\xbf")
    assert response.content.decode("utf-8-sig") == (
        "Community,Needs filed,Withdrawn,Solved,Solved rate,Median hours to dispatch,"
        "Average hours to dispatch,Median hours to close,Average hours to close,"
        "Average rating,Ratings,Times reopened,Resources used,Waiting for dispatch,"
        '"Dispatched, not yet taken",Taken by a helper,'
        '"Done, not yet rated",Rated (solved),Withdrawn,Repairs,Environment and hygiene,'
        "Parking,Neighbours,A space or a tool,Elderly care,Something else\r\n"
        "Guangchang East Community,1,0,1,100.0%,1.0,1.0,3.0,3.0,5.0,1,0,1,"
        "0,0,0,0,1,0,0,0,1,0,0,0,0\r\n"
        "Guangchang West Community,9,1,3,37.5%,4.0,4.8,24.0,22.5,3.5,4,2,3,"
        "2,1,1,1,3,1,3,1,1,1,1,1,1\r\n"
        "Total,10,1,4,44.4%,3.0,4.3,24.0,18.6,3.8,5,2,4,2,1,1,1,4,1,3,1,2,1,1,1,1\r\n"
    )


async def test_one_community_chosen(browser: Browser, west, east) -> None:
    await signed_in_staff(browser, west, east)
    response = await browser.get(f"/staff/needs/reports.csv?{QUERY}&community=guangchang-dong")
    assert response.content.decode("utf-8-sig").splitlines()[1:] == [
        "Guangchang East Community,1,0,1,100.0%,1.0,1.0,3.0,3.0,5.0,1,0,1,"
        "0,0,0,0,1,0,0,0,1,0,0,0,0",
        "Total,1,0,1,100.0%,1.0,1.0,3.0,3.0,5.0,1,0,1,0,0,0,0,1,0,0,0,1,0,0,0,0",
    ]


async def test_other_communities_staff_see_none_of_my_needs(browser: Browser, west) -> None:
    elsewhere = await make_community("caijiaxiang", name_en="Caijiaxiang Community")
    await signed_in_staff(browser, elsewhere)
    page = await browser.get(f"/staff/needs/reports?{QUERY}")
    assert page.status_code == 200
    text = text_of(page.text)
    assert "Guangchang West" not in text and "Stairwell light repairs" not in text
    assert "Caijiaxiang Community 0 0 0 0 0 0 0 Total 0 0 0 0 0 0 0" in text
    assert "No resource was used for the needs of this period." in text
    assert 'value="guangchang-xi"' not in page.text
    csv = await browser.get(f"/staff/needs/reports.csv?{QUERY}")
    assert csv.content.decode("utf-8-sig").splitlines()[1:] == [
        "Caijiaxiang Community,0,0,0,,,,,,,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0",
        "Total,0,0,0,,,,,,,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0",
    ]
    for path in ("/staff/needs/reports", "/staff/needs/reports.csv"):
        refused = await browser.get(f"{path}?{QUERY}&community=guangchang-xi")
        assert refused.status_code == 403
        assert "Stairwell light repairs" not in refused.text and "37.5%" not in refused.text


async def test_residents_may_not_see_reports(browser: Browser, west) -> None:
    await make_user("13812345679", community=west)
    await browser.sign_in("13812345679", PASSWORD)
    assert (await browser.get(f"/staff/needs/reports?{QUERY}")).status_code == 403
    assert (await browser.get(f"/staff/needs/reports.csv?{QUERY}")).status_code == 403


async def test_bad_dates_answer_400(browser: Browser, west) -> None:
    await signed_in_staff(browser, west)
    page = await browser.get("/staff/needs/reports?from=2026-03-15&to=2026-03-09")
    assert page.status_code == 400
    assert "The end date must not be before the start date." in text_of(page.text)
    assert 'value="2026-03-15"' in page.text  # what was typed stays in the form
    csv = await browser.get("/staff/needs/reports.csv?from=2026-03-09&to=soon")
    assert csv.status_code == 400
    assert "Enter a date like 2026-03-02." in text_of(csv.text)


async def test_report_page_defaults_to_last_month(browser: Browser, west) -> None:
    await signed_in_staff(browser, west)
    filed = shanghai(27, 12, month=2).astimezone(UTC)
    await add_need(west, "parking", "dispatched", filed, dispatched_at=filed + timedelta(hours=3))
    response = await browser.get("/staff/needs/reports")
    assert 'value="2026-02-01"' in response.text and 'value="2026-02-28"' in response.text
    assert "Total 1 0 0 0.0% 3.0 3.0 — — — 0 0 0" in text_of(response.text)
