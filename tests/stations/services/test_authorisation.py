"""The stations domain's staff services refuse a resident and staff of another community.

Every service of `stations` marked `app.permissions.staff_service` has a probe here that
calls it on a thing of community A; each probe runs as a resident of A and as staff of
community B, and must be refused with the domain's error (a station's staff pages, details,
amenities, dates and check-ins: `Forbidden`; marking an amenity, confirming details and
resolving a report, where the station or report must not be revealed: `NotFound`) with
nothing changed.
Each probe first has to work for A's staff, so that a refusal is about the person. A marked
service without a probe fails `test_every_marked_stations_service_has_a_probe`.
"""

from __future__ import annotations

import importlib
import pkgutil
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, timedelta

import pytest

import stations.services
from app.calendar_exceptions import ClosureDraft, ClosureForm, SpecialHoursForm
from app.errors import DomainError, Forbidden, NotFound
from app.permissions import Actor, staff_services
from app.reports import Period
from app.tables import AuditEntry
from stations.logic.services_form import IntegrityForm, ServiceForm
from stations.logic.station_form import StationForm, form_of
from stations.services import (
    amenities,
    closures,
    dated_services,
    management,
    problem_reports,
    reports,
    seat_keeping,
    special_hours,
)
from stations.tables import (
    CheckIn,
    Station,
    StationAmenity,
    StationClosure,
    StationEvent,
    StationReport,
    StationSpecialHours,
)
from tests.factories import NOW, actor_for, make_community, make_station, make_user, shanghai


@dataclass(frozen=True)
class World:
    """Community A with a station (an integrity model shop), its closure, special hours, a
    dated service and an open report about its water; a resident of A, staff of community B,
    and staff of A."""

    community_slug: str
    station: Station
    closure_id: int
    special_hours_id: int
    report_id: str
    check_in_id: int
    service_id: int
    resident: Actor
    stranger: Actor
    staff: Actor
    """Staff of A, whom every probe serves."""


@pytest.fixture
async def world(db: None) -> World:
    a = await make_community("a-community")
    b = await make_community("b-community")
    staff = await actor_for(await make_user("staff.a@example.com", staff_of=[a]))
    resident = await actor_for(await make_user("13800000001", community=a))
    stranger = await actor_for(await make_user("13800000003", community=b, staff_of=[b]))
    await make_station(a, "rider-home")
    station = await management.managed_station(staff, "rider-home")
    closure = await closures.add_closure(
        staff,
        station,
        ClosureForm(from_date="2026-03-20", all_day="1", reason="装修"),
        now=NOW,
    )
    special = await special_hours.set_special_hours(
        staff, station, SpecialHoursForm(on_date="2026-03-21", hours="10:00-12:00"), now=NOW
    )
    report = StationReport(
        id=uuid.uuid4(), station=station.id, reason="no_water", text="", created_at=NOW
    )
    await report.save()
    check_in = CheckIn(
        station=station.id,
        device_hash="d" * 64,
        address_hash="a" * 64,
        checked_in_at=NOW,
        expires_at=NOW + timedelta(minutes=90),
    )
    await check_in.save()
    await dated_services.set_integrity_mark(staff, station, IntegrityForm("2026-01-15"), now=NOW)
    service = await dated_services.add_service(
        staff,
        station,
        ServiceForm("2026-03-20", "14:00", "17:00", "法律咨询", ""),
        now=NOW,
    )
    return World(
        community_slug="a-community",
        station=station,
        closure_id=closure.id,
        special_hours_id=special.id,
        report_id=str(report.id),
        check_in_id=check_in.id,
        service_id=service.id,
        resident=resident,
        stranger=stranger,
        staff=staff,
    )


def _new_station(community_slug: str) -> StationForm:
    return StationForm(
        community=community_slug,
        name_zh="新驿站",
        name_en="New station",
        latitude="36.195",
        longitude="113.116",
        timezone="Asia/Shanghai",
        hours_mon="08:00-20:00",
    )


def _draft() -> ClosureDraft:
    return ClosureDraft(shanghai(25, 8), shanghai(25, 12), False, "消毒")


Probe = Callable[[Actor, World], Awaitable[object]]

