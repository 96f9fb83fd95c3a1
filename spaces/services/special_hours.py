"""Hours of single dates: staff set hours that replace a space's weekly ones on one date (or
close it that day), and take them away again. Hours that leave bookings outside the opening
time go through the impact step first (`spaces.services.impact`)."""

from __future__ import annotations

from datetime import date, datetime

from app import audit
from app.calendar_exceptions import Confirmation, SpecialHoursForm, read_special_hours
from app.db import write_transaction
from app.errors import NotFound
from app.i18n import _
from app.permissions import Actor, staff_service
from spaces.logic.permissions import can_edit_space, space_refused
from spaces.queries.spaces import lock_key, touch
from spaces.services import impact
from spaces.services.catalog import community_id, zone_of
from spaces.tables import Space, SpaceSpecialHours


def _require_staff(actor: Actor, space: Space) -> None:
    if not can_edit_space(actor, community_id(space)):
        raise space_refused()


async def special_hours_ahead(space: Space, today: date) -> list[SpaceSpecialHours]:
    """The dated hours of `today` and later, soonest first."""
    return (
        await SpaceSpecialHours.objects()
        .where((SpaceSpecialHours.space == space.id) & (SpaceSpecialHours.on_date >= today))
        .order_by(SpaceSpecialHours.on_date)
    )


@staff_service
async def set_special_hours(
    actor: Actor,
    space: Space,
    form: SpecialHoursForm,
    *,
    now: datetime,
    confirmation: Confirmation | None = None,
) -> bool:
    """Hours that replace the weekly ones on one date, today in the space's zone or later
    (empty: closed all day). Hours that leave bookings from now on outside the opening time
    need the staff's `confirmation` of exactly that impact (else `ImpactChanged` with it;
    `ImpactRefused` when the answer cannot be used). False when the date had these hours
    already (a repeated confirmation): nothing changes."""
    _require_staff(actor, space)
    checked = read_special_hours(form, now.astimezone(zone_of(space)).date())
    day, hours, note = checked.on_date, checked.hours, checked.note
    async with write_transaction(lock_key(space)):
        existing = (
            await SpaceSpecialHours.objects()
            .where((SpaceSpecialHours.space == space.id) & (SpaceSpecialHours.on_date == day))
            .first()
        )
        if existing and (existing.hours, existing.note) == (hours, note):
            return False
        before = {"hours": existing.hours, "note": existing.note} if existing else None
        hit = impact.Planned(
            await impact.hours_impact(space, now, special=checked),
            space.capacity,
            space.buffer_minutes,
        )
        if existing:
            await SpaceSpecialHours.update(
                {SpaceSpecialHours.hours: hours, SpaceSpecialHours.note: note}
            ).where(SpaceSpecialHours.id == existing.id)
        else:
            await SpaceSpecialHours(space=space.id, on_date=day, hours=hours, note=note).save()
        await touch(space.id)
        outcome = await impact.settle(actor, space, hit, confirmation, now)
        await audit.record(
            actor_id=actor.id,
            action="space.special_hours",
            subject_type="space",
            subject_id=space.slug,
            community_id=space.community.id,
            before=before,
            after={
                "date": day.isoformat(),
                "hours": hours,
                "note": note,
                **({"impact": outcome} if outcome else {}),
            },
            now=now,
        )
    return True


@staff_service
async def remove_special_hours(
    actor: Actor,
    space: Space,
    row_id: int,
    *,
    now: datetime,
    confirmation: Confirmation | None = None,
) -> None:
    """The date follows the weekly hours again; when they leave bookings from now on outside
    the opening time, only with the staff's `confirmation` of exactly that impact (as for
    `set_special_hours`)."""
    _require_staff(actor, space)
    async with write_transaction(lock_key(space)):
        row = (
            await SpaceSpecialHours.objects()
            .where((SpaceSpecialHours.id == row_id) & (SpaceSpecialHours.space == space.id))
            .first()
        )
        if row is None:
            raise NotFound(_("There are no such hours."))
        hit = impact.Planned(
            await impact.hours_impact(space, now, removed=row.on_date),
            space.capacity,
            space.buffer_minutes,
        )
        await SpaceSpecialHours.delete().where(SpaceSpecialHours.id == row.id)
        await touch(space.id)
        outcome = await impact.settle(actor, space, hit, confirmation, now)
        await audit.record(
            actor_id=actor.id,
            action="space.special_hours_removed",
            subject_type="space",
            subject_id=space.slug,
            community_id=space.community.id,
            before={"date": row.on_date.isoformat(), "hours": row.hours, "note": row.note},
            after={"impact": outcome} if outcome else None,
            now=now,
        )
