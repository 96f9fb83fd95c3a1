from datetime import date, datetime
from zoneinfo import ZoneInfo

from app.calendar import Interval, OpenState, WeeklyHours, open_state, parse_ranges
from stations.logic.hours import HoursSpec, station_calendar

ZONE = ZoneInfo("Asia/Shanghai")


def at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=ZONE)


def spec(
    hours: dict[str, str], policy: str = "normal", holiday_hours: str = "", makeup: bool = False
) -> HoursSpec:
    return HoursSpec(ZONE, WeeklyHours.parse(hours), policy, parse_ranges(holiday_hours), makeup)


WEEKDAYS_9_TO_18 = {d: "09:00-18:00" for d in ("mon", "tue", "wed", "thu", "fri")}
EVERY_DAY = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def state(
    hours_spec: HoursSpec, moment: datetime, *, holidays=None, special=None, closures=()
) -> OpenState:
    calendar = station_calendar(
        hours_spec, holidays=holidays or {}, special=special or {}, closures=closures
    )
    return open_state(calendar, moment)


def test_open_with_closing_time_and_closes_soon_boundaries() -> None:
    hours = spec(WEEKDAYS_9_TO_18)
    assert state(hours, at(3, 2, 17, 29)) == OpenState(
        "open", closes_at=at(3, 2, 18), closes_soon=False
    )
    assert state(hours, at(3, 2, 17, 30)) == OpenState(
        "open", closes_at=at(3, 2, 18), closes_soon=True
    )
    assert state(hours, at(3, 2, 17, 59)).closes_soon is True
    assert state(hours, at(3, 2, 18, 0)) == OpenState("closed", opens_next_at=at(3, 3, 9))
    # Friday evening: next opening is Monday.
    assert state(hours, at(3, 6, 20)) == OpenState("closed", opens_next_at=at(3, 9, 9))


def test_overnight_hours_are_open_after_midnight() -> None:
    hours = spec({d: "20:00-02:00" for d in EVERY_DAY})
    assert state(hours, at(3, 3, 1, 45)) == OpenState(
        "open", closes_at=at(3, 3, 2), closes_soon=True
    )
    assert state(hours, at(3, 3, 12)) == OpenState("closed", opens_next_at=at(3, 3, 20))


def test_always_open_never_closes_within_a_week() -> None:
    hours = spec({d: "00:00-24:00" for d in EVERY_DAY})
    assert state(hours, at(3, 3, 3)) == OpenState("open", closes_at=None, closes_soon=False)


def test_unknown_without_recorded_hours() -> None:
    assert state(spec({}), at(3, 3, 12)) == OpenState("unknown")


def test_public_holiday_closes_and_make_up_day_opens() -> None:
    # 2026: 1 October (Thursday) is National Day; Saturday 10 October is a make-up working day.
    holidays = {date(2026, 10, 1): False, date(2026, 10, 10): True}
    closed_on_holidays = spec(WEEKDAYS_9_TO_18, policy="closed", makeup=True)
    assert state(closed_on_holidays, at(10, 1, 10), holidays=holidays).state == "closed"
    assert state(closed_on_holidays, at(10, 10, 10), holidays=holidays) == OpenState(
        "open", closes_at=at(10, 10, 18)
    )
    normal = spec(WEEKDAYS_9_TO_18, policy="normal")
    assert state(normal, at(10, 1, 10), holidays=holidays).state == "open"
    assert state(normal, at(10, 10, 10), holidays=holidays).state == "closed"
    special = spec(WEEKDAYS_9_TO_18, policy="special", holiday_hours="10:00-14:00")
    assert state(special, at(10, 1, 13), holidays=holidays) == OpenState(
        "open", closes_at=at(10, 1, 14), closes_soon=False
    )


def test_closures_and_dated_hours() -> None:
    hours = spec(WEEKDAYS_9_TO_18)
    closure = Interval(at(3, 2, 12), at(3, 2, 14))
    assert state(hours, at(3, 2, 11, 45), closures=[closure]) == OpenState(
        "open", closes_at=at(3, 2, 12), closes_soon=True
    )
    assert state(hours, at(3, 2, 13), closures=[closure]) == OpenState(
        "closed", opens_next_at=at(3, 2, 14)
    )
    special = {date(2026, 3, 7): parse_ranges("10:00-12:00")}  # a Saturday opening
    assert state(hours, at(3, 7, 11), special=special).state == "open"