PROBES: dict[str, Probe] = {
    "stations.services.amenities.save_amenities": lambda actor, w: amenities.save_amenities(
        actor, w.station, {"has_water": "1", "has_toilet": "1"}, now=NOW
    ),
    "stations.services.amenities.set_amenity_status": (
        lambda actor, w: amenities.set_amenity_status(
            actor, w.station, "water", False, note="坏了", now=NOW
        )
    ),
    "stations.services.closures.add_closure": lambda actor, w: closures.add_closure(
        actor,
        w.station,
        ClosureForm(from_date="2026-03-25", all_day="1", reason="消毒"),
        now=NOW,
    ),
    "stations.services.closures.add_closures": lambda actor, w: closures.add_closures(
        actor, w.station, [_draft()], imported_from="holidays.ics", now=NOW
    ),
    "stations.services.closures.remove_closure": lambda actor, w: closures.remove_closure(
        actor, w.station, w.closure_id, now=NOW
    ),
    "stations.services.dated_services.add_service": lambda actor, w: dated_services.add_service(
        actor, w.station, ServiceForm("2026-03-21", "09:00", "11:00", "安全讲座", ""), now=NOW
    ),
    "stations.services.dated_services.change_service": (
        lambda actor, w: dated_services.change_service(
            actor,
            w.station,
            w.service_id,
            ServiceForm("2026-03-20", "14:00", "18:00", "法律咨询", ""),
            now=NOW,
        )
    ),
    "stations.services.dated_services.cancel_service": (
        lambda actor, w: dated_services.cancel_service(actor, w.station, w.service_id, now=NOW)
    ),
    "stations.services.dated_services.set_integrity_mark": (
        lambda actor, w: dated_services.set_integrity_mark(
            actor, w.station, IntegrityForm("2026-02-15"), now=NOW
        )
    ),
    "stations.services.dated_services.remove_integrity_mark": (
        lambda actor, w: dated_services.remove_integrity_mark(actor, w.station, now=NOW)
    ),
    "stations.services.management.managed_station": (
        lambda actor, w: management.managed_station(actor, w.station.slug)
    ),
    "stations.services.management.create_station": lambda actor, w: management.create_station(
        actor, _new_station(w.community_slug), now=NOW
    ),
    "stations.services.management.update_station": lambda actor, w: management.update_station(
        actor,
        w.station,
        StationForm(**{**vars(form_of(w.station, 4)), "name_en": "Renamed"}),
        now=NOW,
    ),
    "stations.services.management.set_active": lambda actor, w: management.set_active(
        actor, w.station, False, now=NOW
    ),
    "stations.services.management.mark_verified": lambda actor, w: management.mark_verified(
        actor, w.station, now=NOW
    ),
    "stations.services.problem_reports.resolve_report": (
        lambda actor, w: problem_reports.resolve_report(
            actor, w.report_id, resolution="已修好", mark_out_of_order=True, now=NOW
        )
    ),
    "stations.services.reports.station_report": lambda actor, w: reports.station_report(
        actor, Period(date(2026, 3, 1), date(2026, 3, 31)), community_slug=w.community_slug
    ),
    "stations.services.seat_keeping.station_seats": (
        lambda actor, w: seat_keeping.station_seats(actor, w.station, now=NOW)
    ),
    "stations.services.seat_keeping.clear_check_in": (
        lambda actor, w: seat_keeping.clear_check_in(actor, w.station, w.check_in_id, now=NOW)
    ),
    "stations.services.seat_keeping.clear_check_ins": (
        lambda actor, w: seat_keeping.clear_check_ins(actor, w.station, now=NOW)
    ),
    "stations.services.special_hours.set_special_hours": (
        lambda actor, w: special_hours.set_special_hours(
            actor, w.station, SpecialHoursForm(on_date="2026-03-22", hours=""), now=NOW
        )
    ),
    "stations.services.special_hours.remove_special_hours": (
        lambda actor, w: special_hours.remove_special_hours(
            actor, w.station, w.special_hours_id, now=NOW
        )
    ),
}

NOT_FOUND = {
    # Refused as if the station or report did not exist, as these services always have.
    "stations.services.amenities.set_amenity_status",
    "stations.services.management.mark_verified",
    "stations.services.problem_reports.resolve_report",
}
"""The probes refused with `NotFound`; every other one with `Forbidden`."""


def _marked_in_stations() -> set[str]:
    for module in pkgutil.iter_modules(stations.services.__path__):
        importlib.import_module(f"stations.services.{module.name}")
    return {name for name in staff_services() if name.startswith("stations.")}


async def _state() -> tuple[object, ...]:
    return (
        await Station.select().order_by(Station.id),
        await StationAmenity.select().order_by(StationAmenity.id),
        await StationClosure.select().order_by(StationClosure.id),
        await StationSpecialHours.select().order_by(StationSpecialHours.id),
        await StationEvent.select().order_by(StationEvent.id),
        await StationReport.select().order_by(StationReport.created_at),
        await CheckIn.select().order_by(CheckIn.id),
        await AuditEntry.count(),
    )


def test_every_marked_stations_service_has_a_probe() -> None:
    assert set(PROBES) == _marked_in_stations()


@pytest.mark.parametrize("service", sorted(PROBES))
async def test_each_probe_is_what_the_community_staff_may_do(world: World, service: str) -> None:
    """So that a refusal below is about the person, not about a probe that cannot work."""
    await PROBES[service](world.staff, world)


@pytest.mark.parametrize("who", ["resident of the community", "staff of another community"])
@pytest.mark.parametrize("service", sorted(PROBES))
async def test_stations_staff_services_refuse_the_wrong_person(
    world: World, service: str, who: str
) -> None:
    actor = world.resident if who.startswith("resident") else world.stranger
    expected = NotFound if service in NOT_FOUND else Forbidden
    before = await _state()
    with pytest.raises(DomainError) as refusal:
        await PROBES[service](actor, world)
    assert type(refusal.value) is expected
    assert await _state() == before
