"""The waitlist for taken times: residents queue, and the first in line gets a time-limited
offer when units come free.

An offer holds its units for the resident (`catalog.holding_usage` counts offered entries),
so nobody else can book them until the resident accepts, declines, or the offer runs out.
Every change to offers happens inside the space's write transaction and bumps the space's
version. `refill` is called by whatever frees units (a cancellation, a no-show release, an
offer declined or run out) and, as a safety net, by a scheduled job every minute.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from app.calendar import Interval
from app.db import existing, write_transaction
from app.errors import DomainError, NotFound, RuleViolation
from app.i18n import _, localized, ngettext
from app.notifications import notify_user
from app.permissions import Actor
from app.queries import overlapping
from app.scheduler import Job
from spaces.logic import notices
from spaces.logic.rules import Refusal, Request, check_request
from spaces.logic.statuses import BookingStatus, WaitlistStatus
from spaces.queries import spaces
from spaces.queries.bookings import spans_of
from spaces.queries.spaces import held_units, touch
from spaces.services import bookings
from spaces.services.catalog import calendar_of, get_space, reread_space, rules_of, zone_of
from spaces.tables import Booking, Space, WaitlistEntry

ACTIVE = (WaitlistStatus.waiting.value, WaitlistStatus.offered.value)
MAX_ACTIVE_ENTRIES = 5
"""Times one resident may wait for at once, over all spaces."""


@dataclass
class Joined:
    entry: WaitlistEntry
    created: bool
    """False when the resident was already waiting for this time."""


@dataclass
class QueuedEntry:
    """A resident's entry as they see it: its space and its place in the queue."""

    entry: WaitlistEntry
    space: Space
    position: int
    """1 for the first in line among the waiting and offered entries overlapping it."""


def offer_deadline(space: Space, starts_at: datetime, now: datetime) -> datetime:
    """Until when an offer made `now` holds the place: never past the start."""
    return min(now + timedelta(minutes=max(space.waitlist_offer_minutes, 1)), starts_at)


def _request(entry: WaitlistEntry) -> Request:
    return Request(entry.starts_at, entry.ends_at, entry.units)


def _user_lock(user_id: int) -> str:
    return f"waitlist-user:{user_id}"


async def _set(entry: WaitlistEntry, values: dict[Any, Any], now: datetime) -> None:
    await WaitlistEntry.update({**values, WaitlistEntry.updated_at: now}).where(
        WaitlistEntry.id == entry.id
    )


async def join(actor: Actor, space_slug: str, request: Request, *, now: datetime) -> Joined:
    """Queue for a time refused only because its units are taken.

    Eligibility and every booking rule are checked as for a booking; any refusal other than
    capacity is raised as the booking would raise it.
    """
    space = await get_space(space_slug)
    await bookings.check_bounds(space, request, user_id=actor.id, now=now)
    async with write_transaction(spaces.lock_key(space), _user_lock(actor.id)):
        space = await reread_space(space)
        refusals = await bookings.refusals_locked(actor, space, request, now=now)
        if not refusals:
            raise RuleViolation(
                "not_taken", _("This time is free now: book it instead of joining the waitlist.")
            )
        if refusals[0].rule == bookings.CAPACITY:
            return await _add_entry(actor, space, request, now)
    raise await bookings.refusal_error(space, request, refusals, user_id=actor.id, now=now)


async def _add_entry(actor: Actor, space: Space, request: Request, now: datetime) -> Joined:
    mine = await WaitlistEntry.objects().where(
        (WaitlistEntry.user == actor.id)
        & WaitlistEntry.status.is_in(list(ACTIVE))
        & (WaitlistEntry.starts_at > now)
    )
    here = [
        e
        for e in mine
        if e.space == space.id and Interval(e.starts_at, e.ends_at).overlaps(request.span)
    ]
    for entry in here:
        if (entry.starts_at, entry.ends_at) == (request.start, request.end):
            return Joined(entry, created=False)
    if here:
        raise RuleViolation(
            "waitlist_overlap",
            _("You are already on the waitlist here for a time that overlaps this one."),
        )
    if len(mine) >= MAX_ACTIVE_ENTRIES:
        raise RuleViolation(
            "waitlist_limit",
            ngettext(
                "You can wait for at most %(n)s time at once. Leave another waitlist first.",
                "You can wait for at most %(n)s times at once. Leave another waitlist first.",
                MAX_ACTIVE_ENTRIES,
                n=MAX_ACTIVE_ENTRIES,
            ),
        )
    entry = WaitlistEntry(
        id=uuid.uuid4(),
        space=space.id,
        user=actor.id,
        starts_at=request.start,
        ends_at=request.end,
        units=request.units,
        status=WaitlistStatus.waiting.value,
        created_at=now,
        updated_at=now,
    )
    await entry.save()
    return Joined(entry, created=True)


