"""The staff timeline's layout: blocks in percent of the window, lanes, closed time, the
hours a day view shows and its ticks."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from app.calendar import Interval, parse_ranges
from spaces.logic.timeline_layout import (
    Item,
    Span,
    Tick,
    day_window,
    hour_ticks,
    layout_row,
    shown_hours,
    week_start,
)
from tests.factories import shanghai

# --- layout (pure) --------------------------------------------------------------------------

WINDOW = Interval(shanghai(2, 8), shanghai(2, 18))  # ten hours: 6 minutes are 1 %


def item(name: str, start: datetime, end: datetime) -> Item[str]:
    return Item(start, end, "confirmed", name)


def placed(row) -> list[tuple[str, float, float, int]]:
    return [(b.item.payload, b.left, b.width, b.lane) for b in row.blocks]


def test_blocks_are_placed_in_percent_of_the_window() -> None:
    row = layout_row(WINDOW, [WINDOW], [item("a", shanghai(2, 10), shanghai(2, 11, 30))])
    assert placed(row) == [("a", 20.0, 15.0, 0)]
    assert (row.lanes, row.closed, row.outside) == (1, [], [])


def test_percentages_are_rounded_to_four_places() -> None:
    window = Interval(shanghai(2, 8), shanghai(2, 22))
    row = layout_row(window, [window], [item("a", shanghai(2, 10), shanghai(2, 11))])
    assert placed(row) == [("a", 14.2857, 7.1429, 0)]


def test_overlapping_items_are_stacked_in_lanes_and_lanes_are_reused() -> None:
    row = layout_row(
        WINDOW,
        [WINDOW],
        [
            item("c", shanghai(2, 11, 30), shanghai(2, 13)),
            item("a", shanghai(2, 10), shanghai(2, 11, 30)),
            item("b", shanghai(2, 11), shanghai(2, 12)),
            item("d", shanghai(2, 11, 45), shanghai(2, 12, 30)),
        ],
    )
    assert placed(row) == [
        ("a", 20.0, 15.0, 0),
        ("b", 30.0, 10.0, 1),
        ("c", 35.0, 15.0, 0),  # a has ended at 11:30: lane 0 is free again
        ("d", 37.5, 7.5, 2),
    ]
    assert row.lanes == 3


def test_items_crossing_the_edges_are_clipped_and_flagged() -> None:
    row = layout_row(
        WINDOW,
        [WINDOW],
        [
            item("early", shanghai(2, 7), shanghai(2, 8, 30)),
            item("late", shanghai(2, 17), shanghai(2, 19)),
            item("night", shanghai(2, 19), shanghai(2, 20)),
        ],
    )
    assert placed(row) == [("early", 0.0, 5.0, 0), ("late", 90.0, 10.0, 0)]
    early, late = row.blocks
    assert (early.clipped_start, early.clipped_end) == (True, False)
    assert (late.clipped_start, late.clipped_end) == (False, True)
    assert [i.payload for i in row.outside] == ["night"]


def test_time_outside_the_open_intervals_is_closed() -> None:
    row = layout_row(
        WINDOW,
        [
            Interval(shanghai(2, 9), shanghai(2, 12)),
            Interval(shanghai(2, 14), shanghai(2, 20)),  # runs past the window
        ],
        [],
    )
    assert row.closed == [Span(0.0, 10.0), Span(40.0, 20.0)]
    assert row.blocks == [] and row.lanes == 1


def test_a_day_without_opening_is_closed_throughout() -> None:
    assert layout_row(WINDOW, [], []).closed == [Span(0.0, 100.0)]


def test_shown_hours_run_from_the_earliest_opening_to_the_latest_closing() -> None:
    assert shown_hours([parse_ranges("09:00-12:00"), parse_ranges("07:45-10:00, 14:30-21:30")]) == (
        7 * 60,
        22 * 60,
    )
    assert shown_hours([parse_ranges("22:00-02:00")]) == (22 * 60, 24 * 60)  # to midnight
    assert shown_hours([(), ()]) == (8 * 60, 22 * 60)


def test_hour_ticks_label_every_whole_hour() -> None:
    assert hour_ticks(8 * 60, 10 * 60) == [
        Tick("08:00", 0.0),
        Tick("09:00", 50.0),
        Tick("10:00", 100.0),
    ]
    assert hour_ticks(7 * 60 + 30, 10 * 60)[0] == Tick("08:00", 20.0)


def test_day_window_is_in_the_space_zone() -> None:
    tokyo = day_window(date(2026, 3, 2), ZoneInfo("Asia/Tokyo"), 8 * 60, 24 * 60)
    assert tokyo == Interval(
        datetime(2026, 3, 1, 23, 0, tzinfo=UTC), datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
    )
    assert week_start(date(2026, 3, 5)) == date(2026, 3, 2)


# --- the page ---------------------------------------------------------------------------------
