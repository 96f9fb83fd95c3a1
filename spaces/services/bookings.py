"""Booking: a resident books (or requests) units of a space, with every rule checked and the
nearest free times offered on a refusal; reading one's own bookings, and a booking for its
resident or its space's staff. Cancelling, deciding and rating have their own modules.

The checks and the insert happen in one `write_transaction` keyed by the space, which
serialises every writer of that space on both engines; the space, its calendar and what is
held are all read inside it, so a closure or an hours change committed a moment earlier is
seen. Capacity follows the one hold rule of `spaces.logic.availability`. Services take the
acting user and `now`, raise domain errors, and either complete or change nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from piccolo.columns.defaults.base import Default

from app import metrics
from app.calendar import Calendar, Interval
from app.db import existing, is_unique_violation, row_object, write_later, write_transaction
from app.errors import (
    Alternative,
    Conflict,
    DomainError,
    FieldError,
    InputError,
    NotFound,
    RuleViolation,
)
from app.i18n import _, ngettext
from app.permissions import Actor
from spaces.logic.availability import HeldUnits, slot_starts
from spaces.logic.bounds import booking_bound_refusal, latest_end, max_duration
from spaces.logic.permissions import can_see_booking
from spaces.logic.rules import (
    Refusal,
    Request,
    Rules,
    check_request,
)
from spaces.logic.statuses import BookingStatus
from spaces.logic.wording import shortfall_reason
from spaces.queries.bookings import owner_id, spans_of
from spaces.queries.spaces import held_units, lock_key, touch
from spaces.services.catalog import (
    calendar_of,
    community_id,
    get_space,
    reread_for_booking,
    reread_space_and_key,
    rules_of,
    zone_of,
)
from spaces.services.eligibility import check_eligibility
from spaces.tables import Booking, Space

ALTERNATIVES = 3
ALTERNATIVE_SEARCH = timedelta(days=7)
MAX_NOTE = 300


def _iso(moment: datetime, space: Space) -> str:
    return moment.astimezone(zone_of(space)).isoformat()


async def alternatives(
    space: Space, request: Request, *, user_id: int, now: datetime
) -> list[Alternative]:
    """The free times nearest the requested start with the same length and units."""
    zone = zone_of(space)
    rules = rules_of(space)
    length = request.end - request.start
    latest = latest_end(rules, now)
    # Only inside the booking window: a start far outside it (year 2727) has nothing near.
    if length > max_duration(rules) or not (
        now - ALTERNATIVE_SEARCH <= request.start <= latest + ALTERNATIVE_SEARCH
    ):
        return []
    start_after = max(now, request.start - ALTERNATIVE_SEARCH)
    search_end = min(request.start + ALTERNATIVE_SEARCH + length, latest)
    if search_end <= start_after:
        return []
    window = Interval(start_after, search_end)
    calendar = await calendar_of(space, window)
    open_intervals = calendar.open_intervals(window)
    held = await held_units(space, window)
    mine = await spans_of(user_id, space.id, min(now, window.start)) if rules.has_quotas else []
    found = []
    for interval in open_intervals:
        for start in slot_starts(interval, zone, rules.slot_minutes):
            candidate = Request(start, start + length, request.units, request.party_size)
            if start == request.start or candidate.end > interval.end:
                continue
            if check_request(
                rules, candidate, zone=zone, now=now, open_intervals=open_intervals, mine=mine
            ):
                continue
            if held.fits(candidate.span, candidate.units):
                found.append(candidate)
    found.sort(key=lambda c: (abs(c.start - request.start), c.start))
    return [Alternative(_iso(c.start, space), _iso(c.end, space)) for c in found[:ALTERNATIVES]]


@dataclass
class Booked:
    booking: Booking
    created: bool
    """False when an earlier identical submission (same idempotency key) is returned."""
    space: Space
    """The space as read inside the booking's lock (an earlier booking's may be another)."""


def checked_note(note: str) -> str:
    """A booking's (or a decision's) note, trimmed, or an `InputError` when too long."""
    note = note.strip()
    if len(note) > MAX_NOTE:
        raise InputError(
            [
                FieldError(
                    "note",
                    ngettext(
                        "Use at most %(n)s character.",
                        "Use at most %(n)s characters.",
                        MAX_NOTE,
                        n=MAX_NOTE,
                    ),
                )
            ]
        )
    return note


COLUMNS = [column._meta.name for column in Booking._meta.columns]
INSERT_SQL = "INSERT INTO booking ({}) VALUES ({})".format(
    ", ".join(f'"{column._meta.db_column_name}"' for column in Booking._meta.columns),
    ", ".join("{}" for _column in COLUMNS),
)
"""A booking's insert in plain SQL, with each column's value as an argument in the order of
`COLUMNS`: Piccolo's builder costs more than the statement (see `get_space`)."""
MADE = frozenset(
    {"id", "space", "user", "starts_at", "ends_at", "units", "party_size", "status", "note"}
    | {"idempotency_key", "created_at", "updated_at", "booked_by"}
)
"""The columns `book_locked` gives a value; the others take their default."""


