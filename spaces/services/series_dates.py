"""Changing one date of a series: moving or changing an occurrence on its own (it becomes an
exception later edits keep), cancelling it, or adding a skipped date back."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import partial

from app import audit
from app.calendar import Interval
from app.db import existing, write_transaction
from app.errors import Conflict, FieldError, InputError, NotFound
from app.formfields import Fields
from app.i18n import _, localized
from app.notifications import notify_user
from app.permissions import Actor, staff_service
from spaces.logic import notices
from spaces.logic.statuses import BookingStatus, SkipReason
from spaces.logic.wording import shortfall_reason
from spaces.queries.bookings import owner_id
from spaces.queries.series import occurrence_of
from spaces.queries.spaces import lock_key, touch
from spaces.services.cancellation import cancel_locked
from spaces.services.catalog import calendar_of, community_id, reread_space, zone_of
from spaces.services.series import (
    held_without,
    occurrence_booking,
    pattern_of,
    plan,
    require_series_staff,
)
from spaces.tables import Booking, BookingSeries, SeriesSkip, Space


@dataclass
class OccurrenceForm:
    on_date: str = ""
    start_time: str = ""
    end_time: str = ""


@staff_service
async def edit_one(
    actor: Actor,
    space: Space,
    series: BookingSeries,
    booking_id: str,
    form: OccurrenceForm,
    *,
    now: datetime,
) -> Booking:
    """Move or change one occurrence; it becomes an exception that later edits keep."""
    require_series_staff(actor, space)
    fields = Fields()
    day = fields.day(form.on_date, "on_date")
    start = fields.clock(form.start_time, "start_time")
    end = fields.clock(form.end_time, "end_time")
    if start is not None and end is not None and end <= start:
        fields.error("end_time", _("The end must be after the start."))
    fields.check()
    assert day and start and end
    booking = await occurrence_of(series, booking_id)
    if booking.starts_at <= now:
        raise InputError([FieldError("on_date", _("This date has already begun."))])
    zone = zone_of(space)
    new_start = fields.instant(day, start, zone, "start_time")
    new_end = fields.instant(day, end, zone, "end_time")
    fields.check()
    assert new_start and new_end
    span = Interval(new_start, new_end)
    if new_start <= now:
        raise InputError([FieldError("on_date", _("Choose a time still ahead."))])
    async with write_transaction(lock_key(space)):
        space = await reread_space(space, include_inactive=True)
        booking = await occurrence_of(series, booking_id)
        calendar = await calendar_of(space, Interval(span.start - timedelta(days=1), span.end))
        if not calendar.is_open(span):
            raise InputError([FieldError("start_time", _("The space is closed then."))])
        held = await held_without(space, span, [booking])
        short = held.shortfall(span, booking.units)
        if short is not None:
            reason = shortfall_reason(short, space.buffer_minutes, zone)
            raise Conflict(reason or _("Already booked then."))
        await Booking.update(
            {
                Booking.starts_at: new_start,
                Booking.ends_at: new_end,
                Booking.detached: True,
                Booking.updated_at: now,
                Booking.sequence: Booking.sequence + 1,
            }
        ).where(Booking.id == booking.id)
        await touch(space.id)
        if owner_id(booking) is not None:
            await notify_user(
                owner_id(booking),
                "booking.changed",
                notices.CHANGED,
                link=f"/bookings/{booking.id}",
                now=now,
                space=partial(localized, space, "name"),
                when=new_start,
                zone=zone,
            )
        await audit.record(
            actor_id=actor.id,
            action="series.edited_one",
            subject_type="booking",
            subject_id=str(booking.id),
            community_id=community_id(space),
            before={"start": booking.starts_at.isoformat(), "end": booking.ends_at.isoformat()},
            after={"start": new_start.isoformat(), "end": new_end.isoformat()},
            now=now,
        )
    return existing(await Booking.objects().where(Booking.id == booking.id).first())


@staff_service
async def cancel_one(
    actor: Actor,
    space: Space,
    series: BookingSeries,
    booking_id: str,
    *,
    reason: str,
    now: datetime,
) -> None:
    """Cancel one occurrence; its date stays skipped through later edits of the series."""
    require_series_staff(actor, space)
    fields = Fields()
    reason = fields.text(
        reason, "reason", max_length=300, required=_("Tell the resident why it is cancelled.")
    )
    fields.check()
    async with write_transaction(lock_key(space)):
        booking = await occurrence_of(series, booking_id)
        if booking.ends_at <= now:
            raise InputError([FieldError("reason", _("This booking has already ended."))])
        await cancel_locked(actor.id, booking, space, reason=reason, now=now)
        await SeriesSkip(
            series=series.id,
            on_date=booking.occurrence_on,
            reason=SkipReason.cancelled.value,
            created_at=now,
        ).save()
        await audit.record(
            actor_id=actor.id,
            action="series.cancelled_one",
            subject_type="booking",
            subject_id=str(booking.id),
            community_id=community_id(space),
            before={"status": booking.status},
            after={"status": BookingStatus.cancelled.value, "reason": reason},
            now=now,
        )


@staff_service
async def restore(
    actor: Actor, space: Space, series: BookingSeries, on_date: str, *, now: datetime
) -> Booking:
    """Add a skipped date back, at the series' times, if the space is free then."""
    require_series_staff(actor, space)
    try:
        day = date.fromisoformat(on_date)
    except ValueError as exc:
        raise NotFound(_("This date is not skipped.")) from exc
    async with write_transaction(lock_key(space)):
        series = existing(
            await BookingSeries.objects().where(BookingSeries.id == series.id).first()
        )
        skip = (
            await SeriesSkip.objects()
            .where((SeriesSkip.series == series.id) & (SeriesSkip.on_date == day))
            .first()
        )
        if skip is None:
            raise NotFound(_("This date is not skipped."))
        pattern = pattern_of(series)
        (occurrence,) = await plan(space, pattern, now=now, dates=[day])
        if occurrence.problem:
            raise Conflict(
                _("This date cannot be added back: %(problem)s", problem=occurrence.problem)
            )
        booking = occurrence_booking(series, space, occurrence, now)
        booking.booked_by = actor.id
        await booking.save()
        await SeriesSkip.delete().where(SeriesSkip.id == skip.id)
        await BookingSeries.update(
            {
                BookingSeries.updated_at: now,
                BookingSeries.sequence: BookingSeries.sequence + 1,
            }
        ).where(BookingSeries.id == series.id)
        await touch(space.id)
        if series.user is not None:
            await notify_user(
                series.user,
                "booking.booked_for_you",
                notices.BOOKED_FOR_YOU,
                link=f"/bookings/{booking.id}",
                now=now,
                space=partial(localized, space, "name"),
                when=booking.starts_at,
                zone=zone_of(space),
            )
        await audit.record(
            actor_id=actor.id,
            action="series.restored_date",
            subject_type="series",
            subject_id=str(series.id),
            community_id=community_id(space),
            before={"skipped": day.isoformat(), "reason": skip.reason},
            after={"booking": str(booking.id)},
            now=now,
        )
    return booking
