"""Taking back one's own cancellation within a minute (`UNDO_CANCEL_WINDOW`).

An undo is a booking made again: under the space's lock, with the space, its rules and
what is held read inside it, through the same check as a new booking
(`bookings.refusals_locked`; only the lead time is waived, the booking having met it when it
was made). It restores the same booking (same id, calendar UID and link) when the time
still fits, and is refused when it does not:

- someone booked the units meanwhile: refused, with the nearest free times;
- someone on the waitlist accepted the offer this cancellation made: refused, even if
  another unit happens to be free, since the place went to them;
- an offer this cancellation made is still open (not accepted): the undo wins and the
  offer is withdrawn, the resident told and kept first in line, as when staff block units.
  It was made seconds ago because of a mistake, and has not been acted on; refusing the
  undo instead would punish the slip more than the withdrawal costs the neighbour.

The resident undid it themselves, so nobody is told; a cancellation by staff cannot be
undone by the resident (`can_undo_cancel`).
"""

from __future__ import annotations

from datetime import datetime
from functools import partial

from app.calendar import Interval
from app.db import existing, write_transaction
from app.errors import Conflict, DomainError, NotFound, RuleViolation
from app.i18n import _, localized
from app.notifications import notify_user
from app.permissions import Actor
from app.queries import overlapping
from spaces.logic import notices
from spaces.logic.permissions import can_undo_cancel
from spaces.logic.rules import (
    UNDO_CANCEL_WINDOW,
    Refusal,
    Request,
    can_undo_in_time,
    waiving_lead_time,
)
from spaces.logic.statuses import UPCOMING, BookingStatus, WaitlistStatus
from spaces.queries.bookings import owner_id, update_booking
from spaces.queries.spaces import held_units, lock_key, touch
from spaces.services import bookings
from spaces.services.catalog import reread_space, rules_of, zone_of
from spaces.tables import Booking, Space, WaitlistEntry

TAKEN_BY_WAITLIST = "taken_by_waitlist"
"""The rule code of an undo refused because the waitlist's next in line took the place."""


class _Refused(Exception):
    """Rolls the undo's transaction back (offers put back in line included)."""

    def __init__(self, refusals: list[Refusal]) -> None:
        super().__init__(refusals[0].message)
        self.refusals = refusals


def _request(booking: Booking) -> Request:
    return Request(booking.starts_at, booking.ends_at, booking.units, booking.party_size)


def restored_status(booking: Booking, space: Space) -> str:
    """What an undo makes of the booking: confirmed when staff had approved it or the space
    confirms at once; a request again where staff approve each one and had not yet."""
    if booking.decided_at is not None or not space.requires_approval:
        return BookingStatus.confirmed.value
    return BookingStatus.pending.value


def undo_offered(booking: Booking, now: datetime) -> bool:
    """Whether the booking's page offers its resident to take the cancellation back now
    (they cancelled it themselves, less than `UNDO_CANCEL_WINDOW` ago, before its start)."""
    owner = owner_id(booking)
    return (
        booking.status == BookingStatus.cancelled.value
        and owner is not None
        and booking.cancelled_by == owner
        and can_undo_in_time(booking.cancelled_at, booking.starts_at, now)
    )


def _undo_refusal(actor: Actor, booking: Booking, now: datetime) -> RuleViolation | None:
    """Why the actor may not undo this cancellation now, if they may not (asked before the
    lock, and again inside it of the booking read there)."""
    if not can_undo_cancel(actor, owner_id(booking), booking.cancelled_by):
        return RuleViolation(
            "undo_not_allowed", _("Only a cancellation you made yourself can be undone.")
        )
    if booking.status != BookingStatus.cancelled.value:
        return RuleViolation("not_cancelled", _("This booking is not cancelled."))
    if not can_undo_in_time(booking.cancelled_at, booking.starts_at, now):
        return RuleViolation(
            "undo_expired",
            _(
                "A cancellation can be undone for %(n)s seconds only. If the time is still "
                "free, book it again.",
                n=int(UNDO_CANCEL_WINDOW.total_seconds()),
            ),
        )
    return None


async def undo_cancel(actor: Actor, booking_id: str, *, now: datetime) -> Booking:
    """Restore the actor's booking they cancelled themselves at most a minute ago.

    Undoing a booking already restored (a second tap) returns it as it is. Raises
    `RuleViolation` (not theirs to undo, too late, a rule now refuses it) and `Conflict`
    (the units were taken meanwhile, or the waitlist took the place), with the nearest
    free times.
    """
    booking, space, is_owner = await bookings.load_booking(actor, booking_id)
    if not is_owner:
        raise NotFound(_("There is no such booking."))
    if booking.status in UPCOMING:
        return booking
    if (refusal := _undo_refusal(actor, booking, now)) is not None:
        raise refusal
    request = _request(booking)
    try:
        async with write_transaction(lock_key(space)):
            space = await reread_space(space)
            booking = existing(await Booking.objects().where(Booking.id == booking.id).first())
            if booking.status in UPCOMING:
                return booking  # another undo of it won the lock first
            if (refusal := _undo_refusal(actor, booking, now)) is not None:
                raise refusal
            return await _restore_locked(actor, booking, space, request, now)
    except _Refused as refused:
        raise await _refusal_error(actor, space, request, refused.refusals, now) from None


