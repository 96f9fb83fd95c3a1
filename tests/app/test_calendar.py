from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from app.calendar import (
    Calendar,
    CalendarError,
    Interval,
    TimeRange,
    WeeklyHours,
    merge,
    parse_ranges,
    subtract,
    wall_time_exists,
    wall_time_is_ambiguous,
    wall_to_utc,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
BERLIN = ZoneInfo("Europe/Berlin")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_parse_ranges_with_overnight_and_whole_day() -> None:
    assert parse_ranges("09:00-12:00, 14:00-21:30") == (TimeRange(540, 720), TimeRange(840, 1290))
    assert parse_ranges("22:00-02:00") == (TimeRange(1320, 1560),)
    assert parse_ranges("00:00-24:00") == (TimeRange(0, 1440),)
    assert parse_ranges("") == ()
    assert parse_ranges("8:00～11:00；13:00-17:00") == (TimeRange(480, 660), TimeRange(780, 1020))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("9-12", "'9-12' is not a time range like 09:00-12:00"),
        ("25:00-26:00", "'25:00-26:00' has an impossible time"),
        ("09:00-12:00, 11:00-13:00", "09:00-12:00 and 11:00-13:00 overlap"),
    ],
)
def test_parse_ranges_refuses_nonsense(text: str, message: str) -> None:
    with pytest.raises(CalendarError, match=message):
        parse_ranges(text)


def test_weekly_hours_round_trip() -> None:
    spec = {"mon": "09:00-12:00, 14:00-21:00", "sat": "22:00-02:00"}
    hours = WeeklyHours.parse(spec)
    assert hours.to_spec() == {
        "mon": "09:00-12:00, 14:00-21:00",
        "tue": "",
        "wed": "",
        "thu": "",
        "fri": "",
        "sat": "22:00-02:00",
        "sun": "",
    }
    with pytest.raises(CalendarError, match="unknown weekday 'monday'"):
        WeeklyHours.parse({"monday": "09:00-10:00"})


def test_wall_time_rule_on_daylight_saving_days() -> None:
    spring_gap = datetime(2026, 3, 29, 2, 30)
    assert not wall_time_exists(spring_gap, BERLIN)
    assert wall_to_utc(spring_gap, BERLIN) == utc(2026, 3, 29, 1, 30)  # = 03:30 CEST
    autumn_twice = datetime(2026, 10, 25, 2, 30)
    assert wall_time_is_ambiguous(autumn_twice, BERLIN)
    assert wall_to_utc(autumn_twice, BERLIN) == utc(2026, 10, 25, 0, 30)  # the first one
    assert not wall_time_is_ambiguous(datetime(2026, 10, 25, 4, 0), BERLIN)


def test_merge_and_subtract() -> None:
    a = Interval(utc(2026, 3, 2, 1), utc(2026, 3, 2, 4))
    b = Interval(utc(2026, 3, 2, 4), utc(2026, 3, 2, 6))
    assert merge([b, a]) == [Interval(a.start, b.end)]
    hole = Interval(utc(2026, 3, 2, 2), utc(2026, 3, 2, 3))
    assert subtract([a], [hole]) == [Interval(a.start, hole.start), Interval(hole.end, a.end)]
    assert subtract([a], [Interval(utc(2026, 3, 2, 0), utc(2026, 3, 2, 9))]) == []


def test_open_intervals_with_overnight_special_hours_closures_and_holidays() -> None:
    calendar = Calendar(
        zone=SHANGHAI,
        weekly=WeeklyHours.parse(
            {"mon": "09:00-12:00", "tue": "22:00-02:00", "wed": "09:00-12:00"}
        ),
        special={date(2026, 3, 4): parse_ranges("14:00-15:00")},
        closures=(Interval(utc(2026, 3, 2, 2), utc(2026, 3, 2, 3)),),  # Mon 10:00-11:00 local
        closed_dates=frozenset({date(2026, 3, 9)}),
    )
    window = Interval(utc(2026, 3, 1, 16), utc(2026, 3, 9, 16))  # Mon 2 – Mon 9 March, local
    assert calendar.open_intervals(window) == [
        Interval(utc(2026, 3, 2, 1), utc(2026, 3, 2, 2)),  # Mon 09:00-10:00
        Interval(utc(2026, 3, 2, 3), utc(2026, 3, 2, 4)),  # Mon 11:00-12:00
        Interval(utc(2026, 3, 3, 14), utc(2026, 3, 3, 18)),  # Tue 22:00 - Wed 02:00
        Interval(utc(2026, 3, 4, 6), utc(2026, 3, 4, 7)),  # Wed special 14:00-15:00
    ]


def test_open_interval_on_the_spring_forward_night_is_an_hour_shorter() -> None:
    calendar = Calendar(zone=BERLIN, weekly=WeeklyHours.always())
    day = Interval(
        wall_to_utc(datetime(2026, 3, 29), BERLIN), wall_to_utc(datetime(2026, 3, 30), BERLIN)
    )
    (interval,) = calendar.open_intervals(day)
    assert interval.duration == timedelta(hours=23)


def test_is_open_needs_the_whole_span() -> None:
    calendar = Calendar(zone=SHANGHAI, weekly=WeeklyHours.parse({"mon": "09:00-12:00"}))
    assert calendar.is_open(Interval(utc(2026, 3, 2, 1), utc(2026, 3, 2, 4)))
    assert not calendar.is_open(Interval(utc(2026, 3, 2, 3), utc(2026, 3, 2, 5)))
