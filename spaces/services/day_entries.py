"""A space's day in words, as the staff timeline and dashboard show it: each booking,
request, closure and block with its time, status and who; and why the space is closed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from app.i18n import N_, _
from app.notify import mask_phone
from spaces.logic import wording as views
from spaces.logic.statuses import STATUS_LABELS, effective_status
from spaces.logic.wording import site_zone
from spaces.services.catalog import zone_of
from spaces.services.space_days import (
    BLOCK,
    CLOSURE,
    HOLIDAY,
    SPECIAL,
    WEEKLY,
    ClosedReason,
    SpaceDay,
)
from spaces.tables import Booking, Space, SpaceClosure


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
