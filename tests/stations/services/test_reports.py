"""The station report loads the figures of the actor's communities, or of the one chosen."""

import pytest

from app import reports as app_reports
from app.errors import Forbidden
from app.tables import Community
from stations.services import reports
from tests.factories import actor_for, make_community, make_station, make_user
from tests.stations.report_world import WEEK, report_stations


@pytest.fixture
async def stations(db: None) -> Community:
    return await report_stations()


async def test_station_report_hand_computed(db: None, stations) -> None:
    staff = await actor_for(await make_user(staff_of=[stations]))
    report = await reports.station_report(staff, WEEK)
    assert [row.station.slug for row in report.rows] == ["bank", "gulou"]
    bank, gulou = (row.figures for row in report.rows)
    # Gulou: water 2, charging 1, closed 1, other 1 = 5; resolved 0.5, 2, 24 h: median 2,
    # mean 26.5 / 3 = 8.83; 2 still open.
    assert (gulou.total, gulou.resolved, gulou.still_open) == (5, 3, 2)
    assert (gulou.by_reason["no_water"], gulou.by_reason["closed_in_hours"]) == (2, 1)
    assert (gulou.by_reason["toilet_unavailable"], gulou.by_reason["wrong_location"]) == (0, 0)
    assert (gulou.median_hours, app_reports.format_decimal(gulou.mean_hours)) == (2.0, "8.8")
    assert (bank.total, bank.resolved, bank.median_hours, bank.mean_hours) == (1, 1, 1.0, 1.0)
    # All: times 0.5, 1, 2, 24 h: median (1 + 2) / 2 = 1.5; mean 27.5 / 4 = 6.875.
    total = report.total
    assert (total.total, total.resolved, total.still_open) == (6, 4, 2)
    assert total.median_hours == 1.5 and total.mean_hours == 6.875
    assert app_reports.format_decimal(total.mean_hours) == "6.9"


async def test_station_report_scoped_to_my_communities(db: None, stations) -> None:
    elsewhere = await make_community("caijiaxiang")
    await make_station(elsewhere, "tool-shop")
    theirs = await actor_for(await make_user(staff_of=[elsewhere]))
    admin = await actor_for(await make_user(is_admin=True))
    mine = await reports.station_report(theirs, WEEK)
    assert [row.station.slug for row in mine.rows] == ["tool-shop"]
    assert mine.total.total == 0
    everything = await reports.station_report(admin, WEEK)
    assert [row.station.slug for row in everything.rows] == ["bank", "gulou", "tool-shop"]
    with pytest.raises(Forbidden):
        await reports.station_report(theirs, WEEK, community_slug="bayi")
