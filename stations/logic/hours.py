"""A station's calendar: weekly hours with its holiday policy, make-up working days, dated
hours and closures. Pure functions over plain values."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from app.calendar import (
    Calendar,
    Interval,
    TimeRange,
    WeeklyHours,
    parse_ranges,
    wall_to_utc,
)


@dataclass(frozen=True)
class HoursSpec:
    """What a station row says about its hours."""

    zone: ZoneInfo
    weekly: WeeklyHours
    holiday_policy: str
    holiday_hours: tuple[TimeRange, ...]
    makeup_days_as_workdays: bool

    @property
    def recorded(self) -> bool:
        return any(self.weekly.days)


def station_calendar(
    spec: HoursSpec,
    *,
    holidays: Mapping[date, bool],
    special: Mapping[date, tuple[TimeRange, ...]],
    closures: Sequence[Interval],
) -> Calendar | None:
    """The station's calendar, or None when it has no recorded hours (state "unknown").

    `holidays` maps each public holiday to False and each make-up working day to True. The
    station's own dated hours win over its holiday policy.
    """
    if not spec.recorded and not special:
        return None
    dated: dict[date, tuple[TimeRange, ...]] = {}
    closed: set[date] = set()
    for day, is_workday in holidays.items():
        if is_workday:
            if spec.makeup_days_as_workdays:
                dated[day] = spec.weekly.days[0]
        elif spec.holiday_policy == "closed":
            closed.add(day)
        elif spec.holiday_policy == "special":
            dated[day] = spec.holiday_hours
    dated.update(special)
    return Calendar(
        zone=spec.zone,
        weekly=spec.weekly,
        special=dated,
        closures=tuple(closures),
        closed_dates=frozenset(closed - set(special)),
    )


@dataclass(frozen=True)
class DayHours:
    day: date
    intervals: list[tuple[datetime, datetime]]


def week_hours(calendar: Calendar, first_day: date, days: int = 7) -> list[DayHours]:
    """Opening intervals of each local day from `first_day`, for the station page."""
    result = []
    for offset in range(days):
        day = first_day + timedelta(days=offset)
        start = wall_to_utc(datetime.combine(day, time()), calendar.zone)
        end = wall_to_utc(datetime.combine(day + timedelta(days=1), time()), calendar.zone)
        spans = calendar.open_intervals(Interval(start, end))
        result.append(DayHours(day, [(s.start, s.end) for s in spans]))
    return result


def parse_holiday_hours(text: str) -> tuple[TimeRange, ...]:
    return parse_ranges(text or "")
