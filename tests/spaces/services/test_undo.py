"""Taking back one's own cancellation within a minute: restored through the booking's
capacity check under the space's lock, refused when too late, when the units were booked
meanwhile or when the waitlist took the place; an open offer gives way; never two winners."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from app.errors import Conflict, InputError, NotFound, RuleViolation
from app.i18n import set_locale
from app.tables import Notification
from spaces.logic.rules import Request
from spaces.services import bookings, cancellation, decisions, undo, waitlist
from spaces.tables import Booking, Space, WaitlistEntry
from tests.factories import NOW, actor_for, make_community, make_space, make_user, shanghai
from tests.parallel import at_once

TEN = Request(shanghai(2, 10), shanghai(2, 11))
CANCELLED_AT = shanghai(2, 9, 10)


async def resident(community, **kwargs):
    return await actor_for(await make_user(community=community, **kwargs))


async def reload(booking: Booking) -> Booking:
    return await Booking.objects().where(Booking.id == booking.id).first()


async def version(slug: str) -> int:
    return (await Space.objects().where(Space.slug == slug).first()).version


@pytest.fixture
async def room(db: None):
    """The room booked 10:00-11:00 by `holder`, who cancelled at 09:10."""
    home = await make_community()
    await make_space(home, "room")
    holder = await resident(home)
    booking = (await bookings.book(holder, "room", TEN, now=NOW)).booking
    await cancellation.cancel(holder, str(booking.id), now=CANCELLED_AT)
    return {"home": home, "holder": holder, "booking": booking}


async def test_undo_within_a_minute_restores_the_same_booking(room) -> None:
    assert await version("room") == 2
    restored = await undo.undo_cancel(
        room["holder"], str(room["booking"].id), now=CANCELLED_AT + timedelta(seconds=30)
    )
    assert restored.id == room["booking"].id
    assert (
        restored.status,
        restored.cancelled_at,
        restored.cancelled_by,
        restored.cancel_reason,
        restored.sequence,
        restored.updated_at,
    ) == ("confirmed", None, None, "", 2, CANCELLED_AT + timedelta(seconds=30))
    assert await version("room") == 3  # calendars and caches see the units held again
    assert await Notification.count() == 0  # the resident did it: nobody is told


async def test_undo_at_sixty_seconds_still_restores(room) -> None:
    restored = await undo.undo_cancel(
        room["holder"], str(room["booking"].id), now=CANCELLED_AT + timedelta(seconds=60)
    )
    assert restored.status == "confirmed"


async def test_undo_at_sixty_one_seconds_is_refused(room) -> None:
    set_locale("en")
    with pytest.raises(RuleViolation) as late:
        await undo.undo_cancel(
            room["holder"], str(room["booking"].id), now=CANCELLED_AT + timedelta(seconds=61)
        )
    assert (late.value.rule, late.value.detail) == (
        "undo_expired",
        "A cancellation can be undone for 60 seconds only. If the time is still free, "
        "book it again.",
    )
    assert (await reload(room["booking"])).status == "cancelled"


async def test_a_second_undo_returns_the_restored_booking(room) -> None:
    key = str(room["booking"].id)
    await undo.undo_cancel(room["holder"], key, now=CANCELLED_AT + timedelta(seconds=5))
    again = await undo.undo_cancel(room["holder"], key, now=CANCELLED_AT + timedelta(seconds=90))
    assert (again.status, again.sequence) == ("confirmed", 2)


async def test_undo_when_someone_booked_the_time_is_refused_with_free_times(room) -> None:
    neighbour = await resident(room["home"])
    await bookings.book(neighbour, "room", TEN, now=CANCELLED_AT + timedelta(seconds=20))
    with pytest.raises(Conflict) as taken:
        await undo.undo_cancel(
            room["holder"], str(room["booking"].id), now=CANCELLED_AT + timedelta(seconds=40)
        )
    assert taken.value.rule == "capacity"
    assert taken.value.detail == "您取消后，这个时间已被别人预约，原来的预约无法恢复。"
    assert [(a.start, a.end) for a in taken.value.alternatives] == [
        ("2026-03-02T11:00:00+08:00", "2026-03-02T12:00:00+08:00"),
        ("2026-03-02T11:30:00+08:00", "2026-03-02T12:30:00+08:00"),
        ("2026-03-02T12:00:00+08:00", "2026-03-02T13:00:00+08:00"),
    ]
    assert (await reload(room["booking"])).status == "cancelled"


async def test_staff_cancellations_cannot_be_undone_by_anyone(db: None) -> None:
    home = await make_community()
    await make_space(home, "room")
    holder = await resident(home)
    staff = await actor_for(await make_user(staff_of=[home]))
    booking = (await bookings.book(holder, "room", TEN, now=NOW)).booking
    await cancellation.cancel(staff, str(booking.id), reason="水管维修", now=CANCELLED_AT)
    with pytest.raises(RuleViolation) as refused:
        await undo.undo_cancel(holder, str(booking.id), now=CANCELLED_AT + timedelta(seconds=5))
    assert refused.value.rule == "undo_not_allowed"
    with pytest.raises(NotFound):  # staff see the booking, but it is not theirs to undo
        await undo.undo_cancel(staff, str(booking.id), now=CANCELLED_AT + timedelta(seconds=5))
    assert (await reload(booking)).status == "cancelled"


async def test_nobody_else_can_undo(room) -> None:
    stranger = await resident(room["home"])
    with pytest.raises(NotFound):
        await undo.undo_cancel(
            stranger, str(room["booking"].id), now=CANCELLED_AT + timedelta(seconds=5)
        )


async def test_undo_waives_the_lead_time_but_not_the_start(db: None) -> None:
    home = await make_community()
    await make_space(home, "room", lead_time_minutes=120)
    holder = await resident(home)
    booking = (
        await bookings.book(holder, "room", Request(shanghai(2, 11), shanghai(2, 12)), now=NOW)
    ).booking
    await cancellation.cancel(holder, str(booking.id), now=shanghai(2, 10, 30))
    restored = await undo.undo_cancel(
        holder, str(booking.id), now=shanghai(2, 10, 30) + timedelta(seconds=59)
    )
    assert restored.status == "confirmed"


async def test_undo_of_a_cancelled_request_makes_it_a_request_again(db: None) -> None:
    home = await make_community()
    await make_space(home, "hall", requires_approval=True)
    holder = await resident(home)
    request = (await bookings.book(holder, "hall", TEN, now=NOW)).booking
    await cancellation.cancel(holder, str(request.id), now=CANCELLED_AT)
    restored = await undo.undo_cancel(
        holder, str(request.id), now=CANCELLED_AT + timedelta(seconds=10)
    )
    assert restored.status == "pending"


async def test_undo_of_an_approved_booking_checks_capacity(db: None) -> None:
    home = await make_community()
    await make_space(home, "hall", requires_approval=True)
    staff = await actor_for(await make_user(staff_of=[home]))
    holder = await resident(home)
    first = (await bookings.book(holder, "hall", TEN, now=NOW)).booking
    await decisions.approve(staff, str(first.id), now=NOW)
    await cancellation.cancel(holder, str(first.id), now=CANCELLED_AT)
    neighbour = await resident(home)
    second = (await bookings.book(neighbour, "hall", TEN, now=CANCELLED_AT)).booking
    await decisions.approve(staff, str(second.id), now=CANCELLED_AT + timedelta(seconds=10))
    with pytest.raises(Conflict):
        await undo.undo_cancel(holder, str(first.id), now=CANCELLED_AT + timedelta(seconds=20))
    assert (await reload(first)).status == "cancelled"


# --- the waitlist ------------------------------------------------------------------------


@pytest.fixture
async def queue(db: None):
    """The room booked 10:00-11:00 by `holder`; `waiting` joined its waitlist at 09:00; the
    holder cancelled at 09:10, which offered the place to `waiting` until 09:40."""
    home = await make_community()
    await make_space(home, "room")
    holder = await resident(home)
    booking = (await bookings.book(holder, "room", TEN, now=NOW)).booking
    waiting = await resident(home, locale="en")
    entry = (await waitlist.join(waiting, "room", TEN, now=NOW)).entry
    await cancellation.cancel(holder, str(booking.id), now=CANCELLED_AT)
    offered = await WaitlistEntry.objects().where(WaitlistEntry.id == entry.id).first()
    assert offered.status == "offered"
    return {"holder": holder, "booking": booking, "waiting": waiting, "entry": entry}


async def test_undo_after_the_waitlist_accepted_the_place_is_refused(queue) -> None:
    await waitlist.accept(
        queue["waiting"], str(queue["entry"].id), now=CANCELLED_AT + timedelta(seconds=20)
    )
    with pytest.raises(Conflict) as taken:
        await undo.undo_cancel(
            queue["holder"], str(queue["booking"].id), now=CANCELLED_AT + timedelta(seconds=30)
        )
    assert (taken.value.rule, taken.value.detail) == (
        "taken_by_waitlist",
        "您取消后，排队的邻居已经约下了这个时间，原来的预约无法恢复。",
    )
    assert (await reload(queue["booking"])).status == "cancelled"


async def test_undo_wins_over_an_offer_not_yet_accepted(queue) -> None:
    restored = await undo.undo_cancel(
        queue["holder"], str(queue["booking"].id), now=CANCELLED_AT + timedelta(seconds=30)
    )
    assert restored.status == "confirmed"
    entry = await WaitlistEntry.objects().where(WaitlistEntry.id == queue["entry"].id).first()
    assert (entry.status, entry.offered_at, entry.offer_expires_at) == ("waiting", None, None)
    withdrawn = await Notification.objects().where(Notification.kind == "waitlist.offer_withdrawn")
    assert [(n.user, n.link, n.title) for n in withdrawn] == [
        (
            queue["waiting"].id,
            f"/waitlist/{entry.id}",
            "The place held for you at Shared music room on Mon, Mar 2, 2026 10:00 is no longer "
            "free: the resident who cancelled it took the cancellation back. You keep your "
            "place on the waitlist.",
        )
    ]
    with pytest.raises(RuleViolation) as gone:  # the offer is no longer there to accept
        await waitlist.accept(
            queue["waiting"], str(entry.id), now=CANCELLED_AT + timedelta(seconds=40)
        )
    assert gone.value.rule == "not_offered"


async def test_a_refused_undo_leaves_the_offer_standing(queue) -> None:
    """The offer is withdrawn only with the undo: when a rule refuses it, nothing changes."""
    await Space.update({Space.max_party_size: 1}).where(Space.slug == "room")
    await Booking.update({Booking.party_size: 4}).where(Booking.id == queue["booking"].id)
    with pytest.raises(InputError) as refused:
        await undo.undo_cancel(
            queue["holder"], str(queue["booking"].id), now=CANCELLED_AT + timedelta(seconds=30)
        )
    assert refused.value.detail == "这个空间同时最多 1 人使用。"
    entry = await WaitlistEntry.objects().where(WaitlistEntry.id == queue["entry"].id).first()
    assert entry.status == "offered"
    assert await Notification.count().where(Notification.kind == "waitlist.offer_withdrawn") == 0


# --- at once -------------------------------------------------------------------------------


@pytest.fixture
def slow_check(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every capacity check takes a moment longer before its write, so attempts that were
    not serialised by the space's lock would all pass it before any of them writes."""
    check = bookings.refusals_locked

    async def slowly(*args, **kwargs):
        refusals = await check(*args, **kwargs)
        await asyncio.sleep(0.2)
        return refusals

    monkeypatch.setattr(bookings, "refusals_locked", slowly)


