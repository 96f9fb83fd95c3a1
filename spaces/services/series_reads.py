"""A space's series as its staff see them: the running ones, one of them with every date,
and the edit form filled with one."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from app.errors import NotFound
from app.i18n import _
from app.permissions import Actor, staff_service
from spaces.logic.statuses import BookingStatus
from spaces.services.catalog import zone_of
from spaces.services.series import SeriesForm, require_series_staff
from spaces.tables import Booking, BookingSeries, SeriesSkip, Space


def form_of(series: BookingSeries) -> SeriesForm:
    """The edit form filled with the series as it stands."""
    return SeriesForm(
        group_name=series.group_name,
        weekdays=series.weekdays.split(","),
        start_time=series.start_time,
        end_time=series.end_time,
        starts_on=series.starts_on.isoformat(),
        ends_on=series.ends_on.isoformat(),
        units=str(series.units),
        note=series.note,
    )


@staff_service
async def get(actor: Actor, space: Space, series_id: str) -> BookingSeries:
    """A series of the space, for its staff."""
    require_series_staff(actor, space)
    try:
        key = uuid.UUID(series_id)
    except ValueError as exc:
        raise NotFound(_("There is no such series.")) from exc
    series = (
        await BookingSeries.objects(BookingSeries.user)
        .where((BookingSeries.id == key) & (BookingSeries.space == space.id))
        .first()
    )
    if series is None:
        raise NotFound(_("There is no such series."))
    return series


@staff_service
async def of_space(actor: Actor, space: Space, now: datetime) -> list[BookingSeries]:
    """Series of the space still running, earliest first, for its staff."""
    require_series_staff(actor, space)
    today = now.astimezone(zone_of(space)).date()
    return (
        await BookingSeries.objects(BookingSeries.user)
        .where(
            (BookingSeries.space == space.id)
            & (BookingSeries.ends_on >= today)
            & BookingSeries.cancelled_at.is_null()
        )
        .order_by(BookingSeries.starts_on)
    )


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
