"""Turning up: check-in at the door, no-shows released by the scheduler, reminders.

A space with a check-in grace period releases a confirmed booking nobody checked in to
within that many minutes of its start, and counts it as a no-show. Communities may set a
limit of no-shows within a window, after which a resident cannot book until the oldest one
leaves the window.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import partial
from typing import Any

from app import audit
from app.communities.services import managed_communities
from app.db import existing, write_transaction
from app.errors import NotFound, RuleViolation
from app.i18n import _, localized
from app.notifications import notify_user
from app.permissions import Actor, staff_service
from app.scheduler import Job
from app.tables import Community, User
from spaces.logic import notices
from spaces.logic.permissions import can_see_no_shows
from spaces.logic.statuses import BookingStatus
from spaces.queries.bookings import update_booking
from spaces.queries.spaces import lock_key, touch
from spaces.services import waitlist
from spaces.services.bookings import load_booking
from spaces.services.catalog import zone_of
from spaces.tables import Booking, Space

CHECK_IN_OPENS = timedelta(minutes=15)
"""How long before its start a booking can be checked in to."""
REMINDER_AHEAD = timedelta(hours=2)


def check_in_window(booking: Booking) -> tuple[datetime, datetime]:
    """From when until when the booking can be checked in to."""
    return booking.starts_at - CHECK_IN_OPENS, booking.ends_at


def may_check_in(booking: Booking, now: datetime) -> bool:
    """Whether the booking is confirmed, not yet checked in to, and in its window now."""
    opens, closes = check_in_window(booking)
    return (
        booking.status == BookingStatus.confirmed.value
        and booking.checked_in_at is None
        and opens <= now < closes
    )


async def booking_to_check_in(user_id: int, space: Space, now: datetime) -> Booking | None:
    """The person's confirmed booking of this space that can be checked in to now."""
    return (
        await Booking.objects()
        .where(
            (Booking.user == user_id)
            & (Booking.space == space.id)
            & (Booking.status == BookingStatus.confirmed.value)
            & (Booking.starts_at <= now + CHECK_IN_OPENS)
            & (Booking.ends_at > now)
        )
        .order_by(Booking.starts_at)
        .first()
    )


async def check_in(actor: Actor, booking_id: str, *, now: datetime) -> Booking:
    """The resident (at the door) or staff (at the counter) marks the booking as used."""
    booking, _space, _is_owner = await load_booking(actor, booking_id)
    opens, closes = check_in_window(booking)
    if booking.status != BookingStatus.confirmed.value:
        raise RuleViolation("not_confirmed", _("Only a confirmed booking can be checked in to."))
    if not opens <= now < closes:
        raise RuleViolation(
            "check_in_window",
            _("Check-in opens 15 minutes before the start and closes at the end."),
        )
    if booking.checked_in_at is not None:
        return booking
    await Booking.update({Booking.checked_in_at: now}).where(Booking.id == booking.id)
    booking.checked_in_at = now
    return booking


async def check_in_at_door(actor: Actor, space: Space, *, now: datetime) -> Booking:
    """Check in the actor's booking of the space that can be checked in to now (the page a
    QR code on the door leads to)."""
    booking = await booking_to_check_in(actor.id, space, now)
    if booking is None:
        raise RuleViolation(
            "nothing_to_check_in", _("You have no booking here to check in to right now.")
        )
    return await check_in(actor, str(booking.id), now=now)


async def release_no_shows(now: datetime) -> int:
    """Scheduled job: release bookings not checked in within their space's grace period."""
    candidates = await Booking.objects(Booking.space).where(
        (Booking.status == BookingStatus.confirmed.value)
        & Booking.checked_in_at.is_null()
        & Booking.space.checkin_grace_minutes.is_not_null()
        & (Booking.starts_at <= now)
        & (Booking.starts_at > now - timedelta(days=2))
    )
    released = 0
    for booking in candidates:
        space = booking.space
        if booking.starts_at + timedelta(minutes=space.checkin_grace_minutes) > now:
            continue
        async with write_transaction(lock_key(space)):
            current = existing(await Booking.objects().where(Booking.id == booking.id).first())
            if current.status != BookingStatus.confirmed.value or current.checked_in_at:
                continue
            await update_booking(current, {Booking.status: BookingStatus.no_show.value}, now)
            await touch(space.id)
            await waitlist.refill(space, now)
            await notify_user(
                current.user,
                "booking.no_show",
                notices.NO_SHOW,
                link=f"/bookings/{current.id}",
                now=now,
                space=partial(localized, space, "name"),
                when=current.starts_at,
                zone=zone_of(space),
            )
            await audit.record(
                actor_id=None,
                action="booking.no_show",
                subject_type="booking",
                subject_id=str(current.id),
                community_id=space.community,
                before={"status": "confirmed"},
                after={"status": "no_show"},
                now=now,
            )
        released += 1
    return released


async def send_reminders(now: datetime) -> int:
    """Scheduled job: remind residents a couple of hours before their booking starts."""
    due = await Booking.objects(Booking.space).where(
        (Booking.status == BookingStatus.confirmed.value)
        & Booking.reminded_at.is_null()
        & (Booking.starts_at > now)
        & (Booking.starts_at <= now + REMINDER_AHEAD)
    )
    for booking in due:
        claimed = (
            await Booking.update({Booking.reminded_at: now})
            .where((Booking.id == booking.id) & Booking.reminded_at.is_null())
            .returning(Booking.id)
        )
        if claimed:
            await notify_user(
                booking.user,
                "booking.reminder",
                notices.REMINDER,
                link=f"/bookings/{booking.id}",
                now=now,
                space=partial(localized, booking.space, "name"),
                when=booking.starts_at,
                zone=zone_of(booking.space),
            )
    return len(due)


@staff_service
async def no_show_counts(actor: Actor, community: Community, now: datetime) -> list[dict[str, Any]]:
    """Residents of the community with no-shows in its window, most first."""
    if not can_see_no_shows(actor, community.id):
        raise NotFound(_("There is no community at this address."))
    since = now - timedelta(days=community.no_show_window_days)
    rows = await Booking.raw(
        'SELECT booking."user" AS user_id, COUNT(*) AS missed FROM booking '
        'JOIN linli_user ON linli_user.id = booking."user" '
        "WHERE booking.status = {} AND booking.starts_at > {} AND linli_user.community = {} "
        'GROUP BY booking."user" ORDER BY missed DESC',
        BookingStatus.no_show.value,
        since,
        community.id,
    )
    users = {
        u.id: u
        for u in await User.objects().where(User.id.is_in([r["user_id"] for r in rows] or [-1]))
    }
    return [{"user": users[r["user_id"]], "missed": r["missed"]} for r in rows]


async def no_shows_by_community(
    actor: Actor, now: datetime
) -> list[tuple[Community, list[dict[str, Any]]]]:
    """Each of the actor's communities with its residents' no-shows (`no_show_counts`)."""
    return [
        (community, await no_show_counts(actor, community, now))
        for community in await managed_communities(actor)
    ]


JOBS = [
    Job("spaces.no_shows", timedelta(minutes=1), release_no_shows),
    Job("spaces.reminders", timedelta(minutes=5), send_reminders),
]
