"""The stations panel of the staff dashboard (`/staff`): open problem reports, stations
closed today and why (stations.logic.closed_days), and amenities out of order, for the
actor's communities."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from app.calendar import Interval
from app.clock import site_date
from app.domains import Panel
from app.i18n import N_, _, localized
from app.permissions import Actor
from app.queries import overlapping
from app.settings import get_settings
from app.tables import PublicHoliday
from stations.logic.amenities import AMENITIES
from stations.logic.closed_days import (
    ClosedReason,
    as_every_week,
    closed_reasons,
    local_day,
    reason_text,
)
from stations.logic.kinds import AmenityStatus
from stations.logic.labels import REASON_LABELS
from stations.queries.calendars import calendar_data, hours_spec, station_calendar_of
from stations.services.management import managed_stations
from stations.services.problem_reports import open_reports
from stations.tables import (
    Station,
    StationAmenity,
    StationClosure,
    StationReport,
    StationSpecialHours,
)


@dataclass
class ClosedStation:
    station: Station
    zone: ZoneInfo
    window: Interval
    """The station's local day, from midnight to midnight."""
    all_day: bool
    reasons: list[ClosedReason] = field(default_factory=list)


async def closed_on(stations: list[Station], day: date, now: datetime) -> list[ClosedStation]:
    """The stations closed on their local `day`, all day or in part, with the reasons.
    Stations without recorded hours are left out: their state is unknown, not closed."""
    if not stations:
        return []
    ids = [station.id for station in stations]
    data = await calendar_data(ids, now)
    windows = {s.id: local_day(day, hours_spec(s).zone) for s in stations}
    closures = (
        await StationClosure.objects()
        .where(
            StationClosure.station.is_in(ids)
            & overlapping(
                StationClosure.starts_at,
                StationClosure.ends_at,
                min(w.start for w in windows.values()),
                max(w.end for w in windows.values()),
            )
        )
        .order_by(StationClosure.starts_at)
    )
    notes = {
        row["station"]: row["note"]
        for row in await StationSpecialHours.select(
            StationSpecialHours.station, StationSpecialHours.note
        ).where(StationSpecialHours.station.is_in(ids) & (StationSpecialHours.on_date == day))
    }
    holiday = await PublicHoliday.objects().where(PublicHoliday.on_date == day).first()
    result = []
    for station in stations:
        calendar = station_calendar_of(station, data)
        if calendar is None:
            continue
        window = windows[station.id]
        reasons = closed_reasons(
            day,
            calendar,
            own_special=data.special.get(station.id, {}),
            holidays=data.holidays,
            holiday_name=localized(holiday, "name") if holiday else "",
            special_note=notes.get(station.id, ""),
            closures=[
                c
                for c in closures
                if c.station == station.id and Interval(c.starts_at, c.ends_at).overlaps(window)
            ],
        )
        if reasons:
            all_day = not calendar.open_intervals(window)
            result.append(ClosedStation(station, calendar.zone, window, all_day, reasons))
    return result


async def out_of_order(stations: list[Station]) -> list[tuple[Station, StationAmenity]]:
    """Amenities marked out of order, the longest broken first."""
    if not stations:
        return []
    by_id = {station.id: station for station in stations}
    rows = (
        await StationAmenity.objects()
        .where(
            StationAmenity.station.is_in(list(by_id))
            & (StationAmenity.status == AmenityStatus.out_of_order.value)
        )
        .order_by(StationAmenity.updated_at)
    )
    return [(by_id[row.station], row) for row in rows]


@dataclass(frozen=True)
class ReportLine:
    report: StationReport
    reason: str


async def dashboard(actor: Actor, now: datetime) -> list[Panel]:
    """Today at the actor's stations: open reports (oldest first), stations closed today
    and why, amenities out of order."""
    today = site_date(now)
    site_zone = ZoneInfo(get_settings().site.timezone)
    stations = [station for station in await managed_stations(actor) if station.active]
    reports = await open_reports(actor)
    closed = await closed_on(stations, today, now)
    return [
        Panel(
            title=N_("Rest stations today"),
            template="stations/staff/_dashboard.html",
            context={
                "has_stations": bool(stations),
                "reports": [ReportLine(r, _(REASON_LABELS[r.reason])) for r in reports],
                "closed": [
                    (
                        c,
                        [
                            reason_text(r, c.window, c.zone, today, site_zone=site_zone)
                            for r in c.reasons
                        ],
                    )
                    for c in closed
                    if not as_every_week(c.reasons)
                ],
                "resting": [c for c in closed if as_every_week(c.reasons)],
                "broken": [
                    (station, _(AMENITIES.get(row.kind, row.kind)), row)
                    for station, row in await out_of_order(stations)
                ],
            },
            count=len(reports),
            count_label=N_("Open reports: %(n)s"),
        )
    ]
