"""What staff see of their spaces day by day: bookings and requests, closures and maintenance
blocks, opening hours and why a space is closed. Feeds the spaces timeline and the spaces
panel of the staff dashboard (`/staff`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from app.calendar import Calendar, Interval, TimeRange
from app.communities.services import managed_communities, managed_community
from app.domains import Panel
from app.i18n import N_, _, localized
from app.notify import mask_phone
from app.permissions import Actor
from app.settings import get_settings
from app.tables import Community, PublicHoliday
from spaces.logic import wording as views
from spaces.logic.availability import local_day_window
from spaces.logic.statuses import STATUS_LABELS, BookingStatus, effective_status, is_expired_request
from spaces.services import decisions
from spaces.services.catalog import calendar_of, managed_spaces, zone_of
from spaces.tables import Booking, Space, SpaceClosure, SpaceSpecialHours

SHOWN = (BookingStatus.pending.value, BookingStatus.confirmed.value, BookingStatus.completed.value)
"""Stored statuses of the bookings staff see on a day (requests still open among them)."""

HOLIDAY = "holiday"
SPECIAL = "special"
WEEKLY = "weekly"
CLOSURE = "closure"
BLOCK = "block"


def site_zone() -> ZoneInfo:
    """The zone of the site (LINLI_TIMEZONE): "today" on the dashboard is a date there."""
    return ZoneInfo(get_settings().site.timezone)


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
    return row.starts_at < window.end and window.start < row.ends_at


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
            & (Booking.starts_at < end)
            & (Booking.ends_at > start)
            & Booking.status.is_in(list(SHOWN))
        )
        .order_by(Booking.starts_at)
    )
    closures = (
        await SpaceClosure.objects()
        .where(
            SpaceClosure.space.is_in(ids)
            & (SpaceClosure.starts_at < end)
            & (SpaceClosure.ends_at > start)
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


# --- in words -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """A booking, request, closure or block of one space, in words."""

    kind: str
    """`pending`, `confirmed`, `completed`, `closure` or `block`: what it is and its style."""
    space: Space
    start: datetime
    end: datetime
    when: str
    status: str
    """What it is, in words: "Waiting for approval", "Closed", "Maintenance"."""
    who: str = ""
    contact: str = ""
    """The resident's masked phone number or email."""
    detail: str = ""
    booking: Booking | None = None

    @property
    def label(self) -> str:
        """The accessible name: time, status, who and what; never the phone number."""
        return ", ".join(part for part in (self.when, self.status, self.who, self.detail) if part)

    @property
    def title(self) -> str:
        """The label with the masked contact, for the tooltip."""
        return ", ".join(part for part in (self.label, self.contact) if part)


def span_text(
    start: datetime,
    end: datetime,
    zone: ZoneInfo,
    viewer: ZoneInfo,
    *,
    day: date | None,
    today: date,
) -> str:
    """ "10:00–11:00" on `day`; a start or end on another local day (or any, when `day` is
    None) carries its date. Times carry their zone when it differs from the viewer's."""
    first, last = start.astimezone(zone), end.astimezone(zone)
    end_day = (last - timedelta(microseconds=1)).date()  # an end at midnight ends the day
    start_text = views.local_time(start, zone, viewer)
    end_text = views.local_time(end, zone, viewer)
    if first.date() != day:
        start_text = f"{views.day_label(first.date(), today)} {start_text}"
    if end_day not in (day, first.date()):
        end_text = f"{views.day_label(last.date(), today)} {end_text}"
    return f"{start_text}–{end_text}"


def _who(booking: Booking) -> tuple[str, str]:
    user = booking.user
    if user is not None and getattr(user, "id", None) is not None:
        return user.name, mask_phone(user.login)
    # The series' name only when the query joined it (and it has one).
    group_name: str | None = getattr(booking.series, "group_name", "")
    if group_name:
        return group_name, ""
    return _("former resident"), ""


