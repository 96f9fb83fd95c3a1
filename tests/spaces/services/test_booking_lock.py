"""A booking reads its space before the lock (for its bounds and the lock's key), then under
the lock the space again with its calendar and holds, in one trip: the calendar and holds
are read with the first read's space, and kept only when the space read under the lock
would read them the same way. Each test commits a change between the first read and the
lock (`bookings.before_lock`) and shows it is seen."""

from collections.abc import Awaitable, Callable

import pytest

from app.db import write_transaction
from app.errors import Conflict, RuleViolation
from app.i18n import set_locale
from spaces.logic.rules import Request
from spaces.logic.statuses import BookingStatus
from spaces.queries.spaces import lock_key, touch
from spaces.services import bookings
from spaces.tables import Booking, Space, SpaceClosure
from tests.factories import actor_for, make_community, make_space, make_user, shanghai

NOW = shanghai(1, 20)
ALL_DAY = {day: "00:00-24:00" for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


@pytest.fixture(autouse=True)
def english() -> None:
    set_locale("en")


async def ladder(home, **rules: object) -> Space:
    return await make_space(home, "ladder", buffer_minutes=30, weekly_hours=ALL_DAY, **rules)


async def resident(home):
    return await actor_for(await make_user(community=home))


def at(hour: int) -> Request:
    """An hour on Monday 2 March 2026, Shanghai time."""
    return Request(shanghai(2, hour), shanghai(2, hour + 1))


def meanwhile(monkeypatch: pytest.MonkeyPatch, change: Callable[[], Awaitable[object]]) -> None:
    """Commit `change` once, after the next booking's first reads and before its lock."""
    done: list[bool] = []

    async def once(*_args: object) -> None:
        if not done:
            done.append(True)
            await change()

    monkeypatch.setattr(bookings, "before_lock", once)


async def statuses(space_slug: str) -> list[tuple]:
    rows = await Booking.select(Booking.starts_at, Booking.status).where(
        Booking.space.slug == space_slug
    )
    return sorted((r["starts_at"], r["status"]) for r in rows)


async def test_a_booking_committed_before_the_lock_is_taken_makes_a_conflict(
    db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = await make_community()
    await ladder(home)
    first, second = await resident(home), await resident(home)
    meanwhile(monkeypatch, lambda: bookings.book(first, "ladder", at(10), now=NOW))
    with pytest.raises(Conflict) as refused:
        await bookings.book(second, "ladder", at(10), now=NOW)
    assert refused.value.rule == "capacity"
    assert await statuses("ladder") == [(shanghai(2, 10), BookingStatus.confirmed.value)]


async def test_a_closure_committed_before_the_lock_is_taken_is_seen(
    db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = await make_community()
    space = await ladder(home)

    async def closure() -> None:  # as the closures service writes one
        async with write_transaction(lock_key(space)):
            await SpaceClosure(
                space=space.id,
                starts_at=shanghai(2, 0),
                ends_at=shanghai(3, 0),
                reason="水管维修",
                created_at=NOW,
            ).save()
            await touch(space.id)

    meanwhile(monkeypatch, closure)
    with pytest.raises(RuleViolation) as refused:
        await bookings.book(await resident(home), "ladder", at(10), now=NOW)
    assert refused.value.rule == "closed"
    assert await statuses("ladder") == []


async def test_hours_changed_before_the_lock_is_taken_are_seen(
    db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Even a change of the space's row that bumps no version is seen: the weekly hours are
    those of the row read under the lock."""
    home = await make_community()
    space = await ladder(home)

    async def hours() -> None:
        await Space.update({Space.weekly_hours: {"mon": "14:00-18:00"}}).where(Space.id == space.id)

    meanwhile(monkeypatch, hours)
    with pytest.raises(RuleViolation) as refused:
        await bookings.book(await resident(home), "ladder", at(10), now=NOW)
    assert refused.value.rule == "closed"


async def test_a_request_sent_before_the_lock_is_taken_counts_towards_the_quota(
    db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A pending request bumps no version, so a space with quotas reads the resident's
    bookings under the lock."""
    home = await make_community()
    await ladder(home, requires_approval=True, quota_day_count=1)
    asking = await resident(home)
    meanwhile(monkeypatch, lambda: bookings.book(asking, "ladder", at(8), now=NOW))
    with pytest.raises(RuleViolation) as refused:
        await bookings.book(asking, "ladder", at(10), now=NOW)
    assert refused.value.rule == "quota_day"
    assert await statuses("ladder") == [(shanghai(2, 8), BookingStatus.pending.value)]


async def test_a_longer_buffer_set_before_the_lock_is_taken_is_seen(
    db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The holds were read with the first read's buffer (none), which misses the booking
    ending as this one starts: they are read again with the buffer read under the lock."""
    home = await make_community()
    space = await make_space(home, "ladder", buffer_minutes=0, weekly_hours=ALL_DAY)
    await bookings.book(await resident(home), "ladder", at(9), now=NOW)

    async def longer_buffer() -> None:
        await Space.update({Space.buffer_minutes: 30}).where(Space.id == space.id)

    meanwhile(monkeypatch, longer_buffer)
    with pytest.raises(Conflict) as refused:
        await bookings.book(await resident(home), "ladder", at(10), now=NOW)
    assert refused.value.rule == "capacity"
    assert await statuses("ladder") == [(shanghai(2, 9), BookingStatus.confirmed.value)]
