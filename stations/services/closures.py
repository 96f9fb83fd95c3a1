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
from app.ics_import import ImportedEvent
from app.permissions import Actor
from stations import dated
from stations.services.checkins import touch
from stations.services.management import community_of, require_manager
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


def _closure_row(station: Station, values: dated.ClosureValues, now: datetime) -> StationClosure:
    return StationClosure(
        station=station.id,
        starts_at=values.starts_at,
        ends_at=values.ends_at,
        all_day=values.all_day,
        reason=values.reason,
        created_at=now,
    )


async def add_closure(
    actor: Actor, station: Station, form: dated.ClosureForm, *, now: datetime
) -> StationClosure:
    """Close the station for whole days or for a time range (its opening hours are kept)."""
    require_manager(actor, station)
    values = dated.parse_closure(form, ZoneInfo(station.timezone), now)
    row = _closure_row(station, values, now)
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


def imported_closures(events: list[ImportedEvent]) -> list[dated.ClosureValues]:
    """Closures of the station, one for each imported calendar event."""
    return [dated.ClosureValues(e.start, e.end, e.all_day, e.summary) for e in events]


async def fresh_closures(
    station: Station, closures: list[dated.ClosureValues]
) -> tuple[list[dated.ClosureValues], list[dated.ClosureValues]]:
    """The closures to add and those skipped: the same span as an existing closure of the
    station, or as an earlier one in the list."""
    existing = await StationClosure.select(StationClosure.starts_at, StationClosure.ends_at).where(
        StationClosure.station == station.id
    )
    taken = {(row["starts_at"], row["ends_at"]) for row in existing}
    fresh: list[dated.ClosureValues] = []
    skipped: list[dated.ClosureValues] = []
    for values in closures:
        span = (values.starts_at, values.ends_at)
        (skipped if span in taken else fresh).append(values)
        taken.add(span)
    return fresh, skipped


async def add_closures(
    actor: Actor,
    station: Station,
    closures: list[dated.ClosureValues],
    *,
    imported_from: str,
    now: datetime,
) -> tuple[list[StationClosure], int]:
    """Add closures imported from the calendar file `imported_from` in one transaction with
    one audit entry; those identical to an existing closure are skipped. Returns the rows
    added and the number skipped."""
    require_manager(actor, station)
    async with write_transaction(f"station:{station.id}"):
        fresh, skipped = await fresh_closures(station, closures)
        rows = [_closure_row(station, values, now) for values in fresh]
        if not rows:
            return [], len(skipped)
        await StationClosure.insert(*rows)
        await touch(station.id)
        await audit.record(
            actor_id=actor.id,
            action="station.closures.import",
            subject_type="station",
            subject_id=station.slug,
            community_id=community_of(station),
            after={
                "file": imported_from,
                "count": len(rows),
                "skipped": len(skipped),
                "first": min(row.starts_at for row in rows).isoformat(),
                "last": max(row.ends_at for row in rows).isoformat(),
            },
            now=now,
        )
    return rows, len(skipped)


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
