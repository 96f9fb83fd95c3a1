"""Changing stations: anonymous check-in and check-out, problem reports, and the staff's
side of them (resolving reports, marking amenities out of order, confirming details).

STAND-IN location until the spaces/stations restructure lands (moved here from
`stations/services.py` only so that the package `stations.services` can exist on the needs
branch); on merge keep the stations branch's layout."""

from __future__ import annotations

import hashlib
import uuid
from datetime import datetime, timedelta
from typing import Any

from app import audit, throttle
from app.db import existing, write_transaction
from app.errors import FieldError, InputError, NotFound
from app.i18n import _
from app.permissions import Actor, can_manage_community
from stations.amenities import BITS
from stations.tables import (
    AmenityStatus,
    CheckIn,
    ReportReason,
    Station,
    StationAmenity,
    StationReport,
)

CHECK_IN_LIFETIME = timedelta(minutes=60)
"""A check-in ends by itself after this long, so a forgotten one frees its seat."""
CHECK_INS_PER_DEVICE = throttle.Limit("checkin-device", 20, timedelta(hours=1))
CHECK_INS_PER_ADDRESS = throttle.Limit("checkin-address", 120, timedelta(hours=1))
REPORTS_PER_DEVICE = throttle.Limit("report-device", 10, timedelta(hours=1))
REPORTS_PER_ADDRESS = throttle.Limit("report-address", 60, timedelta(hours=1))
MAX_REPORT_TEXT = 300

REASON_AMENITY = {
    ReportReason.no_water.value: "water",
    ReportReason.charging_broken.value: "charging",
    ReportReason.toilet_unavailable.value: "toilet",
}
"""The amenity a report is about, which staff may mark out of order from it."""


def device_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _wait(minutes: int) -> str:
    return _(
        "You have done this many times just now. Try again in %(minutes)s minutes.", minutes=minutes
    )


async def active_check_in(device: str, now: datetime) -> CheckIn | None:
    """The device's current check-in anywhere, if any."""
    return (
        await CheckIn.objects()
        .where(
            (CheckIn.device_hash == device)
            & (CheckIn.expires_at > now)
            & CheckIn.checked_out_at.is_null()
        )
        .first()
    )


async def check_in(
    station: Station, device_token: str, *, client_ip: str, now: datetime
) -> CheckIn:
    """Take a seat: one tap, no account. Checking in elsewhere ends the earlier check-in;
    checking in again here extends it."""
    device = device_hash(device_token)
    await throttle.check(CHECK_INS_PER_DEVICE, device, now, _wait)
    await throttle.check(CHECK_INS_PER_ADDRESS, client_ip, now, _wait)
    async with write_transaction(f"checkin:{device}"):
        current = await active_check_in(device, now)
        if current is not None and current.station == station.id:
            await CheckIn.update({CheckIn.expires_at: now + CHECK_IN_LIFETIME}).where(
                CheckIn.id == current.id
            )
            current.expires_at = now + CHECK_IN_LIFETIME
            return current
        if current is not None:
            await CheckIn.update({CheckIn.checked_out_at: now}).where(CheckIn.id == current.id)
        row = CheckIn(
            station=station.id,
            device_hash=device,
            checked_in_at=now,
            expires_at=now + CHECK_IN_LIFETIME,
        )
        await row.save()
    await throttle.record(CHECK_INS_PER_DEVICE, device, now)
    await throttle.record(CHECK_INS_PER_ADDRESS, client_ip, now)
    return row


async def check_out(device_token: str, *, now: datetime) -> bool:
    """End the device's check-in; False when there was none."""
    device = device_hash(device_token)
    current = await active_check_in(device, now)
    if current is None:
        return False
    await CheckIn.update({CheckIn.checked_out_at: now}).where(CheckIn.id == current.id)
    return True


