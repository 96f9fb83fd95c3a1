"""Reading a series' dates: its live occurrences, one of them, and every date with its
occurrence or its skip."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from app.errors import NotFound
from app.i18n import _
from spaces.logic.statuses import BookingStatus
from spaces.tables import Booking, BookingSeries, SeriesSkip


@dataclass(frozen=True)
class Row:
    """One date of a series as staff see it."""

    on: date
    booking: Booking | None
    skip: SeriesSkip | None


async def rows(series: BookingSeries) -> list[Row]:
    """Every date of the series with its live occurrence or its skip, in date order.
    Occurrences moved to another date appear on the date they took."""
    bookings = await Booking.objects().where(
        (Booking.series == series.id)
        & Booking.status.is_in(
            [BookingStatus.confirmed.value, BookingStatus.pending.value, "no_show"]
        )
    )
    skips = await SeriesSkip.objects().where(SeriesSkip.series == series.id)
    by_date: dict[date, Row] = {}
    for skip in skips:
        by_date[skip.on_date] = Row(skip.on_date, None, skip)
    for booking in bookings:
        by_date[booking.occurrence_on] = Row(booking.occurrence_on, booking, None)
    return [by_date[d] for d in sorted(by_date)]


async def live_occurrences(series_id: Any, since: date | None = None) -> list[Booking]:
    query = Booking.objects().where(
        (Booking.series == series_id) & (Booking.status == BookingStatus.confirmed.value)
    )
    if since is not None:
        query = query.where(Booking.occurrence_on >= since)
    return await query.order_by(Booking.starts_at)


async def occurrence_of(series: BookingSeries, booking_id: str) -> Booking:
    try:
        key = uuid.UUID(booking_id)
    except ValueError as exc:
        raise NotFound(_("There is no such booking.")) from exc
    booking = (
        await Booking.objects()
        .where(
            (Booking.id == key)
            & (Booking.series == series.id)
            & (Booking.status == BookingStatus.confirmed.value)
        )
        .first()
    )
    if booking is None:
        raise NotFound(_("There is no such booking."))
    return booking
