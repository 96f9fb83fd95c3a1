"""A station's weekly hours precomputed for nearby search: open intervals in minutes of the
local week, merged and seen cyclically (Sunday night runs into Monday morning).

Stored on the station row (`Station.open_week`, built for `Station.open_week_version`), it
answers "open now?" without expanding hours into dates, whenever nothing dated (a holiday
the station follows, a make-up working day, dated hours, a closure) is near the moment;
the caller checks that and otherwise computes the full calendar. Pure functions over plain
values.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from app.calendar import CLOSES_SOON, MINUTES_PER_DAY, OpenState, WeeklyHours
from stations.logic.hours import HoursSpec

WEEK_MINUTES = 7 * MINUTES_PER_DAY
_BEFORE = timedelta(days=1)
_LOOK_AHEAD = timedelta(days=8)
"""The window app.calendar.open_state looks at, around the moment."""
_MINUTE = timedelta(minutes=1)


@dataclass(frozen=True)
class OpenWeek:
    intervals: tuple[tuple[int, int], ...]
    """Merged open intervals `[start, end)` in minutes from Monday 00:00 local, each
    reaching into the week `[0, WEEK_MINUTES)`; a start may be negative (open since Sunday
    night) and an end may pass the week. Open around the clock: one interval of at least
    three weeks."""

    def to_json(self) -> str:
        return json.dumps(self.intervals, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> OpenWeek:
        return cls(tuple((int(start), int(end)) for start, end in json.loads(text)))


def build(weekly: WeeklyHours) -> OpenWeek:
    """The weekly hours as merged minute-of-week intervals, seen cyclically."""
    spans = sorted(
        (
            shift + day * MINUTES_PER_DAY + r.start_minute,
            shift + day * MINUTES_PER_DAY + r.end_minute,
        )
        for shift in (-WEEK_MINUTES, 0, WEEK_MINUTES)
        for day, ranges in enumerate(weekly.days)
        for r in ranges
    )
    merged: list[list[int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return OpenWeek(tuple((s, e) for s, e in merged if s < WEEK_MINUTES and e > 0))


@lru_cache(maxsize=256)
def _week_position(zone: ZoneInfo, at: datetime) -> tuple[datetime, float] | None:
    """Monday 00:00 local of the week holding `at`, as UTC, and the minutes since then; None
    when the zone's UTC offset differs anywhere `open_state` looks (one day before, eight
    ahead). Stations of one zone searched at one moment share it."""
    offset = at.astimezone(zone).utcoffset()
    if offset is None or any(
        (at + shift).astimezone(zone).utcoffset() != offset for shift in (-_BEFORE, _LOOK_AHEAD)
    ):
        return None
    local = at.astimezone(zone).replace(tzinfo=None)
    monday = datetime.combine(local.date() - timedelta(days=local.weekday()), time())
    return (monday - offset).replace(tzinfo=UTC), (local - monday) / _MINUTE


def state_at(week: OpenWeek, spec: HoursSpec, at: datetime) -> OpenState | None:
    """The open state at `at` by the weekly hours alone: what app.calendar.open_state says
    of a calendar without dated hours or closures. None when the zone changes its UTC
    offset in the window open_state looks at (the full calendar handles that)."""
    position = _week_position(spec.zone, at)
    if position is None:
        return None
    if not spec.recorded:
        return OpenState("unknown")
    monday_utc, elapsed = position
    for shift in (0, WEEK_MINUTES):
        for start, end in week.intervals:
            start, end = start + shift, end + shift
            if start <= elapsed < end:
                if end - start >= 3 * WEEK_MINUTES:
                    return OpenState("open")
                closes_at = monday_utc + timedelta(minutes=end)
                return OpenState(
                    "open", closes_at=closes_at, closes_soon=closes_at - at <= CLOSES_SOON
                )
            if start > elapsed:
                return OpenState("closed", opens_next_at=monday_utc + timedelta(minutes=start))
    return OpenState("closed")
