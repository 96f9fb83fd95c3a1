"""The impact of changing a space's opening time or units, and the staff's answer to it.

A change of weekly hours (`editing`), of one date's hours (`special_hours`), a larger
turnaround buffer or a lower capacity (`editing`) is planned inside the space's write
transaction: `hours_impact` finds the confirmed bookings and pending requests not yet over
that the new hours take open time from (one kept through an earlier closure is listed again
when the change takes more of it), `plan_units` the confirmed bookings ahead that would be
over capacity. `settle` then
refuses unless staff confirmed exactly that impact (`app.calendar_exceptions`), reads their
answer and applies it: confirmed bookings outside are kept or cancelled as staff chose,
requests outside are refused with the reason, and of the bookings over capacity those
ticked are cancelled, provided what remains fits. Each resident is told in their own
language.

Past bookings are never touched: a booking under way is judged by what is left of it, and
the capacity check starts now.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from functools import partial
from typing import Any

from app.calendar import Interval, parse_ranges
from app.calendar_exceptions import (
    CANCEL,
    KEEP,
    Confirmation,
    Impact,
    ImpactRefused,
    SpecialHours,
    check_unchanged,
    chosen,
    losing_open_time,
)
from app.errors import FieldError, InputError
from app.i18n import localized, ngettext
from app.notifications import notify_user
from app.permissions import Actor
from spaces.logic import notices
from spaces.logic.availability import Hold, Usage, hold_of, local_day_window
from spaces.logic.impact import over_capacity, peak_without
from spaces.logic.statuses import COUNTING, HOLDING, BookingStatus
from spaces.queries.bookings import overlapping, owner_id
from spaces.queries.spaces import holding_usage
from spaces.services.cancellation import cancel_locked
from spaces.services.catalog import calendar_of, zone_of
from spaces.services.decisions import reject_locked
from spaces.tables import Booking, Space

HORIZON_CHECKED = timedelta(days=800)
"""How far ahead a change is checked against bookings (beyond every booking horizon)."""
HOURS_FIELDS = frozenset({"weekly_hours", "timezone", "closed_on_holidays"})
"""The space's columns that decide its opening time."""


def proposed_space(space: Space, changes: dict[str, Any]) -> Space:
    """A copy of `space` with `changes` to its columns, to compute with before writing."""
    proposed = copy.copy(space)
    for name, value in changes.items():
        setattr(proposed, name, value)
    return proposed


def _span(booking: Booking) -> Interval:
    return Interval(booking.starts_at, booking.ends_at)


async def _bookings(space: Space, statuses: tuple[str, ...], window: Interval) -> list[Booking]:
    return (
        await Booking.objects(Booking.user)
        .where(
            overlapping(space.id, window.start, window.end) & Booking.status.is_in(list(statuses))
        )
        .order_by(Booking.starts_at)
    )


def still_to_come(booking: Booking, *, now: datetime) -> Interval:
    """What is not yet over of a booking: a booking under way loses only that to a change."""
    return Interval(max(booking.starts_at, now), booking.ends_at)


def reach_of(bookings: list[Booking], now: datetime) -> Interval:
    """From the earliest time still to come of `bookings` to the last one's end."""
    return Interval(
        min(still_to_come(b, now=now).start for b in bookings), max(b.ends_at for b in bookings)
    )


async def hours_impact(
    space: Space,
    now: datetime,
    *,
    proposed: Space | None = None,
    special: SpecialHours | None = None,
    removed: date | None = None,
) -> Impact:
    """What new hours leave outside the opening time from now on: the weekly hours (time
    zone, holidays) of `proposed`, `special` hours for one date, or the weekly hours again
    on the date whose special hours are `removed`."""
    day = special.on_date if special is not None else removed
    if day is not None:
        window = local_day_window(day, 1, zone_of(space))
    else:
        window = Interval(now, now + HORIZON_CHECKED)
    # Not yet over: a booking under way loses what is left of it, never what is past.
    ahead = [b for b in await _bookings(space, COUNTING, window) if b.ends_at > now]
    if not ahead:
        return Impact()

    reach = reach_of(ahead, now)
    before = await calendar_of(space, reach)
    after = await calendar_of(proposed, reach) if proposed is not None else before
    if special is not None:
        after = replace(
            after, special={**after.special, special.on_date: parse_ranges(special.hours)}
        )
    if removed is not None:
        after = replace(after, special={k: v for k, v in after.special.items() if k != removed})
    hit = losing_open_time(
        ahead,
        partial(still_to_come, now=now),
        before.open_intervals(reach),
        after.open_intervals(reach),
    )
    return Impact(
        outside=[b for b in hit if b.status == BookingStatus.confirmed.value],
        requests=[b for b in hit if b.status == BookingStatus.pending.value],
    )


@dataclass(frozen=True)
class Planned:
    """A change's impact, with what the capacity check after the staff's answer needs."""

    impact: Impact
    capacity: int
    buffer_minutes: int
    usage: Usage | None = None
    """Units held ahead with the new buffer, when the buffer or capacity is checked."""
    window: Interval | None = None
    holds: dict[Any, Hold] = field(default_factory=dict)
    """The hold of each confirmed booking in the way, with the new buffer."""


