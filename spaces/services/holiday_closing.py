"""What a new public holiday hits in the spaces that close on holidays, and the
administrator's answer to it (the kernel's `app.holidays.add` asks through
`app.domains.DayClosing`, inside one transaction holding every such space's lock).

A day off closes each such space for the whole date in its own zone. Listed are the
confirmed bookings and pending requests not yet over that the holiday takes open time from
(the same test as new hours: `app.calendar_exceptions.losing_open_time`). Confirmed
bookings are kept or cancelled as the administrator chose; requests are refused with the
reason; each resident is told in their own language, with the holiday's name in it.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from functools import partial
from typing import Any

from app.calendar import Interval
from app.calendar_exceptions import CANCEL, Consequence, Impact, losing_open_time
from app.domains import DayHit
from app.i18n import localized
from app.permissions import Actor
from app.tables import PublicHoliday
from spaces.logic import notices
from spaces.logic.availability import local_day_window
from spaces.logic.statuses import COUNTING, BookingStatus
from spaces.queries.spaces import lock_key
from spaces.services.cancellation import cancel_locked
from spaces.services.catalog import calendar_of, zone_of
from spaces.services.decisions import reject_locked
from spaces.services.impact import reach_of, still_to_come, tell
from spaces.tables import Booking, Space

EARLIEST_OFFSET = timedelta(hours=14)
"""Local midnight is at most this long before UTC midnight (UTC+14)."""
LATEST_OFFSET = timedelta(hours=12)
"""…and at most this long after it (UTC-12)."""


async def _closing_spaces() -> list[Space]:
    return (
        await Space.objects()
        .where(Space.closed_on_holidays == True)  # noqa: E712
        .order_by(Space.slug)
    )


async def lock_keys() -> list[str]:
    """The write lock of every space that closes on public holidays."""
    return [lock_key(space) for space in await _closing_spaces()]


def _span(booking: Booking) -> Interval:
    return Interval(booking.starts_at, booking.ends_at)


async def impact(day: date, now: datetime) -> Impact:
    """The confirmed bookings (`outside`) and pending requests (`requests`) from `now` on
    that closing `day` would leave outside the opening time, by space then time."""
    spaces = {space.id: space for space in await _closing_spaces()}
    if not spaces:
        return Impact()
    midnight = datetime.combine(day, time(), UTC)
    near = (
        await Booking.objects(Booking.user)
        .where(
            Booking.space.is_in(list(spaces))
            & Booking.status.is_in(list(COUNTING))
            & (Booking.ends_at > now)
            & (Booking.starts_at < midnight + timedelta(days=1) + LATEST_OFFSET)
            & (Booking.ends_at > midnight - EARLIEST_OFFSET)
        )
        .order_by(Booking.starts_at)
    )
    hits: list[DayHit] = []
    for space in spaces.values():
        window = local_day_window(day, 1, zone_of(space))
        ahead = [b for b in near if b.space == space.id and _span(b).overlaps(window)]
        if not ahead:
            continue
        reach = reach_of(ahead, now)
        before = await calendar_of(space, reach)
        after = replace(before, closed_dates=before.closed_dates | {day})
        hits += [
            _hit(b, space)
            for b in losing_open_time(
                ahead,
                partial(still_to_come, now=now),
                before.open_intervals(reach),
                after.open_intervals(reach),
            )
        ]
    return Impact(
        outside=[h for h in hits if h.status == BookingStatus.confirmed.value],
        requests=[h for h in hits if h.status == BookingStatus.pending.value],
    )


def _hit(booking: Booking, space: Space) -> DayHit:
    user: Any = booking.user
    has_user = user is not None and getattr(user, "id", None) is not None
    return DayHit(
        id=booking.id,
        status=booking.status,
        place=space.slug,
        place_zh=space.name_zh,
        place_en=space.name_en,
        starts_at=booking.starts_at,
        ends_at=booking.ends_at,
        zone=space.timezone,
        units=booking.units,
        resident=user.name if has_user else "",
        resident_login=user.login if has_user else "",
        group=(booking.note or "") if booking.series is not None and not has_user else None,
        subject=(booking, space),
    )


async def settle(
    actor: Actor, hit: Impact, consequence: Consequence, holiday: PublicHoliday, now: datetime
) -> dict[str, Any]:
    """Inside the caller's transaction, after the holiday is written: keep or cancel the
    confirmed bookings hit, refuse the requests with the reason, and tell each resident.
    Returns what was done, for the audit."""
    reason = consequence.cancel_reason
    name = partial(localized, holiday, "name")
    cancel = consequence.choice == CANCEL
    for item in hit.outside:
        booking, space = item.subject
        if cancel:
            await cancel_locked(actor.id, booking, space, reason=reason, now=now, tell=False)
            await tell(
                booking,
                space,
                "booking.cancelled",
                notices.HOLIDAY_CANCELLED,
                now,
                actor_id=actor.id,
                holiday=name,
                reason=reason,
            )
        else:
            await tell(
                booking, space, "booking.holiday_kept", notices.HOLIDAY_KEPT, now, holiday=name
            )
    for item in hit.requests:
        booking, space = item.subject
        await reject_locked(actor, booking, space, reason=reason, now=now, tell=False)
        await tell(
            booking,
            space,
            "booking.rejected",
            notices.HOLIDAY_REJECTED,
            now,
            holiday=name,
            reason=reason,
        )
    return {
        "bookings": consequence.choice or None,
        "kept": [] if cancel else [str(h.id) for h in hit.outside],
        "cancelled": [str(h.id) for h in hit.outside] if cancel else [],
        "rejected": [str(h.id) for h in hit.requests],
        "reason": reason,
    }
