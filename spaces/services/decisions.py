"""What staff decide about bookings: approving and rejecting requests (with the competing
ones in view), and booking on a resident's behalf (代约), which other domains use too."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from functools import partial
from typing import Any

from app import audit
from app.accounts.sessions import load_actor
from app.calendar import Interval
from app.db import existing, write_transaction
from app.errors import Conflict, FieldError, InputError, NotFound, RuleViolation
from app.i18n import _, format_day, format_day_time, localized
from app.notifications import notify_user
from app.permissions import Actor, staff_service
from app.queries import in_staff_scope
from app.queries import overlapping as spans_overlapping
from app.tables import PublicHoliday, User
from spaces.logic import notices
from spaces.logic.permissions import (
    can_approve_booking,
    can_book_on_behalf,
    can_manage_space,
    space_refused,
)
from spaces.logic.rules import Request, approval_refusals
from spaces.logic.statuses import HOLDING, BookingStatus, is_expired_request
from spaces.queries.bookings import owner_id, update_booking
from spaces.queries.spaces import held_units, lock_key, touch
from spaces.services.bookings import Booked, book, calendar_for, checked_note, staff_booking
from spaces.services.catalog import community_id, get_space, reread_space, rules_of, zone_of
from spaces.tables import Booking, Space, SpaceClosure


def _link(booking: Booking) -> str:
    return f"/bookings/{booking.id}"


@staff_service
async def approve(actor: Actor, booking_id: str, *, now: datetime, note: str = "") -> Booking:
    """Confirm a pending request: the capacity-checked write, inside the space's lock, so
    two staff approving competing requests at once cannot both succeed. The space, its
    calendar and what is held are read inside the lock: a request that a closure, new hours
    or a changed slot length now refuse is not confirmed, and the refusal says why."""
    booking, space = await staff_booking(actor, booking_id, can_approve_booking)
    async with write_transaction(lock_key(space)):
        space = await reread_space(space)
        booking = existing(await Booking.objects().where(Booking.id == booking.id).first())
        if booking.status != BookingStatus.pending.value:
            raise Conflict(_("This request was already decided."), rule="decided")
        if is_expired_request(booking, now):
            raise RuleViolation("expired", _("This request was not decided before it began."))
        await _check_still_allowed(space, booking)
        await touch(space.id)
        updated = await update_booking(
            booking,
            {
                Booking.status: BookingStatus.confirmed.value,
                Booking.decided_at: now,
                Booking.decided_by: actor.id,
                Booking.decision_note: checked_note(note),
            },
            now,
        )
        await notify_user(
            booking.user,
            "booking.approved",
            notices.APPROVED,
            link=_link(booking),
            now=now,
            space=partial(localized, space, "name"),
            when=booking.starts_at,
            zone=zone_of(space),
        )
        await _audit(actor, "booking.approved", booking, space, now, "pending", "confirmed")
    return updated


async def _check_still_allowed(space: Space, booking: Booking) -> None:
    """Refuse approving `booking` when the space's calendar or rules, read now inside its
    lock, no longer allow it, or when its units no longer fit. The resident's own limits
    (quotas, lead time, horizon) were checked when the request was made, and stand."""
    request = Request(booking.starts_at, booking.ends_at, booking.units, booking.party_size)
    rules = rules_of(space)
    zone = zone_of(space)
    calendar = await calendar_for(space, request)
    refusals = approval_refusals(rules, request, zone, calendar)
    if refusals and refusals[0].rule == "closed":
        raise RuleViolation("closed", await _closed_message(space, request))
    if refusals:
        raise RuleViolation(refusals[0].rule, refusals[0].message)
    held = await held_units(space, request.span)
    if not held.fits(request.span, request.units):
        raise Conflict(
            _(
                "Approving this request would overbook the space. Reject it or cancel "
                "another booking first."
            )
        )


async def _closed_message(space: Space, request: Request) -> str:
    """Why the space is not open for the request: the closure over it, named, when there is
    one; else its hours."""
    closure = (
        await SpaceClosure.objects()
        .where(
            (SpaceClosure.space == space.id)
            & SpaceClosure.units.is_null()
            & spans_overlapping(
                SpaceClosure.starts_at, SpaceClosure.ends_at, request.start, request.end
            )
        )
        .order_by(SpaceClosure.starts_at)
        .first()
    )
    zone = zone_of(space)
    if closure is None and space.closed_on_holidays:
        first_day = request.start.astimezone(zone).date()
        last_day = request.end.astimezone(zone).date()
        holiday = (
            await PublicHoliday.objects()
            .where(
                (PublicHoliday.on_date >= first_day)
                & (PublicHoliday.on_date <= last_day)
                & (PublicHoliday.is_workday == False)  # noqa: E712
            )
            .order_by(PublicHoliday.on_date)
            .first()
        )
        if holiday is not None:
            return _(
                "The space is closed on %(day)s for %(holiday)s. Reject the request, telling "
                "the resident why.",
                day=format_day(holiday.on_date, with_year=True),
                holiday=localized(holiday, "name"),
            )
    if closure is None:
        return _(
            "The space is no longer open for the whole of this time (its hours changed). "
            "Reject the request, telling the resident why."
        )
    return _(
        "The space is closed from %(start)s to %(end)s (%(reason)s). Reject the request, "
        "telling the resident why.",
        start=format_day_time(closure.starts_at, zone=zone),
        end=format_day_time(closure.ends_at, zone=zone),
        reason=closure.reason or _("no reason given"),
    )


@staff_service
async def reject(actor: Actor, booking_id: str, *, reason: str, now: datetime) -> Booking:
    """Turn a pending request down, telling the resident why."""
    booking, space = await staff_booking(actor, booking_id, can_approve_booking)
    if not reason.strip():
        raise InputError([FieldError("reason", _("Tell the resident why it is rejected."))])
    async with write_transaction(lock_key(space)):
        booking = existing(await Booking.objects().where(Booking.id == booking.id).first())
        if booking.status != BookingStatus.pending.value:
            raise Conflict(_("This request was already decided."), rule="decided")
        updated = await reject_locked(actor, booking, space, reason=reason, now=now)
    return updated


async def reject_locked(
    actor: Actor, booking: Booking, space: Space, *, reason: str, now: datetime, tell: bool = True
) -> Booking:
    """Reject a pending request inside the caller's write transaction of the space (the
    caller, a service of the space's staff, has checked the actor; `tell=False`: the caller
    tells the resident itself)."""
    updated = await update_booking(
        booking,
        {
            Booking.status: BookingStatus.rejected.value,
            Booking.decided_at: now,
            Booking.decided_by: actor.id,
            Booking.decision_note: checked_note(reason),
        },
        now,
    )
    if tell and owner_id(booking) is not None:
        await notify_user(
            owner_id(booking),
            "booking.rejected",
            notices.REJECTED,
            link=_link(booking),
            now=now,
            space=partial(localized, space, "name"),
            when=booking.starts_at,
            zone=zone_of(space),
            reason=reason.strip(),
        )
    await _audit(actor, "booking.rejected", booking, space, now, "pending", "rejected")
    return updated


async def _audit(
    actor: Actor,
    action: str,
    booking: Booking,
    space: Space,
    now: datetime,
    before: str,
    after: str,
) -> None:
    await audit.record(
        actor_id=actor.id,
        action=action,
        subject_type="booking",
        subject_id=str(booking.id),
        community_id=community_id(space),
        before={"status": before},
        after={"status": after},
        now=now,
    )


async def pending_requests(actor: Actor) -> list[Booking]:
    """Requests waiting for the actor's decision, oldest first."""
    query = Booking.objects(Booking.space, Booking.user).where(
        Booking.status == BookingStatus.pending.value
    )
    query = query.where(in_staff_scope(actor, Booking.space.community))
    return await query.order_by(Booking.created_at)


