"""Closures and maintenance blocks, added with their impact in view.

Staff first see which bookings a closure or block would hit (`preview`), then choose, with
no default: keep the confirmed ones (the residents are told of the closure and their booking
stands) or cancel them with a reason. Pending requests in the way are rejected with the
reason either way. The closure and every consequence are written in one transaction of the
space; if the bookings hit changed since the preview, nothing is written and staff are shown
the new list. A closure identical to one already there (a confirmation sent twice) is not
added again.

A closure (`units` None) shuts the space and hits every confirmed booking and pending
request it overlaps. A block takes `units` out of use and hits the confirmed bookings it
overlaps only when, with the block, more units would be held than the space has; pending
requests are left to approval, which re-checks capacity.

Closures can also come from a calendar file (`plan_import`, then `add_many` with
`imported_from`): every event becomes a closure of the whole space, those identical to an
existing closure are skipped, and all are written with their consequences in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app import audit
from app.calendar import Interval
from app.calendar_exceptions import KEEP, check_unchanged, read_consequence, split_known
from app.db import write_transaction
from app.errors import FieldError, InputError, NotFound
from app.i18n import _
from app.permissions import Actor, staff_service
from app.queries import overlapping as spans_overlapping
from spaces.logic import notices
from spaces.logic.availability import Hold, Usage
from spaces.logic.closures import SpaceClosureDraft
from spaces.logic.permissions import can_close_space, space_refused
from spaces.logic.statuses import HOLDING, BookingStatus
from spaces.queries.bookings import overlapping
from spaces.queries.spaces import held_units, lock_key, touch
from spaces.services.cancellation import cancel_locked
from spaces.services.catalog import community_id
from spaces.services.decisions import reject_locked
from spaces.services.impact import tell
from spaces.services.waitlist import make_room
from spaces.tables import Booking, Space, SpaceClosure


async def _impact(space: Space, draft: SpaceClosureDraft) -> list[Booking]:
    """The bookings the closure or block would hit, earliest first, with their resident."""
    reach = draft.span
    if draft.units is not None:
        await _check_blockable(space, draft)
    if draft.units is None:
        statuses = [*HOLDING, BookingStatus.pending.value]
    else:
        held = await held_units(space, draft.span)
        if held.fits(draft.span, draft.units, buffered=False):
            return []
        statuses = list(HOLDING)
        # A booking holds its buffer too: one ending just before the block may be in its way.
        reach = Interval(draft.start - held.buffer, draft.end)
    return (
        await Booking.objects(Booking.user)
        .where(overlapping(space.id, reach.start, reach.end) & Booking.status.is_in(statuses))
        .order_by(Booking.starts_at)
    )


async def _check_blockable(space: Space, draft: SpaceClosureDraft) -> None:
    """Refuse a block that, with the blocks already there, would take more units out of use
    than the space has: bookings in its way can be cancelled, other blocks cannot."""
    assert draft.units is not None
    rows = await SpaceClosure.select(
        SpaceClosure.starts_at, SpaceClosure.ends_at, SpaceClosure.units
    ).where(
        (SpaceClosure.space == space.id)
        & SpaceClosure.units.is_not_null()
        & spans_overlapping(SpaceClosure.starts_at, SpaceClosure.ends_at, draft.start, draft.end)
    )
    blocked = Usage(Hold(r["starts_at"], r["ends_at"], r["units"]) for r in rows)
    left = space.capacity - blocked.peak(draft.start, draft.end)
    if draft.units > left:
        raise InputError(
            [
                FieldError(
                    "units",
                    _(
                        "Other blocks already take units out of use then: at most %(n)s more "
                        "can be blocked.",
                        n=max(left, 0),
                    ),
                )
            ]
        )


@staff_service
async def preview(actor: Actor, space: Space, draft: SpaceClosureDraft) -> list[Booking]:
    """What the closure or block would hit, for its community's staff to decide about."""
    _require_staff(actor, space)
    return await _impact(space, draft)


def _require_staff(actor: Actor, space: Space) -> None:
    if not can_close_space(actor, community_id(space)):
        raise space_refused()