async def refill(space: Space, now: datetime) -> list[WaitlistEntry]:
    """Offer free units to waiting residents, first in line first; returns the new offers.

    Call inside the space's write transaction. An entry gets an offer when its time is
    still ahead, the space is open for all of it, the booking rules allow it, and its units
    fit beside what confirmed bookings, blocks and earlier offers hold.
    """
    waiting = (
        await WaitlistEntry.objects()
        .where(
            (WaitlistEntry.space == space.id)
            & (WaitlistEntry.status == WaitlistStatus.waiting.value)
            & (WaitlistEntry.starts_at > now)
        )
        .order_by(WaitlistEntry.created_at)
    )
    if not waiting:
        return []
    space = await reread_space(space, include_inactive=True)
    if not space.active:
        return []
    zone = zone_of(space)
    rules = rules_of(space)
    span = Interval(min(e.starts_at for e in waiting), max(e.ends_at for e in waiting))
    window = Interval(span.start - timedelta(days=1), span.end + timedelta(days=1))
    open_intervals = (await calendar_of(space, window)).open_intervals(window)
    held = await held_units(space, span)
    offered = []
    for entry in waiting:
        request = _request(entry)
        mine = (
            await spans_of(entry.user, space.id, min(now, entry.starts_at - timedelta(days=7)))
            if rules.has_quotas
            else []
        )
        if check_request(
            rules, request, zone=zone, now=now, open_intervals=open_intervals, mine=mine
        ) or not held.fits(request.span, request.units):
            continue
        deadline = offer_deadline(space, entry.starts_at, now)
        await _set(
            entry,
            {
                WaitlistEntry.status: WaitlistStatus.offered.value,
                WaitlistEntry.offered_at: now,
                WaitlistEntry.offer_expires_at: deadline,
            },
            now,
        )
        entry.status = WaitlistStatus.offered.value
        entry.offered_at, entry.offer_expires_at = now, deadline
        await notify_user(
            entry.user,
            "waitlist.offered",
            notices.WAITLIST_OFFER,
            link=f"/waitlist/{entry.id}",
            now=now,
            space=partial(localized, space, "name"),
            when=entry.starts_at,
            deadline=deadline,
            zone=zone,
        )
        offered.append(entry)
        held.add(request.span, request.units)  # the new offer holds its units
    if offered:
        await touch(space.id)
    return offered


async def offers_in_the_way(
    space: Space,
    span: Interval,
    *,
    block: int = 0,
    releasing: Iterable[Booking] = (),
) -> list[WaitlistEntry]:
    """The offers that units taken out of use over `span` leave without room, the latest
    offer first: with the block already written (`block` 0), or for a block of `block` units
    about to be, once the confirmed bookings `releasing` are cancelled (a preview)."""
    held = await held_units(space, span)
    held = held.without(
        (b.starts_at, b.ends_at, b.units)
        for b in releasing
        if b.status == BookingStatus.confirmed.value
    )
    if block:
        held.add(span, block, buffered=False)
    if held.held(span) <= held.capacity:
        return []
    offers = (
        await WaitlistEntry.objects(WaitlistEntry.user)
        .where(
            (WaitlistEntry.space == space.id)
            & (WaitlistEntry.status == WaitlistStatus.offered.value)
            & overlapping(
                WaitlistEntry.starts_at, WaitlistEntry.ends_at, span.start - held.buffer, span.end
            )
        )
        .order_by(WaitlistEntry.offered_at, ascending=False)
    )
    in_the_way = []
    for entry in offers:
        if held.held(span) <= held.capacity:
            break
        held = held.without([(entry.starts_at, entry.ends_at, entry.units)])
        in_the_way.append(entry)
    return in_the_way


