"""Problem reports about a station: a courier reports in one tap, the staff of the
station's community see the open ones and resolve them (marking the amenity concerned out
of order when they choose)."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from app import throttle
from app.db import existing
from app.errors import FieldError, InputError, NotFound
from app.i18n import _, ngettext
from app.permissions import Actor, staff_service
from app.queries import in_staff_scope
from stations.logic.devices import device_hash
from stations.logic.kinds import REASON_AMENITY, ReportReason
from stations.logic.labels import try_again_in
from stations.logic.permissions import can_resolve_report, hide_unless
from stations.queries.stations import community_id_of
from stations.services.amenities import set_amenity_status
from stations.tables import Station, StationReport

REPORTS_PER_DEVICE = throttle.Limit("report-device", 10, timedelta(hours=1))
REPORTS_PER_ADDRESS = throttle.Limit("report-address", 60, timedelta(hours=1))
MAX_REPORT_TEXT = 300
MAX_PUBLIC_NOTE = 200
"""Characters of the note couriers read beside an out-of-order amenity (StationAmenity.note)."""


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
        errors.append(
            FieldError(
                "text",
                ngettext(
                    "Use at most %(n)s character.",
                    "Use at most %(n)s characters.",
                    MAX_REPORT_TEXT,
                    n=MAX_REPORT_TEXT,
                ),
            )
        )
    if reason == ReportReason.other.value and not text:
        errors.append(FieldError("text", _("Say in a few words what is wrong.")))
    if errors:
        raise InputError(errors)
    device = device_hash(device_token)
    held = await throttle.reserve_all(
        [(REPORTS_PER_DEVICE, device), (REPORTS_PER_ADDRESS, client_ip)], now, try_again_in
    )
    report = StationReport(
        id=uuid.uuid4(),
        station=station.id,
        reason=reason,
        text=text,
        device_hash=device,
        user=user_id,
        created_at=now,
    )
    try:
        await report.save()
    except BaseException:
        await throttle.release(held)
        raise
    return report


@staff_service
async def resolve_report(
    actor: Actor,
    report_id: str,
    *,
    resolution: str,
    mark_out_of_order: bool = False,
    public_note: str = "",
    now: datetime,
) -> StationReport:
    """Record how staff resolved a report (resolving it again changes nothing); with
    `mark_out_of_order`, the amenity the report is about is marked out of order too, with
    `public_note` (may be empty) as what couriers read. The resolution is staff's own
    record of what was done and is never shown publicly."""
    try:
        key = uuid.UUID(str(report_id))
    except ValueError as exc:
        raise NotFound(_("There is no such report.")) from exc
    report = await StationReport.objects().where(StationReport.id == key).first()
    if report is None:
        raise NotFound(_("There is no such report."))
    station = existing(await Station.objects().where(Station.id == report.station).first())
    hide_unless(can_resolve_report(actor, community_id_of(station)))
    if len(public_note.strip()) > MAX_PUBLIC_NOTE:
        raise InputError(
            [
                FieldError(
                    "public_note",
                    ngettext(
                        "Use at most %(n)s character.",
                        "Use at most %(n)s characters.",
                        MAX_PUBLIC_NOTE,
                        n=MAX_PUBLIC_NOTE,
                    ),
                )
            ]
        )
    if report.resolved_at is None:
        if len(resolution.strip()) > MAX_REPORT_TEXT:
            raise InputError(
                [
                    FieldError(
                        "resolution",
                        ngettext(
                            "Use at most %(n)s character.",
                            "Use at most %(n)s characters.",
                            300,
                            n=300,
                        ),
                    )
                ]
            )
        await StationReport.update(
            {
                StationReport.resolved_at: now,
                StationReport.resolved_by: actor.id,
                StationReport.resolution: resolution.strip(),
            }
        ).where(StationReport.id == key)
    amenity = REASON_AMENITY.get(report.reason)
    if mark_out_of_order and amenity:
        await set_amenity_status(actor, station, amenity, False, note=public_note, now=now)
    return existing(await StationReport.objects().where(StationReport.id == key).first())


async def open_reports(actor: Actor) -> list[StationReport]:
    """Unresolved reports about the actor's communities' stations, oldest first."""
    return (
        await StationReport.objects(StationReport.station)
        .where(
            StationReport.resolved_at.is_null()
            & in_staff_scope(actor, StationReport.station.community)
        )
        .order_by(StationReport.created_at)
    )
