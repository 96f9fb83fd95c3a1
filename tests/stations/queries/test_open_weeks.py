"""Each station's precomputed opening week: nearby search's open states agree with the full
calendar over a year of public holidays; every kind of edit rebuilds the week in its own
transaction."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest

from app import holidays
from app.calendar import WeeklyHours
from stations.logic.nearby import NearbyQuery
from stations.logic.open_week import build
from stations.queries.calendars import calendar_data, state_of
from stations.services import nearby
from stations.tables import Station, StationClosure, StationSpecialHours
from tests.factories import NOW, actor_for, make_community, make_station, make_user
from tests.stations.services.test_authorisation import PROBES, World, world  # noqa: F401

pytestmark = pytest.mark.db

EVERY_DAY = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
SQUARE = (36.1950, 113.1160)


async def _stations() -> None:
    home = await make_community()
    await make_station(home, "ordinary")
    await make_station(
        home,
        "bank",
        hours={d: "09:00-17:00" for d in EVERY_DAY[:5]},
        holiday_policy="closed",
        makeup_days_as_workdays=True,
    )
    await make_station(
        home,
        "night-shop",
        hours={"fri": "22:00-02:00", "sat": "20:00-04:00", "sun": "18:00-06:00"},
        holiday_policy="special",
        holiday_hours="10:00-14:00",
    )
    await make_station(home, "always", hours={d: "00:00-24:00" for d in EVERY_DAY})
    closing = await make_station(home, "closing", holiday_policy="closed")
    await StationClosure.insert(
        StationClosure(
            station=closing.id,
            starts_at=datetime(2026, 5, 10, 4, 0, tzinfo=UTC),
            ends_at=datetime(2026, 5, 13, 16, 0, tzinfo=UTC),
            reason="装修",
            created_at=NOW,
        ),
        StationClosure(
            station=closing.id,
            starts_at=datetime(2026, 8, 1, 1, 30, tzinfo=UTC),
            ends_at=datetime(2026, 8, 1, 3, 0, tzinfo=UTC),
            reason="停电",
            created_at=NOW,
        ),
    )
    await StationSpecialHours.insert(
        StationSpecialHours(station=closing.id, on_date=date(2026, 6, 20), hours="22:00-03:00"),
        StationSpecialHours(station=closing.id, on_date=date(2026, 11, 2), hours=""),
    )


async def test_nearby_open_states_agree_with_the_calendar_over_a_year(db: None) -> None:
    await _stations()
    assert len(await holidays.between(date(2026, 1, 1), date(2026, 12, 31))) > 20
    by_week = by_calendar = 0
    at = datetime(2026, 1, 1, tzinfo=UTC)
    while at < datetime(2027, 1, 1, tzinfo=UTC):
        query = NearbyQuery(centre=nearby.Point(*SQUARE), radius_m=1000, limit=20)
        rows = [row for _, row in await nearby.candidates(query, at, at)]
        decided = sum(nearby._weekly_decides(row) for row in rows)
        by_week, by_calendar = by_week + decided, by_calendar + len(rows) - decided
        data = await calendar_data([row["id"] for row in rows], at)
        expected = [(row["slug"], state_of(row, data, at)) for row in rows]
        found = list(
            zip([row["slug"] for row in rows], await nearby.states_at(rows, at), strict=True)
        )
        assert found == expected, at
        at += timedelta(hours=7, minutes=13)  # drifts through every hour of the week
    # Most answers come from the weeks; holidays, 调休, closures and dated hours from the calendar.
    assert (by_week, by_calendar) == (BY_WEEK, BY_CALENDAR)


BY_WEEK, BY_CALENDAR = 4892, 1178
"""Of the 5 stations at 1,214 moments: those the calendar decides lie near a holiday
(bank, night-shop, closing), a make-up day (bank), a closure or dated hours (closing)."""


async def _week_of(station_id: int) -> tuple[str, int, int, str]:
    row = (
        await Station.select(
            Station.open_week, Station.open_week_version, Station.version, Station.weekly_hours
        )
        .where(Station.id == station_id)
        .first()
    )
    assert row is not None
    weekly = row["weekly_hours"]
    return (
        row["open_week"],
        row["open_week_version"],
        row["version"],
        build(
            WeeklyHours.parse(weekly if isinstance(weekly, dict) else json.loads(weekly))
        ).to_json(),
    )


@pytest.mark.parametrize(
    "probe",
    [
        name
        for name in PROBES
        if name.split(".")[2] in {"amenities", "closures", "dated_services", "special_hours"}
        or name.endswith(("update_station", "set_active"))
    ],
)
async def test_every_edit_rebuilds_the_week(world: World, probe: str) -> None:  # noqa: F811
    before = await _week_of(world.station.id)
    await PROBES[probe](world.staff, world)
    week, built_for, version, fresh = await _week_of(world.station.id)
    assert version > before[2]
    assert (week, built_for) == (fresh, version)


async def test_new_hours_and_holidays_rebuild_the_week(world: World) -> None:  # noqa: F811
    from stations.logic.station_form import StationForm, form_of
    from stations.services import management

    form = StationForm(
        **{
            **vars(form_of(world.station, 4)),
            "hours_sun": "22:00-24:00",
            "hours_mon": "00:00-02:00, 08:00-20:00",
        }
    )
    await management.update_station(world.staff, world.station, form, now=NOW)
    week, built_for, version, fresh = await _week_of(world.station.id)
    assert (week, built_for) == (fresh, version)
    assert week.startswith("[[-120,120],[480,1200],")  # Sunday 22:00 until Monday 02:00
    admin = await actor_for(await make_user("admin@example.com", is_admin=True))
    await holidays.add(admin, "2030-05-01", "holiday", "劳动节", "Labour Day", now=NOW)
    assert (await _week_of(world.station.id))[1:3] == (version + 1, version + 1)
    created = await make_station(await make_community("c-community"), "fresh")
    assert (await _week_of(created.id))[1] == created.version