@dataclass(frozen=True)
class ImportPlan:
    """What importing closures would do: each new one with the bookings it hits, and the
    ones skipped because the same closure already exists (or came earlier in the file)."""

    hits: list[tuple[SpaceClosureDraft, list[Booking]]]
    skipped: list[SpaceClosureDraft]

    @property
    def affected(self) -> list[Booking]:
        """Every booking hit, once, earliest first."""
        return [booking for booking, _draft in _hit_once(self.hits)]


@dataclass(frozen=True)
class Added:
    closures: list[SpaceClosure]
    affected: list[Booking]
    skipped: int
    """Imported closures left out because the same closure existed already."""


def _hit_once(
    hits: list[tuple[SpaceClosureDraft, list[Booking]]],
) -> list[tuple[Booking, SpaceClosureDraft]]:
    """Each booking hit with the first draft that hits it, earliest booking first."""
    seen: dict[Any, tuple[Booking, SpaceClosureDraft]] = {}
    for draft, bookings in hits:
        for booking in bookings:
            seen.setdefault(booking.id, (booking, draft))
    return sorted(seen.values(), key=lambda pair: (pair[0].starts_at, str(pair[0].id)))


async def _fresh(
    space: Space, drafts: list[SpaceClosureDraft]
) -> tuple[list[SpaceClosureDraft], list[SpaceClosureDraft]]:
    """The drafts to add and those skipped: the same span as an existing closure of the
    whole space, or as an earlier draft."""
    known = await SpaceClosure.select(SpaceClosure.starts_at, SpaceClosure.ends_at).where(
        (SpaceClosure.space == space.id) & SpaceClosure.units.is_null()
    )
    return split_known(drafts, ((row["starts_at"], row["ends_at"]) for row in known))


async def _not_there_yet(
    space: Space, drafts: list[SpaceClosureDraft]
) -> tuple[list[SpaceClosureDraft], list[SpaceClosureDraft]]:
    """The drafts to add and those already there: a closure or block of the space with the
    same span, units and reason (the same confirmation sent twice)."""
    fresh: list[SpaceClosureDraft] = []
    there: list[SpaceClosureDraft] = []
    for draft in drafts:
        units = (
            SpaceClosure.units.is_null()
            if draft.units is None
            else SpaceClosure.units == draft.units
        )
        same = await SpaceClosure.exists().where(
            (SpaceClosure.space == space.id)
            & (SpaceClosure.starts_at == draft.start)
            & (SpaceClosure.ends_at == draft.end)
            & (SpaceClosure.reason == draft.reason)
            & units
        )
        (there if same else fresh).append(draft)
    return fresh, there


@staff_service
async def plan_import(actor: Actor, space: Space, drafts: list[SpaceClosureDraft]) -> ImportPlan:
    """The preview of an import: what `add_many(..., imported_from=...)` would do now."""
    _require_staff(actor, space)
    fresh, skipped = await _fresh(space, drafts)
    return ImportPlan([(draft, await _impact(space, draft)) for draft in fresh], skipped)


@staff_service
async def add(
    actor: Actor,
    space: Space,
    draft: SpaceClosureDraft,
    *,
    choice: str,
    cancel_reason: str,
    expected: str,
    now: datetime,
) -> tuple[SpaceClosure | None, list[Booking]]:
    """Add the closure or block and apply the chosen consequence to the bookings it hits;
    None when the same closure or block is there already (nothing changes)."""
    added = await add_many(
        actor,
        space,
        [draft],
        choice=choice,
        cancel_reason=cancel_reason,
        expected=expected,
        now=now,
    )
    return (added.closures[0] if added.closures else None), added.affected