async def _restore_locked(
    actor: Actor, booking: Booking, space: Space, request: Request, now: datetime
) -> Booking:
    status = restored_status(booking, space)
    holds = status == BookingStatus.confirmed.value
    withdrawn: list[WaitlistEntry] = []
    if holds:
        since = existing(booking.cancelled_at)
        if await _accepted_offer_since(space, request, since):
            raise _Refused(
                [
                    Refusal(
                        TAKEN_BY_WAITLIST,
                        _(
                            "After you cancelled, a neighbour on the waitlist took this time, "
                            "so your booking cannot be restored."
                        ),
                    )
                ]
            )
        withdrawn = await _withdraw_offers_since(space, request, since, now)
    refusals = await bookings.refusals_locked(
        actor, space, request, now=now, rules=waiving_lead_time(rules_of(space)), holds=holds
    )
    if refusals:
        raise _Refused(refusals)
    restored = await update_booking(
        booking,
        {
            Booking.status: status,
            Booking.cancelled_at: None,
            Booking.cancelled_by: None,
            Booking.cancel_reason: "",
        },
        now,
    )
    if holds:
        await touch(space.id)
    for entry in withdrawn:
        await notify_user(
            entry.user,
            "waitlist.offer_withdrawn",
            notices.OFFER_WITHDRAWN,
            link=f"/waitlist/{entry.id}",
            now=now,
            space=partial(localized, space, "name"),
            when=entry.starts_at,
            zone=zone_of(space),
            reason=partial(_, notices.CANCELLATION_UNDONE),
        )
    return restored


def _near(space: Space, request: Request) -> Interval:
    """Where an offer would share units with the booking: its span widened by the buffer
    on both sides (each hold is extended by it)."""
    buffer = rules_of(space).buffer
    return Interval(request.start - buffer, request.end + buffer)


async def _accepted_offer_since(space: Space, request: Request, since: datetime) -> bool:
    """Whether someone on the waitlist accepted an offer near the booking's time that was
    made at or after `since` (the cancellation that freed the place)."""
    near = _near(space, request)
    return (
        await WaitlistEntry.count().where(
            (WaitlistEntry.space == space.id)
            & (WaitlistEntry.status == WaitlistStatus.booked.value)
            & (WaitlistEntry.offered_at >= since)
            & overlapping(WaitlistEntry.starts_at, WaitlistEntry.ends_at, near.start, near.end)
        )
        > 0
    )


async def _withdraw_offers_since(
    space: Space, request: Request, since: datetime, now: datetime
) -> list[WaitlistEntry]:
    """Put back in line, the latest first, the open offers made at or after `since` that
    leave the booking no room; returns them. Offers made before the cancellation are never
    touched: if the booking still does not fit, the capacity check refuses it."""
    offers = (
        await WaitlistEntry.objects()
        .where(
            (WaitlistEntry.space == space.id)
            & (WaitlistEntry.status == WaitlistStatus.offered.value)
            & (WaitlistEntry.offered_at >= since)
            & overlapping(
                WaitlistEntry.starts_at,
                WaitlistEntry.ends_at,
                _near(space, request).start,
                _near(space, request).end,
            )
        )
        .order_by(WaitlistEntry.offered_at, ascending=False)
    )
    held = await held_units(space, request.span)
    withdrawn = []
    for entry in offers:
        if held.fits(request.span, request.units):
            break
        held = held.without([(entry.starts_at, entry.ends_at, entry.units)])
        withdrawn.append(entry)
    for entry in withdrawn:
        await WaitlistEntry.update(
            {
                WaitlistEntry.status: WaitlistStatus.waiting.value,
                WaitlistEntry.offered_at: None,
                WaitlistEntry.offer_expires_at: None,
                WaitlistEntry.updated_at: now,
            }
        ).where(WaitlistEntry.id == entry.id)
    return withdrawn


async def _refusal_error(
    actor: Actor, space: Space, request: Request, refusals: list[Refusal], now: datetime
) -> DomainError:
    """The refusal as the resident reads it, with the nearest free times: units taken
    meanwhile, or by the waitlist, are a conflict told in words of the undo; any other rule
    as a booking would state it."""
    first = refusals[0]
    if first.rule not in {bookings.CAPACITY, TAKEN_BY_WAITLIST}:
        return await bookings.refusal_error(space, request, refusals, user_id=actor.id, now=now)
    message = (
        first.message
        if first.rule == TAKEN_BY_WAITLIST
        else _(
            "After you cancelled, someone else booked this time, so your booking cannot be "
            "restored."
        )
    )
    found = await bookings.alternatives(space, request, user_id=actor.id, now=now)
    return Conflict(message, rule=first.rule, alternatives=found)
