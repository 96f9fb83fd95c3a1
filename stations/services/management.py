"""Staff's changes to stations: the stations a member of staff manages; creating, editing,
deactivating and reactivating them; confirming their details (amenities are in
stations.services.amenities, closures and special hours in stations.services.closures and
stations.services.special_hours).

Every change is checked first (stations.logic.station_form), then written in one transaction
with its audit entry, and bumps `Station.version`, which keys the catalog's cached hours.
Staff change only their own communities' stations; anyone else gets `Forbidden` and nothing
is stored.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from piccolo.columns import Column

from app import audit, photos, slugs
from app.db import existing, is_unique_violation, write_transaction
from app.errors import FieldError, Forbidden, InputError, NotFound
from app.i18n import _
from app.permissions import Actor, staff_service
from app.queries import in_staff_scope
from app.tables import Community, PhotoVisibility
from app.uploads import Upload
from stations.logic import station_form
from stations.logic.permissions import (
    can_add_station,
    can_confirm_station,
    can_deactivate_station,
    can_edit_station,
    can_manage_station,
    hide_unless,
    refuse_unless,
)
from stations.queries import open_weeks
from stations.queries.stations import community_id_of, refresh_amenity_mask
from stations.tables import Station, StationAmenity

AUDITED = (
    "name_zh",
    "name_en",
    "host_name_zh",
    "host_name_en",
    "host_type",
    "address_zh",
    "address_en",
    "latitude",
    "longitude",
    "access_notes_zh",
    "access_notes_en",
    "phone",
    "timezone",
    "weekly_hours",
    "holiday_policy",
    "holiday_hours",
    "makeup_days_as_workdays",
    "walk_in_reserve",
    "photo",
)
"""The station's columns an edit may change, as they appear in audit entries."""


@staff_service
async def managed_station(actor: Actor, slug: str) -> Station:
    """The station at `slug`, active or not, if `actor` may manage it (404 before 403)."""
    station = await Station.objects(Station.community).where(Station.slug == slug).first()
    if station is None:
        raise NotFound(_("There is no station at this address."))
    refuse_unless(can_manage_station(actor, community_id_of(station)))
    return station


async def managed_stations(actor: Actor) -> list[Station]:
    """The actor's communities' stations, deactivated ones included."""
    return (
        await Station.objects()
        .where(in_staff_scope(actor, Station.community))
        .order_by(Station.slug)
    )


async def seats_of(station_id: Any) -> int:
    """The number of seats recorded on the station's `seats` amenity (0 without one)."""
    row = (
        await StationAmenity.select(StationAmenity.quantity)
        .where((StationAmenity.station == station_id) & (StationAmenity.kind == "seats"))
        .first()
    )
    return (row["quantity"] or 0) if row else 0


def _weekly(value: Any) -> dict[str, str]:
    return json.loads(value) if isinstance(value, str) else dict(value or {})


def snapshot(station: Station, seats: int) -> dict[str, Any]:
    """The audited values of a station row, JSON-ready."""
    values = {name: getattr(station, name) for name in AUDITED}
    values["weekly_hours"] = _weekly(values["weekly_hours"])
    return {**values, "seats": seats}


async def _set_seats(station_id: Any, seats: int, now: datetime) -> None:
    """Record the seats on the `seats` amenity: add it, change its number, or remove it."""
    where = (StationAmenity.station == station_id) & (StationAmenity.kind == "seats")
    if not seats:
        await StationAmenity.delete().where(where)
    elif await StationAmenity.exists().where(where):
        await StationAmenity.update(
            {StationAmenity.quantity: seats, StationAmenity.updated_at: now}
        ).where(where)
    else:
        await StationAmenity.insert(
            StationAmenity(station=station_id, kind="seats", quantity=seats, updated_at=now)
        )


