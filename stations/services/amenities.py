"""A station's amenities as staff keep them: which it has (with their numbers and notes),
and which are out of order for now (searches stop offering those)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from app import audit
from app.db import write_transaction
from app.errors import NotFound
from app.i18n import _
from app.permissions import Actor, staff_service
from stations.logic.kinds import AmenityStatus
from stations.logic.permissions import (
    can_edit_amenities,
    can_mark_amenity,
    hide_unless,
    refuse_unless,
)
from stations.logic.station_form import parse_amenities
from stations.queries.stations import community_id_of, refresh_amenity_mask, touch
from stations.tables import Station, StationAmenity


@staff_service
async def set_amenity_status(
    actor: Actor, station: Station, kind: str, working: bool, *, note: str = "", now: datetime
) -> None:
    """Mark an amenity out of order (searches stop offering it) or working again."""
    hide_unless(can_mark_amenity(actor, community_id_of(station)))
    amenity = (
        await StationAmenity.objects()
        .where((StationAmenity.station == station.id) & (StationAmenity.kind == kind))
        .first()
    )
    if amenity is None:
        raise NotFound(_("This station does not offer that."))
    status = (AmenityStatus.working if working else AmenityStatus.out_of_order).value
    if amenity.status == status:
        return
    async with write_transaction(f"station:{station.id}"):
        await StationAmenity.update(
            {
                StationAmenity.status: status,
                StationAmenity.note: note.strip()[:200],
                StationAmenity.updated_at: now,
            }
        ).where(StationAmenity.id == amenity.id)
        await refresh_amenity_mask(station.id)
        await touch(station.id)
        await audit.record(
            actor_id=actor.id,
            action="station.amenity",
            subject_type="station",
            subject_id=station.slug,
            community_id=community_id_of(station),
            before={kind: amenity.status},
            after={kind: status},
            now=now,
        )


@staff_service
async def save_amenities(
    actor: Actor, station: Station, form: Mapping[str, str], *, now: datetime
) -> None:
    """Which amenities the station has, with their numbers and notes. Amenities kept keep
    their working or out-of-order status; new ones are working."""
    refuse_unless(can_edit_amenities(actor, community_id_of(station)))
    chosen = parse_amenities(form)
    async with write_transaction(f"station:{station.id}"):
        rows = {
            row.kind: row
            for row in await StationAmenity.objects().where(StationAmenity.station == station.id)
        }
        before: dict[str, Any] = {
            kind: {"quantity": row.quantity, "note": row.note} for kind, row in rows.items()
        }
        after: dict[str, Any] = {kind: None for kind in rows}
        after.update({kind: {"quantity": v.quantity, "note": v.note} for kind, v in chosen.items()})
        offer = chosen["meals"].offer if "meals" in chosen else ""
        stored = await Station.select(Station.meals_offer).where(Station.id == station.id).first()
        before["meals_offer"] = stored["meals_offer"] if stored else ""
        after["meals_offer"] = offer
        old, new = audit.changes(before, after)
        if not new:
            return
        if "meals_offer" in new:
            await Station.update({Station.meals_offer: offer}).where(Station.id == station.id)
            station.meals_offer = offer
        for kind, value in new.items():
            if kind == "meals_offer":
                continue
            if value is None:
                await StationAmenity.delete().where(StationAmenity.id == rows[kind].id)
            elif kind in rows:
                await StationAmenity.update(
                    {
                        StationAmenity.quantity: value["quantity"],
                        StationAmenity.note: value["note"],
                        StationAmenity.updated_at: now,
                    }
                ).where(StationAmenity.id == rows[kind].id)
            else:
                await StationAmenity.insert(
                    StationAmenity(
                        station=station.id,
                        kind=kind,
                        quantity=value["quantity"],
                        note=value["note"],
                        status=AmenityStatus.working.value,
                        updated_at=now,
                    )
                )
        await refresh_amenity_mask(station.id)
        await touch(station.id)
        await audit.record(
            actor_id=actor.id,
            action="station.amenities",
            subject_type="station",
            subject_id=station.slug,
            community_id=community_id_of(station),
            before=old,
            after=new,
            now=now,
        )
