"""A station's dated services (legal-help hours, safety talks, free health checks), which
staff add, change and cancel, and its integrity model mark (诚信经营示范点), which staff set
and remove; and reading the services ahead for the station's page, its feed and nearby
search.

Each change is written in one transaction with its audit entry and bumps `Station.version`
(the feed's cache key). A cancelled service is kept, so calendar feeds can mark it
cancelled; its `sequence` grows with every change calendar apps must notice.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from app import audit
from app.db import placeholders, write_transaction
from app.errors import NotFound
from app.i18n import _
from app.permissions import Actor, staff_service
from stations.logic.permissions import (
    can_edit_dated_services,
    can_mark_integrity_model,
    refuse_unless,
)
from stations.logic.services_form import (
    IntegrityForm,
    ServiceDraft,
    ServiceForm,
    read_integrity_mark,
    read_service,
)
from stations.queries.stations import community_id_of, touch
from stations.tables import Station, StationEvent

NEXT_WITHIN = timedelta(days=14)
"""How far ahead nearby search and the station's page look for services."""
NEXT_LIMIT = 3
"""How many services ahead nearby search lists per station."""


def _audit(row: Any) -> dict[str, Any]:
    return {
        "starts_at": row.starts_at.isoformat(),
        "ends_at": row.ends_at.isoformat(),
        "title": row.title,
        "description": row.description,
    }


def _zone(station: Station) -> ZoneInfo:
    return ZoneInfo(station.timezone)


async def services_ahead(station: Station, now: datetime) -> list[StationEvent]:
    """The station's services not yet over, cancelled ones included, soonest first (for
    staff)."""
    return (
        await StationEvent.objects()
        .where((StationEvent.station == station.id) & (StationEvent.ends_at > now))
        .order_by(StationEvent.starts_at)
        .order_by(StationEvent.id)
    )


async def upcoming(station_id: Any, now: datetime) -> list[StationEvent]:
    """The station's services not cancelled, not over and starting within `NEXT_WITHIN`,
    soonest first (for its public page)."""
    return (
        await StationEvent.objects()
        .where(
            (StationEvent.station == station_id)
            & StationEvent.cancelled_at.is_null()
            & (StationEvent.ends_at > now)
            & (StationEvent.starts_at < now + NEXT_WITHIN)
        )
        .order_by(StationEvent.starts_at)
        .order_by(StationEvent.id)
    )


async def next_services(
    station_ids: Sequence[int], now: datetime
) -> dict[int, list[dict[str, Any]]]:
    """Per station, its first `NEXT_LIMIT` services as `upcoming` has them, as rows with
    `starts_at`, `ends_at` and `title`: one query for all the stations."""
    found: dict[int, list[dict[str, Any]]] = {station_id: [] for station_id in station_ids}
    if not station_ids:
        return found
    # Plain SQL: the couriers' page asks on every search, and Piccolo's builder takes
    # longer than the database.
    rows = await StationEvent.raw(
        "SELECT station, starts_at, ends_at, title FROM station_event "
        f"WHERE station IN ({placeholders(len(station_ids))}) AND cancelled_at IS NULL "
        "AND ends_at > {} AND starts_at < {} ORDER BY starts_at, id",
        *station_ids,
        now,
        now + NEXT_WITHIN,
    )
    for row in rows:
        listed = found[row["station"]]
        if len(listed) < NEXT_LIMIT:
            listed.append(row)
    return found


async def _service_of(station: Station, service_id: int) -> StationEvent:
    """The station's service `service_id`; another station's is not found."""
    service = (
        await StationEvent.objects()
        .where((StationEvent.id == service_id) & (StationEvent.station == station.id))
        .first()
    )
    if service is None:
        raise NotFound(_("This station has no such service."))
    return service


async def managed_service(actor: Actor, station: Station, service_id: int) -> StationEvent:
    """The station's service `service_id`, for staff who may change it."""
    refuse_unless(can_edit_dated_services(actor, community_id_of(station)))
    return await _service_of(station, service_id)


