"""Staff's special hours of a station: hours for one date instead of the weekly ones
(empty: closed that day), and removing them again.

Each change is written in one transaction with its audit entry and bumps `Station.version`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from app import audit
from app.calendar_exceptions import SpecialHoursForm, read_special_hours
from app.db import write_transaction
from app.errors import NotFound
from app.i18n import _
from app.permissions import Actor, staff_service
from stations.logic.permissions import can_edit_station_calendar, refuse_unless
from stations.queries.stations import community_id_of, touch
from stations.tables import Station, StationSpecialHours


def _special_audit(row: Any) -> dict[str, Any]:
    return {"on_date": row.on_date.isoformat(), "hours": row.hours, "note": row.note}


async def special_hours_ahead(station: Station, now: datetime) -> list[StationSpecialHours]:
    """The station's special dates from today (in its zone) on."""
    today = now.astimezone(ZoneInfo(station.timezone)).date()
    return (
        await StationSpecialHours.objects()
        .where((StationSpecialHours.station == station.id) & (StationSpecialHours.on_date >= today))
        .order_by(StationSpecialHours.on_date)
    )


@staff_service
async def set_special_hours(
    actor: Actor, station: Station, form: SpecialHoursForm, *, now: datetime
) -> StationSpecialHours:
    """Hours for one date instead of the weekly ones (empty: closed that day); a date that
    already has special hours gets the new ones."""
    refuse_unless(can_edit_station_calendar(actor, community_id_of(station)))
    today = now.astimezone(ZoneInfo(station.timezone)).date()
    values = read_special_hours(form, today)
    async with write_transaction(f"station:{station.id}"):
        existing = (
            await StationSpecialHours.objects()
            .where(
                (StationSpecialHours.station == station.id)
                & (StationSpecialHours.on_date == values.on_date)
            )
            .first()
        )
        before = _special_audit(existing) if existing else None
        row = existing or StationSpecialHours(station=station.id, on_date=values.on_date)
        row.hours, row.note = values.hours, values.note
        await row.save()
        await touch(station.id)
        await audit.record(
            actor_id=actor.id,
            action="station.special_hours.set",
            subject_type="station",
            subject_id=station.slug,
            community_id=community_id_of(station),
            before=before,
            after=_special_audit(row),
            now=now,
        )
    return row


@staff_service
async def remove_special_hours(
    actor: Actor, station: Station, row_id: int, *, now: datetime
) -> None:
    refuse_unless(can_edit_station_calendar(actor, community_id_of(station)))
    async with write_transaction(f"station:{station.id}"):
        row = (
            await StationSpecialHours.objects()
            .where((StationSpecialHours.id == row_id) & (StationSpecialHours.station == station.id))
            .first()
        )
        if row is None:
            raise NotFound(_("There are no special hours on this date."))
        await StationSpecialHours.delete().where(StationSpecialHours.id == row.id)
        await touch(station.id)
        await audit.record(
            actor_id=actor.id,
            action="station.special_hours.remove",
            subject_type="station",
            subject_id=station.slug,
            community_id=community_id_of(station),
            before=_special_audit(row),
            now=now,
        )
