"""The needs reports' figures, computed by hand from plain values."""

import dataclasses
from collections import Counter
from datetime import datetime, timedelta

import pytest

from app import reports as app_reports
from needs.logic import report_figures as reports
from needs.logic.report_figures import NeedFacts
from tests.needs.report_world import LATER, at, hours


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
        ],
        LATER,
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
    # Solved: 3 rated; counted (LATER is more than 14 days after every filing): 9 filed − 1
    # withdrawn = 8 → 3 / 8.
    assert (figures.solved, figures.withdrawn, figures.solved_rate) == (3, 1, 0.375)
    # Satisfaction: 5 and 4 stars of the four rated (5, 4, 3 and the 2 that reopened one).
    assert (figures.satisfied, figures.judged, figures.satisfaction) == (2, 4, 0.5)
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
        ],
        LATER,
    )
    second = reports.need_figures(
        [
            NeedFacts("parking", "rated", at(9, 10), at(9, 12), at(9, 16), 4, 0, (1, 7)),
            NeedFacts("parking", "accepted", at(9, 10), at(9, 14)),
        ],
        LATER,
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
    figures = reports.need_figures([NeedFacts("repairs", "withdrawn", at(9, 10))], LATER)
    assert figures.solved_rate is None  # 1 filed − 1 withdrawn = 0: nothing to solve
    assert figures.median_hours_to_dispatch is None and figures.mean_hours_to_close is None
    assert figures.average_rating is None
    assert app_reports.format_percent(figures.solved_rate) == "—"
    empty = reports.need_figures([], LATER)
    assert (empty.total, empty.solved_rate, empty.resources_used) == (0, None, 0)


def test_a_low_rating_that_is_somehow_rated_is_not_solved() -> None:
    figures = reports.need_figures([NeedFacts("repairs", "rated", at(9, 10), rating=2)], LATER)
    assert (figures.solved, figures.solved_rate) == (0, 0.0)


def test_resource_ids_keep_ids_only_once() -> None:
    assert reports.resource_ids([3, "5", 3, "x", None, True, 2.5, " 7 "]) == (3, 5, 7)
    assert reports.resource_ids("[1, 2]") == ()
    assert reports.resource_ids(None) == ()


# The figures of the closed loop: solved, solved rate, satisfaction, closed without rating,
# couriers' reports. `LATER` is the report's now; `ago(days)` a filing that long before it.


def ago(days: float) -> datetime:
    return LATER - timedelta(days=days)


def rated(stars: int, filed: datetime, **more) -> NeedFacts:
    status = "rated" if stars >= 3 else "open"  # a low rating reopens the need
    return NeedFacts("repairs", status, filed, rating=stars, rated_at=filed + hours(30), **more)


def followed(result: str, filed: datetime, status: str = "rated", **more) -> NeedFacts:
    return NeedFacts(
        "repairs", status, filed, followup_result=result, followed_up_at=filed + hours(80), **more
    )


def test_nineteen_solved_of_twenty_counted_is_exactly_95_percent() -> None:
    needs = [
        *(rated(5 - n % 3, ago(20 + n)) for n in range(17)),  # 5, 4, 3 stars: solved
        followed("satisfied", ago(40), status="rated"),  # 回访 满意
        followed("fairly", ago(41), status="rated"),  # 回访 基本满意
        NeedFacts("repairs", "closed", ago(30)),  # closed without rating: counted, unsolved
        NeedFacts("parking", "accepted", ago(3)),  # still open, filed 3 days ago: not counted
        NeedFacts("other", "withdrawn", ago(50)),  # withdrawn: not counted
    ]
    figures = reports.need_figures(needs, LATER)
    assert (figures.total, figures.solved, figures.counted) == (22, 19, 20)
    assert figures.solved_rate == 0.95
    assert app_reports.format_percent(figures.solved_rate) == "95.0%"
    # Without the need closed without rating, 19 of 19 count: 100 %.
    assert reports.need_figures(needs[:19] + needs[20:], LATER).solved_rate == 1.0


def test_a_satisfied_followup_after_a_two_star_rating_counts_as_solved() -> None:
    need = NeedFacts(
        "repairs",
        "rated",
        ago(30),
        rating=2,
        rated_at=ago(28),
        followup_result="satisfied",
        followed_up_at=ago(20),
    )
    assert reports.latest_outcome(need) == reports.Outcome(followup="satisfied")
    figures = reports.need_figures([need], LATER)
    assert (figures.solved, figures.satisfied, figures.judged) == (1, 1, 1)
    # The other way round: a 2-star rating after a 满意 回访 is the latest word.
    later_rating = NeedFacts(
        "repairs",
        "open",
        ago(30),
        rating=2,
        rated_at=ago(18),
        followup_result="satisfied",
        followed_up_at=ago(20),
        times_reopened=1,
    )
    assert reports.latest_outcome(later_rating) == reports.Outcome(stars=2)
    figures = reports.need_figures([later_rating], LATER)
    assert (figures.solved, figures.satisfied, figures.judged) == (0, 0, 1)


def test_a_dissatisfied_followup_after_five_stars_is_neither_solved_nor_satisfied() -> None:
    need = NeedFacts(
        "repairs",
        "open",
        ago(30),
        rating=5,
        rated_at=ago(28),
        followup_result="dissatisfied",
        followed_up_at=ago(25),
    )
    figures = reports.need_figures([need], LATER)
    assert (figures.solved, figures.counted, figures.satisfied, figures.judged) == (0, 1, 0, 1)


def test_a_need_reopened_and_still_open_is_not_solved() -> None:
    # A good word on record, but the need is being handled again.
    need = NeedFacts("repairs", "accepted", ago(30), rating=4, rated_at=ago(25))
    figures = reports.need_figures([need], LATER)
    assert (figures.solved, figures.counted, figures.solved_rate) == (0, 1, 0.0)
    assert (figures.satisfied, figures.judged) == (1, 1)  # the word itself still counts


def test_fairly_satisfied_and_three_stars_are_solved_but_not_satisfied() -> None:
    figures = reports.need_figures([followed("fairly", ago(30)), rated(3, ago(30))], LATER)
    assert (figures.solved, figures.solved_rate) == (2, 1.0)
    assert (figures.satisfied, figures.judged, figures.satisfaction) == (0, 2, 0.0)


def test_closed_without_rating_is_in_both_denominators_and_no_numerator() -> None:
    figures = reports.need_figures(
        [rated(5, ago(40)), NeedFacts("repairs", "closed", ago(40), done_at=ago(39))], LATER
    )
    assert figures.closed_unrated == 1
    assert (figures.solved, figures.counted, figures.solved_rate) == (1, 2, 0.5)
    assert (figures.satisfied, figures.judged, figures.satisfaction) == (1, 2, 0.5)
    # A 回访 after it closed is its latest word: no longer "closed without rating".
    heard = followed("satisfied", ago(40), status="closed")
    figures = reports.need_figures([heard], LATER)
    assert (figures.closed_unrated, figures.solved, figures.satisfied, figures.judged) == (
        0,
        1,
        1,
        1,
    )


def test_a_need_reopened_then_closed_without_rating_counts_as_closed_without_rating() -> None:
    """Its 2 stars (or 不满意) reopened it; the work was done again and nobody rated that: it
    closed without rating, as its status says, and stays unsolved and unsatisfied."""
    low = NeedFacts(
        "repairs", "closed", ago(40), done_at=ago(20), rating=2, rated_at=ago(30), times_reopened=1
    )
    unhappy = NeedFacts(
        "repairs",
        "closed",
        ago(40),
        done_at=ago(20),
        followup_result="dissatisfied",
        followed_up_at=ago(30),
        times_reopened=1,
    )
    figures = reports.need_figures([low, unhappy], LATER)
    assert figures.closed_unrated == 2 == figures.by_status["closed"]
    assert (figures.solved, figures.counted) == (0, 2)
    assert (figures.satisfied, figures.judged) == (0, 2)


def test_still_open_needs_count_from_fourteen_days_after_filing() -> None:
    needs = [
        NeedFacts("repairs", "open", ago(14)),  # exactly 14 days: counts
        NeedFacts("repairs", "done", ago(13.99)),  # not yet 14 days: left out
        NeedFacts("repairs", "dispatched", ago(1)),
        rated(4, ago(1)),  # solved needs count however recent
    ]
    figures = reports.need_figures(needs, LATER)
    assert timedelta(days=14) == reports.RECENT
    assert (figures.solved, figures.counted) == (1, 2)
    assert figures.satisfaction == 1.0  # nothing unrated is judged


def test_no_outcome_gives_no_satisfaction() -> None:
    figures = reports.need_figures([NeedFacts("repairs", "done", ago(20))], LATER)
    assert (figures.judged, figures.satisfaction) == (0, None)
    assert app_reports.format_percent(figures.satisfaction) == "—"


def test_problems_reported_by_couriers_and_totals() -> None:
    first = reports.need_figures(
        [
            NeedFacts("environment", "open", ago(2), reporter_kind="courier"),
            NeedFacts("repairs", "closed", ago(30), reporter_kind="courier"),
            NeedFacts("repairs", "open", ago(2)),
            NeedFacts("repairs", "open", ago(2), reporter_kind="staff"),
        ],
        LATER,
    )
    second = reports.need_figures([rated(5, ago(20), reporter_kind="courier")], LATER)
    assert (first.courier_reports, second.courier_reports) == (2, 1)
    total = reports.combined(
        [
            dataclasses.replace(first, partner_units=14, resources_offered=35),
            dataclasses.replace(second, partner_units=8),
        ]
    )
    assert (total.courier_reports, total.partner_units, total.resources_offered) == (3, 22, 35)
    assert (total.solved, total.counted, total.closed_unrated, total.judged) == (1, 2, 1, 2)
    assert (total.solved_rate, total.satisfaction) == (0.5, 0.5)


def test_a_need_closed_without_rating_still_counts_its_hours_to_close() -> None:
    figures = reports.need_figures(
        [
            NeedFacts("repairs", "closed", at(9, 10), at(9, 11), at(9, 16)),
            NeedFacts("repairs", "rated", at(9, 10), at(9, 11), at(9, 12), 5),
            NeedFacts("repairs", "open", at(9, 10), at(9, 11), at(9, 20), 2),  # reopened
        ],
        LATER,
    )
    assert figures.close_times == (hours(2), hours(6))