@staff_service
async def add_service(
    actor: Actor, station: Station, form: ServiceForm, *, now: datetime
) -> StationEvent:
    """Add a dated service at the station."""
    refuse_unless(can_edit_dated_services(actor, community_id_of(station)))
    draft = read_service(form, _zone(station), now)
    async with write_transaction(f"station:{station.id}"):
        row = StationEvent(
            station=station.id,
            starts_at=draft.start,
            ends_at=draft.end,
            title=draft.title,
            description=draft.description,
            created_at=now,
            updated_at=now,
        )
        await row.save()
        await touch(station.id)
        await _record(actor, station, "station.service.add", None, _audit(row), now)
    return row


@staff_service
async def change_service(
    actor: Actor, station: Station, service_id: int, form: ServiceForm, *, now: datetime
) -> None:
    """Change a dated service's time, title or description (not a cancelled one)."""
    refuse_unless(can_edit_dated_services(actor, community_id_of(station)))
    draft: ServiceDraft = read_service(form, _zone(station), now)
    async with write_transaction(f"station:{station.id}"):
        row = await _service_of(station, service_id)
        if row.cancelled_at is not None:
            raise NotFound(_("This service was cancelled."))
        before = _audit(row)
        row.starts_at, row.ends_at = draft.start, draft.end
        row.title, row.description = draft.title, draft.description
        old, new = audit.changes(before, _audit(row))
        if not new:
            return
        await StationEvent.update(
            {
                StationEvent.starts_at: draft.start,
                StationEvent.ends_at: draft.end,
                StationEvent.title: draft.title,
                StationEvent.description: draft.description,
                StationEvent.sequence: StationEvent.sequence + 1,
                StationEvent.updated_at: now,
            }
        ).where(StationEvent.id == row.id)
        await touch(station.id)
        await _record(actor, station, "station.service.change", old, new, now)


@staff_service
async def cancel_service(actor: Actor, station: Station, service_id: int, *, now: datetime) -> None:
    """Cancel a dated service: couriers no longer see it; feeds mark it cancelled."""
    refuse_unless(can_edit_dated_services(actor, community_id_of(station)))
    async with write_transaction(f"station:{station.id}"):
        row = await _service_of(station, service_id)
        if row.cancelled_at is not None:
            return
        await StationEvent.update(
            {
                StationEvent.cancelled_at: now,
                StationEvent.sequence: StationEvent.sequence + 1,
                StationEvent.updated_at: now,
            }
        ).where(StationEvent.id == row.id)
        await touch(station.id)
        await _record(
            actor, station, "station.service.cancel", _audit(row), {"cancelled": True}, now
        )


@staff_service
async def set_integrity_mark(
    actor: Actor, station: Station, form: IntegrityForm, *, now: datetime
) -> None:
    """Mark the station's host shop as an integrity model shop, awarded on a day."""
    refuse_unless(can_mark_integrity_model(actor, community_id_of(station)))
    since = read_integrity_mark(form, _zone(station), now)
    await _save_mark(actor, station, since, now)


@staff_service
async def remove_integrity_mark(actor: Actor, station: Station, *, now: datetime) -> None:
    """The station's host shop is an integrity model shop no longer."""
    refuse_unless(can_mark_integrity_model(actor, community_id_of(station)))
    await _save_mark(actor, station, None, now)


async def _save_mark(actor: Actor, station: Station, since: date | None, now: datetime) -> None:
    async with write_transaction(f"station:{station.id}"):
        row = (
            await Station.select(Station.integrity_model_since)
            .where(Station.id == station.id)
            .first()
        )
        stored = row["integrity_model_since"] if row else None
        if stored == since:
            return
        await Station.update(
            {
                Station.integrity_model_since: since,
                Station.updated_at: now,
            }
        ).where(Station.id == station.id)
        await touch(station.id)
        await _record(
            actor,
            station,
            "station.integrity_model",
            {"integrity_model_since": stored.isoformat() if stored else None},
            {"integrity_model_since": since.isoformat() if since else None},
            now,
        )


async def _record(
    actor: Actor,
    station: Station,
    action: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    now: datetime,
) -> None:
    await audit.record(
        actor_id=actor.id,
        action=action,
        subject_type="station",
        subject_id=station.slug,
        community_id=community_id_of(station),
        before=before,
        after=after,
        now=now,
    )
