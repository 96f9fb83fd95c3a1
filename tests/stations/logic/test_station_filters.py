"""Which stations the staff list's filters keep."""

import pytest

from stations.logic.station_filters import StationFacts, StationFilters, keeps

GULOU = StationFacts(
    texts=("gulou", "鼓楼驿站", "Gulou station"), community="bayi", is_open=False, open_reports=2
)


@pytest.mark.parametrize(
    ("filters", "kept"),
    [
        (StationFilters(), True),
        (StationFilters(q="  GULOU "), True),
        (StationFilters(q="鼓楼"), True),
        (StationFilters(q="bank"), False),
        (StationFilters(community="bayi"), True),
        (StationFilters(community="dongjie"), False),
        (StationFilters(open="closed"), True),
        (StationFilters(open="open"), False),
        (StationFilters(open="sometimes"), True),
        (StationFilters(reports="open"), True),
        (StationFilters(q="station", community="bayi", open="closed", reports="open"), True),
    ],
)
def test_keeps_station_when_every_filter_matches(filters: StationFilters, kept: bool) -> None:
    assert keeps(GULOU, filters) is kept


def test_keeps_no_station_without_reports_when_asked_for_reports() -> None:
    quiet = StationFacts(texts=("park",), community="bayi", is_open=True, open_reports=0)
    assert keeps(quiet, StationFilters(reports="open")) is False
    assert keeps(quiet, StationFilters(reports="yes")) is True


def test_filters_any_ignores_blank_and_unknown_choices() -> None:
    assert StationFilters(q="  ", open="whenever", reports="x").any is False
    assert StationFilters(community="bayi").any is True