async def plan_units(
    space: Space, now: datetime, *, capacity: int, buffer_minutes: int, field_name: str
) -> Planned:
    """The confirmed bookings ahead over capacity with `capacity` and `buffer_minutes`, or an
    `InputError` on `field_name` when even cancelling all of them would not do (maintenance
    blocks, waitlist offers or a booking under way hold the rest)."""
    window = Interval(now, now + HORIZON_CHECKED)
    usage = await holding_usage(space, window, buffer_minutes=buffer_minutes)
    planned = Planned(Impact(), capacity, buffer_minutes, usage, window)
    if usage.peak(window.start, window.end) <= capacity:
        return planned
    buffer = timedelta(minutes=buffer_minutes)
    booked = await _bookings(space, HOLDING, Interval(window.start - buffer, window.end))
    holds = {b.id: hold_of(b.starts_at, b.ends_at, b.units, buffer) for b in booked}
    over = [
        b
        for b in over_capacity(booked, lambda b: holds[b.id], usage, capacity, window)
        if b.starts_at >= now
    ]
    peak = peak_without(usage, [holds[b.id] for b in over], window)
    if peak > capacity:
        raise InputError(
            [
                FieldError(
                    field_name,
                    ngettext(
                        "Even with every booking ahead in the way cancelled, %(n)s unit is held "
                        "at once (maintenance blocks, waitlist offers or a booking under way). "
                        "Change those first.",
                        "Even with every booking ahead in the way cancelled, %(n)s units are held "
                        "at once (maintenance blocks, waitlist offers or a booking under way). "
                        "Change those first.",
                        peak,
                        n=peak,
                    ),
                )
            ]
        )
    return replace(planned, impact=Impact(over=over), holds=holds)


def combined(hours: Impact, units: Planned) -> Planned:
    """One plan for a change of both the hours and the units."""
    return replace(units, impact=Impact(hours.outside, hours.requests, units.impact.over))


async def settle(
    actor: Actor,
    space: Space,
    planned: Planned,
    confirmation: Confirmation | None,
    now: datetime,
) -> dict[str, Any]:
    """Inside the caller's write transaction, after the change is written (`space` has the
    new values): refuse with `ImpactChanged` unless staff confirmed exactly this impact
    (nothing to confirm when it hits nothing), with `ImpactRefused` when their answer cannot
    be used, then apply it and tell each resident. Returns what was done, for the audit."""
    impact = planned.impact
    answer = confirmation or Confirmation()
    check_unchanged(answer.expected, impact, impact.keys())
    if not impact:
        return {}
    try:
        consequence = impact.read(answer.choice, answer.cancel_reason)
    except InputError as exc:
        raise ImpactRefused(exc.errors, impact) from exc
    reason = consequence.cancel_reason
    cancelled_outside = impact.outside if consequence.choice == CANCEL else []
    # A booking both outside the new hours and over capacity is cancelled (and told) once.
    gone = {b.id for b in cancelled_outside}
    ticked = [b for b in chosen(answer.ticked, impact.over) if b.id not in gone]
    cancelled_over = {b.id for b in ticked}
    kept = [b for b in impact.outside if consequence.choice == KEEP and b.id not in cancelled_over]
    if impact.over and planned.usage is not None and planned.window is not None:
        let_go = {
            b.id: planned.holds[b.id]
            for b in [*cancelled_outside, *ticked]
            if b.id in planned.holds
        }
        peak = peak_without(planned.usage, let_go.values(), planned.window)
        if peak > planned.capacity:
            raise ImpactRefused(
                [
                    FieldError(
                        "cancel_booking",
                        ngettext(
                            "The bookings left would hold %(n)s unit at once, and the space will "
                            "have %(capacity)s. Choose more bookings to cancel.",
                            "The bookings left would hold %(n)s units at once, and the space will "
                            "have %(capacity)s. Choose more bookings to cancel.",
                            peak,
                            n=peak,
                            capacity=planned.capacity,
                        ),
                    )
                ],
                impact,
            )
    for booking in kept:
        await tell(booking, space, "booking.hours_kept", notices.HOURS_KEPT, now)
    for booking in cancelled_outside:
        await cancel_locked(actor.id, booking, space, reason=reason, now=now, tell=False)
        await tell(
            booking,
            space,
            "booking.cancelled",
            notices.HOURS_CANCELLED,
            now,
            actor_id=actor.id,
            reason=reason,
        )
    for request in impact.requests:
        await reject_locked(actor, request, space, reason=reason, now=now, tell=False)
        await tell(request, space, "booking.rejected", notices.HOURS_REJECTED, now, reason=reason)
    for booking in ticked:
        await cancel_locked(actor.id, booking, space, reason=reason, now=now, tell=False)
        await tell(
            booking,
            space,
            "booking.cancelled",
            notices.CANCELLED_BY_STAFF,
            now,
            actor_id=actor.id,
            reason=reason,
        )
    return {
        "bookings": consequence.choice or None,
        "kept": [str(b.id) for b in kept],
        "cancelled": [str(b.id) for b in [*cancelled_outside, *ticked]],
        "rejected": [str(b.id) for b in impact.requests],
        "reason": reason,
    }


async def tell(
    booking: Booking,
    space: Space,
    kind: str,
    notice: str,
    now: datetime,
    *,
    actor_id: int | None = None,
    **params: Any,
) -> None:
    """Tell the booking's resident (not staff who cancelled their own booking), with the
    space's name and the time rendered in the resident's language."""
    user_id = owner_id(booking)
    if user_id is None or user_id == actor_id:
        return
    await notify_user(
        user_id,
        kind,
        notice,
        link=f"/bookings/{booking.id}",
        now=now,
        space=partial(localized, space, "name"),
        when=booking.starts_at,
        zone=zone_of(space),
        **params,
    )