async def report_problem(
    station: Station,
    reason: str,
    text: str,
    *,
    device_token: str,
    client_ip: str,
    user_id: int | None,
    now: datetime,
) -> StationReport:
    """A one-tap report to the staff of the station's community."""
    errors = []
    if reason not in {r.value for r in ReportReason}:
        errors.append(FieldError("reason", _("Choose what is wrong.")))
    text = text.strip()
    if len(text) > MAX_REPORT_TEXT:
        errors.append(FieldError("text", _("Use at most %(n)s characters.", n=MAX_REPORT_TEXT)))
    if reason == ReportReason.other.value and not text:
        errors.append(FieldError("text", _("Say in a few words what is wrong.")))
    if errors:
        raise InputError(errors)
    device = device_hash(device_token)
    await throttle.check(REPORTS_PER_DEVICE, device, now, _wait)
    await throttle.check(REPORTS_PER_ADDRESS, client_ip, now, _wait)
    report = StationReport(
        id=uuid.uuid4(),
        station=station.id,
        reason=reason,
        text=text,
        device_hash=device,
        user=user_id,
        created_at=now,
    )
    await report.save()
    await throttle.record(REPORTS_PER_DEVICE, device, now)
    await throttle.record(REPORTS_PER_ADDRESS, client_ip, now)
    return report


async def touch(station_id: Any) -> None:
    """Mark the station's hours or amenities as changed (call inside the transaction)."""
    await Station.update({Station.version: Station.version + 1}).where(Station.id == station_id)


async def refresh_amenity_mask(station_id: Any) -> None:
    """Recompute the station's working-amenities mask and seat count from its amenities."""
    rows = await StationAmenity.select(
        StationAmenity.kind, StationAmenity.status, StationAmenity.quantity
    ).where(StationAmenity.station == station_id)
    mask = 0
    seats = 0
    for row in rows:
        if row["status"] == AmenityStatus.working.value and row["kind"] in BITS:
            mask |= BITS[row["kind"]]
            if row["kind"] == "seats":
                seats = row["quantity"] or 0
    await Station.update({Station.amenities_working: mask, Station.seats_total: seats}).where(
        Station.id == station_id
    )


def _require_manager(actor: Actor, station: Station) -> None:
    community_id = getattr(station.community, "id", station.community)
    if not can_manage_community(actor, community_id):
        raise NotFound(_("There is no station at this address."))


async def set_amenity_status(
    actor: Actor, station: Station, kind: str, working: bool, *, note: str = "", now: datetime
) -> None:
    """Mark an amenity out of order (searches stop offering it) or working again."""
    _require_manager(actor, station)
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
            community_id=getattr(station.community, "id", station.community),
            before={kind: amenity.status},
            after={kind: status},
            now=now,
        )


async def resolve_report(
    actor: Actor, report_id: str, *, resolution: str, now: datetime
) -> StationReport:
    try:
        key = uuid.UUID(str(report_id))
    except ValueError as exc:
        raise NotFound(_("There is no such report.")) from exc
    report = await StationReport.objects().where(StationReport.id == key).first()
    if report is None:
        raise NotFound(_("There is no such report."))
    station = existing(await Station.objects().where(Station.id == report.station).first())
    _require_manager(actor, station)
    if report.resolved_at is not None:
        return report
    if len(resolution.strip()) > MAX_REPORT_TEXT:
        raise InputError([FieldError("resolution", _("Use at most %(n)s characters.", n=300))])
    await StationReport.update(
        {
            StationReport.resolved_at: now,
            StationReport.resolved_by: actor.id,
            StationReport.resolution: resolution.strip(),
        }
    ).where(StationReport.id == key)
    return await StationReport.objects().where(StationReport.id == key).first()


async def open_reports(actor: Actor) -> list[StationReport]:
    """Unresolved reports about the actor's communities' stations, oldest first."""
    query = StationReport.objects(StationReport.station).where(StationReport.resolved_at.is_null())
    if not actor.is_admin:
        if not actor.staff_of:
            return []
        query = query.where(StationReport.station.community.is_in(list(actor.staff_of)))
    return await query.order_by(StationReport.created_at)


async def mark_verified(actor: Actor, station: Station, *, now: datetime) -> None:
    """Staff confirm the station's details are right as of now."""
    _require_manager(actor, station)
    await Station.update({Station.last_verified_at: now}).where(Station.id == station.id)
