"""Staff's changes to a station's calendar: dated closures and special hours for a date.

Each change is written in one transaction with its audit entry and bumps `Station.version`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from app import audit
from app.db import write_transaction
from app.errors import NotFound
from app.i18n import _
from app.permissions import Actor
from stations import dated
from stations.management import community_of, require_manager
from stations.services import touch
from stations.tables import Station, StationClosure, StationSpecialHours


def _closure_audit(row: Any) -> dict[str, Any]:
    return {
        "starts_at": row.starts_at.isoformat(),
        "ends_at": row.ends_at.isoformat(),
        "all_day": row.all_day,
        "reason": row.reason,
    }


def _special_audit(row: Any) -> dict[str, Any]:
    return {"on_date": row.on_date.isoformat(), "hours": row.hours, "note": row.note}


async def closures_ahead(station: Station, now: datetime) -> list[StationClosure]:
    """The station's closures not yet over, soonest first."""
    return (
        await StationClosure.objects()
        .where((StationClosure.station == station.id) & (StationClosure.ends_at > now))
        .order_by(StationClosure.starts_at)
    )


async def special_hours_ahead(station: Station, now: datetime) -> list[StationSpecialHours]:
    """The station's special dates from today (in its zone) on."""
    today = now.astimezone(ZoneInfo(station.timezone)).date()
    return (
        await StationSpecialHours.objects()
        .where((StationSpecialHours.station == station.id) & (StationSpecialHours.on_date >= today))
        .order_by(StationSpecialHours.on_date)
    )


async def add_closure(
    actor: Actor, station: Station, form: dated.ClosureForm, *, now: datetime
) -> StationClosure:
    """Close the station for whole days or for a time range (its opening hours are kept)."""
    require_manager(actor, station)
    values = dated.parse_closure(form, ZoneInfo(station.timezone), now)
    row = StationClosure(
        station=station.id,
        starts_at=values.starts_at,
        ends_at=values.ends_at,
        all_day=values.all_day,
        reason=values.reason,
        created_at=now,
    )
    async with write_transaction(f"station:{station.id}"):
        await row.save()
        await touch(station.id)
        await audit.record(
            actor_id=actor.id,
            action="station.closure.add",
            subject_type="station",
            subject_id=station.slug,
            community_id=community_of(station),
            after=_closure_audit(row),
            now=now,
        )
    return row


async def remove_closure(actor: Actor, station: Station, closure_id: int, *, now: datetime) -> None:
    require_manager(actor, station)
    async with write_transaction(f"station:{station.id}"):
        row = (
            await StationClosure.objects()
            .where((StationClosure.id == closure_id) & (StationClosure.station == station.id))
            .first()
        )
        if row is None:
            raise NotFound(_("There is no such closure."))
        await StationClosure.delete().where(StationClosure.id == row.id)
        await touch(station.id)
        await audit.record(
            actor_id=actor.id,
            action="station.closure.remove",
            subject_type="station",
            subject_id=station.slug,
            community_id=community_of(station),
            before=_closure_audit(row),
            now=now,
        )


async def set_special_hours(
    actor: Actor, station: Station, form: dated.SpecialHoursForm, *, now: datetime
) -> StationSpecialHours:
    """Hours for one date instead of the weekly ones (empty: closed that day); a date that
    already has special hours gets the new ones."""
    require_manager(actor, station)
    today = now.astimezone(ZoneInfo(station.timezone)).date()
    values = dated.parse_special_hours(form, today)
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
            community_id=community_of(station),
            before=before,
            after=_special_audit(row),
            now=now,
        )
    return row


async def remove_special_hours(
    actor: Actor, station: Station, row_id: int, *, now: datetime
) -> None:
    require_manager(actor, station)
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
            community_id=community_of(station),
            before=_special_audit(row),
            now=now,
        )
