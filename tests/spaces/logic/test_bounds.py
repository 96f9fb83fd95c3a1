"""The windows a client may ask of a space, at their edges (`spaces.logic.bounds`)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from app.errors import InputError
from app.i18n import set_locale
from spaces.logic.bounds import (
    LookWindow,
    booking_bound_refusal,
    check_first_day,
    look_window,
    start_error,
)
from spaces.logic.rules import Request, Rules


@pytest.fixture(autouse=True)
def english() -> None:
    set_locale("en")


NOW = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
SHANGHAI = ZoneInfo("Asia/Shanghai")
TODAY = date(2026, 3, 2)
HOUR = timedelta(hours=1)
MINUTE = timedelta(minutes=1)


def test_look_window_is_a_year_and_a_day_each_way_or_the_horizon() -> None:
    assert look_window(TODAY, None) == LookWindow(date(2025, 3, 1), date(2027, 3, 3))
    assert look_window(TODAY, 14) == LookWindow(date(2025, 3, 1), date(2027, 3, 3))
    assert look_window(TODAY, 400) == LookWindow(date(2025, 3, 1), date(2027, 4, 6))


@pytest.mark.parametrize("day", [date(2025, 3, 1), TODAY, date(2027, 3, 3)])
def test_first_day_inside_the_window_is_accepted(day: date) -> None:
    assert check_first_day(day, look_window(TODAY, None)) == day


@pytest.mark.parametrize("day", [date(2025, 2, 28), date(2027, 3, 4), date.min, date.max])
def test_first_day_outside_the_window_names_from_and_the_bound(day: date) -> None:
    with pytest.raises(InputError) as refused:
        check_first_day(day, look_window(TODAY, None))
    assert refused.value.by_field() == {
        "from": "Choose a date from 2025-03-01 to 2027-03-03.",
    }


def test_chosen_start_is_judged_by_its_local_day() -> None:
    window = look_window(TODAY, None)
    first = datetime(2025, 3, 1, 0, 0, tzinfo=SHANGHAI)
    last = datetime(2027, 3, 3, 23, 59, tzinfo=SHANGHAI)
    assert start_error(first, window, SHANGHAI) is None
    assert start_error(last, window, SHANGHAI) is None
    message = "Choose a date from 2025-03-01 to 2027-03-03."
    assert start_error(first - MINUTE, window, SHANGHAI) == message
    assert start_error(last + MINUTE, window, SHANGHAI) == message
    assert start_error(datetime.min.replace(tzinfo=SHANGHAI), window, SHANGHAI) == message
    assert start_error(datetime.max.replace(tzinfo=UTC), window, SHANGHAI) == message


def _bound(rules: Rules, start: datetime, end: datetime) -> tuple[str, str, str] | None:
    refusal = booking_bound_refusal(rules, Request(start, end), NOW, SHANGHAI)
    return None if refusal is None else (refusal.rule, refusal.field, refusal.message)


def test_booking_may_start_one_day_back_and_end_366_days_ahead_without_a_horizon() -> None:
    rules = Rules(capacity=1)
    earliest, latest = NOW - timedelta(days=1), NOW + timedelta(days=366)
    assert _bound(rules, earliest, earliest + HOUR) is None
    assert _bound(rules, latest - HOUR, latest) is None
    assert _bound(rules, earliest - MINUTE, earliest + HOUR) == (
        "past",
        "start",
        "Choose a time from 2026-03-01 09:00 to 2027-03-03 09:00.",
    )
    assert _bound(rules, latest - HOUR, latest + MINUTE) == (
        "horizon",
        "end",
        "Bookings may be made at most 366 days ahead.",
    )


def test_booking_bound_is_the_horizon_when_the_space_has_one() -> None:
    rules = Rules(capacity=1, horizon_days=14)
    latest = NOW + timedelta(days=14)
    assert _bound(rules, latest - HOUR, latest) is None
    assert _bound(rules, latest + MINUTE, latest + HOUR) == (
        "horizon",
        "start",
        "Bookings may be made at most 14 days ahead.",
    )


def test_booking_length_is_bounded_by_the_maximum_duration_or_31_days() -> None:
    start = NOW + HOUR
    assert _bound(Rules(capacity=1), start, start + timedelta(days=31)) is None
    assert _bound(Rules(capacity=1), start, start + timedelta(days=31) + MINUTE) == (
        "duration",
        "end",
        "Book at most 31 days at a time.",
    )
    rules = Rules(capacity=1, max_duration_minutes=120)
    assert _bound(rules, start, start + 2 * HOUR) is None
    assert _bound(rules, start, start + 2 * HOUR + MINUTE) == (
        "duration",
        "end",
        "Book at most 2 h at a time.",
    )


def test_years_1_and_9999_and_a_700_year_span_are_refused_by_comparison() -> None:
    rules = Rules(capacity=1)
    year_1 = datetime(1, 1, 1, tzinfo=SHANGHAI)
    year_9999 = datetime(9999, 12, 31, 23, 0, tzinfo=SHANGHAI)
    assert _bound(rules, year_1, year_1 + HOUR)[:2] == ("past", "start")
    assert _bound(rules, year_9999, year_9999 + HOUR / 2)[:2] == ("horizon", "start")
    assert _bound(rules, NOW + HOUR, year_9999)[:2] == ("horizon", "end")
    span = datetime(2027, 1, 1, tzinfo=UTC), datetime(2727, 1, 1, tzinfo=UTC)
    assert _bound(rules, *span)[:2] == ("horizon", "end")
