"""Turning a need into a booking or a weekly series for its reporter, in one step."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from app.errors import Conflict, FieldError, InputError, RuleViolation
from app.tables import AuditEntry
from needs.services import (
    convert,
    reporter,
    transitions,
)
from needs.tables import Need
from spaces.tables import Booking, BookingSeries
from tests.factories import make_space
from tests.needs.world import (
    T1,
    T2,
    World,
    events_of,
    file,
    notices,
    reload,
    snapshot,
)

# --- turning a need into a booking ---------------------------------------------------------

pytestmark = pytest.mark.usefixtures("media")


async def test_a_need_becomes_a_booking_for_its_reporter(world: World) -> None:
    space = await make_space(world.home, "music-room")
    need, _ = await file(
        world.resident, category="space_or_tool", description="Our band needs a room"
    )
    form = convert.BookingForm(
        space="music-room", on_date="2026-03-03", start_time="10:00", end_time="12:00"
    )
    done = await convert.to_booking(world.staff, str(need.id), form, now=T1)

    booking = await Booking.objects().first()
    assert (booking.user, booking.space, booking.booked_by, booking.status) == (
        world.resident.id,
        space.id,
        world.staff.id,
        "confirmed",
    )
    assert (booking.starts_at, booking.ends_at) == (
        datetime(2026, 3, 3, 2, 0, tzinfo=UTC),
        datetime(2026, 3, 3, 4, 0, tzinfo=UTC),
    )
    assert (done.status, done.booking_ref, done.done_at, done.sequence) == (
        "done",
        str(booking.id),
        T1,
        1,
    )
    assert done.resolution == "Booked Shared music room on Tue, Mar 3, 2026, 10:00–12:00."
    assert (await events_of(need))[-1] == ("converted", T1, world.staff.id, done.resolution)
    assert [(user, kind) for user, kind, _ in await notices()][-2:] == [
        (world.resident.id, "booking.booked_for_you"),
        (world.resident.id, "need.converted"),
    ]
    actions = await AuditEntry.select(AuditEntry.action).order_by(AuditEntry.id)
    assert [row["action"] for row in actions] == ["booking.on_behalf", "need.converted"]
    access = await reporter.reporter_access(world.resident, str(need.id))
    assert (await reporter.rate(access, stars="5", comment="", now=T2)).status == "rated"


async def test_no_booking_for_an_anonymous_need_or_a_refused_time(world: World) -> None:
    await make_space(world.home, "music-room")
    anonymous, _ = await file(None, community="bayi", category="space_or_tool")
    mine, _ = await file(world.resident, category="space_or_tool")
    before = await snapshot()
    good = convert.BookingForm(
        space="music-room", on_date="2026-03-03", start_time="10:00", end_time="12:00"
    )
    with pytest.raises(RuleViolation) as caught:
        await convert.to_booking(world.staff, str(anonymous.id), good, now=T1)
    assert caught.value.rule == "anonymous"
    late = convert.BookingForm(
        space="music-room", on_date="2026-03-03", start_time="22:00", end_time="23:00"
    )
    with pytest.raises(RuleViolation):  # the space closes at 22:00
        await convert.to_booking(world.staff, str(mine.id), late, now=T1)
    other_space = await make_space(world.other, "elsewhere")
    before = await snapshot()
    with pytest.raises(InputError) as wrong_space:
        await convert.to_booking(
            world.staff,
            str(mine.id),
            convert.BookingForm(
                space=other_space.slug, on_date="2026-03-03", start_time="10:00", end_time="11:00"
            ),
            now=T1,
        )
    assert wrong_space.value.errors == [
        FieldError("space", "Choose a space of the need's community.")
    ]
    assert await snapshot() == before
    assert await Booking.count() == 0


async def test_a_booking_that_cannot_record_its_need_is_not_made(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The booking and the need's step are one transaction: if the need was closed in the
    meantime, the booking is rolled back with it."""
    await make_space(world.home, "music-room")
    need, _ = await file(world.resident, category="space_or_tool")

    async def closed_meanwhile(need_id: Any) -> Need:
        found = await transitions.locked(need_id)
        found.status = "withdrawn"
        return found

    monkeypatch.setattr(convert, "locked", closed_meanwhile)
    form = convert.BookingForm(
        space="music-room", on_date="2026-03-03", start_time="10:00", end_time="11:00"
    )
    with pytest.raises(Conflict):
        await convert.to_booking(world.staff, str(need.id), form, now=T1)
    assert await Booking.count() == 0
    assert (await reload(need)).status == "open"
    assert await AuditEntry.count() == 0
    assert [kind for _user, kind, _title in await notices()] == ["need.filed"]


async def test_a_need_becomes_a_weekly_series_for_its_reporter(world: World) -> None:
    await make_space(world.home, "music-room")
    need, _ = await file(
        world.resident, category="space_or_tool", description="Band rehearsal on Tuesdays"
    )
    form = convert.SeriesForm(
        series_space="music-room",
        group_name="老年乐队",
        weekdays="tue",
        series_start_time="14:00",
        series_end_time="16:00",
        starts_on="2026-03-03",
        count="4",
    )
    done, booked, skipped = await convert.to_series(world.staff, str(need.id), form, now=T1)
    series = await BookingSeries.objects().first()
    assert (series.user, series.group_name, booked, skipped) == (
        world.resident.id,
        "老年乐队",
        4,
        0,
    )
    assert await Booking.count().where(Booking.series == series.id) == 4
    assert (done.status, done.series_ref, done.booking_ref) == ("done", str(series.id), "")
    assert done.resolution == (
        "Booked Shared music room: Every Tue, 14:00–16:00, from Tue, Mar 3, 2026 to "
        "Tue, Mar 24, 2026."
    )
    bad = convert.SeriesForm(series_space="music-room", weekdays="tue", series_start_time="16:00")
    other, _ = await file(world.resident, category="space_or_tool")
    before = await snapshot()
    with pytest.raises(InputError) as caught:
        await convert.to_series(world.staff, str(other.id), bad, now=T1)
    assert {error.field for error in caught.value.errors} == {
        "series_end_time",
        "starts_on",
        "ends_on",
    }
    assert await snapshot() == before


async def test_a_need_turned_into_a_series_twice_makes_one_series(world: World) -> None:
    """The conversion form has no form token: the need itself is the guard, re-checked under
    its lock, so a double submit finds it done and books nothing more."""
    await make_space(world.home, "music-room")
    need, _ = await file(world.resident, category="space_or_tool")
    form = convert.SeriesForm(
        series_space="music-room",
        group_name="老年乐队",
        weekdays="tue",
        series_start_time="14:00",
        series_end_time="16:00",
        starts_on="2026-03-03",
        count="2",
    )
    await convert.to_series(world.staff, str(need.id), form, now=T1)
    with pytest.raises(Conflict, match="the need is now"):
        await convert.to_series(world.staff, str(need.id), form, now=T1)
    assert (await BookingSeries.count(), await Booking.count()) == (1, 2)
