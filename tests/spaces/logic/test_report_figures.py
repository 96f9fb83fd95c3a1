"""The report's period and its figures from plain values."""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest

from app import reports as app_reports
from app.calendar import Interval
from app.errors import InputError
from app.i18n import set_locale
from app.reports import Period
from spaces.logic import report_figures
from spaces.logic.report_figures import BookingFacts, Span
from tests.spaces.report_room import NOW, WEEK, at


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
