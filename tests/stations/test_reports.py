import uuid
from datetime import UTC, date, datetime, timedelta

import pytest

from app import reports as app_reports
from app.errors import Forbidden, InputError
from app.reports import Period
from stations.logic import report_figures
from stations.logic.report_figures import ReportFacts
from stations.services import reports
from stations.tables import Station, StationReport
from tests.factories import PASSWORD, actor_for, make_community, make_station, make_user, shanghai
from tests.fixtures import Browser, text_of

WEEK = Period(date(2026, 3, 9), date(2026, 3, 15))
QUERY = "from=2026-03-09&to=2026-03-15"


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return shanghai(day, hour, minute).astimezone(UTC)


# --- pure ----------------------------------------------------------------------------------


def test_figures_median_and_mean_over_resolved_reports() -> None:
    figures = report_figures.station_figures(
        [
            ReportFacts("no_water", at(9, 10), at(9, 12)),  # 2 h
            ReportFacts("no_water", at(10, 8), at(11, 8)),  # 24 h
            ReportFacts("charging_broken", at(12, 9), at(12, 9, 30)),  # 0.5 h
            ReportFacts("other", at(13, 14)),  # open
        ]
    )
    assert figures.by_reason == {
        "no_water": 2,
        "charging_broken": 1,
        "closed_in_hours": 0,
        "toilet_unavailable": 0,
        "wrong_location": 0,
        "other": 1,
    }
    assert (figures.total, figures.resolved, figures.still_open) == (4, 3, 1)
    # Sorted 0.5, 2, 24: median 2; mean (0.5 + 2 + 24) / 3 = 8.8333
    assert figures.median_hours == 2.0
    assert app_reports.format_decimal(figures.mean_hours) == "8.8"


def test_combined_median_is_over_all_reports_not_of_medians() -> None:
    first = report_figures.station_figures(
        [ReportFacts("no_water", at(9, 10), at(9, 12)), ReportFacts("other", at(9, 10))]
    )
    second = report_figures.station_figures(
        [
            ReportFacts("no_water", at(9, 10), at(9, 11)),
            ReportFacts("no_water", at(9, 10), at(9, 14)),
        ]
    )
    total = report_figures.combined([first, second])
    # Times 1, 2, 4 h: median 2 (the median of the medians 2 and 2.5 would be 2.25);
    # mean 7 / 3 = 2.333
    assert total.median_hours == 2.0
    assert app_reports.format_decimal(total.mean_hours) == "2.3"
    assert (total.total, total.resolved, total.still_open, total.by_reason["no_water"]) == (
        4,
        3,
        1,
        3,
    )


def test_no_resolved_reports_give_no_times() -> None:
    figures = report_figures.station_figures([ReportFacts("other", at(9, 10))])
    assert figures.median_hours is None and figures.mean_hours is None
    assert app_reports.format_decimal(figures.median_hours) == "—"


def test_period_rules_match_space_reports() -> None:
    assert app_reports.read_period("", "", date(2026, 3, 2)) == Period(
        date(2026, 2, 1), date(2026, 2, 28)
    )
    with pytest.raises(InputError) as refused:
        app_reports.read_period("2026-03-15", "2026-03-09", date(2026, 3, 2))
    assert list(refused.value.by_field()) == ["to"]
    with pytest.raises(InputError):
        app_reports.read_period("2025-01-01", "2026-01-02", date(2026, 3, 2))


# --- with the database ---------------------------------------------------------------------


async def add_report(station, reason, created, resolved=None) -> None:
    await StationReport.insert(
        StationReport(
            id=uuid.uuid4(),
            station=station.id,
            reason=reason,
            created_at=created,
            resolved_at=resolved,
        )
    )


@pytest.fixture
async def stations(db: None):
    """Two stations of 八一社区 with known reports in `WEEK` and around it."""
    home = await make_community("bayi", name_zh="八一社区", name_en="Bayi Community")
    gulou = await make_station(home, "gulou", name_zh="鼓楼驿站", name_en="Gulou station")
    bank = await make_station(home, "bank", name_zh="银行驿站", name_en="Bank station")
    await add_report(gulou, "no_water", at(9, 10), at(9, 12))  # 2 h
    await add_report(gulou, "no_water", at(10, 8), at(11, 8))  # 24 h
    await add_report(gulou, "charging_broken", at(12, 9), at(12, 9, 30))  # 0.5 h
    await add_report(gulou, "other", at(13, 14))  # open
    await add_report(gulou, "closed_in_hours", at(15, 23, 59))  # last minute: in, open
    await add_report(gulou, "toilet_unavailable", at(8, 23, 59), at(9, 9))  # before: out
    await add_report(gulou, "wrong_location", shanghai(16, 0).astimezone(UTC))  # after: out
    await add_report(bank, "no_water", at(9, 10), at(9, 11))  # 1 h
    return home


async def test_station_report_hand_computed(db: None, stations) -> None:
    staff = await actor_for(await make_user(staff_of=[stations]))
    report = await reports.station_report(staff, WEEK)
    assert [row.station.slug for row in report.rows] == ["bank", "gulou"]
    bank, gulou = (row.figures for row in report.rows)
    # Gulou: water 2, charging 1, closed 1, other 1 = 5; resolved 0.5, 2, 24 h: median 2,
    # mean 26.5 / 3 = 8.83; 2 still open.
    assert (gulou.total, gulou.resolved, gulou.still_open) == (5, 3, 2)
    assert (gulou.by_reason["no_water"], gulou.by_reason["closed_in_hours"]) == (2, 1)
    assert (gulou.by_reason["toilet_unavailable"], gulou.by_reason["wrong_location"]) == (0, 0)
    assert (gulou.median_hours, app_reports.format_decimal(gulou.mean_hours)) == (2.0, "8.8")
    assert (bank.total, bank.resolved, bank.median_hours, bank.mean_hours) == (1, 1, 1.0, 1.0)
    # All: times 0.5, 1, 2, 24 h: median (1 + 2) / 2 = 1.5; mean 27.5 / 4 = 6.875.
    total = report.total
    assert (total.total, total.resolved, total.still_open) == (6, 4, 2)
    assert total.median_hours == 1.5 and total.mean_hours == 6.875
    assert app_reports.format_decimal(total.mean_hours) == "6.9"


async def test_station_report_scoped_to_my_communities(db: None, stations) -> None:
    elsewhere = await make_community("caijiaxiang")
    await make_station(elsewhere, "tool-shop")
    theirs = await actor_for(await make_user(staff_of=[elsewhere]))
    admin = await actor_for(await make_user(is_admin=True))
    mine = await reports.station_report(theirs, WEEK)
    assert [row.station.slug for row in mine.rows] == ["tool-shop"]
    assert mine.total.total == 0
    everything = await reports.station_report(admin, WEEK)
    assert [row.station.slug for row in everything.rows] == ["bank", "gulou", "tool-shop"]
    with pytest.raises(Forbidden):
        await reports.station_report(theirs, WEEK, community_slug="bayi")


# --- pages ---------------------------------------------------------------------------------


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
