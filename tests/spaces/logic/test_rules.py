"""Booking rules: each refusal names its rule; quotas, the cancel cut-off, what is left."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from app.calendar import Interval
from app.i18n import set_locale
from spaces.logic.rules import (
    QuotaLeft,
    Request,
    Rules,
    can_cancel_in_time,
    can_undo_in_time,
    check_request,
    quota_left,
    undo_deadline,
    waiving_lead_time,
)
from tests.factories import shanghai

ZONE = ZoneInfo("Asia/Shanghai")
NOW = shanghai(2, 9)  # Monday 2 March 2026, 09:00
OPEN = [Interval(shanghai(day, 8), shanghai(day, 22)) for day in range(2, 30)]


@pytest.fixture(autouse=True)
def english() -> None:
    set_locale("en")


def refusals(rules: Rules, request: Request, mine: list[Interval] = ()) -> list[tuple[str, str]]:  # type: ignore[assignment]
    found = check_request(rules, request, zone=ZONE, now=NOW, open_intervals=OPEN, mine=list(mine))
    return [(r.rule, r.message) for r in found]


def test_a_plain_request_passes() -> None:
    assert refusals(Rules(capacity=1), Request(shanghai(2, 10), shanghai(2, 11))) == []


@pytest.mark.parametrize(
    ("request_", "expected"),
    [
        (
            Request(shanghai(2, 11), shanghai(2, 10)),
            [("duration", "The end must come after the start.")],
        ),
        (
            Request(shanghai(2, 10, 15), shanghai(2, 11)),
            [
                (
                    "alignment",
                    "Bookings start and end on the 30-minute grid (for example 09:00, 09:30).",
                )
            ],
        ),
        (
            Request(shanghai(2, 8), shanghai(2, 9)),
            [("past", "This time has already begun or passed.")],
        ),
        (
            Request(shanghai(2, 21), shanghai(2, 23)),
            [("closed", "That day the space is open 08:00–22:00, not for the whole of this time.")],
        ),
        (
            Request(shanghai(2, 10), shanghai(2, 11), units=2),
            [("units", "Choose 1 unit.")],
        ),
    ],
)
def test_shape_timing_and_hours(request_: Request, expected: list[tuple[str, str]]) -> None:
    assert refusals(Rules(capacity=1), request_) == expected


def test_closed_refusal_names_the_hours_of_that_day() -> None:
    split = [
        Interval(shanghai(2, 9), shanghai(2, 12)),
        Interval(shanghai(2, 14), shanghai(3, 0)),
        Interval(shanghai(4, 9), shanghai(4, 12)),
    ]
    found = check_request(
        Rules(capacity=1),
        Request(shanghai(2, 12), shanghai(2, 13)),
        zone=ZONE,
        now=NOW,
        open_intervals=split,
        mine=[],
    )
    assert [(r.rule, r.message) for r in found] == [
        (
            "closed",
            "That day the space is open 09:00–12:00, 14:00–24:00, not for the whole of this time.",
        )
    ]
    closed_day = check_request(
        Rules(capacity=1),
        Request(shanghai(3, 10), shanghai(3, 11)),
        zone=ZONE,
        now=NOW,
        open_intervals=split,
        mine=[],
    )
    assert [(r.rule, r.message) for r in closed_day] == [
        ("closed", "The space is closed that day.")
    ]


def test_every_optional_rule_names_itself() -> None:
    rules = Rules(
        capacity=2,
        min_duration_minutes=60,
        max_duration_minutes=120,
        lead_time_minutes=120,
        horizon_days=7,
        max_party_size=4,
    )
    assert refusals(rules, Request(shanghai(2, 10), shanghai(2, 10, 30), party_size=5)) == [
        ("party_size", "At most 4 people may use this space at once."),
        ("duration", "Book at least 1 h."),
        ("lead_time", "Book at least 2 h before the start."),
    ]
    assert refusals(rules, Request(shanghai(9, 10), shanghai(9, 13))) == [
        ("duration", "Book at most 2 h at a time."),
        ("horizon", "Bookings may be made at most 7 days ahead."),
    ]
    # The horizon is measured to the end of the booking.
    assert refusals(rules, Request(shanghai(9, 8), shanghai(9, 9))) == []


def test_quotas_count_the_day_and_the_week_of_the_start() -> None:
    rules = Rules(capacity=1, quota_day_minutes=120, quota_week_count=3)
    mine = [Interval(shanghai(4, 10), shanghai(4, 11)), Interval(shanghai(5, 10), shanghai(5, 11))]
    assert refusals(rules, Request(shanghai(4, 14), shanghai(4, 15, 30)), mine) == [
        ("quota_day", "You may book this space for 2 h a day."),
    ]
    assert refusals(rules, Request(shanghai(6, 14), shanghai(6, 15)), mine) == []
    third = [*mine, Interval(shanghai(6, 10), shanghai(6, 11))]
    assert refusals(rules, Request(shanghai(7, 10), shanghai(7, 11)), third) == [
        ("quota_week", "You may book this space 3 times a week."),
    ]
    # Next week (Monday 9 March) starts afresh.
    assert refusals(rules, Request(shanghai(9, 10), shanghai(9, 11)), third) == []


def test_active_bookings_cap_counts_only_those_not_ended() -> None:
    rules = Rules(capacity=1, max_active_bookings=2)
    ended = Interval(shanghai(1, 10), shanghai(1, 11))
    upcoming = [
        Interval(shanghai(3, 10), shanghai(3, 11)),
        Interval(shanghai(4, 10), shanghai(4, 11)),
    ]
    assert refusals(rules, Request(shanghai(5, 10), shanghai(5, 11)), [ended, upcoming[0]]) == []
    assert (
        refusals(rules, Request(shanghai(5, 10), shanghai(5, 11)), upcoming)[0][0] == "active_limit"
    )


def test_cancel_cut_off() -> None:
    rules = Rules(capacity=1, cancel_cutoff_minutes=120)
    assert can_cancel_in_time(rules, NOW + timedelta(hours=2), NOW)
    assert not can_cancel_in_time(rules, NOW + timedelta(hours=1, minutes=59), NOW)
    assert not can_cancel_in_time(Rules(capacity=1), NOW, NOW)


def test_a_cancellation_can_be_undone_for_sixty_seconds_before_the_start() -> None:
    start = shanghai(2, 10)
    assert undo_deadline(NOW) == NOW + timedelta(seconds=60)
    assert can_undo_in_time(NOW, start, NOW)
    assert can_undo_in_time(NOW, start, NOW + timedelta(seconds=60))
    assert not can_undo_in_time(NOW, start, NOW + timedelta(seconds=61))
    assert not can_undo_in_time(None, start, NOW)
    assert not can_undo_in_time(NOW, NOW + timedelta(seconds=30), NOW + timedelta(seconds=30))


def test_an_undo_waives_only_the_lead_time() -> None:
    rules = Rules(capacity=1, lead_time_minutes=120, quota_day_count=1, max_party_size=4)
    assert waiving_lead_time(rules) == Rules(capacity=1, quota_day_count=1, max_party_size=4)


def test_quota_left_in_words() -> None:
    rules = Rules(capacity=1, quota_week_minutes=360, max_active_bookings=4)
    mine = [
        Interval(shanghai(3, 15), shanghai(3, 17)),
        Interval(shanghai(5, 15), shanghai(5, 16, 30)),
    ]
    assert quota_left(rules, ZONE, NOW, mine, NOW.date()) == [
        QuotaLeft("Time left that week", "2 h 30 min"),
        QuotaLeft("Upcoming bookings you may still add", "2"),
    ]
