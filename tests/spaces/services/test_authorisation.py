"""The spaces domain's staff services refuse a resident and staff of another community.

Every service marked `app.permissions.staff_service` in `spaces.services` has a probe here
that calls it on a thing of community A; each is called as a resident of A and as staff of
community B, must refuse with the domain's error, and must change nothing.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date

import pytest

import spaces.services
from app.calendar_exceptions import SpecialHoursForm
from app.errors import DomainError, Forbidden, NotFound
from app.permissions import Actor, staff_services
from app.reports import Period
from app.tables import AuditEntry, Notification
from spaces.logic.closures import SpaceClosureDraft
from spaces.logic.counter_booking import CounterBookingForm
from spaces.logic.rules import Request
from spaces.logic.space_form import SpaceForm, form_of
from spaces.services import (
    attendance,
    bookings,
    catalog,
    closures,
    counter,
    decisions,
    editing,
    ratings,
    reports,
    series,
    series_changes,
    series_dates,
    series_reads,
    space_days,
    special_hours,
)
from spaces.services.series import SeriesForm
from spaces.services.series_dates import OccurrenceForm
from spaces.tables import (
    Booking,
    BookingSeries,
    SeriesSkip,
    Space,
    SpaceClosure,
    SpaceSpecialHours,
    WaitlistEntry,
)
from tests.factories import NOW, actor_for, make_community, make_space, make_user, shanghai

BAND = SeriesForm(
    group_name="老年合唱团",
    weekdays=["tue", "thu"],
    start_time="09:00",
    end_time="11:00",
    starts_on="2026-03-03",
    ends_on="2026-03-26",
)


@dataclass(frozen=True)
class World:
    """Community A with a space and its bookings, a request, a rating, a closure, special
    hours and a group series; a resident of A and staff of community B."""

    community_slug: str
    space: Space
    series: BookingSeries
    occurrence_id: str
    request_id: str
    rated_id: str
    closure_id: int
    special_hours_id: int
    resident: Actor
    resident_login: str
    stranger: Actor
    staff: Actor
    """Staff of A, whom every probe serves."""


@pytest.fixture
async def world(db: None) -> World:
    a = await make_community("a-community")
    b = await make_community("b-community")
    staff = await actor_for(await make_user("staff.a@example.com", staff_of=[a]))
    resident_user = await make_user("13800000001", community=a)
    resident = await actor_for(resident_user)
    stranger = await actor_for(await make_user("13800000003", community=b, staff_of=[b]))
    await make_space(a, "hall", capacity=2, requires_approval=True)
    space = await catalog.managed_space(staff, "hall")
    request = await bookings.book(
        resident, "hall", Request(shanghai(4, 10), shanghai(4, 11)), now=NOW
    )
    rated = await bookings.book(
        resident, "hall", Request(shanghai(3, 10), shanghai(3, 11)), now=NOW
    )
    await Booking.update(
        {Booking.status: "completed", Booking.rating: 1, Booking.rating_comment: "脏"}
    ).where(Booking.id == rated.booking.id)
    made, _booked, _skipped = await series.create(staff, space, BAND, now=NOW)
    occurrence = (
        await Booking.objects().where(Booking.series == made.id).order_by(Booking.starts_at).first()
    )
    skipped = await Booking.objects().where(Booking.occurrence_on == date(2026, 3, 10)).first()
    assert occurrence is not None and skipped is not None
    await series_dates.cancel_one(staff, space, made, str(skipped.id), reason="停一次", now=NOW)
    closure = await closures.add(
        staff,
        space,
        SpaceClosureDraft(shanghai(20, 8), shanghai(20, 12), False, "维修"),
        choice="keep",
        cancel_reason="",
        expected="",
        now=NOW,
    )
    await special_hours.set_special_hours(
        staff, space, SpecialHoursForm(on_date="2026-03-21", hours="10:00-12:00"), now=NOW
    )
    special = await SpaceSpecialHours.objects().first()
    assert special is not None
    return World(
        community_slug="a-community",
        space=space,
        series=made,
        occurrence_id=str(occurrence.id),
        request_id=str(request.booking.id),
        rated_id=str(rated.booking.id),
        closure_id=closure[0].id,
        special_hours_id=special.id,
        resident=resident,
        resident_login=resident_user.login,
        stranger=stranger,
        staff=staff,
    )


def _draft() -> SpaceClosureDraft:
    return SpaceClosureDraft(shanghai(25, 8), shanghai(25, 12), False, "消毒", units=None)


Probe = Callable[[Actor, World], Awaitable[object]]

PROBES: dict[str, Probe] = {
    "spaces.services.attendance.no_show_counts": lambda actor, w: attendance.no_show_counts(
        actor, w.space.community, NOW
    ),
    "spaces.services.catalog.managed_space": lambda actor, w: catalog.managed_space(
        actor, w.space.slug
    ),
    "spaces.services.closures.preview": lambda actor, w: closures.preview(actor, w.space, _draft()),
    "spaces.services.closures.plan_import": lambda actor, w: closures.plan_import(
        actor, w.space, [_draft()]
    ),
    "spaces.services.closures.add": lambda actor, w: closures.add(
        actor, w.space, _draft(), choice="keep", cancel_reason="", expected="", now=NOW
    ),
    "spaces.services.closures.add_many": lambda actor, w: closures.add_many(
        actor, w.space, [_draft()], choice="keep", cancel_reason="", expected="", now=NOW
    ),
    "spaces.services.closures.remove": lambda actor, w: closures.remove(
        actor, w.space, w.closure_id, now=NOW
    ),
    "spaces.services.counter.book_at_counter": lambda actor, w: counter.book_at_counter(
        actor,
        w.space,
        CounterBookingForm(
            resident=w.resident_login, on_date="2026-03-05", start_time="14:00", end_time="15:00"
        ),
        now=NOW,
    ),
    "spaces.services.decisions.approve": lambda actor, w: decisions.approve(
        actor, w.request_id, now=NOW
    ),
    "spaces.services.decisions.reject": lambda actor, w: decisions.reject(
        actor, w.request_id, reason="已满", now=NOW
    ),
    "spaces.services.decisions.book_on_behalf": lambda actor, w: decisions.book_on_behalf(
        actor,
        w.resident.id,
        w.space.slug,
        Request(shanghai(5, 14), shanghai(5, 15)),
        note="",
        now=NOW,
    ),
    "spaces.services.decisions.upcoming_of_space": lambda actor, w: decisions.upcoming_of_space(
        actor, w.space, NOW
    ),
    "spaces.services.editing.create_space": lambda actor, w: editing.create_space(
        actor,
        SpaceForm(
            community=w.community_slug, name_zh="新室", name_en="New room", hours_mon="09:00-17:00"
        ),
        now=NOW,
    ),
    "spaces.services.editing.update_space": lambda actor, w: editing.update_space(
        actor, w.space, form_of(w.space), now=NOW
    ),
    "spaces.services.editing.set_active": lambda actor, w: editing.set_active(
        actor, w.space, False, now=NOW
    ),
    "spaces.services.ratings.hide_rating": lambda actor, w: ratings.hide_rating(
        actor, w.rated_id, now=NOW
    ),
    "spaces.services.reports.space_report": lambda actor, w: reports.space_report(
        actor, Period(date(2026, 3, 1), date(2026, 3, 31)), community_slug=w.community_slug, now=NOW
    ),
    "spaces.services.series.preview_create": lambda actor, w: series.preview_create(
        actor, w.space, BAND, now=NOW
    ),
    "spaces.services.series.create": lambda actor, w: series.create(actor, w.space, BAND, now=NOW),
    "spaces.services.series_changes.preview_edit": lambda actor, w: series_changes.preview_edit(
        actor, w.space, w.series, BAND, now=NOW
    ),
    "spaces.services.series_changes.edit": lambda actor, w: series_changes.edit(
        actor, w.space, w.series, BAND, now=NOW
    ),
    "spaces.services.series_changes.end": lambda actor, w: series_changes.end(
        actor, w.space, w.series, reason="解散", now=NOW
    ),
    "spaces.services.series_dates.edit_one": lambda actor, w: series_dates.edit_one(
        actor,
        w.space,
        w.series,
        w.occurrence_id,
        OccurrenceForm(on_date="2026-03-06", start_time="09:00", end_time="11:00"),
        now=NOW,
    ),
    "spaces.services.series_dates.cancel_one": lambda actor, w: series_dates.cancel_one(
        actor, w.space, w.series, w.occurrence_id, reason="停一次", now=NOW
    ),
    "spaces.services.series_dates.restore": lambda actor, w: series_dates.restore(
        actor, w.space, w.series, "2026-03-10", now=NOW
    ),
    "spaces.services.series_reads.get": lambda actor, w: series_reads.get(
        actor, w.space, str(w.series.id)
    ),
    "spaces.services.series_reads.of_space": lambda actor, w: series_reads.of_space(
        actor, w.space, NOW
    ),
    "spaces.services.space_days.timeline": lambda actor, w: space_days.timeline(
        actor, date(2026, 3, 2), 1, community=w.community_slug, now=NOW
    ),
    "spaces.services.special_hours.set_special_hours": (
        lambda actor, w: special_hours.set_special_hours(
            actor, w.space, SpecialHoursForm(on_date="2026-03-22", hours=""), now=NOW
        )
    ),
    "spaces.services.special_hours.remove_special_hours": (
        lambda actor, w: special_hours.remove_special_hours(
            actor, w.space, w.special_hours_id, now=NOW
        )
    ),
}

NOT_FOUND = {
    # A booking, a resident or a community's residents: existence must not leak.
    "spaces.services.attendance.no_show_counts",
    "spaces.services.decisions.approve",
    "spaces.services.decisions.reject",
    "spaces.services.decisions.book_on_behalf",
    "spaces.services.ratings.hide_rating",
}
"""The probes refused with `NotFound`; every other one with `Forbidden`."""


def _marked_in_spaces() -> set[str]:
    for module in pkgutil.iter_modules(spaces.services.__path__):
        importlib.import_module(f"spaces.services.{module.name}")
    return {name for name in staff_services() if name.startswith("spaces.")}


async def _state() -> tuple[object, ...]:
    return (
        await Space.select().order_by(Space.id),
        await Booking.select().order_by(Booking.created_at, Booking.starts_at),
        await BookingSeries.select(),
        await SeriesSkip.select().order_by(SeriesSkip.id),
        await SpaceClosure.select().order_by(SpaceClosure.id),
        await SpaceSpecialHours.select().order_by(SpaceSpecialHours.id),
        await WaitlistEntry.select(),
        await AuditEntry.count(),
        await Notification.count(),
    )


def test_every_marked_spaces_service_has_a_probe() -> None:
    assert set(PROBES) == _marked_in_spaces()


@pytest.mark.parametrize("service", sorted(PROBES))
async def test_each_probe_is_what_the_community_staff_may_do(world: World, service: str) -> None:
    """So that a refusal below is about the person, not about a probe that cannot work."""
    try:
        await PROBES[service](world.staff, world)
    except DomainError as refusal:  # a rule may still refuse; the person may not be the reason
        assert not isinstance(refusal, Forbidden | NotFound), refusal


@pytest.mark.parametrize("who", ["resident of the community", "staff of another community"])
@pytest.mark.parametrize("service", sorted(PROBES))
async def test_spaces_staff_services_refuse_the_wrong_person(
    world: World, service: str, who: str
) -> None:
    actor = world.resident if who.startswith("resident") else world.stranger
    expected = NotFound if service in NOT_FOUND else Forbidden
    before = await _state()
    with pytest.raises(DomainError) as refusal:
        await PROBES[service](actor, world)
    assert type(refusal.value) is expected
    assert await _state() == before
