"""The needs reports' figures, computed by hand from plain values."""

from collections import Counter

import pytest

from app import reports as app_reports
from needs.logic import report_figures as reports
from needs.logic.report_figures import NeedFacts
from tests.needs.report_world import at, hours


def test_figures_hand_computed() -> None:
    figures = reports.need_figures(
        [
            NeedFacts("repairs", "rated", at(9, 10), at(9, 12), at(10, 10), 5, 0, (1,)),
            NeedFacts("repairs", "rated", at(10, 8), at(10, 9), at(11, 20), 4, 0, (1, 2)),
            NeedFacts("neighbours", "rated", at(11, 9), at(11, 13), at(12, 9), 3, 1, (2,)),
            NeedFacts("parking", "done", at(12, 10), at(12, 10, 30), at(12, 16), None, 0, (1,)),
            # Rated 2 stars and reopened: its old done_at does not count as a close.
            NeedFacts("elderly_care", "open", at(9, 14), at(9, 20), at(10, 14), 2, 1, (3,)),
            NeedFacts("environment", "accepted", at(13, 9), at(13, 17)),
            NeedFacts("other", "dispatched", at(14, 10), at(14, 22)),
            NeedFacts("repairs", "open", at(15, 23, 59)),
            NeedFacts("space_or_tool", "withdrawn", at(13, 11)),
        ]
    )
    assert figures.total == 9
    assert figures.by_status == {
        "open": 2,
        "dispatched": 1,
        "accepted": 1,
        "done": 1,
        "rated": 3,
        "withdrawn": 1,
        "closed": 0,
    }
    assert figures.by_category == {
        "repairs": 3,
        "environment": 1,
        "parking": 1,
        "neighbours": 1,
        "space_or_tool": 1,
        "elderly_care": 1,
        "other": 1,
    }
    # Dispatch: 2, 1, 4, 0.5, 6, 8, 12 h → sorted 0.5 1 2 4 6 8 12: median 4; mean 33.5 / 7.
    assert figures.dispatch_times == tuple(hours(n) for n in (0.5, 1, 2, 4, 6, 8, 12))
    assert figures.median_hours_to_dispatch == 4.0
    assert figures.mean_hours_to_dispatch == pytest.approx(33.5 / 7)
    # Close (done or rated now): 24, 36, 24, 6 h → sorted 6 24 24 36: median 24; mean 90 / 4.
    assert figures.median_hours_to_close == 24.0
    assert figures.mean_hours_to_close == 22.5
    # Solved: 3 rated; counted: 9 filed − 1 withdrawn = 8 → 3 / 8.
    assert (figures.solved, figures.withdrawn, figures.solved_rate) == (3, 1, 0.375)
    # Ratings 5, 4, 3 and the 2 that reopened a need: 14 / 4.
    assert (sorted(figures.ratings), figures.average_rating) == ([2, 3, 4, 5], 3.5)
    assert figures.times_reopened == 2
    assert figures.resource_uses == Counter({1: 3, 2: 2, 3: 1})
    assert figures.resources_used == 3
    assert reports.top_resources(figures.resource_uses) == [(1, 3), (2, 2), (3, 1)]


def test_combined_medians_are_over_all_needs() -> None:
    first = reports.need_figures(
        [
            NeedFacts("repairs", "rated", at(9, 10), at(9, 11), at(9, 12), 5, 0, (1,)),
            NeedFacts("repairs", "withdrawn", at(9, 10)),
        ]
    )
    second = reports.need_figures(
        [
            NeedFacts("parking", "rated", at(9, 10), at(9, 12), at(9, 16), 4, 0, (1, 7)),
            NeedFacts("parking", "accepted", at(9, 10), at(9, 14)),
        ]
    )
    total = reports.combined([first, second])
    # Dispatch 1, 2, 4 h: median 2 (not the median of the medians 1 and 3); mean 7 / 3.
    assert total.median_hours_to_dispatch == 2.0
    assert app_reports.format_decimal(total.mean_hours_to_dispatch) == "2.3"
    # Close 2 and 6 h: median (2 + 6) / 2 = 4.
    assert total.median_hours_to_close == 4.0
    # Solved 2 of 4 − 1 withdrawn = 3: 66.7 %.
    assert app_reports.format_percent(total.solved_rate) == "66.7%"
    assert total.resource_uses == Counter({1: 2, 7: 1})


def test_no_needs_give_no_figures() -> None:
    figures = reports.need_figures([NeedFacts("repairs", "withdrawn", at(9, 10))])
    assert figures.solved_rate is None  # 1 filed − 1 withdrawn = 0: nothing to solve
    assert figures.median_hours_to_dispatch is None and figures.mean_hours_to_close is None
    assert figures.average_rating is None
    assert app_reports.format_percent(figures.solved_rate) == "—"
    empty = reports.need_figures([])
    assert (empty.total, empty.solved_rate, empty.resources_used) == (0, None, 0)


def test_a_low_rating_that_is_somehow_rated_is_not_solved() -> None:
    figures = reports.need_figures([NeedFacts("repairs", "rated", at(9, 10), rating=2)])
    assert (figures.solved, figures.solved_rate) == (0, 0.0)


def test_resource_ids_keep_ids_only_once() -> None:
    assert reports.resource_ids([3, "5", 3, "x", None, True, 2.5, " 7 "]) == (3, 5, 7)
    assert reports.resource_ids("[1, 2]") == ()
    assert reports.resource_ids(None) == ()
