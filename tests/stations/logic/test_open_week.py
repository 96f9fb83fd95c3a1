"""The precomputed opening week agrees with app.calendar.open_state of the weekly hours on a
grid of moments over a year, for ordinary, overnight, split, weekday-only, round-the-clock
and unknown hours, in Shanghai and in a zone that changes its clocks."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from app.calendar import OpenState, WeeklyHours, open_state
from stations.logic.hours import HoursSpec, station_calendar
from stations.logic.open_week import OpenWeek, build, state_at

DEFERRED = 489
"""Two clock changes, each deferred for the nine days (one before, eight ahead) of moments
53 minutes apart that see it."""
EVERY_DAY = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
HOURS = {
    "ordinary": {d: "08:00-20:00" for d in EVERY_DAY},
    "overnight": {"fri": "22:00-02:00", "sat": "20:00-04:00", "sun": "23:00-24:00"},
    "into monday": {"sun": "18:00-06:00", "mon": "06:00-09:00"},
    "split": {d: "07:00-11:30, 13:00-21:30" for d in ("mon", "tue", "wed", "thu", "fri")},
    "around the clock": {d: "00:00-24:00" for d in EVERY_DAY},
    "six whole days": {d: "00:00-24:00" for d in EVERY_DAY[:6]},
    "unknown": {},
}


def spec(hours: dict[str, str], zone: str = "Asia/Shanghai") -> HoursSpec:
    return HoursSpec(ZoneInfo(zone), WeeklyHours.parse(hours), "normal", (), False)


def reference(hours_spec: HoursSpec, at: datetime) -> OpenState:
    return open_state(station_calendar(hours_spec, holidays={}, special={}, closures=[]), at)


def grid(start: datetime, step: timedelta, until: datetime) -> list[datetime]:
    moments = []
    while start < until:
        moments.append(start)
        start += step
    return moments


@pytest.mark.parametrize("name", sorted(HOURS))
def test_open_week_agrees_with_the_calendar_over_a_year(name: str) -> None:
    hours_spec = spec(HOURS[name])
    week = OpenWeek.from_json(build(hours_spec.weekly).to_json())
    # Every 97 minutes and 13 seconds: the grid drifts through every minute of the week.
    moments = grid(
        datetime(2026, 1, 1, tzinfo=UTC),
        timedelta(minutes=97, seconds=13),
        datetime(2027, 1, 1, tzinfo=UTC),
    )
    # And the exact minutes hours begin and end, and the moment before each.
    local = ZoneInfo("Asia/Shanghai")
    for day in range(14):
        for minute in (0, 360, 420, 480, 690, 780, 1200, 1290, 1320, 1380, 1439):
            exact = datetime(2026, 3, 2, tzinfo=local) + timedelta(days=day, minutes=minute)
            moments += [exact, exact - timedelta(microseconds=1)]
    for at in moments:
        assert state_at(week, hours_spec, at) == reference(hours_spec, at), (name, at)


def test_open_week_values() -> None:
    assert build(spec(HOURS["ordinary"]).weekly).intervals[:2] == ((480, 1200), (1920, 2640))
    assert build(spec(HOURS["into monday"]).weekly).intervals == (
        (-1440 + 1080, 540),
        (8640 + 1080, 10080 + 540),
    )
    assert build(spec(HOURS["around the clock"]).weekly).intervals == ((-10080, 20160),)
    friday_night = datetime(2026, 3, 6, 23, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert state_at(
        build(spec(HOURS["overnight"]).weekly), spec(HOURS["overnight"]), friday_night
    ) == OpenState("open", closes_at=datetime(2026, 3, 6, 18, 0, tzinfo=UTC), closes_soon=False)


def test_a_zone_that_changes_its_clocks_agrees_or_defers() -> None:
    """Around a change of UTC offset the week defers to the full calendar (None); elsewhere
    it agrees with it."""
    hours_spec = spec(HOURS["overnight"] | {"mon": "01:30-03:30"}, "Europe/Berlin")
    week = build(hours_spec.weekly)
    deferred = 0
    for at in grid(
        datetime(2026, 1, 1, tzinfo=UTC), timedelta(minutes=53), datetime(2027, 1, 1, tzinfo=UTC)
    ):
        state = state_at(week, hours_spec, at)
        if state is None:
            deferred += 1
        else:
            assert state == reference(hours_spec, at), at
    # Nine days around each of the two changes, a moment every 53 minutes.
    assert deferred == DEFERRED