def competing(requests: list[Booking]) -> dict[Any, list[Booking]]:
    """For each request, the other requests for the same space whose times overlap it."""
    result: dict[Any, list[Booking]] = {}
    for request in requests:
        result[request.id] = [
            other
            for other in requests
            if other.id != request.id
            and other.space.id == request.space.id
            and Interval(other.starts_at, other.ends_at).overlaps(
                Interval(request.starts_at, request.ends_at)
            )
        ]
    return result


async def still_fitting(requests: list[Booking]) -> dict[Any, bool]:
    """For each request, whether its units fit beside what confirmed bookings, waitlist
    offers and maintenance hold now, read afresh on every call: once a competing request
    is approved, the ones it crowds out say so before anyone tries to approve them. The
    approval itself checks again inside the space's lock (`approve`)."""
    result: dict[Any, bool] = {}
    for request in requests:
        span = Interval(request.starts_at, request.ends_at)
        held = await held_units(request.space, span)
        result[request.id] = held.fits(span, request.units)
    return result


@staff_service
async def upcoming_of_space(actor: Actor, space: Space, now: datetime) -> list[Booking]:
    """The space's bookings and requests not yet ended, with their residents, soonest first."""
    if not can_manage_space(actor, community_id(space)):
        raise space_refused()
    return (
        await Booking.objects(Booking.user)
        .where(
            (Booking.space == space.id)
            & (Booking.ends_at > now)
            & Booking.status.is_in([*HOLDING, BookingStatus.pending.value])
        )
        .order_by(Booking.starts_at)
    )


@staff_service
async def book_on_behalf(
    actor: Actor,
    resident_id: int,
    space_slug: str,
    request: Request,
    *,
    note: str,
    now: datetime,
    idempotency_key: str | None = None,
    on_created: Callable[[Booking, Space], Awaitable[None]] | None = None,
) -> Booked:
    """Staff book for a resident who cannot use a phone: the resident's quotas, eligibility
    and notifications apply exactly as if the resident had booked. The booking, the
    resident's notice and the audit entry are written together or not at all; so is what
    `on_created` writes (a caller's own record of the booking, such as the need it solves)."""
    resident = await User.objects().where(User.id == resident_id).first()
    if resident is None or not can_book_on_behalf(actor, resident.community):
        raise NotFound(_("There is no such resident in your communities."))
    if not can_book_on_behalf(actor, community_id(await get_space(space_slug))):
        raise space_refused()

    async def told_and_audited(booking: Booking, space: Space) -> None:
        await notify_user(
            resident.id,
            "booking.booked_for_you",
            notices.BOOKED_FOR_YOU,
            link=f"/bookings/{booking.id}",
            now=now,
            space=partial(localized, space, "name"),
            when=booking.starts_at,
            zone=zone_of(space),
        )
        await audit.record(
            actor_id=actor.id,
            action="booking.on_behalf",
            subject_type="booking",
            subject_id=str(booking.id),
            community_id=community_id(space),
            after={"resident": resident.id, "status": booking.status},
            now=now,
        )
        if on_created is not None:
            await on_created(booking, space)

    return await book(
        await load_actor(resident),
        space_slug,
        request,
        now=now,
        note=note,
        idempotency_key=idempotency_key,
        booked_by=actor.id,
        on_created=told_and_audited,
    )
