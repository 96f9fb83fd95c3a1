"""A courier reports a problem; staff of the station's community see it and resolve it,
marking the amenity out of order."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from app import throttle
from stations.logic.amenities import mask_of
from stations.logic.geo import Point
from stations.logic.nearby import NearbyQuery
from stations.services import amenities, problem_reports
from stations.services.nearby import nearby
from stations.tables import Station, StationReport
from tests.factories import actor_for, make_community, make_station, make_user
from tests.parallel import at_once

ZONE = ZoneInfo("Asia/Shanghai")
SQUARE = Point(36.1950, 113.1160)
MONDAY_NOON = datetime(2026, 3, 2, 12, 0, tzinfo=ZONE)


def query(**kwargs: object) -> NearbyQuery:
    values = {"centre": SQUARE, "radius_m": 1000, "limit": 20}
    values.update(kwargs)
    return NearbyQuery(**values)  # type: ignore[arg-type]


async def test_report_flow_marks_the_amenity_out_of_order(db: None) -> None:
    from app.errors import InputError, NotFound

    home, other = await make_community(), await make_community()
    station = await make_station(home, "s")
    staff = await actor_for(await make_user(staff_of=[home]))
    outsider = await actor_for(await make_user(staff_of=[other]))
    with pytest.raises(InputError):
        await problem_reports.report_problem(
            station,
            "other",
            "",
            device_token="d" * 24,
            client_ip="198.51.100.1",
            user_id=None,
            now=MONDAY_NOON,
        )
    report = await problem_reports.report_problem(
        station,
        "no_water",
        "饮水机坏了",
        device_token="d" * 24,
        client_ip="198.51.100.1",
        user_id=None,
        now=MONDAY_NOON,
    )
    assert [r.id for r in await problem_reports.open_reports(staff)] == [report.id]
    assert await problem_reports.open_reports(outsider) == []
    with pytest.raises(NotFound):
        await problem_reports.resolve_report(
            outsider, str(report.id), resolution="", now=MONDAY_NOON
        )
    resolved = await problem_reports.resolve_report(
        staff, str(report.id), resolution="已报修", now=MONDAY_NOON
    )
    assert (resolved.resolved_by, resolved.resolution) == (staff.id, "已报修")
    await amenities.set_amenity_status(
        staff, station, "water", False, note="已报修", now=MONDAY_NOON
    )
    found = await nearby(query(amenity_mask=mask_of(["water"])), now=MONDAY_NOON)
    assert found.stations == []
    assert await problem_reports.open_reports(staff) == []


async def test_resolving_can_mark_the_reported_amenity_out_of_order(db: None) -> None:
    home = await make_community()
    station = await make_station(home, "s")
    staff = await actor_for(await make_user(staff_of=[home]))
    water = await problem_reports.report_problem(
        station,
        "no_water",
        "",
        device_token="d" * 24,
        client_ip="198.51.100.1",
        user_id=None,
        now=MONDAY_NOON,
    )
    wrong_place = await problem_reports.report_problem(
        station,
        "wrong_location",
        "",
        device_token="d" * 24,
        client_ip="198.51.100.1",
        user_id=None,
        now=MONDAY_NOON,
    )

    await problem_reports.resolve_report(
        staff, str(wrong_place.id), resolution="", mark_out_of_order=True, now=MONDAY_NOON
    )
    assert (
        len((await nearby(query(amenity_mask=mask_of(["water"])), now=MONDAY_NOON)).stations) == 1
    )
    resolved = await problem_reports.resolve_report(
        staff, str(water.id), resolution="饮水机坏了", mark_out_of_order=True, now=MONDAY_NOON
    )

    assert resolved.resolved_at is not None
    assert (await nearby(query(amenity_mask=mask_of(["water"])), now=MONDAY_NOON)).stations == []
    assert (await nearby(query(amenity_mask=mask_of(["charging"])), now=MONDAY_NOON)).stations != []


async def _report(station: Station, device: str, address: str) -> None:
    await problem_reports.report_problem(
        station,
        "no_water",
        "",
        device_token=device,
        client_ip=address,
        user_id=None,
        now=MONDAY_NOON,
    )


async def test_fifty_reports_at_once_from_one_device_pass_exactly_ten(
    throttle_backend: object,
) -> None:
    station = await make_station(await make_community(), "s")

    async def attempt(index: int) -> None:
        await _report(station, "d" * 24, f"198.51.100.{index}")

    assert at_once(attempt) == {"ok": 10, "Throttled": 40}
    assert await StationReport.count() == 10


async def test_fifty_reports_at_once_from_one_address_pass_exactly_its_limit(
    throttle_backend: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    limit = problem_reports.REPORTS_PER_ADDRESS
    monkeypatch.setattr(
        problem_reports, "REPORTS_PER_ADDRESS", throttle.Limit(limit.name, 7, limit.window)
    )
    station = await make_station(await make_community(), "s")

    async def attempt(index: int) -> None:
        await _report(station, f"device-{index:04d}" * 2, "198.51.100.9")

    assert at_once(attempt) == {"ok": 7, "Throttled": 43}
    assert await StationReport.count() == 7
