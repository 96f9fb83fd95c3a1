"""Figures of a period's problem reports: counts, resolved, and hours to resolve."""

from datetime import date

import pytest

from app import reports as app_reports
from app.errors import InputError
from app.reports import Period
from stations.logic import report_figures
from stations.logic.report_figures import ReportFacts
from tests.stations.report_world import at


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
