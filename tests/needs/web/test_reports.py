"""The staff's needs report page and its CSV export."""

from datetime import UTC, timedelta

from tests.factories import PASSWORD, make_community, make_user, shanghai
from tests.fixtures import Browser, text_of
from tests.needs.report_world import LATER, QUERY, add_need


async def signed_in_staff(browser: Browser, *communities, login="13812345678") -> None:
    await make_user(login, staff_of=list(communities))
    await browser.sign_in(login, PASSWORD)
    browser.set_language("en")


async def test_report_page_tables_chart_and_definitions(
    browser: Browser, west, frozen_clock
) -> None:
    frozen_clock[0] = LATER
    await signed_in_staff(browser, west)
    response = await browser.get(f"/staff/needs/reports?{QUERY}")
    assert response.status_code == 200
    text = text_of(response.text)
    # By status: open, dispatched, accepted, done, rated, withdrawn, all.
    assert "Guangchang West Community 2 1 1 1 3 1 0 9 Total 2 1 1 1 3 1 0 9" in text
    # By category: repairs, environment, parking, neighbours, space or tool, elderly, other.
    assert "Guangchang West Community 3 1 1 1 1 1 1 Total 3 1 1 1 1 1 1" in text
    assert (
        "Guangchang West Community 9 1 3 37.5% 50.0% 0 0 0 1 3 4.0 4.8 24.0 22.5 3.5 4 2 3 "
        "Total 9 1 3 37.5% 50.0% 0 0 0 1 3 4.0 4.8 24.0 22.5 3.5 4 2 3"
    ) in text
    assert (
        "Stairwell light repairs Anju Property 3 Free legal advice Anju Property 2 "
        "Escort to the doctor Anju Property 1"
    ) in text
    assert (
        "Solved rate: the solved needs divided by the needs filed, leaving out those "
        "withdrawn and those still open that were filed less than 14 days ago."
    ) in text
    assert "Closed without rating: a finished need that nobody rated" in text
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


async def test_report_csv_exact_content(browser: Browser, west, east, frozen_clock) -> None:
    frozen_clock[0] = LATER
    await signed_in_staff(browser, west, east)
    response = await browser.get(f"/staff/needs/reports.csv?{QUERY}")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"] == (
        'attachment; filename="needs-report-2026-03-09-2026-03-15.csv"'
    )
    assert response.content.startswith(b"\xef\xbb\xbf")
    assert response.content.decode("utf-8-sig") == (
        "Community,Needs filed,Withdrawn,Solved,Solved rate,Satisfaction,"
        "Closed without rating,Reported by couriers,Taken by party members,Partner units,"
        "Resources offered,"
        "Median hours to dispatch,"
        "Average hours to dispatch,Median hours to close,Average hours to close,"
        "Average rating,Ratings,Times reopened,Resources used,Waiting for dispatch,"
        '"Dispatched, not yet taken",Taken by a helper,'
        '"Done, not yet rated",Rated (solved),Withdrawn,Closed without rating,Repairs,Environment and hygiene,'
        "Parking,Neighbours,A space or a tool,Elderly care,Something else\r\n"
        "Guangchang East Community,1,0,1,100.0%,100.0%,0,0,,1,1,1.0,1.0,3.0,3.0,5.0,1,0,1,"
        "0,0,0,0,1,0,0,0,0,1,0,0,0,0\r\n"
        "Guangchang West Community,9,1,3,37.5%,50.0%,0,0,,1,3,4.0,4.8,24.0,22.5,3.5,4,2,3,"
        "2,1,1,1,3,1,0,3,1,1,1,1,1,1\r\n"
        "Total,10,1,4,44.4%,60.0%,0,0,,2,4,3.0,4.3,24.0,18.6,3.8,5,2,4,"
        "2,1,1,1,4,1,0,3,1,2,1,1,1,1\r\n"
    )


async def test_one_community_chosen(browser: Browser, west, east, frozen_clock) -> None:
    frozen_clock[0] = LATER
    await signed_in_staff(browser, west, east)
    response = await browser.get(f"/staff/needs/reports.csv?{QUERY}&community=guangchang-dong")
    assert response.content.decode("utf-8-sig").splitlines()[1:] == [
        "Guangchang East Community,1,0,1,100.0%,100.0%,0,0,,1,1,1.0,1.0,3.0,3.0,5.0,1,0,1,"
        "0,0,0,0,1,0,0,0,0,1,0,0,0,0",
        "Total,1,0,1,100.0%,100.0%,0,0,,1,1,1.0,1.0,3.0,3.0,5.0,1,0,1,0,0,0,0,1,0,0,0,0,1,0,0,0,0",
    ]


async def test_other_communities_staff_see_none_of_my_needs(browser: Browser, west) -> None:
    elsewhere = await make_community("caijiaxiang", name_en="Caijiaxiang Community")
    await signed_in_staff(browser, elsewhere)
    page = await browser.get(f"/staff/needs/reports?{QUERY}")
    assert page.status_code == 200
    text = text_of(page.text)
    assert "Guangchang West" not in text and "Stairwell light repairs" not in text
    assert "Caijiaxiang Community 0 0 0 0 0 0 0 0 Total 0 0 0 0 0 0 0 0" in text
    assert "No resource was used for the needs of this period." in text
    assert 'value="guangchang-xi"' not in page.text
    csv = await browser.get(f"/staff/needs/reports.csv?{QUERY}")
    assert csv.content.decode("utf-8-sig").splitlines()[1:] == [
        "Caijiaxiang Community,0,0,0,,,0,0,,0,0,,,,,,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0",
        "Total,0,0,0,,,0,0,,0,0,,,,,,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0",
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
    # Still open and filed 3 days before now: not yet counted, so no solved rate.
    assert "Total 1 0 0 — — 0 0 0 0 0 3.0 3.0 — — — 0 0 0" in text_of(response.text)