async def make_room(
    space: Space, span: Interval, *, reason: str, now: datetime
) -> list[WaitlistEntry]:
    """Inside the space's write transaction, once units over `span` were taken out of use
    (a maintenance block), put back in line the offers that would otherwise overbook it,
    telling each resident why; returns them."""
    withdrawn = await offers_in_the_way(space, span)
    for entry in withdrawn:
        await _set(
            entry,
            {
                WaitlistEntry.status: WaitlistStatus.waiting.value,
                WaitlistEntry.offered_at: None,
                WaitlistEntry.offer_expires_at: None,
            },
            now,
        )
        await notify_user(
            entry.user.id,
            "waitlist.offer_withdrawn",
            notices.OFFER_WITHDRAWN,
            link=f"/waitlist/{entry.id}",
            now=now,
            space=partial(localized, space, "name"),
            when=entry.starts_at,
            zone=zone_of(space),
            reason=reason,
        )
    return withdrawn


async def _own_entry(actor: Actor, entry_id: str) -> WaitlistEntry:
    """The actor's own entry; anyone else's is "not found"."""
    try:
        key = uuid.UUID(str(entry_id))
    except ValueError as exc:
        raise NotFound(_("There is no such waitlist entry.")) from exc
    entry = (
        await WaitlistEntry.objects()
        .where((WaitlistEntry.id == key) & (WaitlistEntry.user == actor.id))
        .first()
    )
    if entry is None:
        raise NotFound(_("There is no such waitlist entry."))
    return entry


async def _space_of(entry: WaitlistEntry) -> Space:
    return existing(await Space.objects(Space.community).where(Space.id == entry.space).first())


async def _position(entry: WaitlistEntry) -> int:
    ahead = await WaitlistEntry.count().where(
        (WaitlistEntry.space == entry.space)
        & WaitlistEntry.status.is_in(list(ACTIVE))
        & (WaitlistEntry.created_at < entry.created_at)
        & overlapping(
            WaitlistEntry.starts_at, WaitlistEntry.ends_at, entry.starts_at, entry.ends_at
        )
    )
    return ahead + 1


async def get_entry(actor: Actor, entry_id: str) -> QueuedEntry:
    entry = await _own_entry(actor, entry_id)
    return QueuedEntry(entry, await _space_of(entry), await _position(entry))


async def entries_of(user_id: int, now: datetime) -> list[QueuedEntry]:
    """The person's waiting entries and offers for times still ahead, soonest first."""
    entries = (
        await WaitlistEntry.objects(WaitlistEntry.space)
        .where(
            (WaitlistEntry.user == user_id)
            & WaitlistEntry.status.is_in(list(ACTIVE))
            & (WaitlistEntry.starts_at > now)
        )
        .order_by(WaitlistEntry.starts_at)
    )
    result = []
    for entry in entries:
        space = entry.space
        entry.space = space.id
        result.append(QueuedEntry(entry, space, await _position(entry)))
    return result


def _not_offered(entry: WaitlistEntry) -> RuleViolation:
    if entry.status == WaitlistStatus.waiting.value:
        return RuleViolation(
            "not_offered", _("No place is free for you yet. We will tell you when one is.")
        )
    if entry.status == WaitlistStatus.withdrawn.value:
        return RuleViolation("withdrawn", _("You already left this waitlist."))
    return _ran_out()


def _ran_out() -> RuleViolation:
    return RuleViolation(
        "offer_expired",
        _("The time to accept this place has run out, so it went to the next in line."),
    )


async def _release(entry: WaitlistEntry, space: Space, status: str, now: datetime) -> None:
    """End an offer inside the space's transaction and pass the place on at once."""
    await _set(entry, {WaitlistEntry.status: status}, now)
    await touch(space.id)
    await refill(space, now)


