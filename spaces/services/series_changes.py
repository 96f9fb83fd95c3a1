"""Changing a whole series: its pattern for all future dates, or from a date on (which splits
it there), keeping the exceptions made before; or ending it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from functools import partial

from app import audit
from app.db import existing, write_transaction
from app.formfields import Fields, checked
from app.i18n import N_, _
from app.permissions import Actor, staff_service
from spaces.logic import notices
from spaces.logic.series_pattern import ALL, FOLLOWING, Pattern, audit_values, series_columns
from spaces.logic.statuses import SkipReason
from spaces.queries.series import live_occurrences
from spaces.queries.spaces import lock_key, touch
from spaces.services.cancellation import cancel_locked
from spaces.services.catalog import community_id, zone_of
from spaces.services.series import (
    Occurrence,
    SeriesForm,
    check_plan,
    notify_resident,
    occurrence_booking,
    pattern_of,
    plan,
    read_pattern,
    require_series_staff,
)
from spaces.tables import Booking, BookingSeries, SeriesSkip, Space

SERIES_CHANGED_REASON = N_("The series was changed.")
"""Why a date dropped by an edit is cancelled: the system's reason, so each resident reads it
in their own language (`cancel_locked` takes it as a callable)."""


@dataclass(frozen=True)
class Change:
    """What an edit of the series would do, date by date, before it is saved."""

    occurrences: list[Occurrence]
    dropped: list[Booking]
    """Occurrences on dates the new pattern no longer falls on, or after its new end:
    cancelled."""
    last: date


async def plan_edit(
    space: Space, series: BookingSeries, pattern: Pattern, *, since: date, now: datetime
) -> Change:
    """The new pattern applied from `since`: kept exceptions, moves, new dates, drops."""
    live = [b for b in await live_occurrences(series.id, since) if b.starts_at > now]
    skips = await SeriesSkip.objects().where(
        (SeriesSkip.series == series.id) & (SeriesSkip.on_date >= since)
    )
    dates = [d for d in pattern.dates() if d >= since]
    last = pattern.last_date()
    detached = {b.occurrence_on for b in live if b.detached and b.occurrence_on <= last}
    moving = [b for b in live if not b.detached]
    occurrences = await plan(
        space,
        pattern,
        now=now,
        dates=dates,
        moving=moving,
        skipped={s.on_date for s in skips},
        detached=detached,
    )
    kept_dates = set(dates)
    dropped = [b for b in moving if b.occurrence_on not in kept_dates] + [
        b for b in live if b.detached and b.occurrence_on > last
    ]
    return Change(occurrences, dropped, last)


def read_edit(
    space: Space, series: BookingSeries, form: SeriesForm, now: datetime
) -> tuple[Pattern, date]:
    """The new pattern and the first date it applies to, or an `InputError`."""
    fields = Fields()
    form = replace(form, starts_on=series.starts_on.isoformat())
    pattern = read_pattern(space, form, fields)
    today = now.astimezone(zone_of(space)).date()
    since = today
    if form.scope == FOLLOWING:
        since_day = fields.day(form.from_date, "from_date")
        if since_day is not None:
            if not series.starts_on < since_day <= series.ends_on:
                fields.error(
                    "from_date", _("Choose a date after the first one and within the series.")
                )
            since = max(since_day, today)
    elif form.scope != ALL:
        fields.error("scope", _("Choose which dates to change."))
    fields.check()
    assert pattern is not None
    if form.scope == FOLLOWING:
        pattern = replace(pattern, starts_on=since)
    return pattern, since


@staff_service
async def preview_edit(
    actor: Actor, space: Space, series: BookingSeries, form: SeriesForm, *, now: datetime
) -> Change:
    """What `edit` would do now, date by date."""
    require_series_staff(actor, space)
    pattern, since = read_edit(space, series, form, now)
    return await plan_edit(space, series, pattern, since=since, now=now)


@staff_service
async def edit(
    actor: Actor,
    space: Space,
    series: BookingSeries,
    form: SeriesForm,
    *,
    now: datetime,
) -> BookingSeries:
    """Change the pattern of all future occurrences (`scope` all) or of those from a date
    on (`scope` following, which splits the series there). Exceptions are kept."""
    require_series_staff(actor, space)
    pattern, since = read_edit(space, series, form, now)
    skip = checked(form.skip_conflicts)
    async with write_transaction(lock_key(space)):
        series = existing(
            await BookingSeries.objects().where(BookingSeries.id == series.id).first()
        )
        before = series_columns(pattern_of(series))
        target = series
        if form.scope == FOLLOWING:
            target = await _split(series, since, now)
        change = await plan_edit(space, target, pattern, since=since, now=now)
        check_plan(change.occurrences, skip)
        await _apply(actor, space, target, change, pattern, now)
        await BookingSeries.update(
            {
                **{getattr(BookingSeries, k): v for k, v in series_columns(pattern).items()},
                BookingSeries.updated_at: now,
                BookingSeries.sequence: BookingSeries.sequence + 1,
            }
        ).where(BookingSeries.id == target.id)
        target = existing(
            await BookingSeries.objects().where(BookingSeries.id == target.id).first()
        )
        await touch(space.id)
        await notify_resident(target, space, notices.SERIES_CHANGED, now)
        changed_before, changed_after = audit.changes(before, series_columns(pattern))
        await audit.record(
            actor_id=actor.id,
            action=f"series.edited_{form.scope}",
            subject_type="series",
            subject_id=str(target.id),
            community_id=community_id(space),
            before=audit_values(changed_before),
            after={**audit_values(changed_after), "split_from": str(series.id)}
            if target.id != series.id
            else audit_values(changed_after),
            now=now,
        )
    return target


async def _split(series: BookingSeries, since: date, now: datetime) -> BookingSeries:
    """End `series` the day before `since` and move what follows to a new series."""
    later = BookingSeries(
        id=uuid.uuid4(),
        **{
            k: getattr(series, k)
            for k in ("space", "user", "group_name", "note", "created_by", "units")
        },
        weekdays=series.weekdays,
        start_time=series.start_time,
        end_time=series.end_time,
        starts_on=since,
        ends_on=series.ends_on,
        repeat_count=None,
        created_at=now,
        updated_at=now,
    )
    await later.save()
    await Booking.update({Booking.series: later.id}).where(
        (Booking.series == series.id) & (Booking.occurrence_on >= since)
    )
    await SeriesSkip.update({SeriesSkip.series: later.id}).where(
        (SeriesSkip.series == series.id) & (SeriesSkip.on_date >= since)
    )
    await BookingSeries.update(
        {
            BookingSeries.ends_on: since - timedelta(days=1),
            BookingSeries.repeat_count: None,
            BookingSeries.updated_at: now,
            BookingSeries.sequence: BookingSeries.sequence + 1,
        }
    ).where(BookingSeries.id == series.id)
    return later


async def _apply(
    actor: Actor,
    space: Space,
    series: BookingSeries,
    change: Change,
    pattern: Pattern,
    now: datetime,
) -> None:
    live = {b.occurrence_on: b for b in await live_occurrences(series.id) if not b.detached}
    reason = partial(_, SERIES_CHANGED_REASON)
    for booking in change.dropped:
        await cancel_locked(actor.id, booking, space, reason=reason, now=now)
    await SeriesSkip.delete().where(
        (SeriesSkip.series == series.id) & (SeriesSkip.on_date > change.last)
    )
    for occurrence in change.occurrences:
        existing = live.get(occurrence.on)
        if occurrence.kept:
            continue
        if occurrence.problem:
            if existing is not None and existing.starts_at > now:
                await cancel_locked(actor.id, existing, space, reason=reason, now=now)
            await SeriesSkip(
                series=series.id,
                on_date=occurrence.on,
                reason=SkipReason.conflict.value,
                created_at=now,
            ).save()
        elif existing is None:
            await occurrence_booking(series, space, occurrence, now).save()
        elif (existing.starts_at, existing.ends_at, existing.units) != (
            occurrence.start,
            occurrence.end,
            pattern.units,
        ):
            await Booking.update(
                {
                    Booking.starts_at: occurrence.start,
                    Booking.ends_at: occurrence.end,
                    Booking.units: pattern.units,
                    Booking.updated_at: now,
                    Booking.sequence: Booking.sequence + 1,
                }
            ).where(Booking.id == existing.id)


@staff_service
async def end(
    actor: Actor, space: Space, series: BookingSeries, *, reason: str, now: datetime
) -> int:
    """Stop the series: cancel every occurrence still ahead; returns how many."""
    require_series_staff(actor, space)
    fields = Fields()
    reason = fields.text(
        reason, "reason", max_length=300, required=_("Tell the resident why it is cancelled.")
    )
    fields.check()
    async with write_transaction(lock_key(space)):
        ahead = [b for b in await live_occurrences(series.id) if b.starts_at > now]
        for booking in ahead:
            await cancel_locked(actor.id, booking, space, reason=reason, now=now)
        await BookingSeries.update(
            {
                BookingSeries.cancelled_at: now,
                BookingSeries.updated_at: now,
                BookingSeries.sequence: BookingSeries.sequence + 1,
            }
        ).where(BookingSeries.id == series.id)
        await audit.record(
            actor_id=actor.id,
            action="series.ended",
            subject_type="series",
            subject_id=str(series.id),
            community_id=community_id(space),
            after={"cancelled": len(ahead), "reason": reason},
            now=now,
        )
    return len(ahead)