def _defaults() -> dict[str, Any]:
    found = {}
    for column in Booking._meta.columns:
        if column._meta.name not in MADE:
            value = column.get_default_value()
            if isinstance(value, Default) or callable(value):  # pragma: no cover - a guard
                raise TypeError(f"booking.{column._meta.name}'s default differs by row")
            found[column._meta.name] = value
    return found


DEFAULTS = _defaults()
"""The value of every column a new booking leaves to its default: constants, so the row's
object is made without Piccolo's constructor (`row_object`)."""

CAPACITY = "capacity"
"""The rule code of a refusal because the units asked for are taken."""


async def book(
    actor: Actor,
    space_slug: str,
    request: Request,
    *,
    now: datetime,
    note: str = "",
    idempotency_key: str | None = None,
    booked_by: int | None = None,
    on_created: Callable[[Booking, Space], Awaitable[None]] | None = None,
) -> Booked:
    """Book (or, where staff approve, request) `request.units` of the space.

    `booked_by` names the staff member booking for the resident (代约); `on_created` runs
    inside the booking's transaction once it is made, for what must happen with it or not
    at all (telling the resident, the audit entry).

    Raises `RuleViolation` naming the rule and `Conflict` when the units are taken, both
    with the nearest free alternatives.
    """
    space = await get_space(space_slug)
    note = checked_note(note)
    if idempotency_key is not None and not 1 <= len(idempotency_key) <= 100:
        raise InputError([FieldError("idempotency_key", _("Use 1 to 100 characters."))])
    await check_bounds(space, request, user_id=actor.id, now=now)
    await before_lock(space, request)
    async with write_transaction(lock_key(space)):
        if request.end > request.start:
            read = await reread_for_booking(
                space, actor.id, idempotency_key, window=_window(request), held_window=request.span
            )
            space, earlier_id, checks = read.space, read.earlier_id, read.checks
        else:  # refused by its rules, with no calendar to read
            space, earlier_id = await reread_space_and_key(space, actor.id, idempotency_key)
            checks = None
        if earlier_id is not None:  # sent before: that booking, as it is now
            earlier = existing(await Booking.objects().where(Booking.id == earlier_id).first())
            return Booked(earlier, created=False, space=space)
        outcome = await book_locked(
            actor,
            space,
            request,
            now=now,
            note=note,
            idempotency_key=idempotency_key,
            booked_by=booked_by,
            checks=checks,
        )
        if isinstance(outcome, Booked) and outcome.created and on_created is not None:
            await on_created(outcome.booking, space)
    if isinstance(outcome, Booked):
        if outcome.created:
            metrics.booking_made()  # counted once committed
        return outcome
    raise await refusal_error(space, request, outcome, user_id=actor.id, now=now)


async def before_lock(space: Space, request: Request) -> None:
    """Where a test steps in between reading the space and taking its lock (to commit a
    closure there, say); nothing in production."""


async def check_bounds(space: Space, request: Request, *, user_id: int, now: datetime) -> None:
    """Refuse, before any calendar is read, a request outside the booking window or longer
    than the space's maximum (see `spaces.logic.bounds`), with its rule's alternatives."""
    refusal = booking_bound_refusal(rules_of(space), request, now, zone_of(space))
    if refusal is not None:
        raise await refusal_error(space, request, [refusal], user_id=user_id, now=now)


def _window(request: Request) -> Interval:
    return Interval(request.start - timedelta(days=1), request.end + timedelta(days=1))


async def calendar_for(space: Space, request: Request) -> Calendar | None:
    """The calendar a check of `request` reads (inside the space's lock)."""
    return await calendar_of(space, _window(request)) if request.end > request.start else None


async def refusals_locked(
    actor: Actor,
    space: Space,
    request: Request,
    *,
    now: datetime,
    rules: Rules | None = None,
    holds: bool | None = None,
    checks: tuple[Calendar, HeldUnits] | None = None,
) -> list[Refusal]:
    """Why the actor may not book `request` now, inside the caller's write transaction of
    the space (with `space` read inside it): the rules it breaks, else a lone `capacity`
    refusal when the units are taken, else nothing. Raises `RuleViolation` when the actor
    may not book here at all.

    `rules` replaces the space's (an undo waives the lead time); `holds` says whether the
    booking would hold its units (by default unless staff approve each request), and so
    whether capacity is checked. `checks` are the calendar of `_window(request)` and the
    holds of its span when already read under the lock (`reread_for_booking`)."""
    zone = zone_of(space)
    rules = rules or rules_of(space)
    if holds is None:
        holds = not rules.requires_approval
    await check_eligibility(actor, space, now)
    calendar = checks[0] if checks else await calendar_for(space, request)
    open_intervals = calendar.open_intervals(_window(request)) if calendar else []
    mine = (
        await spans_of(actor.id, space.id, min(now, request.start - timedelta(days=7)))
        if rules.has_quotas
        else []
    )
    refusals = check_request(
        rules, request, zone=zone, now=now, open_intervals=open_intervals, mine=mine
    )
    if refusals or not holds:
        return refusals
    held = checks[1] if checks else await held_units(space, request.span)
    short = held.shortfall(request.span, request.units)
    if short is None:
        return []
    reason = shortfall_reason(short, space.buffer_minutes, zone)
    message = (
        _("%(reason)s Here are the nearest free times.", reason=reason)
        if reason
        else _("Someone else booked this time just now. Here are the nearest free times.")
    )
    return [Refusal(CAPACITY, message)]


