"""Why a station is closed on a day, read from the calendar that decides its open state, and
its local day in its own zone."""

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from app.calendar import Interval, WeeklyHours
from stations.logic.closed_days import (
    CLOSURE,
    HOLIDAY,
    SPECIAL,
    WEEKLY,
    as_every_week,
    closed_reasons,
    local_day,
)
from stations.logic.hours import HoursSpec, station_calendar
from tests.factories import NOW, shanghai

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONDAY = date(2026, 3, 2)


@dataclass(frozen=True)
class Closure:
    starts_at: datetime
    ends_at: datetime
    reason: str


def calendar(weekly: dict[str, str], policy: str = "normal", holidays=None, special=None):
    spec = HoursSpec(SHANGHAI, WeeklyHours.parse(weekly), policy, (), False)
    return station_calendar(spec, holidays=holidays or {}, special=special or {}, closures=())


def test_local_day_follows_the_station_zone() -> None:
    assert local_day(NOW.date(), SHANGHAI) == Interval(shanghai(2, 0), shanghai(3, 0))


def test_each_reason_is_named_and_closures_come_last() -> None:
    rest_day = calendar({"tue": "08:00-20:00"})
    repairs = Closure(shanghai(2, 10), shanghai(2, 12), "维修")

    weekly = closed_reasons(MONDAY, rest_day, own_special={}, holidays={}, closures=[repairs])
    holiday = closed_reasons(
        MONDAY,
        calendar({"mon": "08:00-20:00"}, "closed", holidays={MONDAY: False}),
        own_special={},
        holidays={MONDAY: False},
        holiday_name="清明节",
    )
    special = closed_reasons(
        MONDAY,
        calendar({"mon": "08:00-20:00"}, special={MONDAY: ()}),
        own_special={MONDAY: ()},
        holidays={},
        special_note="盘点",
    )

    assert [(r.kind, r.note) for r in weekly] == [(WEEKLY, ""), (CLOSURE, "维修")]
    assert [(r.kind, r.note) for r in holiday] == [(HOLIDAY, "清明节")]
    assert [(r.kind, r.note) for r in special] == [(SPECIAL, "盘点")]
    assert (as_every_week(weekly), as_every_week(weekly[:1])) == (False, True)
