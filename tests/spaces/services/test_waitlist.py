"""The waitlist: offers to the first in line as units come free, offers that hold and run
out, accepting, declining, the scheduled job and the data export."""

import pytest

from app.errors import Conflict, NotFound, RuleViolation
from app.i18n import set_locale
from app.scheduler import run_due
from app.tables import Notification, User
from spaces.domain import DOMAIN
from spaces.logic.rules import Request
from spaces.services import attendance, bookings, cancellation, waitlist
from spaces.services.accounts import export_account
from spaces.tables import Booking, Space, WaitlistEntry
from tests.factories import (
    actor_for,
    make_community,
    make_space,
    make_user,
    shanghai,
)

NOW = shanghai(2, 9)
TEN = Request(shanghai(2, 10), shanghai(2, 11))


async def resident(community, **kwargs):
    return await actor_for(await make_user(community=community, **kwargs))


async def status_of(entry) -> str:
    return (await WaitlistEntry.objects().where(WaitlistEntry.id == entry.id).first()).status


async def reload(entry) -> WaitlistEntry:
    return await WaitlistEntry.objects().where(WaitlistEntry.id == entry.id).first()


async def version(slug: str) -> int:
    return (await Space.objects().where(Space.slug == slug).first()).version


@pytest.fixture
async def queue(db: None):
    """The room booked 10:00-11:00 by `holder`; `first` joined at 09:00, `second` at 09:01."""
    home = await make_community()
    await make_space(home, "room")
    holder = await resident(home)
    taken = (await bookings.book(holder, "room", TEN, now=NOW)).booking
    first = await resident(home)
    second = await resident(home)
    first_entry = (await waitlist.join(first, "room", TEN, now=NOW)).entry
    second_entry = (await waitlist.join(second, "room", TEN, now=shanghai(2, 9, 1))).entry
    return {
        "home": home,
        "holder": holder,
        "taken": taken,
        "first": first,
        "second": second,
        "first_entry": first_entry,
        "second_entry": second_entry,
    }


async def test_first_in_line_gets_the_offer_when_a_booking_is_cancelled(queue) -> None:
    assert await version("room") == 1
    await cancellation.cancel(queue["holder"], str(queue["taken"].id), now=shanghai(2, 9, 10))
    first = await reload(queue["first_entry"])
    assert (first.status, first.offered_at, first.offer_expires_at) == (
        "offered",
        shanghai(2, 9, 10),
        shanghai(2, 9, 40),
    )
    assert await status_of(queue["second_entry"]) == "waiting"
    assert await version("room") == 3  # the cancellation, then the offer
    notices = await Notification.objects().where(Notification.kind == "waitlist.offered")
    assert [(n.user, n.link) for n in notices] == [(queue["first"].id, f"/waitlist/{first.id}")]
    assert (
        notices[0].title
        == "共享音乐室在 2026年3月2日周一 10:00 有空位了，为您保留到 2026年3月2日周一 09:40。"
    )


async def test_an_offer_holds_the_unit(queue) -> None:
    await cancellation.cancel(queue["holder"], str(queue["taken"].id), now=shanghai(2, 9, 10))
    someone = await resident(queue["home"])
    with pytest.raises(Conflict) as refused:
        await bookings.book(someone, "room", TEN, now=shanghai(2, 9, 11))
    assert refused.value.rule == "capacity"
    later = await bookings.book(
        someone, "room", Request(shanghai(2, 11), shanghai(2, 12)), now=shanghai(2, 9, 11)
    )
    assert later.booking.status == "confirmed"


async def test_an_expired_offer_passes_to_the_next_in_line(queue) -> None:
    await cancellation.cancel(queue["holder"], str(queue["taken"].id), now=shanghai(2, 9, 10))
    assert await waitlist.run_waitlist(shanghai(2, 9, 39)) == 0
    assert await status_of(queue["first_entry"]) == "offered"
    assert await waitlist.run_waitlist(shanghai(2, 9, 40)) == 1
    assert await status_of(queue["first_entry"]) == "expired"
    second = await reload(queue["second_entry"])
    # 30 minutes from 09:40 would pass the start: the offer ends at 10:00.
    assert (second.status, second.offer_expires_at) == ("offered", shanghai(2, 10))
    assert [n.user for n in await Notification.objects().order_by(Notification.id)] == [
        queue["first"].id,
        queue["second"].id,
    ]


async def test_the_job_runs_through_the_scheduler(queue) -> None:
    assert [job.name for job in DOMAIN.jobs if job.run is waitlist.run_waitlist] == [
        "spaces.waitlist"
    ]
    await cancellation.cancel(queue["holder"], str(queue["taken"].id), now=shanghai(2, 9, 10))
    assert "spaces.waitlist" in await run_due(DOMAIN.jobs, shanghai(2, 9, 45))
    assert await status_of(queue["first_entry"]) == "expired"
    assert await status_of(queue["second_entry"]) == "offered"


