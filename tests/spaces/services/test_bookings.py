"""Booking, cancelling, approving and rating through the services: rules, capacity, idempotency,
scoping, account deletion, and concurrent attempts that never overbook."""

import asyncio
import contextlib
import uuid
from datetime import timedelta

import pytest

from app.accounts import services as accounts
from app.errors import Conflict, InputError, NotFound, RuleViolation
from app.i18n import set_locale
from spaces.logic import statuses
from spaces.logic.availability import Usage, hold_of
from spaces.logic.rules import Request
from spaces.logic.statuses import BookingStatus
from spaces.services import bookings, cancellation, decisions, ratings
from spaces.services.availability import get_availability
from spaces.tables import Booking
from tests.factories import PASSWORD, actor_for, make_community, make_space, make_user, shanghai

NOW = shanghai(2, 9)


@pytest.fixture(autouse=True)
def english() -> None:
    set_locale("en")


async def resident(community, **kwargs):
    return await actor_for(await make_user(community=community, **kwargs))


async def test_booking_is_confirmed_and_holds_the_unit(db: None) -> None:
    home = await make_community("caijiaxiang")
    space = await make_space(home, "music-room")
    wang = await resident(home)
    result = await bookings.book(
        wang, "music-room", Request(shanghai(2, 10), shanghai(2, 12)), now=NOW, note="排练"
    )
    assert result.created is True
    stored = await Booking.objects().where(Booking.id == result.booking.id).first()
    assert (stored.status, stored.user, stored.space, stored.note) == (
        "confirmed",
        wang.id,
        space.id,
        "排练",
    )
    assert isinstance(stored.id, uuid.UUID)


@pytest.mark.parametrize("key", [None, "form:1"], ids=["no-key", "key"])
async def test_the_booking_answered_is_the_row_stored(db: None, key: str | None) -> None:
    """Every column of the booking object `book` returns (made without Piccolo's
    constructor, its defaults given by `bookings.DEFAULTS`) as read back from the table."""
    home = await make_community("caijiaxiang")
    await make_space(home, "music-room")
    wang = await resident(home)
    result = await bookings.book(
        wang,
        "music-room",
        Request(shanghai(2, 10), shanghai(2, 12)),
        now=NOW,
        note="排练",
        idempotency_key=key,
    )
    stored = await Booking.objects().where(Booking.id == result.booking.id).first()
    assert vars(result.booking) == vars(stored)
    assert (result.booking.starts_at, result.booking.idempotency_key) == (shanghai(2, 10), key)
    assert (result.booking.sequence, result.booking.rating_comment, stored.detached) == (
        0,
        "",
        False,
    )


async def test_taken_time_is_a_conflict_with_the_nearest_alternatives(db: None) -> None:
    home = await make_community()
    await make_space(home, "court", weekly_hours={"mon": "08:00-12:00"}, slot_minutes=60)
    first, second = await resident(home), await resident(home)
    await bookings.book(first, "court", Request(shanghai(2, 10), shanghai(2, 11)), now=NOW)
    with pytest.raises(Conflict) as refused:
        await bookings.book(second, "court", Request(shanghai(2, 10), shanghai(2, 11)), now=NOW)
    assert refused.value.rule == "capacity"
    # Nearest first (an hour earlier and an hour later tie; earlier wins), then next Monday.
    assert [(a.start, a.end) for a in refused.value.alternatives] == [
        ("2026-03-02T09:00:00+08:00", "2026-03-02T10:00:00+08:00"),
        ("2026-03-02T11:00:00+08:00", "2026-03-02T12:00:00+08:00"),
        ("2026-03-09T08:00:00+08:00", "2026-03-09T09:00:00+08:00"),
    ]
    assert await Booking.count() == 1


async def test_buffer_keeps_the_next_slot_for_cleaning(db: None) -> None:
    home = await make_community()
    await make_space(home, "corner", buffer_minutes=15)
    a, b = await resident(home), await resident(home)
    await bookings.book(a, "corner", Request(shanghai(2, 10), shanghai(2, 11)), now=NOW)
    with pytest.raises(Conflict):
        await bookings.book(b, "corner", Request(shanghai(2, 11), shanghai(2, 12)), now=NOW)
    await bookings.book(b, "corner", Request(shanghai(2, 11, 30), shanghai(2, 12)), now=NOW)


