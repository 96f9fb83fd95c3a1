"""A group series has at most 366 dates, all within 366 days, on creation and every edit
(`spaces.services.series.read_pattern`, which both read)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from app.formfields import Fields
from app.i18n import set_locale
from spaces.services.series import SeriesForm, read_pattern

EVERY_DAY = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WITHIN = "A series must fit within 366 days."


@pytest.fixture(autouse=True)
def english() -> None:
    set_locale("en")


def _read(**changes: Any) -> tuple[int | None, dict[str, str]]:
    values: dict[str, Any] = {
        "weekdays": EVERY_DAY,
        "start_time": "09:00",
        "end_time": "10:00",
        "starts_on": "2026-03-02",
        **changes,
    }
    fields = Fields()
    pattern = read_pattern(SimpleNamespace(capacity=1), SeriesForm(**values), fields)  # type: ignore[arg-type]
    return (
        len(pattern.dates()) if pattern else None,
        {e.field: e.message for e in fields.errors},
    )


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"ends_on": "2027-03-01"}, (365, {})),
        ({"ends_on": "2027-03-02"}, (366, {})),
        ({"ends_on": "2027-03-03"}, (None, {"ends_on": WITHIN})),
        ({"count": "366"}, (366, {})),
        ({"count": "367"}, (None, {"count": "Enter a number from 1 to 366."})),
        ({"count": "53", "weekdays": "mon"}, (53, {})),
        ({"count": "54", "weekdays": "mon"}, (None, {"count": WITHIN})),
        (
            {"ends_on": "9999-12-31"},
            (None, {"ends_on": "Choose a date from 2000-01-01 to 2099-12-31."}),
        ),
        (
            {"starts_on": "0001-01-01", "count": "2"},
            (None, {"starts_on": "Choose a date from 2000-01-01 to 2099-12-31."}),
        ),
    ],
)
def test_series_bounds(
    changes: dict[str, Any], expected: tuple[int | None, dict[str, str]]
) -> None:
    assert _read(**changes) == expected
