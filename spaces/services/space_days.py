"""What staff see of their spaces day by day: bookings and open requests, closures and
maintenance blocks, opening hours and why a space is closed. Feeds the staff timeline and
the spaces panel of the staff dashboard (`/staff`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from app.calendar import Calendar, Interval, TimeRange
from app.communities.services import managed_communities, managed_community
from app.i18n import localized
from app.permissions import Actor, staff_service
from app.queries import overlapping
from app.tables import Community, PublicHoliday
from spaces.logic.availability import local_day_window
from spaces.logic.statuses import BookingStatus, is_expired_request
from spaces.services.catalog import calendar_of, managed_spaces, zone_of
from spaces.tables import Booking, Space, SpaceClosure, SpaceSpecialHours

SHOWN = (BookingStatus.pending.value, BookingStatus.confirmed.value, BookingStatus.completed.value)
"""Stored statuses of the bookings staff see on a day (requests still open among them)."""


HOLIDAY = "holiday"


SPECIAL = "special"


WEEKLY = "weekly"


CLOSURE = "closure"


BLOCK = "block"


@dataclass(frozen=True)
class ClosedReason:
    """Why a space is closed on a day, all day or in part: `kind` is `holiday`, `special`
    (dated hours close it), `weekly` (no hours on that weekday) or `closure`."""

    kind: str
    note: str = ""
    closure: SpaceClosure | None = None


@dataclass
class SpaceDay:
    """One space on one of its local days."""

    space: Space
    day: date
    zone: ZoneInfo
    window: Interval
    """From the space's local midnight to the next."""
    ranges: tuple[TimeRange, ...]
    """The hours that day (after holidays and dated hours), before closures."""
    open_intervals: list[Interval]
    bookings: list[Booking]
    closures: list[SpaceClosure]
    blocks: list[SpaceClosure]
    reasons: list[ClosedReason]


def closed_reasons(
    day: date,
    calendar: Calendar,
    *,
    holiday_name: str = "",
    special_note: str = "",
    closures: Sequence[SpaceClosure] = (),
) -> list[ClosedReason]:
    """Why the space is closed on `day`, read from the calendar its bookings are checked
    against, in the order the calendar applies them, then its closures that day."""
    reasons = []
    if day in calendar.closed_dates:
        reasons.append(ClosedReason(HOLIDAY, holiday_name))
    elif day in calendar.special:
        if not calendar.special[day]:
            reasons.append(ClosedReason(SPECIAL, special_note))
    elif not calendar.weekly.days[day.weekday()]:
        reasons.append(ClosedReason(WEEKLY))
    reasons.extend(ClosedReason(CLOSURE, c.reason, c) for c in closures)
    return reasons


def _overlaps(row: Booking | SpaceClosure, window: Interval) -> bool:
    return Interval(row.starts_at, row.ends_at).overlaps(window)


async def space_days(
    spaces: list[Space], first_day: date, days: int, *, now: datetime
) -> dict[Any, list[SpaceDay]]:
    """For each space, its local days from `first_day`: hours, bookings and open requests,
    closures and blocks, and why it is closed. Four queries plus each space's calendar."""
    if not spaces:
        return {}
    ids = [space.id for space in spaces]
    windows = {s.id: local_day_window(first_day, days, zone_of(s)) for s in spaces}
    start = min(w.start for w in windows.values())
    end = max(w.end for w in windows.values())
    last_day = first_day + timedelta(days=days - 1)
    bookings = (
        await Booking.objects(Booking.user, Booking.series)
        .where(
            Booking.space.is_in(ids)
            & overlapping(Booking.starts_at, Booking.ends_at, start, end)
            & Booking.status.is_in(list(SHOWN))
        )
        .order_by(Booking.starts_at)
    )
    closures = (
        await SpaceClosure.objects()
        .where(
            SpaceClosure.space.is_in(ids)
            & overlapping(SpaceClosure.starts_at, SpaceClosure.ends_at, start, end)
        )
        .order_by(SpaceClosure.starts_at)
    )
    notes = {
        (row["space"], row["on_date"]): row["note"]
        for row in await SpaceSpecialHours.select(
            SpaceSpecialHours.space, SpaceSpecialHours.on_date, SpaceSpecialHours.note
        ).where(
            SpaceSpecialHours.space.is_in(ids)
            & (SpaceSpecialHours.on_date >= first_day)
            & (SpaceSpecialHours.on_date <= last_day)
        )
    }
    holidays = {
        row.on_date: localized(row, "name")
        for row in await PublicHoliday.objects().where(
            (PublicHoliday.on_date >= first_day) & (PublicHoliday.on_date <= last_day)
        )
    }
    result: dict[Any, list[SpaceDay]] = {}
    for space in spaces:
        calendar = await calendar_of(space, windows[space.id])
        zone = zone_of(space)
        mine = [b for b in bookings if b.space == space.id and not is_expired_request(b, now)]
        held = [c for c in closures if c.space == space.id]
        result[space.id] = []
        for day in (first_day + timedelta(days=i) for i in range(days)):
            window = local_day_window(day, 1, zone)
            shut = [c for c in held if c.units is None and _overlaps(c, window)]
            reasons = closed_reasons(
                day,
                calendar,
                holiday_name=holidays.get(day, ""),
                special_note=notes.get((space.id, day), ""),
                closures=shut,
            )
            result[space.id].append(
                SpaceDay(
                    space=space,
                    day=day,
                    zone=zone,
                    window=window,
                    ranges=calendar.ranges_on(day),
                    open_intervals=calendar.open_intervals(window),
                    bookings=[b for b in mine if _overlaps(b, window)],
                    closures=shut,
                    blocks=[c for c in held if c.units is not None and _overlaps(c, window)],
                    reasons=reasons,
                )
            )
    return result


@dataclass
class Timeline:
    communities: list[Community]
    """The actor's communities, for the filter."""
    community: Community | None
    """The community chosen, or None for all of the actor's."""
    rows: list[list[SpaceDay]]
    """One list of days per space."""


@staff_service
async def timeline(
    actor: Actor, first_day: date, days: int, *, community: str | None, now: datetime
) -> Timeline:
    """The actor's spaces (of one of their communities, if `community` is a slug) over
    `days` local days. Another community's slug is refused (403), an unknown one is 404."""
    chosen = await managed_community(actor, community) if community else None
    spaces = [
        s for s in await managed_spaces(actor) if chosen is None or s.community.id == chosen.id
    ]
    by_space = await space_days(spaces, first_day, days, now=now)
    return Timeline(
        communities=await managed_communities(actor),
        community=chosen,
        rows=[by_space[s.id] for s in spaces],
    )