async def test_rule_refusal_names_the_rule_and_stores_nothing(db: None) -> None:
    home = await make_community()
    await make_space(home, "room", lead_time_minutes=180)
    wang = await resident(home)
    with pytest.raises(RuleViolation) as refused:
        await bookings.book(wang, "room", Request(shanghai(2, 10), shanghai(2, 11)), now=NOW)
    assert (refused.value.rule, refused.value.detail) == (
        "lead_time",
        "Book at least 3 h before the start.",
    )
    assert refused.value.alternatives[0].start == "2026-03-02T12:00:00+08:00"
    assert await Booking.count() == 0


async def test_malformed_requests_are_input_errors(db: None) -> None:
    home = await make_community()
    await make_space(home, "room", capacity=2)
    wang = await resident(home)
    with pytest.raises(InputError) as refused:
        await bookings.book(wang, "room", Request(shanghai(2, 11), shanghai(2, 10)), now=NOW)
    assert refused.value.by_field() == {"end": "The end must come after the start."}
    with pytest.raises(InputError) as refused:
        await bookings.book(
            wang, "room", Request(shanghai(2, 10), shanghai(2, 11), units=3), now=NOW
        )
    assert refused.value.by_field() == {"units": "Choose between 1 and 2 units."}
    with pytest.raises(NotFound):
        await bookings.book(wang, "nowhere", Request(shanghai(2, 10), shanghai(2, 11)), now=NOW)


async def test_only_residents_of_the_community_unless_open_to_all(db: None) -> None:
    home, other = await make_community(), await make_community()
    await make_space(home, "room")
    await make_space(home, "court", open_to_all_communities=True)
    stranger = await resident(other)
    with pytest.raises(RuleViolation) as refused:
        await bookings.book(stranger, "room", Request(shanghai(2, 10), shanghai(2, 11)), now=NOW)
    assert refused.value.rule == "community"
    await bookings.book(stranger, "court", Request(shanghai(2, 10), shanghai(2, 11)), now=NOW)


async def test_unverified_residents_cannot_book(db: None) -> None:
    home = await make_community(residents_need_approval=True)
    await make_space(home, "room")
    newcomer = await resident(home, resident_approved=False)
    with pytest.raises(RuleViolation) as refused:
        await bookings.book(newcomer, "room", Request(shanghai(2, 10), shanghai(2, 11)), now=NOW)
    assert refused.value.rule == "verification"


async def test_idempotency_key_returns_the_first_booking(db: None) -> None:
    home = await make_community()
    await make_space(home, "room", capacity=3)
    wang = await resident(home)
    request = Request(shanghai(2, 10), shanghai(2, 11))
    first = await bookings.book(wang, "room", request, now=NOW, idempotency_key="k-1")
    again = await bookings.book(wang, "room", request, now=NOW, idempotency_key="k-1")
    assert (again.created, again.booking.id) == (False, first.booking.id)
    assert await Booking.count() == 1


async def test_pending_requests_hold_nothing_and_approval_is_capacity_checked(db: None) -> None:
    home = await make_community()
    await make_space(home, "hall", requires_approval=True)
    staff = await actor_for(await make_user(staff_of=[home]))
    a, b = await resident(home), await resident(home)
    slot = Request(shanghai(3, 19), shanghai(3, 21))
    first = (await bookings.book(a, "hall", slot, now=NOW)).booking
    second = (await bookings.book(b, "hall", slot, now=NOW)).booking
    assert (first.status, second.status) == ("pending", "pending")
    approved = await decisions.approve(staff, str(first.id), now=NOW)
    assert (approved.status, approved.decided_by, approved.sequence) == ("confirmed", staff.id, 1)
    with pytest.raises(Conflict):
        await decisions.approve(staff, str(second.id), now=NOW)
    rejected = await decisions.reject(staff, str(second.id), reason="时间冲突", now=NOW)
    assert (rejected.status, rejected.decision_note) == ("rejected", "时间冲突")


