"""Staff manage their spaces: create, edit (details, hours, rules, photo) and deactivate.
Every change is checked first (`spaces.logic.space_form`), then written in one transaction
of the space with its audit entry, and bumps the space's version so cached availability is
never stale.

Changes of rules apply to bookings made from now on. A change that strands bookings ahead
goes through the impact step first (`spaces.services.impact`): new weekly hours (or time
zone, or holidays) that leave bookings outside the opening time, a larger buffer or a lower
capacity that leaves them over capacity. Without a confirmation of exactly what it hits,
such a change is refused with `ImpactChanged` carrying the impact to show; a change that
hits nothing is saved at once.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from app import audit, photos, slugs
from app.calendar_exceptions import Confirmation, Impact
from app.db import existing, is_unique_violation, write_transaction
from app.errors import Conflict, FieldError, Forbidden, InputError
from app.holidays import HOLIDAYS_LOCK
from app.i18n import _
from app.permissions import Actor, staff_service
from app.tables import Community, PhotoVisibility
from app.uploads import Upload
from spaces.logic import space_form
from spaces.logic.permissions import can_edit_space, space_refused
from spaces.logic.statuses import BookingStatus
from spaces.queries.spaces import lock_key, touch
from spaces.services import impact
from spaces.services.catalog import community_id
from spaces.tables import Booking, Space


class EditedMeanwhile(Conflict):
    """Someone saved the space after this edit form was rendered; `current` is the space as
    saved now, for the form to show again."""

    def __init__(self, current: Space) -> None:
        super().__init__(
            _(
                "Someone else saved this space after you opened the form, and nothing of yours "
                "was saved. The form now shows the saved values: check them, make your change "
                "again and save."
            ),
            rule="edited_meanwhile",
        )
        self.current = current


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


async def _plan(
    current: Space, proposed: Space, old: dict[str, Any], new: dict[str, Any], now: datetime
) -> impact.Planned:
    """What the change hits: bookings outside new hours, bookings over a lower capacity or
    a larger buffer."""
    hours = Impact()
    if impact.HOURS_FIELDS & new.keys():
        hours = await impact.hours_impact(current, now, proposed=proposed)
    lower = "capacity" in new and new["capacity"] < old["capacity"]
    longer = "buffer_minutes" in new and new["buffer_minutes"] > old["buffer_minutes"]
    if not (lower or longer):
        return impact.Planned(hours, proposed.capacity, proposed.buffer_minutes)
    units = await impact.plan_units(
        current,
        now,
        capacity=proposed.capacity,
        buffer_minutes=proposed.buffer_minutes,
        field_name="capacity" if lower else "buffer_minutes",
    )
    return impact.combined(hours, units)


@staff_service
async def update_space(
    actor: Actor,
    space: Space,
    form: space_form.SpaceForm,
    *,
    photo: Upload | None = None,
    remove_photo: bool = False,
    now: datetime,
    confirmation: Confirmation | None = None,
) -> list[str]:
    """Save the space's details, hours and rules (and a new photo, cleaned of its metadata);
    returns the names of the changed fields, empty when nothing changed.

    A form rendered before the space was last saved (`form.edited_from`) that would change
    anything is refused with `EditedMeanwhile`, nothing written; bookings in between do not
    count.

    A change that hits bookings ahead needs the staff's `confirmation` of exactly that
    impact (else `ImpactChanged`, with the impact to show; `ImpactRefused` when the answer
    cannot be used); it is applied in the same transaction."""
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
    # The holidays' lock too: a space that starts closing on holidays while a day off is
    # being added would otherwise escape that day's impact step.
    async with write_transaction(lock_key(space), HOLIDAYS_LOCK):
        current = existing(await Space.objects().where(Space.id == space.id).first())
        new_photo = await photos.stored(cleaned, PhotoVisibility.public, now=now)
        photo_name = new_photo or ("" if remove_photo else current.photo)
        old, new = audit.changes(
            space_form.stored_values(current), {**values.columns(), "photo": photo_name}
        )
        # A stale form that changes nothing (a confirmation sent twice) is no conflict.
        if new and form.edited_from not in {"", space_form.edited_fingerprint(current)}:
            raise EditedMeanwhile(current)
        if new:
            proposed = impact.proposed_space(current, new)
            planned = await _plan(current, proposed, old, new, now)
            await Space.update(**new, updated_at=now).where(Space.id == space.id)
            await touch(space.id)
            outcome = await impact.settle(actor, proposed, planned, confirmation, now)
            await audit.record(
                actor_id=actor.id,
                action="space.update",
                subject_type="space",
                subject_id=space.slug,
                community_id=space.community.id,
                before=old,
                after={**new, **({"impact": outcome} if outcome else {})},
                now=now,
            )
        if current.photo and current.photo != photo_name:
            await photos.delete_photo(current.photo)
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
