"""The kernel's bounds on dates a client types (`app.bounds`, `Fields.day`)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from app.bounds import check_day, day_error, instant_error
from app.errors import InputError
from app.formfields import Fields
from app.i18n import set_locale

BOUND = "Choose a date from 2000-01-01 to 2099-12-31."


@pytest.fixture(autouse=True)
def english() -> None:
    set_locale("en")


def test_form_dates_lie_in_the_years_2000_to_2099() -> None:
    assert (day_error(date(2000, 1, 1)), day_error(date(2099, 12, 31))) == (None, None)
    assert (day_error(date(1999, 12, 31)), day_error(date(2100, 1, 1))) == (BOUND, BOUND)


@pytest.mark.parametrize(
    ("typed", "day", "errors"),
    [
        ("2000-01-01", date(2000, 1, 1), {}),
        ("2099-12-31", date(2099, 12, 31), {}),
        ("1999-12-31", None, {"on_date": BOUND}),
        ("2100-01-01", None, {"on_date": BOUND}),
        ("0001-01-01", None, {"on_date": BOUND}),
        ("9999-12-31", None, {"on_date": BOUND}),
    ],
)
def test_fields_day_refuses_dates_outside_the_bound(
    typed: str, day: date | None, errors: dict[str, str]
) -> None:

    fields = Fields()
    assert fields.day(typed, "on_date") == day
    assert {e.field: e.message for e in fields.errors} == errors


def test_check_day_names_the_field_as_sent() -> None:
    first, last = date(2026, 1, 1), date(2026, 12, 31)
    assert check_day(date(2026, 12, 31), "from", first, last) == date(2026, 12, 31)
    with pytest.raises(InputError) as refused:
        check_day(date(2027, 1, 1), "from", first, last)
    assert refused.value.by_field() == {"from": "Choose a date from 2026-01-01 to 2026-12-31."}


def test_instant_error_compares_any_year_without_overflow() -> None:
    earliest, latest = datetime(2026, 3, 1, tzinfo=UTC), datetime(2027, 3, 3, tzinfo=UTC)
    message = "Choose a time from 2026-03-01 00:00 to 2027-03-03 00:00."
    assert instant_error(earliest, earliest, latest) is None
    assert instant_error(datetime.min.replace(tzinfo=UTC), earliest, latest) == message
    assert instant_error(datetime.max.replace(tzinfo=UTC), earliest, latest) == message