@staff_service
async def create_station(actor: Actor, form: station_form.StationForm, *, now: datetime) -> Station:
    """A new station in one of the actor's communities; its slug comes from the English
    name (with a number added when taken) unless one was typed."""
    errors: list[FieldError] = []
    community = await Community.objects().where(Community.slug == form.community).first()
    if community is None:
        errors.append(FieldError("community", _("Choose one of your communities.")))
    elif not can_add_station(actor, community.id):
        raise Forbidden(_("Only staff of this community may add stations to it."))
    slug, slug_errors = slugs.typed(form.slug, station_form.RESERVED_SLUGS)
    errors += slug_errors
    try:
        values = station_form.parse_station(form)
    except InputError as exc:
        errors += exc.errors
    if errors:
        raise InputError(errors)
    assert community is not None
    try:
        async with write_transaction("station-slugs"):
            slug = await slugs.claim(
                Station,
                slug,
                values.name_en,
                prefix="station",
                reserved=station_form.RESERVED_SLUGS,
            )
            station = Station(
                slug=slug,
                community=community.id,
                **values.columns(),
                last_verified_at=now,
                created_at=now,
                updated_at=now,
            )
            await station.save()
            await open_weeks.rebuild([station.id])
            await _set_seats(station.id, values.seats, now)
            await refresh_amenity_mask(station.id)
            await audit.record(
                actor_id=actor.id,
                action="station.create",
                subject_type="station",
                subject_id=slug,
                community_id=community.id,
                after={"slug": slug, **snapshot(station, values.seats)},
                now=now,
            )
    except Exception as exc:
        if is_unique_violation(exc):
            raise slugs.taken() from exc
        raise
    return existing(await Station.objects().where(Station.id == station.id).first())


@staff_service
async def update_station(
    actor: Actor,
    station: Station,
    form: station_form.StationForm,
    *,
    photo: Upload | None = None,
    remove_photo: bool = False,
    now: datetime,
) -> list[str]:
    """Save the station's details (and a new photo, cleaned of its metadata); returns the
    names of the changed fields, empty when nothing changed."""
    refuse_unless(can_edit_station(actor, community_id_of(station)))
    errors: list[FieldError] = []
    try:
        values = station_form.parse_station(form)
    except InputError as exc:
        errors += exc.errors
    cleaned = await photos.checked_upload(photo, errors)
    if errors:
        raise InputError(errors)
    async with write_transaction(f"station:{station.id}"):
        current = existing(await Station.objects().where(Station.id == station.id).first())
        new_photo = await photos.stored(cleaned, PhotoVisibility.public, now=now)
        before = snapshot(current, await seats_of(station.id))
        photo_name = new_photo or ("" if remove_photo else current.photo)
        old, new = audit.changes(
            before, {**values.columns(), "photo": photo_name, "seats": values.seats}
        )
        if new:
            columns: dict[Column | str, Any] = {
                key: value for key, value in new.items() if key != "seats"
            }
            await Station.update(
                {**columns, "updated_at": now, Station.version: Station.version + 1}
            ).where(Station.id == station.id)
            await open_weeks.rebuild([station.id])
            if "seats" in new:
                await _set_seats(station.id, values.seats, now)
                await refresh_amenity_mask(station.id)
            await audit.record(
                actor_id=actor.id,
                action="station.update",
                subject_type="station",
                subject_id=station.slug,
                community_id=community_id_of(station),
                before=old,
                after=new,
                now=now,
            )
        if current.photo and current.photo != photo_name:
            await photos.delete_photo(current.photo)
    return list(new)


@staff_service
async def set_active(actor: Actor, station: Station, active: bool, *, now: datetime) -> None:
    """Deactivate a station (public pages and searches stop showing it) or bring it back."""
    refuse_unless(can_deactivate_station(actor, community_id_of(station)))
    async with write_transaction(f"station:{station.id}"):
        current = existing(
            await Station.select(Station.active).where(Station.id == station.id).first()
        )
        if current["active"] == active:
            return
        await Station.update(
            {Station.active: active, Station.updated_at: now, Station.version: Station.version + 1}
        ).where(Station.id == station.id)
        await open_weeks.rebuild([station.id])
        await audit.record(
            actor_id=actor.id,
            action="station.reactivate" if active else "station.deactivate",
            subject_type="station",
            subject_id=station.slug,
            community_id=community_id_of(station),
            before={"active": current["active"]},
            after={"active": active},
            now=now,
        )


@staff_service
async def mark_verified(actor: Actor, station: Station, *, now: datetime) -> None:
    """Staff confirm the station's details are right as of now."""
    hide_unless(can_confirm_station(actor, community_id_of(station)))
    await Station.update({Station.last_verified_at: now}).where(Station.id == station.id)