@staff_service
async def add_many(
    actor: Actor,
    space: Space,
    drafts: list[SpaceClosureDraft],
    *,
    choice: str,
    cancel_reason: str,
    expected: str,
    now: datetime,
    imported_from: str | None = None,
) -> Added:
    """Add the closures and blocks in one transaction, and apply the chosen consequence to
    every booking they hit (each once; an empty `cancel_reason` gives the reason of the
    first closure hitting it). `expected` is the `fingerprint` of the bookings the preview
    showed (`app.calendar_exceptions`).

    `imported_from` names the calendar file the drafts come from: drafts identical to an
    existing closure are then skipped, and one audit entry sums up the import.
    """
    _require_staff(actor, space)
    async with write_transaction(lock_key(space)):
        skipped: list[SpaceClosureDraft]
        if imported_from is None:
            fresh, skipped = await _not_there_yet(space, drafts)
        else:
            fresh, skipped = await _fresh(space, drafts)
        if not fresh:
            return Added([], [], len(skipped))
        hit = _hit_once([(draft, await _impact(space, draft)) for draft in fresh])
        affected = [booking for booking, _draft in hit]
        check_unchanged(expected, affected, (booking.id for booking in affected))
        consequence = read_consequence(
            choice,
            cancel_reason,
            choice_needed=any(b.status != BookingStatus.pending.value for b in affected),
        )
        if consequence.choice == KEEP and any(draft.units is not None for _b, draft in hit):
            # A block holds its units: keeping the bookings in its way would overbook.
            raise InputError(
                [
                    FieldError(
                        "choice",
                        _(
                            "A block cannot keep the bookings in its way: cancel them, or "
                            "block fewer units or a shorter time."
                        ),
                    )
                ]
            )
        made = []
        for draft in fresh:
            closure = SpaceClosure(
                space=space.id,
                starts_at=draft.start,
                ends_at=draft.end,
                all_day=draft.all_day,
                reason=draft.reason,
                units=draft.units,
                created_by=actor.id,
                created_at=now,
            )
            await closure.save()
            made.append(closure)
        await touch(space.id)
        for booking, draft in hit:
            reason = consequence.cancel_reason or draft.reason
            if booking.status == BookingStatus.pending.value:
                await reject_locked(actor, booking, space, reason=reason, now=now, tell=False)
                await tell(booking, space, "booking.rejected", notices.REJECTED, now, reason=reason)
            elif consequence.choice == KEEP:
                await tell(
                    booking,
                    space,
                    "booking.closure_kept",
                    notices.CLOSURE_KEPT,
                    now,
                    reason=draft.reason,
                )
            else:
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
        for draft in fresh:
            if draft.units is not None:
                await make_room(space, draft.span, reason=draft.reason, now=now)
        action, after = _what_was_added(made, len(skipped), imported_from)
        await audit.record(
            actor_id=actor.id,
            action=action,
            subject_type="space",
            subject_id=space.slug,
            community_id=space.community.id,
            after={
                **after,
                "bookings": consequence.choice if affected else None,
                "booking_ids": [str(b.id) for b in affected],
            },
            now=now,
        )
    return Added(made, affected, len(skipped))


def _what_was_added(
    made: list[SpaceClosure], skipped: int, imported_from: str | None
) -> tuple[str, dict[str, Any]]:
    """The audit action and details: the one closure or block, or a summary of an import."""
    if imported_from is not None:
        return "space.closures_imported", {
            "file": imported_from,
            "count": len(made),
            "skipped": skipped,
            "first": min(c.starts_at for c in made).isoformat(),
            "last": max(c.ends_at for c in made).isoformat(),
        }
    closure = made[0]
    return "space.block_added" if closure.units else "space.closure_added", {
        "closure": closure.id,
        "start": closure.starts_at.isoformat(),
        "end": closure.ends_at.isoformat(),
        "units": closure.units,
        "reason": closure.reason,
    }


async def upcoming(space: Space, now: datetime) -> list[SpaceClosure]:
    """Closures and blocks not yet over, soonest first."""
    return (
        await SpaceClosure.objects()
        .where((SpaceClosure.space == space.id) & (SpaceClosure.ends_at > now))
        .order_by(SpaceClosure.starts_at)
    )


@staff_service
async def remove(actor: Actor, space: Space, closure_id: int, *, now: datetime) -> None:
    """Take a closure or block away; the time becomes bookable again."""
    _require_staff(actor, space)
    async with write_transaction(lock_key(space)):
        closure = (
            await SpaceClosure.objects()
            .where((SpaceClosure.id == closure_id) & (SpaceClosure.space == space.id))
            .first()
        )
        if closure is None:
            raise NotFound(_("There is no such closure."))
        await SpaceClosure.delete().where(SpaceClosure.id == closure.id)
        await touch(space.id)
        await audit.record(
            actor_id=actor.id,
            action="space.closure_removed",
            subject_type="space",
            subject_id=space.slug,
            community_id=space.community.id,
            before={
                "start": closure.starts_at.isoformat(),
                "end": closure.ends_at.isoformat(),
                "units": closure.units,
                "reason": closure.reason,
            },
            now=now,
        )
