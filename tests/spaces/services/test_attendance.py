"""Turning up: no-shows released after the grace period, the check-in window, the no-show
limit, reminders sent once."""

from datetime import timedelta

import pytest

from app.errors import RuleViolation
from app.tables import AuditEntry, Community, Notification
from spaces.logic.rules import Request
from spaces.services import attendance, bookings
from spaces.tables import Booking, Space
from tests.factories import actor_for, make_community, make_space, make_user, shanghai

NOW = shanghai(2, 9)


async def booked(space_slug: str, community, start, end, **user):
    actor = await actor_for(await make_user(community=community, **user))
    return actor, (await bookings.book(actor, space_slug, Request(start, end), now=NOW)).booking


async def test_unchecked_bookings_are_released_after_the_grace_period(db: None) -> None:
    home = await make_community()
    await make_space(home, "room", checkin_grace_minutes=15)
    await make_space(home, "court")  # no check-in required
    _, late = await booked("room", home, shanghai(2, 10), shanghai(2, 12))
    _, kept = await booked("court", home, shanghai(2, 10), shanghai(2, 12))
    arrived_actor, arrived = await booked("room", home, shanghai(2, 12), shanghai(2, 13))
    assert await attendance.release_no_shows(shanghai(2, 10, 14)) == 0
    assert await attendance.release_no_shows(shanghai(2, 10, 15)) == 1
    rows = {b.id: b for b in await Booking.objects()}
    assert (rows[late.id].status, rows[kept.id].status) == ("no_show", "confirmed")
    # The released time is free again at once.
    space = await Space.objects().where(Space.slug == "room").first()
    assert space.version == 3  # two bookings, then the release
    notice = await Notification.objects().where(Notification.kind == "booking.no_show").first()
    assert notice.user == late.user
    assert (
        await AuditEntry.objects().where(AuditEntry.action == "booking.no_show").first()
    ).subject_id == str(late.id)
    # Checked in before the grace period ends: kept.
    await attendance.check_in(arrived_actor, str(arrived.id), now=shanghai(2, 11, 50))
    assert await attendance.release_no_shows(shanghai(2, 12, 30)) == 0
    assert (await Booking.objects().where(Booking.id == arrived.id).first()).status == "confirmed"


async def test_check_in_window(db: None) -> None:
    home = await make_community()
    await make_space(home, "room", checkin_grace_minutes=15)
    actor, booking = await booked("room", home, shanghai(2, 10), shanghai(2, 11))
    with pytest.raises(RuleViolation):
        await attendance.check_in(actor, str(booking.id), now=shanghai(2, 9, 44))
    done = await attendance.check_in(actor, str(booking.id), now=shanghai(2, 9, 45))
    assert done.checked_in_at == shanghai(2, 9, 45)
    space = await Space.objects().where(Space.slug == "room").first()
    found = await attendance.booking_to_check_in(actor.id, space, shanghai(2, 9, 50))
    assert found.id == booking.id


async def test_no_show_limit_blocks_booking_for_a_while(db: None) -> None:
    home = await make_community()
    await Community.update({Community.no_show_limit: 2, Community.no_show_window_days: 30}).where(
        Community.id == home.id
    )
    await make_space(home, "room", checkin_grace_minutes=10)
    actor = await actor_for(await make_user(community=home))
    for day in (2, 3):
        await bookings.book(actor, "room", Request(shanghai(day, 10), shanghai(day, 11)), now=NOW)
    await attendance.release_no_shows(shanghai(3, 12))
    with pytest.raises(RuleViolation) as refused:
        await bookings.book(
            actor, "room", Request(shanghai(5, 10), shanghai(5, 11)), now=shanghai(3, 12)
        )
    assert refused.value.rule == "no_show_limit"
    # Thirty days after the first no-show, one remains in the window: booking works again.
    later = shanghai(2, 10) + timedelta(days=30, minutes=1)
    result = await bookings.book(
        actor, "room", Request(shanghai(2, 10, month=4), shanghai(2, 11, month=4)), now=later
    )
    assert result.created


async def test_reminders_go_out_once(db: None) -> None:
    home = await make_community()
    await make_space(home, "room")
    await booked("room", home, shanghai(2, 12), shanghai(2, 13))
    assert await attendance.send_reminders(shanghai(2, 9, 59)) == 0
    assert await attendance.send_reminders(shanghai(2, 10)) == 1
    assert await attendance.send_reminders(shanghai(2, 10, 5)) == 0
    assert await Notification.count().where(Notification.kind == "booking.reminder") == 1
    assert (await Booking.objects().first()).reminded_at == shanghai(2, 10)


async def test_a_reminder_names_the_space_in_the_recipients_language(db: None) -> None:
    home = await make_community()
    await make_space(home, "room")
    await booked("room", home, shanghai(2, 12), shanghai(2, 13), locale="en")
    # The job runs in the site's language (Chinese); the resident reads English.
    assert await attendance.send_reminders(shanghai(2, 10)) == 1
    (notice,) = await Notification.objects()
    assert notice.title == "Reminder: Shared music room, Mon, Mar 2, 2026 12:00."