async def book_locked(
    actor: Actor,
    space: Space,
    request: Request,
    *,
    now: datetime,
    note: str = "",
    idempotency_key: str | None = None,
    booked_by: int | None = None,
    checks: tuple[Calendar, HeldUnits] | None = None,
) -> Booked | list[Refusal]:
    """`book` inside the caller's write transaction of the space, with `space` read inside
    it (and no booking of the actor's under `idempotency_key`): the booking, or why not.
    `checks` are the calendar and holds already read under the lock (`refusals_locked`)."""
    refusals = await refusals_locked(actor, space, request, now=now, checks=checks)
    if refusals:
        return refusals
    booking = row_object(
        Booking,
        {
            **DEFAULTS,
            "id": uuid.uuid4(),
            "space": space.id,
            "user": actor.id,
            "starts_at": request.start,
            "ends_at": request.end,
            "units": request.units,
            "party_size": request.party_size,
            "status": (
                BookingStatus.pending if space.requires_approval else BookingStatus.confirmed
            ).value,
            "note": note,
            "idempotency_key": idempotency_key or None,
            "created_at": now,
            "updated_at": now,
            "booked_by": booked_by,
        },
    )
    values = [getattr(booking, name) for name in COLUMNS]
    if idempotency_key:
        try:
            await Booking.raw(INSERT_SQL, *values)
        except Exception as exc:
            if is_unique_violation(exc):
                raise Conflict(_("This request was already sent."), rule="idempotency") from exc
            raise
    else:  # no failure to tell apart: on SQLite it travels with the next statement or COMMIT
        await write_later(Booking.raw(INSERT_SQL, *values))
    if booking.status == BookingStatus.confirmed.value:
        await touch(space.id)
    return Booked(booking, created=True, space=space)


async def refusal_error(
    space: Space, request: Request, refusals: list[Refusal], *, user_id: int, now: datetime
) -> DomainError:
    """The error telling the person why `request` was refused, with the nearest free times
    (found after the lock is released: they are advice, not a promise)."""
    found = (
        await alternatives(space, request, user_id=user_id, now=now)
        if request.end > request.start
        else []
    )
    first = refusals[0]
    metrics.booking_refused(first.rule)
    if first.rule == CAPACITY:
        return Conflict(first.message, alternatives=found)
    if first.rule in {"units", "party_size"} or (
        first.rule == "duration" and request.end <= request.start
    ):
        return InputError([FieldError(r.field, r.message) for r in refusals], first.message)
    return RuleViolation(first.rule, first.message, found)


async def load_booking(actor: Actor, booking_id: str) -> tuple[Booking, Space, bool]:
    """The booking if the actor owns it or manages its space; otherwise "not found"."""
    try:
        key = uuid.UUID(str(booking_id))
    except ValueError as exc:
        raise NotFound(_("There is no such booking.")) from exc
    booking = await Booking.objects().where(Booking.id == key).first()
    if booking is None:
        raise NotFound(_("There is no such booking."))
    space = existing(await Space.objects(Space.community).where(Space.id == booking.space).first())
    if not can_see_booking(actor, owner_id(booking), community_id(space)):
        raise NotFound(_("There is no such booking."))
    return booking, space, owner_id(booking) == actor.id


async def staff_booking(
    actor: Actor, booking_id: str, may: Callable[[Actor, int], bool]
) -> tuple[Booking, Space]:
    """The booking for the staff whom the action's predicate `may` allows (given the actor
    and the space's community); "not found" for anyone else, its own resident included."""
    booking, space, _is_owner = await load_booking(actor, booking_id)
    if not may(actor, community_id(space)):
        raise NotFound(_("There is no such booking."))
    return booking, space


async def get_booking(actor: Actor, booking_id: str) -> tuple[Booking, Space]:
    booking, space, _is_owner = await load_booking(actor, booking_id)
    return booking, space


async def bookings_of(user_id: int) -> list[Booking]:
    """All of a person's bookings, newest start first, with their space."""
    return (
        await Booking.objects(Booking.space)
        .where(Booking.user == user_id)
        .order_by(Booking.starts_at, ascending=False)
    )