def booking_entry(
    booking: Booking, space: Space, *, day: date | None, today: date, now: datetime
) -> Entry:
    status = effective_status(booking, now)
    who, contact = _who(booking)
    return Entry(
        kind=status,
        space=space,
        start=booking.starts_at,
        end=booking.ends_at,
        when=span_text(
            booking.starts_at,
            booking.ends_at,
            zone_of(space),
            site_zone(),
            day=day,
            today=today,
        ),
        status=_(STATUS_LABELS[status]),
        who=who,
        contact=contact,
        detail=_("Units: %(n)s", n=booking.units) if space.capacity > 1 else "",
        booking=booking,
    )


def closure_entry(closure: SpaceClosure, space_day: SpaceDay, *, today: date) -> Entry:
    window = space_day.window
    if closure.starts_at <= window.start and closure.ends_at >= window.end:
        when = _("all day")
    else:
        when = span_text(
            closure.starts_at,
            closure.ends_at,
            space_day.zone,
            site_zone(),
            day=space_day.day,
            today=today,
        )
    if closure.units is None:
        kind, status = CLOSURE, _("Closed")
    else:
        kind, status = BLOCK, _("Maintenance, out of use: %(n)s", n=closure.units)
    return Entry(
        kind=kind,
        space=space_day.space,
        start=closure.starts_at,
        end=closure.ends_at,
        when=when,
        status=status,
        detail=closure.reason,
    )


def entries_of(space_day: SpaceDay, *, today: date, now: datetime) -> list[Entry]:
    """Everything on the space's day, by start."""
    entries = [
        booking_entry(b, space_day.space, day=space_day.day, today=today, now=now)
        for b in space_day.bookings
    ]
    entries += [
        closure_entry(c, space_day, today=today) for c in space_day.closures + space_day.blocks
    ]
    return sorted(entries, key=lambda e: (e.start, e.end))


REASON_LABELS = {
    HOLIDAY: N_("Closed on public holidays"),
    SPECIAL: N_("Dated hours close it"),
    WEEKLY: N_("No opening hours on this weekday"),
    CLOSURE: N_("Closure"),
}


def reason_text(reason: ClosedReason, space_day: SpaceDay, *, today: date) -> str:
    """ "Closed on public holidays: Qingming Festival", "Closure: 10:00–12:00, repairs"."""
    text = _(REASON_LABELS[reason.kind])
    if reason.closure is not None:
        entry = closure_entry(reason.closure, space_day, today=today)
        details = ", ".join(part for part in (entry.when, reason.note) if part)
    else:
        details = reason.note
    return _("%(reason)s: %(details)s", reason=text, details=details) if details else text


# --- the dashboard panel --------------------------------------------------------------------


async def dashboard(actor: Actor, now: datetime) -> list[Panel]:
    """Today in the actor's spaces: bookings and requests by start, requests waiting for a
    decision (oldest first), spaces closed today and why, and maintenance blocks."""
    today = now.astimezone(site_zone()).date()
    spaces = await managed_spaces(actor)
    by_space = await space_days(spaces, today, 1, now=now)
    days = [by_space[s.id][0] for s in spaces]
    bookings = sorted(
        (
            booking_entry(b, d.space, day=today, today=today, now=now)
            for d in days
            for b in d.bookings
        ),
        key=lambda e: (e.start, e.end, e.space.slug),
    )
    pending = [
        booking_entry(b, b.space, day=None, today=today, now=now)
        for b in await decisions.pending_requests(actor)
        if not is_expired_request(b, now)
    ]
    closed = [
        (d, [reason_text(r, d, today=today) for r in d.reasons], not d.open_intervals)
        for d in days
        if d.reasons
    ]
    blocks = sorted(
        (closure_entry(c, d, today=today) for d in days for c in d.blocks),
        key=lambda e: (e.start, e.space.slug),
    )
    return [
        Panel(
            title=N_("Spaces today"),
            template="spaces/staff/_dashboard.html",
            context={
                "has_spaces": bool(spaces),
                "bookings": bookings,
                "pending": pending,
                "closed": closed,
                "blocks": blocks,
            },
            count=len(pending),
            count_label=N_("To decide: %(n)s"),
        )
    ]