async def test_accept_books_the_place_and_marks_the_entry_booked(queue) -> None:
    await cancellation.cancel(queue["holder"], str(queue["taken"].id), now=shanghai(2, 9, 10))
    booking = await waitlist.accept(
        queue["first"], str(queue["first_entry"].id), now=shanghai(2, 9, 20)
    )
    assert (booking.user, booking.starts_at, booking.ends_at, booking.status) == (
        queue["first"].id,
        shanghai(2, 10),
        shanghai(2, 11),
        "confirmed",
    )
    entry = await reload(queue["first_entry"])
    assert (entry.status, entry.booking) == ("booked", booking.id)
    assert await Booking.count().where(Booking.status == "confirmed") == 1
    # The place is now the booking's: the second in line still waits, and a tap again
    # returns the same booking.
    assert await waitlist.run_waitlist(shanghai(2, 9, 21)) == 0
    assert await status_of(queue["second_entry"]) == "waiting"
    again = await waitlist.accept(
        queue["first"], str(queue["first_entry"].id), now=shanghai(2, 9, 22)
    )
    assert again.id == booking.id


async def test_accept_after_the_deadline_is_refused_and_passes_it_on(queue) -> None:
    await cancellation.cancel(queue["holder"], str(queue["taken"].id), now=shanghai(2, 9, 10))
    set_locale("en")
    with pytest.raises(RuleViolation) as refused:
        await waitlist.accept(queue["first"], str(queue["first_entry"].id), now=shanghai(2, 9, 40))
    assert refused.value.rule == "offer_expired"
    assert refused.value.detail == (
        "The time to accept this place has run out, so it went to the next in line."
    )
    assert await status_of(queue["first_entry"]) == "expired"
    assert await status_of(queue["second_entry"]) == "offered"
    assert await Booking.count().where(Booking.status == "confirmed") == 0


async def test_decline_passes_the_offer_on_at_once(queue) -> None:
    await cancellation.cancel(queue["holder"], str(queue["taken"].id), now=shanghai(2, 9, 10))
    was = await waitlist.withdraw(
        queue["first"], str(queue["first_entry"].id), now=shanghai(2, 9, 15)
    )
    assert was == "offered"
    assert await status_of(queue["first_entry"]) == "withdrawn"
    second = await reload(queue["second_entry"])
    assert (second.status, second.offer_expires_at) == ("offered", shanghai(2, 9, 45))


async def test_only_the_owner_can_accept(queue) -> None:
    await cancellation.cancel(queue["holder"], str(queue["taken"].id), now=shanghai(2, 9, 10))
    for actor in (queue["second"], queue["holder"]):
        with pytest.raises(NotFound):
            await waitlist.accept(actor, str(queue["first_entry"].id), now=shanghai(2, 9, 11))
        with pytest.raises(NotFound):
            await waitlist.withdraw(actor, str(queue["first_entry"].id), now=shanghai(2, 9, 11))
    with pytest.raises(NotFound):
        await waitlist.accept(queue["first"], "not-a-uuid", now=shanghai(2, 9, 11))
    assert await status_of(queue["first_entry"]) == "offered"


async def test_waiting_entries_expire_when_their_time_begins(queue) -> None:
    await waitlist.run_waitlist(shanghai(2, 9, 59))
    assert await status_of(queue["first_entry"]) == "waiting"
    await waitlist.run_waitlist(shanghai(2, 10))
    assert await status_of(queue["first_entry"]) == "expired"
    assert await status_of(queue["second_entry"]) == "expired"
    assert await WaitlistEntry.count().where(WaitlistEntry.status == "waiting") == 0


async def test_joining_is_only_for_times_refused_for_capacity(queue) -> None:
    someone = await resident(queue["home"])
    with pytest.raises(RuleViolation) as free:
        await waitlist.join(someone, "room", Request(shanghai(2, 11), shanghai(2, 12)), now=NOW)
    assert free.value.rule == "not_taken"
    with pytest.raises(RuleViolation) as past:
        await waitlist.join(someone, "room", TEN, now=shanghai(2, 10, 30))
    assert past.value.rule == "past"
    closed = Request(shanghai(2, 22), shanghai(2, 23))
    with pytest.raises(RuleViolation) as shut:
        await waitlist.join(someone, "room", closed, now=NOW)
    assert shut.value.rule == "closed"
    outsider = await resident(await make_community())
    with pytest.raises(RuleViolation) as elsewhere:
        await waitlist.join(outsider, "room", TEN, now=NOW)
    assert elsewhere.value.rule == "community"
    assert await WaitlistEntry.count() == 2


