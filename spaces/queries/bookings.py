"""Reads and writes of bookings that several services share."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from piccolo.custom_types import Combinable

from app.calendar import Interval
from app.db import existing, placeholders
from app.queries import overlapping as spans_overlapping
from spaces.logic.statuses import COUNTING, BookingStatus
from spaces.tables import Booking


def overlapping(space_id: Any, start: datetime, end: datetime) -> Combinable:
    """Bookings of the space that overlap `[start, end)`."""
    return (Booking.space == space_id) & spans_overlapping(
        Booking.starts_at, Booking.ends_at, start, end
    )


async def spans_of(user_id: int, space_id: Any, since: datetime) -> list[Interval]:
    """The user's pending and confirmed bookings of the space ending after `since`."""
    rows = await Booking.select(Booking.starts_at, Booking.ends_at).where(
        (Booking.user == user_id)
        & (Booking.space == space_id)
        & Booking.status.is_in(list(COUNTING))
        & (Booking.ends_at > since)
    )
    return [Interval(r["starts_at"], r["ends_at"]) for r in rows]


async def upcoming_of(user_id: int, space_id: Any, now: datetime, limit: int) -> list[Any]:
    """The user's next pending and confirmed bookings of the space not yet ended, soonest
    first: `id`, `starts_at`, `ends_at`, `status`. Plain SQL: it runs on every signed-in
    space page, and Piccolo's builder takes longer than the database."""
    statuses = sorted(COUNTING)
    return await Booking.raw(
        "SELECT id, starts_at, ends_at, status FROM booking "
        f'WHERE "user" = {{}} AND space = {{}} AND status IN ({placeholders(len(statuses))}) '
        "AND ends_at > {} ORDER BY starts_at LIMIT {}",
        user_id,
        space_id,
        *statuses,
        now,
        limit,
    )


async def no_shows_since(user_id: int, since: datetime) -> list[datetime]:
    """Start times of the person's no-shows after `since`, oldest first."""
    rows = (
        await Booking.select(Booking.starts_at)
        .where(
            (Booking.user == user_id)
            & (Booking.status == BookingStatus.no_show.value)
            & (Booking.starts_at > since)
        )
        .order_by(Booking.starts_at)
    )
    return [row["starts_at"] for row in rows]


def owner_id(booking: Booking) -> int | None:
    """The booking's resident's id, whether or not the query joined the user row."""
    return getattr(booking.user, "id", booking.user)


async def update_booking(booking: Booking, values: dict[Any, Any], now: datetime) -> Booking:
    await Booking.update(
        {**values, Booking.updated_at: now, Booking.sequence: Booking.sequence + 1}
    ).where(Booking.id == booking.id)
    return existing(await Booking.objects().where(Booking.id == booking.id).first())
