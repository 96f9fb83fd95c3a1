"""The staff's station report page and its CSV export."""

from datetime import UTC, timedelta

import pytest

from app.tables import Community
from stations.tables import Station
from tests.factories import PASSWORD, make_community, make_user, shanghai
from tests.fixtures import Browser, text_of
from tests.stations.report_world import QUERY, add_report, report_stations


@pytest.fixture
async def stations(db: None) -> Community:
    return await report_stations()


async def signed_in_staff(browser: Browser, community, login="13812345678") -> None:
    await make_user(login, staff_of=[community])
    await browser.sign_in(login, PASSWORD)
    browser.set_language("en")


async def test_report_page_table_and_chart(browser: Browser, stations) -> None:
    await signed_in_staff(browser, stations)
    response = await browser.get(f"/staff/stations/reports?{QUERY}")
    assert response.status_code == 200
    text = text_of(response.text)
    assert "Bank station Bayi Community 1 0 0 0 0 0 1 1 0 1.0 1.0" in text
    assert "Gulou station Bayi Community 2 1 1 0 0 1 5 3 2 2.0 8.8" in text
    assert "Total 3 1 1 0 0 1 6 4 2 1.5 6.9" in text
    # Bars scaled to the most frequent reason (3): water full, charging a third.
    assert 'aria-label="Problems reported, by reason: No drinking water 3; Charging does not' in (
        response.text
    )
    assert '<rect class="chart-bar" x="0" y="20" width="250.0"' in response.text
    assert '<rect class="chart-bar" x="0" y="60" width="83.3"' in response.text
    assert 'href="/staff/stations/reports.csv?from=2026-03-09&amp;to=2026-03-15"' in (response.text)


async def test_report_csv_exact_content(browser: Browser, stations) -> None:
    await signed_in_staff(browser, stations)
    response = await browser.get(f"/staff/stations/reports.csv?{QUERY}")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"] == (
        'attachment; filename="station-report-2026-03-09-2026-03-15.csv"'
    )
    assert response.content.startswith(b"\xef\xbb\xbf")
    assert response.content.decode("utf-8-sig") == (
        "Community,Station,No drinking water,Charging does not work,"
        "Closed although it should be open,Toilet unavailable,Not at this location,"
        "Something else,Reports,Resolved,Still open,Median hours to resolve,"
        "Average hours to resolve\r\n"
        "Bayi Community,Bank station,1,0,0,0,0,0,1,1,0,1.0,1.0\r\n"
        "Bayi Community,Gulou station,2,1,1,0,0,1,5,3,2,2.0,8.8\r\n"
        "Total,,3,1,1,0,0,1,6,4,2,1.5,6.9\r\n"
    )


async def test_other_communities_staff_see_none_of_my_stations(browser: Browser, stations) -> None:
    elsewhere = await make_community("caijiaxiang", name_en="Caijiaxiang Community")
    await signed_in_staff(browser, elsewhere)
    page = await browser.get(f"/staff/stations/reports?{QUERY}")
    assert page.status_code == 200
    assert "Gulou station" not in page.text and "Bank station" not in page.text
    assert "There are no stations to report on." in text_of(page.text)
    assert 'value="bayi"' not in page.text
    csv = await browser.get(f"/staff/stations/reports.csv?{QUERY}")
    assert csv.content.decode("utf-8-sig").splitlines()[1:] == ["Total,,0,0,0,0,0,0,0,0,0,,"]
    for path in ("/staff/stations/reports", "/staff/stations/reports.csv"):
        refused = await browser.get(f"{path}?{QUERY}&community=bayi")
        assert refused.status_code == 403
        assert "Gulou station" not in refused.text


async def test_bad_dates_answer_400(browser: Browser, stations) -> None:
    await signed_in_staff(browser, stations)
    page = await browser.get("/staff/stations/reports?from=2026-03-15&to=2026-03-09")
    assert page.status_code == 400
    assert "The end date must not be before the start date." in text_of(page.text)
    assert 'value="2026-03-15"' in page.text  # what was typed stays in the form
    csv = await browser.get("/staff/stations/reports.csv?from=2026-03-09&to=soon")
    assert csv.status_code == 400
    assert "Enter a date like 2026-03-02." in text_of(csv.text)


async def test_report_page_defaults_to_last_month(browser: Browser, stations) -> None:
    await signed_in_staff(browser, stations)
    gulou = await Station.objects().where(Station.slug == "gulou").first()
    reported = shanghai(27, 12, month=2).astimezone(UTC)
    await add_report(gulou, "other", reported, reported + timedelta(hours=3))
    response = await browser.get("/staff/stations/reports")
    assert 'value="2026-02-01"' in response.text and 'value="2026-02-28"' in response.text
    assert "Total 0 0 0 0 0 1 1 1 0 3.0 3.0" in text_of(response.text)
