"""What a station's open state is computed from: its parsed hours (cached by version), and
its dated hours, closures and the public holidays around a moment, read for several
stations at once."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from app import holidays
from app.cache import VersionedCache
from app.calendar import (
    Calendar,
    Interval,
    OpenState,
    TimeRange,
    WeeklyHours,
    open_state,
    parse_ranges,
)
from app.db import placeholders
from stations.logic.hours import HoursSpec, station_calendar
from stations.tables import Station, StationClosure, StationSpecialHours

_specs: VersionedCache[HoursSpec] = VersionedCache(max_entries=20_000)


def hours_spec(row: dict[str, Any] | Station) -> HoursSpec:
    """The parsed hours of a station row, cached by its id, creation and version."""
    get = row.get if isinstance(row, dict) else lambda key: getattr(row, key)
    key = (get("id"), get("created_at"), get("version"))
    spec = _specs.get(key)
    if spec is None:
        spec = parse_spec(row)
        _specs.put(key, spec)
    return spec


def parse_spec(row: dict[str, Any] | Station) -> HoursSpec:
    """The hours a station row (or a dict of its hours columns) says, parsed (no cache)."""
    get = row.get if isinstance(row, dict) else lambda key: getattr(row, key)
    weekly = get("weekly_hours")
    if isinstance(weekly, str):
        weekly = json.loads(weekly) if weekly else {}
    return HoursSpec(
        zone=ZoneInfo(str(get("timezone"))),
        weekly=WeeklyHours.parse(weekly or {}),
        holiday_policy=str(get("holiday_policy")),
        holiday_hours=parse_ranges(get("holiday_hours") or ""),
        makeup_days_as_workdays=bool(get("makeup_days_as_workdays")),
    )


NEAR_BEFORE = timedelta(days=2)
NEAR_AFTER = timedelta(days=9)


def calendar_span(around: datetime) -> tuple[datetime, datetime]:
    """The span `calendar_data` reads by default around a moment (dates: UTC dates)."""
    return around - NEAR_BEFORE, around + NEAR_AFTER


@dataclass
class CalendarData:
    """Dated hours and closures of several stations, and the holidays, around a moment."""

    holidays: dict[date, bool]
    special: dict[int, dict[date, tuple[TimeRange, ...]]] = field(default_factory=dict)
    closures: dict[int, list[Interval]] = field(default_factory=dict)


async def calendar_data(
    station_ids: list[int],
    around: datetime,
    *,
    before: timedelta = NEAR_BEFORE,
    after: timedelta = NEAR_AFTER,
) -> CalendarData:
    """What opening-state evaluation needs, from `before` until `after` around `around`
    (about a week each way unless asked), in three queries."""
    first, last = (around - before).date(), (around + after).date()
    data = CalendarData(holidays=await holidays.between(first, last))
    if not station_ids:
        return data
    marks = placeholders(len(station_ids))
    for row in await StationSpecialHours.raw(
        f"SELECT station, on_date, hours FROM station_special_hours "
        f"WHERE station IN ({marks}) AND on_date >= {{}} AND on_date <= {{}}",
        *station_ids,
        first,
        last,
    ):
        data.special.setdefault(row["station"], {})[row["on_date"]] = parse_ranges(row["hours"])
    for row in await StationClosure.raw(
        f"SELECT station, starts_at, ends_at FROM station_closure "
        f"WHERE station IN ({marks}) AND starts_at < {{}} AND ends_at > {{}}",
        *station_ids,
        around + after,
        around - before,
    ):
        data.closures.setdefault(row["station"], []).append(
            Interval(row["starts_at"], row["ends_at"])
        )
    return data


def station_calendar_of(row: dict[str, Any] | Station, data: CalendarData) -> Calendar | None:
    station_id = row["id"] if isinstance(row, dict) else row.id
    return station_calendar(
        hours_spec(row),
        holidays=data.holidays,
        special=data.special.get(station_id, {}),
        closures=data.closures.get(station_id, []),
    )


def state_of(row: dict[str, Any] | Station, data: CalendarData, at: datetime) -> OpenState:
    return open_state(station_calendar_of(row, data), at)