async def test_undecided_requests_expire_at_their_start(db: None) -> None:
    home = await make_community()
    await make_space(home, "hall", requires_approval=True)
    staff = await actor_for(await make_user(staff_of=[home]))
    wang = await resident(home)
    request = (
        await bookings.book(wang, "hall", Request(shanghai(2, 10), shanghai(2, 11)), now=NOW)
    ).booking
    later = shanghai(2, 10)
    assert statuses.effective_status(request, later) == "cancelled"
    with pytest.raises(RuleViolation) as refused:
        await decisions.approve(staff, str(request.id), now=later)
    assert refused.value.rule == "expired"


async def test_staff_of_another_community_cannot_see_or_decide(db: None) -> None:
    home, other = await make_community(), await make_community()
    await make_space(home, "hall", requires_approval=True)
    outsider = await actor_for(await make_user(staff_of=[other]))
    wang = await resident(home)
    request = (
        await bookings.book(wang, "hall", Request(shanghai(3, 10), shanghai(3, 11)), now=NOW)
    ).booking
    for operation in (
        decisions.approve(outsider, str(request.id), now=NOW),
        bookings.get_booking(outsider, str(request.id)),
    ):
        with pytest.raises(NotFound):
            await operation


async def test_cancel_rules_for_residents_and_staff(db: None) -> None:
    home = await make_community()
    await make_space(home, "room", cancel_cutoff_minutes=120)
    staff = await actor_for(await make_user(staff_of=[home]))
    wang, stranger = await resident(home), await resident(home)
    booking = (
        await bookings.book(wang, "room", Request(shanghai(2, 12), shanghai(2, 13)), now=NOW)
    ).booking
    with pytest.raises(NotFound):
        await cancellation.cancel(stranger, str(booking.id), now=NOW)
    with pytest.raises(RuleViolation) as late:
        await cancellation.cancel(wang, str(booking.id), now=shanghai(2, 10, 30))
    assert late.value.rule == "cancel_cutoff"
    with pytest.raises(InputError):
        await cancellation.cancel(staff, str(booking.id), now=shanghai(2, 10, 30))
    cancelled = await cancellation.cancel(
        staff, str(booking.id), reason="停电检修", now=shanghai(2, 10, 30)
    )
    assert (cancelled.status, cancelled.cancel_reason, cancelled.cancelled_by) == (
        "cancelled",
        "停电检修",
        staff.id,
    )
    again = await cancellation.cancel(wang, str(booking.id), now=shanghai(2, 11))
    assert (again.status, again.sequence) == ("cancelled", 1)


async def test_rating_after_the_end(db: None) -> None:
    home = await make_community()
    await make_space(home, "room")
    wang = await resident(home)
    booking = (
        await bookings.book(wang, "room", Request(shanghai(2, 10), shanghai(2, 11)), now=NOW)
    ).booking
    with pytest.raises(RuleViolation):
        await ratings.rate(wang, str(booking.id), stars=5, comment="", now=shanghai(2, 10, 30))
    with pytest.raises(InputError):
        await ratings.rate(wang, str(booking.id), stars=6, comment="", now=shanghai(2, 11))
    rated = await ratings.rate(
        wang, str(booking.id), stars=4, comment="音箱有点杂音", now=shanghai(2, 11)
    )
    assert (rated.rating, rated.rating_comment) == (4, "音箱有点杂音")


async def test_deleting_an_account_frees_its_future_bookings(db: None) -> None:
    from app.asgi import install_domains

    install_domains()
    home = await make_community()
    await make_space(home, "room")
    user = await make_user(community=home)
    wang = await actor_for(user)
    past = (
        await bookings.book(wang, "room", Request(shanghai(2, 10), shanghai(2, 11)), now=NOW)
    ).booking
    future = (
        await bookings.book(wang, "room", Request(shanghai(3, 10), shanghai(3, 11)), now=NOW)
    ).booking
    await accounts.delete_account(user, password=PASSWORD, now=shanghai(2, 12))
    rows = {b.id: b for b in await Booking.objects()}
    assert (rows[past.id].status, rows[past.id].user) == ("confirmed", None)
    assert (rows[future.id].status, rows[future.id].user) == ("cancelled", None)