async def test_two_undos_for_the_last_unit_at_once_never_both_win(
    db: None, slow_check: None
) -> None:
    """Two residents each cancelled the same hour within the minute; both undo at once."""
    home = await make_community()
    await make_space(home, "room")
    holders = [await resident(home), await resident(home)]
    made = []
    for index, holder in enumerate(holders):
        booking = (await bookings.book(holder, "room", TEN, now=NOW)).booking
        await cancellation.cancel(
            holder, str(booking.id), now=CANCELLED_AT + timedelta(seconds=index)
        )
        made.append(booking)

    async def attempt(index: int) -> None:
        await undo.undo_cancel(
            holders[index], str(made[index].id), now=CANCELLED_AT + timedelta(seconds=30)
        )

    assert at_once(attempt, attempts=2, processes=2) == {"ok": 1, "Conflict": 1}
    assert await Booking.count().where(Booking.status == "confirmed") == 1


async def test_an_undo_racing_new_bookings_of_the_last_unit_has_one_winner(
    room, slow_check: None
) -> None:
    neighbours = [await resident(room["home"]) for _ in range(9)]

    async def attempt(index: int) -> None:
        now = CANCELLED_AT + timedelta(seconds=30)
        if index == 0:
            await undo.undo_cancel(room["holder"], str(room["booking"].id), now=now)
        else:
            await bookings.book(neighbours[index - 1], "room", TEN, now=now)

    assert at_once(attempt, attempts=10) == {"ok": 1, "Conflict": 9}
    assert await Booking.count().where(Booking.status == "confirmed") == 1
