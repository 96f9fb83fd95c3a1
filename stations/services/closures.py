"""Staff's closures of a station: whole days or a time range, typed or imported from a
calendar file, and removed again. A station's closure hits no booking, so there is no impact
step: it is written at once.

Each change is written in one transaction with its audit entry and bumps `Station.version`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from app import audit
from app.calendar_exceptions import ClosureDraft, ClosureForm, read_closure, split_known
from app.db import write_transaction
from app.errors import NotFound
from app.i18n import _
from app.ics_import import ImportedEvent
from app.permissions import Actor, staff_service
from stations.logic.permissions import can_edit_station_calendar, refuse_unless
from stations.queries.stations import community_id_of, touch
from stations.tables import Station, StationClosure


def _closure_audit(row: Any) -> dict[str, Any]:
    return {
        "starts_at": row.starts_at.isoformat(),
        "ends_at": row.ends_at.isoformat(),
        "all_day": row.all_day,
        "reason": row.reason,
    }


async def closures_ahead(station: Station, now: datetime) -> list[StationClosure]:
    """The station's closures not yet over, soonest first."""
    return (
        await StationClosure.objects()
        .where((StationClosure.station == station.id) & (StationClosure.ends_at > now))
        .order_by(StationClosure.starts_at)
    )


def _closure_row(station: Station, draft: ClosureDraft, now: datetime) -> StationClosure:
    return StationClosure(
        station=station.id,
        starts_at=draft.start,
        ends_at=draft.end,
        all_day=draft.all_day,
        reason=draft.reason,
        created_at=now,
    )


@staff_service
async def add_closure(
    actor: Actor, station: Station, form: ClosureForm, *, now: datetime
) -> StationClosure:
    """Close the station for whole days or for a time range (its opening hours are kept)."""
    refuse_unless(can_edit_station_calendar(actor, community_id_of(station)))
    draft = read_closure(
        form,
        ZoneInfo(station.timezone),
        now,
        reason_required=_("Say why, for couriers to read."),
    )
    row = _closure_row(station, draft, now)
    async with write_transaction(f"station:{station.id}"):
        await row.save()
        await touch(station.id)
        await audit.record(
            actor_id=actor.id,
            action="station.closure.add",
            subject_type="station",
            subject_id=station.slug,
            community_id=community_id_of(station),
            after=_closure_audit(row),
            now=now,
        )
    return row


def imported_closures(events: list[ImportedEvent]) -> list[ClosureDraft]:
    """Closures of the station, one for each imported calendar event."""
    return [ClosureDraft(e.start, e.end, e.all_day, e.summary) for e in events]


async def fresh_closures(
    station: Station, drafts: list[ClosureDraft]
) -> tuple[list[ClosureDraft], list[ClosureDraft]]:
    """The closures to add and those skipped: the same span as an existing closure of the
    station, or as an earlier one in the list."""
    known = await StationClosure.select(StationClosure.starts_at, StationClosure.ends_at).where(
        StationClosure.station == station.id
    )
    return split_known(drafts, ((row["starts_at"], row["ends_at"]) for row in known))


@staff_service
async def add_closures(
    actor: Actor,
    station: Station,
    drafts: list[ClosureDraft],
    *,
    imported_from: str,
    now: datetime,
) -> tuple[list[StationClosure], int]:
    """Add closures imported from the calendar file `imported_from` in one transaction with
    one audit entry; those identical to an existing closure are skipped. Returns the rows
    added and the number skipped."""
    refuse_unless(can_edit_station_calendar(actor, community_id_of(station)))
    async with write_transaction(f"station:{station.id}"):
        fresh, skipped = await fresh_closures(station, drafts)
        rows = [_closure_row(station, draft, now) for draft in fresh]
        if not rows:
            return [], len(skipped)
        await StationClosure.insert(*rows)
        await touch(station.id)
        await audit.record(
            actor_id=actor.id,
            action="station.closures.import",
            subject_type="station",
            subject_id=station.slug,
            community_id=community_id_of(station),
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


@staff_service
async def remove_closure(actor: Actor, station: Station, closure_id: int, *, now: datetime) -> None:
    refuse_unless(can_edit_station_calendar(actor, community_id_of(station)))
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
            community_id=community_id_of(station),
            before=_closure_audit(row),
            now=now,
        )
