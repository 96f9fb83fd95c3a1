"""Cancelling bookings: by the resident before the space's cut-off, by staff at any time
with a reason; a freed unit is offered to the waitlist at once."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import partial

from app import audit
from app.db import existing, write_transaction
from app.errors import FieldError, InputError, NotFound, RuleViolation
from app.i18n import _, current_locale, localized, ngettext, set_locale
from app.notifications import notify_user
from app.permissions import Actor
from app.settings import get_settings
from app.tables import User
from spaces.logic import notices
from spaces.logic.permissions import can_cancel_for_resident
from spaces.logic.rules import can_cancel_in_time, describe_duration
from spaces.logic.statuses import UPCOMING, BookingStatus
from spaces.queries.bookings import owner_id, update_booking
from spaces.queries.spaces import lock_key, touch
from spaces.services.bookings import MAX_NOTE, load_booking
from spaces.services.catalog import community_id, rules_of, zone_of
from spaces.services.waitlist import refill
from spaces.tables import Booking, Space


def resident_may_cancel(booking: Booking, space: Space, now: datetime) -> bool:
    """Whether the booking's owner may cancel it now (staff may cancel until its end)."""
    if booking.starts_at <= now:
        return False
    if booking.status == BookingStatus.pending.value:
        return True
    return booking.status == BookingStatus.confirmed.value and can_cancel_in_time(
        rules_of(space), booking.starts_at, now
    )


def _past_cutoff(booking: Booking, space: Space, now: datetime) -> RuleViolation | None:
    """The refusal of a resident cancelling a confirmed booking past the space's cut-off."""
    pending = booking.status == BookingStatus.pending.value
    if pending or can_cancel_in_time(rules_of(space), booking.starts_at, now):
        return None
    return RuleViolation(
        "cancel_cutoff",
        _(
            "Bookings here can be cancelled until %(d)s before the start. Please contact the "
            "community's staff.",
            d=describe_duration(space.cancel_cutoff_minutes or 0),
        ),
    )


async def cancellable(actor: Actor, booking_id: str, *, now: datetime) -> tuple[Booking, Space]:
    """The actor's own booking they are about to be asked to confirm cancelling; raises
    `RuleViolation` when they could not cancel it now (cancelled already, begun, past the
    cut-off: what `resident_may_cancel` allows), and `NotFound` for anyone else's (staff
    cancel with a reason instead)."""
    booking, space, is_owner = await load_booking(actor, booking_id)
    if not is_owner:
        raise NotFound(_("There is no such booking."))
    if booking.status in {BookingStatus.cancelled.value, BookingStatus.rejected.value}:
        raise RuleViolation("cancelled", _("This booking is already cancelled."))
    if booking.starts_at <= now or booking.status not in UPCOMING:
        raise RuleViolation("past", _("This time has already begun or passed."))
    if (refusal := _past_cutoff(booking, space, now)) is not None:
        raise refusal
    return booking, space


async def cancel(actor: Actor, booking_id: str, *, reason: str = "", now: datetime) -> Booking:
    """Cancel: the resident before the cut-off, staff at any time with a reason.

    Cancelling a cancelled booking changes nothing and returns it as it is.
    """
    booking, space, is_owner = await load_booking(actor, booking_id)
    if booking.status in {BookingStatus.cancelled.value, BookingStatus.rejected.value}:
        return booking
    if booking.ends_at <= now:
        raise RuleViolation("past", _("This booking has already ended."))
    reason = reason.strip()
    if len(reason) > MAX_NOTE:
        raise InputError(
            [
                FieldError(
                    "reason",
                    ngettext(
                        "Use at most %(n)s character.",
                        "Use at most %(n)s characters.",
                        MAX_NOTE,
                        n=MAX_NOTE,
                    ),
                )
            ]
        )
    staff = can_cancel_for_resident(actor, community_id(space))
    if is_owner and not staff:
        if (refusal := _past_cutoff(booking, space, now)) is not None:
            raise refusal
    elif not reason:
        raise InputError([FieldError("reason", _("Tell the resident why it is cancelled."))])
    async with write_transaction(lock_key(space)):
        booking = existing(await Booking.objects().where(Booking.id == booking.id).first())
        if booking.status in {BookingStatus.cancelled.value, BookingStatus.rejected.value}:
            return booking
        updated = await cancel_locked(actor.id, booking, space, reason=reason, now=now)
        if not is_owner:
            await audit.record(
                actor_id=actor.id,
                action="booking.cancelled",
                subject_type="booking",
                subject_id=str(booking.id),
                community_id=space.community.id,
                before={"status": booking.status},
                after={"status": BookingStatus.cancelled.value, "reason": reason},
                now=now,
            )
    return updated


async def cancel_locked(
    actor_id: int,
    booking: Booking,
    space: Space,
    *,
    reason: str | Callable[[], str],
    now: datetime,
    tell: bool = True,
) -> Booking:
    """Cancel `booking` inside the caller's write transaction of the space, telling the
    resident when someone else (staff) cancelled it (unless the caller tells them itself,
    `tell=False`). A reason the system gives rather than staff typed is a callable, so the
    resident reads it in their own language, in the notice and on the booking's page."""
    if booking.status == BookingStatus.confirmed.value:
        await touch(space.id)
    updated = await update_booking(
        booking,
        {
            Booking.status: BookingStatus.cancelled.value,
            Booking.cancelled_at: now,
            Booking.cancelled_by: actor_id,
            Booking.cancel_reason: reason
            if isinstance(reason, str)
            else await _in_language_of(owner_id(booking), reason),
        },
        now,
    )
    if booking.status == BookingStatus.confirmed.value:
        await refill(space, now)
    user_id = owner_id(booking)
    if tell and user_id is not None and user_id != actor_id:
        await notify_user(
            user_id,
            "booking.cancelled",
            notices.CANCELLED_BY_STAFF,
            link=f"/bookings/{booking.id}",
            now=now,
            space=partial(localized, space, "name"),
            when=booking.starts_at,
            zone=zone_of(space),
            reason=reason,
        )
    return updated


async def _in_language_of(user_id: int | None, render: Callable[[], str]) -> str:
    """A system reason as the booking keeps it: in its resident's language, else the site's,
    whoever cancelled it."""
    row = await User.select(User.locale).where(User.id == user_id).first() if user_id else None
    request_locale = current_locale()
    set_locale((row or {}).get("locale") or get_settings().site.default_locale)
    try:
        return render()
    finally:
        set_locale(request_locale)
