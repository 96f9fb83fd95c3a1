"""Why a station is closed on a day, and how the staff dashboard says it: pure functions over
the calendar that decides its open state (stations.logic.hours.station_calendar)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from app.calendar import Calendar, Interval, wall_time_is_ambiguous, wall_to_utc
from app.i18n import N_, _, format_day, format_time

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


class Closure(Protocol):
    """A closure as stored: `[starts_at, ends_at)` with the reason couriers read."""

    @property
    def starts_at(self) -> datetime: ...
    @property
    def ends_at(self) -> datetime: ...
    @property
    def reason(self) -> str: ...


@dataclass(frozen=True)
class ClosedReason:
    kind: str
    """`holiday`, `special` (dated hours close it), `weekly` or `closure`."""
    note: str = ""
    closure: Closure | None = None


def closed_reasons(
    day: date,
    calendar: Calendar,
    *,
    own_special: Mapping[date, object],
    holidays: Mapping[date, bool],
    holiday_name: str = "",
    special_note: str = "",
    closures: Sequence[Closure] = (),
) -> list[ClosedReason]:
    """Why the station is closed on `day`, read from the calendar that decides its open
    state (stations.logic.hours.station_calendar): its holiday policy, its own dated hours,
    its weekly hours; then its closures that day.

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


def as_every_week(reasons: Sequence[ClosedReason]) -> bool:
    """Closed only because its weekly hours skip this day: its usual rest day, not news."""
    return all(reason.kind == WEEKLY for reason in reasons)


def local_day(day: date, zone: ZoneInfo) -> Interval:
    """From local midnight of `day` to the next, in UTC."""
    return Interval(
        wall_to_utc(datetime.combine(day, time()), zone),
        wall_to_utc(datetime.combine(day + timedelta(days=1), time()), zone),
    )


def _time(moment: datetime, zone: ZoneInfo, day: date, site_zone: ZoneInfo) -> str:
    """`09:30` in the station's zone, with its date when not on `day` and its UTC offset
    when the zone differs from the site's or the time happens twice."""
    wall = moment.astimezone(zone)
    text = format_time(wall, zone)
    if wall.date() != day:
        text = f"{format_day(wall.date())} {text}"
    if zone.key != site_zone.key or wall_time_is_ambiguous(wall.replace(tzinfo=None), zone):
        offset = wall.strftime("%z")
        text += f" (UTC{offset[:3]}:{offset[3:]})"
    return text


def reason_text(
    reason: ClosedReason, window: Interval, zone: ZoneInfo, day: date, *, site_zone: ZoneInfo
) -> str:
    """ "Public holiday: Qingming Festival", "Closure: 10:00–12:00, repairs". `window` is
    the station's local `day`, in its `zone`."""
    text = _(REASON_TEXT[reason.kind])
    details = reason.note
    closure = reason.closure
    if closure is not None:
        if closure.starts_at <= window.start and closure.ends_at >= window.end:
            when = _("all day")
        else:
            when = (
                f"{_time(closure.starts_at, zone, day, site_zone)}–"
                f"{_time(closure.ends_at, zone, day, site_zone)}"
            )
        details = ", ".join(part for part in (when, reason.note) if part)
    return _("%(reason)s: %(details)s", reason=text, details=details) if details else text
