"""Reading a series' occurrences: the live ones, and one of them."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from app.errors import NotFound
from app.i18n import _
from spaces.logic.statuses import BookingStatus
from spaces.tables import Booking, BookingSeries


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
