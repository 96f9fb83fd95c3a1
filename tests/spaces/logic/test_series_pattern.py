"""The dates a weekly pattern falls on."""

from __future__ import annotations

from datetime import date

from spaces.logic import series_pattern

# Tuesdays and Thursdays in March 2026 from the 3rd to the 26th.
MARCH = [date(2026, 3, d) for d in (3, 5, 10, 12, 17, 19, 24, 26)]


def test_pattern_dates_by_end_date_and_by_count() -> None:
    from datetime import time

    by_end = series_pattern.Pattern(
        (1, 3), time(9), time(11), date(2026, 3, 3), date(2026, 3, 26), None
    )
    assert by_end.dates() == MARCH
    by_count = series_pattern.Pattern((1, 3), time(9), time(11), date(2026, 3, 4), None, 3)
    assert by_count.dates() == [date(2026, 3, 5), date(2026, 3, 10), date(2026, 3, 12)]