async def test_joining_twice_changes_nothing_and_the_number_of_waits_is_limited(queue) -> None:
    again = await waitlist.join(queue["first"], "room", TEN, now=shanghai(2, 9, 5))
    assert (again.created, again.entry.id) == (False, queue["first_entry"].id)
    with pytest.raises(RuleViolation) as overlap:
        await waitlist.join(
            queue["first"], "room", Request(shanghai(2, 10), shanghai(2, 12)), now=NOW
        )
    assert overlap.value.rule == "waitlist_overlap"
    # Four more full days: the fifth wait is allowed, the sixth is not.
    holder = queue["holder"]
    for day in (3, 4, 5, 6, 7):
        await bookings.book(holder, "room", Request(shanghai(day, 10), shanghai(day, 11)), now=NOW)
    for day in (3, 4, 5, 6):
        request = Request(shanghai(day, 10), shanghai(day, 11))
        assert (await waitlist.join(queue["first"], "room", request, now=NOW)).created
    with pytest.raises(RuleViolation) as limit:
        await waitlist.join(
            queue["first"], "room", Request(shanghai(7, 10), shanghai(7, 11)), now=NOW
        )
    assert limit.value.rule == "waitlist_limit"
    assert await WaitlistEntry.count().where(WaitlistEntry.user == queue["first"].id) == 5


async def test_a_rule_refusing_at_accept_releases_the_offer(db: None) -> None:
    home = await make_community()
    await make_space(home, "room", max_active_bookings=1)
    holder, first, second = [await resident(home) for _ in range(3)]
    taken = (await bookings.book(holder, "room", TEN, now=NOW)).booking
    entry = (await waitlist.join(first, "room", TEN, now=NOW)).entry
    second_entry = (await waitlist.join(second, "room", TEN, now=shanghai(2, 9, 1))).entry
    await bookings.book(first, "room", Request(shanghai(3, 10), shanghai(3, 11)), now=NOW)
    await cancellation.cancel(holder, str(taken.id), now=shanghai(2, 9, 10))
    # `first` already holds their one allowed booking, so the offer skips them.
    assert await status_of(entry) == "waiting"
    assert await status_of(second_entry) == "offered"
    await waitlist.withdraw(second, str(second_entry.id), now=shanghai(2, 9, 11))
    await Space.update({Space.max_active_bookings: None}).where(Space.slug == "room")
    await waitlist.run_waitlist(shanghai(2, 9, 12))
    assert await status_of(entry) == "offered"
    await Space.update({Space.max_active_bookings: 1}).where(Space.slug == "room")
    with pytest.raises(RuleViolation) as refused:
        await waitlist.accept(first, str(entry.id), now=shanghai(2, 9, 13))
    assert refused.value.rule == "active_limit"
    assert await status_of(entry) == "expired"
    someone = await resident(home)
    assert (await bookings.book(someone, "room", TEN, now=shanghai(2, 9, 14))).created


async def test_a_no_show_release_offers_the_rest_of_the_time(db: None) -> None:
    home = await make_community()
    await make_space(home, "room", checkin_grace_minutes=15)
    holder, waiting = await resident(home), await resident(home)
    await bookings.book(holder, "room", Request(shanghai(2, 10), shanghai(2, 12)), now=NOW)
    later = Request(shanghai(2, 11), shanghai(2, 12))
    entry = (await waitlist.join(waiting, "room", later, now=NOW)).entry
    assert await attendance.release_no_shows(shanghai(2, 10, 15)) == 1
    offered = await reload(entry)
    assert (offered.status, offered.offer_expires_at) == ("offered", shanghai(2, 10, 45))


async def test_larger_waits_keep_their_turn_when_units_come_free_one_by_one(db: None) -> None:
    home = await make_community()
    await make_space(home, "cabinet", capacity=2)
    a, b, two, one = [await resident(home) for _ in range(4)]
    booked_a = (await bookings.book(a, "cabinet", TEN, now=NOW)).booking
    await bookings.book(b, "cabinet", TEN, now=NOW)
    wants_two = (await waitlist.join(two, "cabinet", Request(TEN.start, TEN.end, 2), now=NOW)).entry
    wants_one = (await waitlist.join(one, "cabinet", TEN, now=shanghai(2, 9, 1))).entry
    await cancellation.cancel(a, str(booked_a.id), now=shanghai(2, 9, 10))
    # One unit free: the wait for two does not fit, the wait for one does.
    assert (await status_of(wants_two), await status_of(wants_one)) == ("waiting", "offered")


# --- pages ------------------------------------------------------------------------------------


async def test_data_export_lists_my_waits(queue) -> None:
    user = await User.objects().where(User.id == queue["first"].id).first()
    exported = (await export_account(user, NOW))["waitlist"]
    assert exported == [
        {
            "id": str(queue["first_entry"].id),
            "space": "room",
            "starts_at": "2026-03-02T02:00:00+00:00",
            "ends_at": "2026-03-02T03:00:00+00:00",
            "units": 1,
            "status": "waiting",
            "created_at": "2026-03-02T01:00:00+00:00",
            "offer_expires_at": None,
        }
    ]
