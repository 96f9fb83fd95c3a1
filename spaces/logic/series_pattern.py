"""A weekly pattern of standing slots (a group's Tuesday and Thursday mornings): the dates it
falls on and its times on a date, in the space's zone. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from app.calendar import WEEKDAYS, Interval, wall_time_exists, wall_to_utc

MAX_OCCURRENCES = 366
"""The most dates one series may have."""
MAX_SPAN_DAYS = 366
MAX_SPAN = timedelta(days=MAX_SPAN_DAYS - 1)
"""The most days from a series' first date to its last: all its dates lie within 366 days."""
ALL = "all"
"""An edit of every date still ahead."""
FOLLOWING = "following"
"""An edit from a date on, which splits the series there."""


@dataclass(frozen=True)
class Pattern:
    weekdays: tuple[int, ...]
    """ISO-less Python weekdays: Monday 0 … Sunday 6, sorted."""
    start: time
    end: time
    starts_on: date
    ends_on: date | None
    count: int | None
    units: int = 1

    def dates(self) -> list[date]:
        """The dates the pattern falls on, from the first date to the last or the count."""
        found: list[date] = []
        day = self.starts_on
        last = self.ends_on if self.ends_on is not None else self.starts_on + MAX_SPAN
        while day <= last and len(found) < (self.count or MAX_OCCURRENCES + 1):
            if day.weekday() in self.weekdays:
                found.append(day)
            day += timedelta(days=1)
        return found

    def last_date(self) -> date:
        dates = self.dates()
        return dates[-1] if dates else self.starts_on


def span_on(pattern: Pattern, day: date, zone: ZoneInfo) -> Interval | None:
    """The occurrence's instants on `day` in `zone`, or None when a clock change skips its
    start."""
    walls = (datetime.combine(day, pattern.start), datetime.combine(day, pattern.end))
    if not all(wall_time_exists(w, zone) for w in walls):
        return None
    return Interval(wall_to_utc(walls[0], zone), wall_to_utc(walls[1], zone))


def series_columns(pattern: Pattern) -> dict[str, Any]:
    """The pattern as the values of `BookingSeries`' columns (its last date computed)."""
    return {
        "weekdays": ",".join(WEEKDAYS[d] for d in pattern.weekdays),
        "start_time": f"{pattern.start:%H:%M}",
        "end_time": f"{pattern.end:%H:%M}",
        "starts_on": pattern.starts_on,
        "ends_on": pattern.last_date(),
        "repeat_count": pattern.count,
        "units": pattern.units,
    }


def audit_values(values: dict[str, Any]) -> dict[str, Any]:
    """Column values as the audit log stores them: dates as ISO text."""
    return {k: v.isoformat() if isinstance(v, date) else v for k, v in values.items()}