# --- races ---------------------------------------------------------------------------------


async def _race(slug: str, community, units: list[int], request: Request) -> list[str]:
    actors = [await resident(community) for _ in units]

    async def attempt(actor, n: int) -> str:
        try:
            await bookings.book(actor, slug, Request(request.start, request.end, n), now=NOW)
        except Conflict:
            return "conflict"
        return "booked"

    return await asyncio.gather(*(attempt(a, n) for a, n in zip(actors, units, strict=True)))


async def _peak(space_slug: str) -> int:
    rows = await Booking.select(Booking.starts_at, Booking.ends_at, Booking.units).where(
        (Booking.space.slug == space_slug) & (Booking.status == BookingStatus.confirmed.value)
    )
    usage = Usage([hold_of(r["starts_at"], r["ends_at"], r["units"], timedelta()) for r in rows])
    return usage.peak(shanghai(1, 0), shanghai(9, 0))


@pytest.mark.parametrize("capacity", [1, 3])
async def test_fifty_concurrent_attempts_give_exactly_capacity(
    db_pool: None, capacity: int
) -> None:
    home = await make_community()
    await make_space(home, "race", capacity=capacity)
    results = await _race("race", home, [1] * 50, Request(shanghai(2, 10), shanghai(2, 11)))
    assert results.count("booked") == capacity
    assert results.count("conflict") == 50 - capacity
    assert await Booking.count() == capacity


async def test_mixed_unit_sizes_never_exceed_capacity(db_pool: None) -> None:
    home = await make_community()
    await make_space(home, "cabinet", capacity=5)
    units = [1, 2, 3, 2, 1, 3, 1, 2, 4, 1] * 3
    requests = [
        Request(shanghai(2, 10 + i % 3), shanghai(2, 11 + i % 3 + i % 2)) for i in range(len(units))
    ]
    actors = [await resident(home) for _ in units]

    async def attempt(actor, request: Request, n: int) -> None:
        with contextlib.suppress(Conflict):
            await bookings.book(actor, "cabinet", Request(request.start, request.end, n), now=NOW)

    await asyncio.gather(
        *(attempt(a, r, n) for a, r, n in zip(actors, requests, units, strict=True))
    )
    assert 1 <= await Booking.count() < len(units)
    assert await _peak("cabinet") <= 5


async def test_concurrent_double_submit_books_once(db_pool: None) -> None:
    home = await make_community()
    await make_space(home, "room", capacity=10)
    wang = await resident(home)
    request = Request(shanghai(2, 10), shanghai(2, 11))
    results = await asyncio.gather(
        *(
            bookings.book(wang, "room", request, now=NOW, idempotency_key="form:abc")
            for _ in range(10)
        )
    )
    assert len({r.booking.id for r in results}) == 1
    assert [r.created for r in results].count(True) == 1
    assert await Booking.count() == 1


async def test_availability_is_never_served_stale_after_a_change(db: None) -> None:
    from spaces.services import catalog

    home = await make_community()
    await make_space(home, "room", capacity=2)
    wang = await resident(home)

    async def free_at_ten() -> int:
        space = await catalog.get_space("room")
        week = await get_availability(space, shanghai(2, 0).date(), 1, now=NOW)
        (day,) = week.days
        return next(s.free_units for s in day[1] if s.start == shanghai(2, 10))

    assert await free_at_ten() == 2
    booking = (
        await bookings.book(wang, "room", Request(shanghai(2, 10), shanghai(2, 11)), now=NOW)
    ).booking
    assert await free_at_ten() == 1  # same minute, same process: the cache was keyed by version
    await cancellation.cancel(wang, str(booking.id), now=NOW)
    assert await free_at_ten() == 2