async def accept(actor: Actor, entry_id: str, *, now: datetime) -> Booking:
    """Book the offered place with every booking rule applied; if a rule now refuses, the
    offer ends, passes to the next in line, and the refusal is raised."""
    entry = await _own_entry(actor, entry_id)
    space = await _space_of(entry)
    if not space.active:
        raise NotFound(_("There is no space at this address."))
    request = _request(entry)
    failure: DomainError | list[Refusal]
    async with write_transaction(spaces.lock_key(space)):
        space = await reread_space(space)
        entry = existing(await WaitlistEntry.objects().where(WaitlistEntry.id == entry.id).first())
        if entry.status == WaitlistStatus.booked.value and entry.booking is not None:
            # Accepted already (a second tap): the booking it made.
            return existing(await Booking.objects().where(Booking.id == entry.booking).first())
        if entry.status != WaitlistStatus.offered.value:
            raise _not_offered(entry)
        if entry.offer_expires_at <= now:
            await _release(entry, space, WaitlistStatus.expired.value, now)
            failure = _ran_out()
        else:
            # The offer's own hold gives way to the booking that replaces it.
            await _set(entry, {WaitlistEntry.status: WaitlistStatus.booked.value}, now)
            outcome: bookings.Booked | list[Refusal] | RuleViolation
            try:
                outcome = await bookings.book_locked(actor, space, request, now=now)
            except RuleViolation as exc:
                outcome = exc
            if isinstance(outcome, bookings.Booked):
                await _set(entry, {WaitlistEntry.booking: outcome.booking.id}, now)
                await touch(space.id)
                return outcome.booking
            await _release(entry, space, WaitlistStatus.expired.value, now)
            failure = outcome
    if isinstance(failure, list):
        raise await bookings.refusal_error(space, request, failure, user_id=actor.id, now=now)
    raise failure


async def withdraw(actor: Actor, entry_id: str, *, now: datetime) -> str:
    """Leave the waitlist, or decline an offer, which passes the place on at once.

    Returns the status the entry had; leaving one no longer active changes nothing.
    """
    entry = await _own_entry(actor, entry_id)
    space = await _space_of(entry)
    async with write_transaction(spaces.lock_key(space)):
        entry = existing(await WaitlistEntry.objects().where(WaitlistEntry.id == entry.id).first())
        if entry.status == WaitlistStatus.offered.value:
            await _release(entry, space, WaitlistStatus.withdrawn.value, now)
        elif entry.status == WaitlistStatus.waiting.value:
            await _set(entry, {WaitlistEntry.status: WaitlistStatus.withdrawn.value}, now)
    return entry.status


async def run_waitlist(now: datetime) -> int:
    """Scheduled job: offers past their deadline expire and pass on; waits whose time has
    begun expire; free places are offered (the safety net). Returns the offers made."""
    rows = (
        await WaitlistEntry.select(WaitlistEntry.space)
        .where(WaitlistEntry.status.is_in(list(ACTIVE)))
        .distinct()
    )
    if not rows:
        return 0
    offered = 0
    for space in await Space.objects().where(Space.id.is_in([r["space"] for r in rows])):
        async with write_transaction(spaces.lock_key(space)):
            await WaitlistEntry.update(
                {WaitlistEntry.status: WaitlistStatus.expired.value, WaitlistEntry.updated_at: now}
            ).where(
                (WaitlistEntry.space == space.id)
                & (WaitlistEntry.status == WaitlistStatus.waiting.value)
                & (WaitlistEntry.starts_at <= now)
            )
            ran_out = (
                await WaitlistEntry.update(
                    {
                        WaitlistEntry.status: WaitlistStatus.expired.value,
                        WaitlistEntry.updated_at: now,
                    }
                )
                .where(
                    (WaitlistEntry.space == space.id)
                    & (WaitlistEntry.status == WaitlistStatus.offered.value)
                    & (WaitlistEntry.offer_expires_at <= now)
                )
                .returning(WaitlistEntry.id)
            )
            if ran_out:
                await touch(space.id)
            offered += len(await refill(space, now))
    return offered


JOBS = [Job("spaces.waitlist", timedelta(minutes=1), run_waitlist)]
