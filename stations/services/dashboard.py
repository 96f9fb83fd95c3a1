"""The stations panel of the staff dashboard (`/staff`): open problem reports, stations
closed today and why, and amenities out of order, for the actor's communities."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from app.calendar import Calendar, Interval, wall_time_is_ambiguous, wall_to_utc
from app.domains import Panel
from app.i18n import N_, _, format_day, localized
from app.permissions import Actor
from app.settings import get_settings
from app.tables import PublicHoliday
from stations.logic.amenities import AMENITIES
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

HOLIDAY = "holiday"
SPECIAL = "special"
WEEKLY = "weekly"
CLOSURE = "closure"
REASON_TEXT = {
    HOLIDAY: N_("Public holiday"),
    SPECIAL: N_("Dated hours close it"),
    WEEKLY: N_("No opening hours on this weekday"),
    CLOSURE: N_("Closure"),
}


def site_zone() -> ZoneInfo:
    """The zone of the site (LINLI_TIMEZONE): "today" on the dashboard is a date there."""
    return ZoneInfo(get_settings().site.timezone)


@dataclass(frozen=True)
class ClosedReason:
    kind: str
    """`holiday`, `special` (dated hours close it), `weekly` or `closure`."""
    note: str = ""
    closure: StationClosure | None = None


@dataclass
class ClosedStation:
    station: Station
    zone: ZoneInfo
    window: Interval
    """The station's local day, from midnight to midnight."""
    all_day: bool
    reasons: list[ClosedReason] = field(default_factory=list)


def closed_reasons(
    day: date,
    calendar: Calendar,
    *,
    own_special: Mapping[date, object],
    holidays: Mapping[date, bool],
    holiday_name: str = "",
    special_note: str = "",
    closures: Sequence[StationClosure] = (),
) -> list[ClosedReason]:
    """Why the station is closed on `day`, read from the calendar that decides its open
    state (stations.logic.hours.station_calendar): its holiday policy, its own dated hours, its
    weekly hours; then its closures that day.

    `own_special` holds the station's own dated hours; the calendar's other dated hours come
    from its holiday policy (or a make-up working day).
    """
    reasons = []
    if not calendar.ranges_on(day):
        if day in own_special:
            reasons.append(ClosedReason(SPECIAL, special_note))
        elif day in calendar.closed_dates or holidays.get(day) is False:
            reasons.append(ClosedReason(HOLIDAY, holiday_name))
        else:
            reasons.append(ClosedReason(WEEKLY))
    reasons.extend(ClosedReason(CLOSURE, c.reason, c) for c in closures)
    return reasons


def _overlaps(closure: StationClosure, window: Interval) -> bool:
    return closure.starts_at < window.end and window.start < closure.ends_at


def local_day(day: date, zone: ZoneInfo) -> Interval:
    """From local midnight of `day` to the next, in UTC."""
    return Interval(
        wall_to_utc(datetime.combine(day, time()), zone),
        wall_to_utc(datetime.combine(day + timedelta(days=1), time()), zone),
    )


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
            & (StationClosure.starts_at < max(w.end for w in windows.values()))
            & (StationClosure.ends_at > min(w.start for w in windows.values()))
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
            closures=[c for c in closures if c.station == station.id and _overlaps(c, window)],
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


# --- in words -----------------------------------------------------------------------------


def _time(moment: datetime, zone: ZoneInfo, day: date) -> str:
    """`09:30` in the station's zone, with its date when not on `day` and its UTC offset
    when the zone differs from the site's or the time happens twice."""
    wall = moment.astimezone(zone)
    text = wall.strftime("%H:%M")
    if wall.date() != day:
        text = f"{format_day(wall.date())} {text}"
    if zone.key != site_zone().key or wall_time_is_ambiguous(wall.replace(tzinfo=None), zone):
        offset = wall.strftime("%z")
        text += f" (UTC{offset[:3]}:{offset[3:]})"
    return text


def reason_text(reason: ClosedReason, closed: ClosedStation, day: date) -> str:
    """ "Public holiday: Qingming Festival", "Closure: 10:00–12:00, repairs"."""
    text = _(REASON_TEXT[reason.kind])
    details = reason.note
    closure = reason.closure
    if closure is not None:
        if closure.starts_at <= closed.window.start and closure.ends_at >= closed.window.end:
            when = _("all day")
        else:
            when = (
                f"{_time(closure.starts_at, closed.zone, day)}–"
                f"{_time(closure.ends_at, closed.zone, day)}"
            )
        details = ", ".join(part for part in (when, reason.note) if part)
    return _("%(reason)s: %(details)s", reason=text, details=details) if details else text


@dataclass(frozen=True)
class ReportLine:
    report: StationReport
    reason: str


def _as_every_week(closed: ClosedStation) -> bool:
    """Closed only because its weekly hours skip this day: its usual rest day, not news."""
    return all(reason.kind == WEEKLY for reason in closed.reasons)


async def dashboard(actor: Actor, now: datetime) -> list[Panel]:
    """Today at the actor's stations: open reports (oldest first), stations closed today
    and why, amenities out of order."""
    today = now.astimezone(site_zone()).date()
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
                    (c, [reason_text(r, c, today) for r in c.reasons])
                    for c in closed
                    if not _as_every_week(c)
                ],
                "resting": [c for c in closed if _as_every_week(c)],
                "broken": [
                    (station, _(AMENITIES.get(row.kind, row.kind)), row)
                    for station, row in await out_of_order(stations)
                ],
            },
            count=len(reports),
            count_label=N_("Open reports: %(n)s"),
        )
    ]
