"""The hold rule in every capacity-checked write, and everything read inside the space's lock.

A confirmed booking or a waitlist offer holds its span plus the space's buffer; a maintenance
block holds its span exactly; a new booking's own buffer may not run into any hold. The demo
ladder is the case: one unit, a 30-minute turnaround."""

import pytest

from app.errors import Conflict, RuleViolation
from app.i18n import set_locale
from spaces.logic.rules import Request
from spaces.logic.statuses import BookingStatus, WaitlistStatus
from spaces.services import bookings, cancellation, decisions, series, waitlist
from spaces.tables import Booking, Space, SpaceClosure, WaitlistEntry
from tests.factories import actor_for, make_community, make_space, make_user, shanghai
from tests.spaces.services.test_series import elderly_band

NOW = shanghai(1, 20)
ALL_DAY = {day: "00:00-24:00" for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


@pytest.fixture(autouse=True)
def english() -> None:
    set_locale("en")


async def ladder(home, slug: str = "ladder", **rules: object) -> Space:
    return await make_space(
        home, slug, capacity=1, buffer_minutes=30, weekly_hours=ALL_DAY, **rules
    )


async def resident(home):
    return await actor_for(await make_user(community=home))


def at(hour: int, minute: int = 0, end_hour: int | None = None, end_minute: int = 0) -> Request:
    """On Monday 2 March 2026, Shanghai time."""
    return Request(shanghai(2, hour, minute), shanghai(2, end_hour or hour + 1, end_minute))


async def confirmed(space_slug: str) -> list[tuple]:
    rows = await Booking.select(Booking.starts_at, Booking.ends_at).where(
        (Booking.space.slug == space_slug) & (Booking.status == BookingStatus.confirmed.value)
    )
    return sorted((r["starts_at"], r["ends_at"]) for r in rows)


async def test_an_earlier_booking_whose_buffer_runs_into_a_later_one_is_refused(
    db: None,
) -> None:
    home = await make_community()
    await ladder(home)
    first, second = await resident(home), await resident(home)
    await bookings.book(first, "ladder", at(3), now=NOW)
    with pytest.raises(Conflict) as refused:
        await bookings.book(second, "ladder", at(2), now=NOW)
    assert refused.value.rule == "capacity"
    # The nearest free times of the same length leave the turnaround before 03:00 free.
    assert [a.start for a in refused.value.alternatives] == [
        "2026-03-02T01:30:00+08:00",
        "2026-03-02T01:00:00+08:00",
        "2026-03-02T00:30:00+08:00",
    ]
    booked = await bookings.book(second, "ladder", at(1, 30, 2, 30), now=NOW)
    assert booked.created
    assert await confirmed("ladder") == [
        (shanghai(2, 1, 30), shanghai(2, 2, 30)),
        (shanghai(2, 3), shanghai(2, 4)),
    ]


async def test_a_later_booking_inside_an_earlier_ones_buffer_is_refused(db: None) -> None:
    home = await make_community()
    await ladder(home)
    first, second = await resident(home), await resident(home)
    await bookings.book(first, "ladder", at(2), now=NOW)
    with pytest.raises(Conflict):
        await bookings.book(second, "ladder", at(3), now=NOW)
    assert (await bookings.book(second, "ladder", at(3, 30, 4, 30), now=NOW)).created


async def test_a_booking_ending_as_a_block_starts_is_refused_one_starting_as_it_ends_is_not(
    db: None,
) -> None:
    home = await make_community()
    space = await ladder(home)
    await SpaceClosure(
        space=space.id, starts_at=shanghai(2, 3), ends_at=shanghai(2, 4), units=1, created_at=NOW
    ).save()
    wang = await resident(home)
    with pytest.raises(Conflict):
        await bookings.book(wang, "ladder", at(2), now=NOW)
    assert (await bookings.book(wang, "ladder", at(4), now=NOW)).created


async def test_approval_refuses_a_request_whose_buffer_runs_into_a_confirmed_booking(
    db: None,
) -> None:
    home = await make_community()
    await ladder(home, requires_approval=True)
    staff = await actor_for(await make_user("staff@example.com", staff_of=[home]))
    later = await bookings.book(await resident(home), "ladder", at(3), now=NOW)
    earlier = await bookings.book(await resident(home), "ladder", at(2), now=NOW)
    await decisions.approve(staff, str(later.booking.id), now=NOW)
    with pytest.raises(Conflict, match="would overbook"):
        await decisions.approve(staff, str(earlier.booking.id), now=NOW)
    assert await confirmed("ladder") == [(shanghai(2, 3), shanghai(2, 4))]


async def test_no_waitlist_offer_whose_buffer_runs_into_a_confirmed_booking(db: None) -> None:
    home = await make_community()
    await ladder(home)
    blocker, holder, waiting = await resident(home), await resident(home), await resident(home)
    freed = await bookings.book(blocker, "ladder", at(1, 30, 2, 30), now=NOW)
    await bookings.book(holder, "ladder", at(3), now=NOW)
    joined = await waitlist.join(waiting, "ladder", at(2), now=NOW)
    await cancellation.cancel(blocker, str(freed.booking.id), now=NOW)
    entry = await WaitlistEntry.objects().where(WaitlistEntry.id == joined.entry.id).first()
    assert entry.status == WaitlistStatus.waiting.value


async def test_a_series_date_whose_buffer_runs_into_a_booking_is_a_conflict(db: None) -> None:
    home = await make_community("bayi")
    staff = await actor_for(await make_user("staff@example.com", staff_of=[home]))
    await make_user("13812345678", name="赵老师", community=home)
    hall = await ladder(home, "hall")
    # Thursday 12 March at 11:00, just after the series' 09:00–11:00.
    await bookings.book(
        await resident(home), "hall", Request(shanghai(12, 11), shanghai(12, 12)), now=NOW
    )
    occurrences = await series.preview_create(staff, hall, elderly_band(), now=NOW)
    assert [o.on.day for o in occurrences if o.problem] == [12]


async def test_a_closure_committed_before_the_lock_is_taken_is_seen(
    db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = await make_community()
    space = await ladder(home)

    async def closure_meanwhile(*_args: object) -> None:
        await SpaceClosure(
            space=space.id,
            starts_at=shanghai(2, 0),
            ends_at=shanghai(3, 0),
            reason="水管维修",
            created_at=NOW,
        ).save()

    monkeypatch.setattr(bookings, "before_lock", closure_meanwhile)
    with pytest.raises(RuleViolation) as refused:
        await bookings.book(await resident(home), "ladder", at(10), now=NOW)
    assert refused.value.rule == "closed"
    assert await confirmed("ladder") == []


async def test_hours_changed_before_the_lock_is_taken_are_seen(
    db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = await make_community()
    space = await ladder(home)

    async def hours_meanwhile(*_args: object) -> None:
        await Space.update({Space.weekly_hours: {"mon": "14:00-18:00"}}).where(Space.id == space.id)

    monkeypatch.setattr(bookings, "before_lock", hours_meanwhile)
    with pytest.raises(RuleViolation) as refused:
        await bookings.book(await resident(home), "ladder", at(10), now=NOW)
    assert refused.value.rule == "closed"


async def test_approval_inside_a_closure_is_refused_with_the_closure_named(db: None) -> None:
    home = await make_community()
    space = await ladder(home, requires_approval=True)
    staff = await actor_for(await make_user("staff@example.com", staff_of=[home]))
    asked = await bookings.book(await resident(home), "ladder", at(10), now=NOW)
    await SpaceClosure(
        space=space.id,
        starts_at=shanghai(2, 9),
        ends_at=shanghai(2, 12),
        reason="Pipe repair",
        created_at=NOW,
    ).save()
    with pytest.raises(RuleViolation) as refused:
        await decisions.approve(staff, str(asked.booking.id), now=NOW)
    assert refused.value.rule == "closed"
    assert refused.value.detail == (
        "The space is closed from 3/2/26, 9:00\u202fAM to 3/2/26, 12:00\u202fPM (Pipe repair). "
        "Reject the request, telling the resident why."
    )
    stored = await Booking.objects().where(Booking.id == asked.booking.id).first()
    assert stored.status == BookingStatus.pending.value


async def test_approval_after_the_hours_changed_is_refused(db: None) -> None:
    home = await make_community()
    space = await ladder(home, requires_approval=True)
    staff = await actor_for(await make_user("staff@example.com", staff_of=[home]))
    asked = await bookings.book(await resident(home), "ladder", at(10), now=NOW)
    await Space.update({Space.weekly_hours: {"mon": "14:00-18:00"}}).where(Space.id == space.id)
    with pytest.raises(RuleViolation) as refused:
        await decisions.approve(staff, str(asked.booking.id), now=NOW)
    assert refused.value.detail.startswith("The space is no longer open for the whole of this")


async def test_approval_after_the_slot_length_changed_is_refused(db: None) -> None:
    home = await make_community()
    space = await ladder(home, requires_approval=True)
    staff = await actor_for(await make_user("staff@example.com", staff_of=[home]))
    asked = await bookings.book(await resident(home), "ladder", at(10, 30, 11, 30), now=NOW)
    await Space.update({Space.slot_minutes: 60}).where(Space.id == space.id)
    with pytest.raises(RuleViolation) as refused:
        await decisions.approve(staff, str(asked.booking.id), now=NOW)
    assert refused.value.rule == "alignment"
