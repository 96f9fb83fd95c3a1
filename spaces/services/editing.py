"""Staff manage their spaces: create, edit (details, hours, rules, photo) and deactivate.
Every change is checked first (`spaces.logic.space_form`), then written in one transaction
of the space with its audit entry, and bumps the space's version so cached availability is
never stale.

Changes apply to bookings made from now on; bookings already made stand. The one exception
is capacity: it cannot drop below the units confirmed bookings still ahead hold at once,
because that would overbook the space.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from app import audit, photos, slugs
from app.calendar import Interval
from app.db import existing, is_unique_violation, write_transaction
from app.errors import FieldError, Forbidden, InputError
from app.i18n import _
from app.permissions import Actor, staff_service
from app.tables import Community
from spaces.logic import space_form
from spaces.logic.permissions import can_edit_space, space_refused
from spaces.logic.statuses import BookingStatus
from spaces.queries.spaces import holding_usage, lock_key, touch
from spaces.services.catalog import community_id
from spaces.tables import Booking, Space

HORIZON_CHECKED = timedelta(days=800)
"""How far ahead a capacity change is checked against confirmed bookings."""


def _snapshot(space: Space) -> dict[str, Any]:
    values = {name: getattr(space, name) for name in space_form.SpaceValues.__dataclass_fields__}
    weekly = values["weekly_hours"]
    values["weekly_hours"] = json.loads(weekly) if isinstance(weekly, str) else weekly
    return {**values, "photo": space.photo}


@staff_service
async def create_space(actor: Actor, form: space_form.SpaceForm, *, now: datetime) -> Space:
    """A new space in one of the actor's communities; its web address comes from the
    English name (with a number added when taken) unless one was typed."""
    errors: list[FieldError] = []
    community = await Community.objects().where(Community.slug == form.community).first()
    if community is None:
        errors.append(FieldError("community", _("Choose one of your communities.")))
    elif not can_edit_space(actor, community.id):
        raise Forbidden(_("Only staff of this community may add spaces to it."))
    slug, slug_errors = slugs.typed(form.slug, space_form.RESERVED_SLUGS)
    errors += slug_errors
    try:
        values = space_form.parse_space(form)
    except InputError as exc:
        errors += exc.errors
    if errors:
        raise InputError(errors)
    assert community is not None
    try:
        async with write_transaction("space-slugs"):
            slug = await slugs.claim(
                Space, slug, values.name_en, prefix="space", reserved=space_form.RESERVED_SLUGS
            )
            space = Space(
                slug=slug,
                community=community.id,
                **values.columns(),
                created_at=now,
                updated_at=now,
            )
            await space.save()
            await audit.record(
                actor_id=actor.id,
                action="space.create",
                subject_type="space",
                subject_id=slug,
                community_id=community.id,
                after={"slug": slug, **values.columns()},
                now=now,
            )
    except Exception as exc:
        if is_unique_violation(exc):
            raise slugs.taken() from exc
        raise
    return existing(await Space.objects().where(Space.id == space.id).first())


async def _most_units_booked_ahead(space: Space, now: datetime) -> int:
    window = Interval(now, now + HORIZON_CHECKED)
    usage = await holding_usage(space, window)
    return usage.peak(window.start, window.end)


@staff_service
async def update_space(
    actor: Actor,
    space: Space,
    form: space_form.SpaceForm,
    *,
    photo: bytes | None = None,
    remove_photo: bool = False,
    now: datetime,
) -> list[str]:
    """Save the space's details, hours and rules (and a new photo, cleaned of its metadata);
    returns the names of the changed fields, empty when nothing changed."""
    if not can_edit_space(actor, community_id(space)):
        raise space_refused()
    errors: list[FieldError] = []
    try:
        values = space_form.parse_space(form)
    except InputError as exc:
        errors += exc.errors
    cleaned = await photos.checked_upload(photo, errors)
    if errors:
        raise InputError(errors)
    async with photos.stored(cleaned) as new_photo, write_transaction(lock_key(space)):
        current = existing(await Space.objects().where(Space.id == space.id).first())
        photo_name = new_photo or ("" if remove_photo else current.photo)
        old, new = audit.changes(_snapshot(current), {**values.columns(), "photo": photo_name})
        if "capacity" in new and new["capacity"] < old["capacity"]:
            booked = await _most_units_booked_ahead(current, now)
            if new["capacity"] < booked:
                raise InputError(
                    [
                        FieldError(
                            "capacity",
                            _(
                                "Bookings ahead hold %(n)s units at once. Cancel some, or "
                                "add a maintenance block instead of lowering the capacity.",
                                n=booked,
                            ),
                        )
                    ]
                )
        if new:
            await Space.update(**new, updated_at=now).where(Space.id == space.id)
            await touch(space.id)
            await audit.record(
                actor_id=actor.id,
                action="space.update",
                subject_type="space",
                subject_id=space.slug,
                community_id=space.community.id,
                before=old,
                after=new,
                now=now,
            )
    if current.photo and current.photo != photo_name:
        photos.delete_photo(current.photo)
    return list(new)


@staff_service
async def set_active(actor: Actor, space: Space, active: bool, *, now: datetime) -> int:
    """Deactivate a space (residents no longer see or book it; bookings made stand) or bring
    it back. Returns how many confirmed bookings are still ahead."""
    if not can_edit_space(actor, community_id(space)):
        raise space_refused()
    async with write_transaction(lock_key(space)):
        current = existing(await Space.select(Space.active).where(Space.id == space.id).first())
        if current["active"] != active:
            await Space.update({Space.active: active, Space.updated_at: now}).where(
                Space.id == space.id
            )
            await touch(space.id)
            await audit.record(
                actor_id=actor.id,
                action="space.activate" if active else "space.deactivate",
                subject_type="space",
                subject_id=space.slug,
                community_id=space.community.id,
                before={"active": current["active"]},
                after={"active": active},
                now=now,
            )
    return await Booking.count().where(
        (Booking.space == space.id)
        & (Booking.status == BookingStatus.confirmed.value)
        & (Booking.starts_at > now)
    )
