"""Group series: a weekly pattern of standing slots, booked as one booking per occurrence.

The pattern (days of the week, local start and end time, first date, last date or a count)
lives on `BookingSeries`; each occurrence is an ordinary `Booking` with `series` and
`occurrence_on` set, so availability, capacity and check-in treat it like any booking.
Exceptions are kept where they are made and survive later edits of the series:

- a date the pattern falls on but that has no occurrence is a `SeriesSkip` (skipped because
  it was taken or closed, or cancelled on its own); editing the series leaves it skipped,
  and staff can add it back;
- an occurrence moved or changed on its own is `detached`; editing the series leaves its
  time alone.

Editing "this and the following" splits the series at that date: the original ends the day
before, and a new series carries the later occurrences and exceptions with the new pattern.

Every write plans first (`plan`), listing each date with what is in its way; staff then
either fix the pattern or choose to skip the dates in the way. The plan is made again
inside the space's write transaction, so what is saved never overbooks.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from typing import Any

from app import audit
from app.accounts.validation import normalise_login
from app.calendar import WEEKDAYS, Interval, wall_time_exists, wall_to_utc
from app.db import existing, write_transaction
from app.errors import Conflict, FieldError, InputError, NotFound
from app.formfields import Fields
from app.i18n import _, current_locale, localized, weekday_names
from app.notifications import notify_user
from app.permissions import Actor, can_manage_community
from app.tables import User
from spaces.logic import notices
from spaces.logic.availability import Hold, Usage, fits
from spaces.logic.statuses import BookingStatus, SkipReason
from spaces.queries.bookings import owner_id
from spaces.queries.spaces import holding_usage, lock_key, touch
from spaces.services.cancellation import cancel_locked
from spaces.services.catalog import calendar_of, rules_of, zone_of
from spaces.tables import Booking, BookingSeries, SeriesSkip, Space

MAX_OCCURRENCES = 200
MAX_SPAN = timedelta(days=731)
ALL = "all"
FOLLOWING = "following"


@dataclass(frozen=True)
class Pattern:
    weekdays: tuple[int, ...]
    """ISO-less Python weekdays: Monday 0 … Sunday 6, sorted."""
    start: time
    end: time
    starts_on: date
    ends_on: date | None
    count: int | None
    units: int = 1

    def dates(self) -> list[date]:
        """The dates the pattern falls on, from the first date to the last or the count."""
        found: list[date] = []
        day = self.starts_on
        last = self.ends_on if self.ends_on is not None else self.starts_on + MAX_SPAN
        while day <= last and len(found) < (self.count or MAX_OCCURRENCES + 1):
            if day.weekday() in self.weekdays:
                found.append(day)
            day += timedelta(days=1)
        return found

    def last_date(self) -> date:
        dates = self.dates()
        return dates[-1] if dates else self.starts_on


@dataclass
class SeriesForm:
    resident: str = ""
    """A resident's phone number or email (optional when a group name is given)."""
    group_name: str = ""
    weekdays: list[str] | str = field(default_factory=list)
    """Day keys (`tue`); a form with one day ticked sends a single string."""
    start_time: str = ""
    end_time: str = ""
    starts_on: str = ""
    ends_on: str = ""
    count: str = ""
    units: str = "1"
    note: str = ""
    skip_conflicts: str = ""
    scope: str = ALL
    from_date: str = ""


def read_pattern(space: Space, form: SeriesForm, fields: Fields) -> Pattern | None:
    """The pattern the form describes; problems are added to `fields`."""
    chosen = [form.weekdays] if isinstance(form.weekdays, str) else form.weekdays
    days = tuple(sorted({WEEKDAYS.index(d) for d in chosen if d in WEEKDAYS}))
    if not days:
        fields.error("weekdays", _("Choose at least one day of the week."))
    start = fields.clock(form.start_time, "start_time")
    end = fields.clock(form.end_time, "end_time")
    if start is not None and end is not None and end <= start:
        fields.error("end_time", _("The end must be after the start."))
    starts_on = fields.day(form.starts_on, "starts_on")
    ends_on = fields.day(form.ends_on, "ends_on", required=False)
    count = fields.whole(form.count, "count", low=1, high=MAX_OCCURRENCES)
    if ends_on is None and count is None and not fields.has_error("count"):
        fields.error("ends_on", _("Give a last date or a number of times."))
    if ends_on is not None and count is not None:
        fields.error("count", _("Give a last date or a number of times, not both."))
    if starts_on is not None and ends_on is not None:
        if ends_on < starts_on:
            fields.error("ends_on", _("The last date must not be before the first."))
        elif ends_on - starts_on > MAX_SPAN:
            fields.error("ends_on", _("A series can run for at most two years."))
    units = fields.whole(form.units, "units", low=1, high=space.capacity, default=1)
    if fields.errors:
        return None
    assert start and end and starts_on and units
    pattern = Pattern(days, start, end, starts_on, ends_on, count, units)
    dates = pattern.dates()
    if not dates:
        fields.error("weekdays", _("No date between the first and the last falls on these days."))
        return None
    if len(dates) > MAX_OCCURRENCES:
        fields.error("ends_on", _("A series can have at most %(n)s dates.", n=MAX_OCCURRENCES))
        return None
    return pattern


@dataclass(frozen=True)
class Occurrence:
    on: date
    start: datetime | None
    end: datetime | None
    problem: str | None = None
    """Why it cannot be booked (translated), or None."""
    kept: str | None = None
    """Left as it is: `skipped` or `detached` (an exception made earlier), or `past`."""

    @property
    def bookable(self) -> bool:
        return self.problem is None and self.kept is None


def span_on(pattern: Pattern, day: date, space: Space) -> Interval | None:
    """The occurrence's instants on `day`, or None when a clock change skips its start."""
    zone = zone_of(space)
    walls = (datetime.combine(day, pattern.start), datetime.combine(day, pattern.end))
    if not all(wall_time_exists(w, zone) for w in walls):
        return None
    return Interval(wall_to_utc(walls[0], zone), wall_to_utc(walls[1], zone))


async def _usage_without(space: Space, window: Interval, exclude: Iterable[Booking]) -> Usage:
    """Units held around `window` apart from the bookings in `exclude` (being moved)."""
    usage = await holding_usage(space, window)
    moved = [b for b in exclude if b.status == BookingStatus.confirmed.value]
    if not moved:
        return usage
    buffer = timedelta(minutes=space.buffer_minutes)
    return usage.without([Hold(b.starts_at, b.ends_at + buffer, b.units) for b in moved])


async def plan(
    space: Space,
    pattern: Pattern,
    *,
    now: datetime,
    dates: Iterable[date] | None = None,
    moving: Iterable[Booking] = (),
    skipped: Iterable[date] = (),
    detached: Iterable[date] = (),
) -> list[Occurrence]:
    """Each date of the pattern (or of `dates`) with what stands in its way.

    `moving` are occurrences about to be moved by this change: their own units do not count
    against the new times. Dates in `skipped` and `detached` are exceptions kept as they are.
    """
    days = sorted(dates) if dates is not None else pattern.dates()
    if not days:
        return []
    skipped, detached = set(skipped), set(detached)
    zone = zone_of(space)
    window = Interval(
        wall_to_utc(datetime.combine(days[0], time()), zone) - timedelta(days=1),
        wall_to_utc(datetime.combine(days[-1], time()), zone) + timedelta(days=2),
    )
    rules = rules_of(space)
    calendar = await calendar_of(space, window)
    open_intervals = calendar.open_intervals(window)
    usage = await _usage_without(space, window, moving)
    result = []
    for day in days:
        if day in skipped:
            result.append(Occurrence(day, None, None, kept="skipped"))
            continue
        if day in detached:
            result.append(Occurrence(day, None, None, kept="detached"))
            continue
        span = span_on(pattern, day, space)
        if span is None:
            problem = _("The clocks change at this time that day.")
        elif span.start <= now:
            result.append(Occurrence(day, span.start, span.end, kept="past"))
            continue
        elif not any(i.contains(span) for i in open_intervals):
            problem = _("The space is closed then.")
        elif not fits(span, pattern.units, rules.capacity, rules.buffer, usage):
            problem = _("Already booked then.")
        else:
            problem = None
        result.append(
            Occurrence(day, span.start if span else None, span.end if span else None, problem)
        )
    return result


class ConflictsFound(Conflict):
    """Some dates cannot be booked and staff did not choose to skip them."""

    def __init__(self, occurrences: list[Occurrence]) -> None:
        super().__init__(
            _("Some dates cannot be booked. Change the pattern, or choose to skip those dates."),
            rule="series_conflicts",
        )
        self.occurrences = occurrences


def _check_plan(occurrences: list[Occurrence], skip_conflicts: bool) -> None:
    if any(o.problem for o in occurrences) and not skip_conflicts:
        raise ConflictsFound(occurrences)
    if not any(o.bookable or o.kept for o in occurrences):
        raise InputError(
            [FieldError("weekdays", _("No date of this series can be booked."))],
            _("No date of this series can be booked."),
        )


async def find_resident(actor: Actor, login: str) -> User | None:
    """A resident of the actor's communities by phone number or email; None if empty."""
    login = login.strip()
    if not login:
        return None
    normalised = normalise_login(login)
    user = None
    if not isinstance(normalised, FieldError):
        user = await User.objects().where(User.login == normalised[0]).first()
    if user is None or user.community is None or not can_manage_community(actor, user.community):
        raise InputError(
            [FieldError("resident", _("No resident of your communities has this number."))]
        )
    return user


def _booking(series: BookingSeries, space: Space, occurrence: Occurrence, now: datetime) -> Booking:
    return Booking(
        id=uuid.uuid4(),
        space=space.id,
        user=series.user,
        starts_at=occurrence.start,
        ends_at=occurrence.end,
        units=series.units,
        status=BookingStatus.confirmed.value,
        note=series.group_name,
        created_at=now,
        updated_at=now,
        booked_by=series.created_by,
        series=series.id,
        occurrence_on=occurrence.on,
    )


async def _write_occurrences(
    series: BookingSeries, space: Space, occurrences: list[Occurrence], now: datetime
) -> tuple[int, int]:
    """Book the bookable dates and record the others as skipped; (booked, skipped)."""
    booked = skipped = 0
    for occurrence in occurrences:
        if occurrence.bookable:
            await _booking(series, space, occurrence, now).save()
            booked += 1
        elif occurrence.problem:
            await SeriesSkip(
                series=series.id,
                on_date=occurrence.on,
                reason=SkipReason.conflict.value,
                created_at=now,
            ).save()
            skipped += 1
    return booked, skipped


def pattern_of(series: BookingSeries) -> Pattern:
    return Pattern(
        tuple(WEEKDAYS.index(d) for d in series.weekdays.split(",")),
        time.fromisoformat(series.start_time),
        time.fromisoformat(series.end_time),
        series.starts_on,
        series.ends_on,
        series.repeat_count,
        series.units,
    )


def _series_values(pattern: Pattern) -> dict[str, Any]:
    return {
        "weekdays": ",".join(WEEKDAYS[d] for d in pattern.weekdays),
        "start_time": f"{pattern.start:%H:%M}",
        "end_time": f"{pattern.end:%H:%M}",
        "starts_on": pattern.starts_on,
        "ends_on": pattern.last_date(),
        "repeat_count": pattern.count,
        "units": pattern.units,
    }


def _audit_values(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, date) else v for k, v in values.items()}


def describe(series: BookingSeries | Pattern) -> str:
    """ "每周二、周四 09:00–11:00" / "Every Tue, Thu, 09:00–11:00" in the current language."""
    pattern = series if isinstance(series, Pattern) else pattern_of(series)
    names = weekday_names()
    separator = "、" if current_locale().startswith("zh") else ", "
    return _(
        "Every %(days)s, %(start)s–%(end)s",
        days=separator.join(names[d] for d in pattern.weekdays),
        start=f"{pattern.start:%H:%M}",
        end=f"{pattern.end:%H:%M}",
    )


async def _notify(series: BookingSeries, space: Space, message: str, now: datetime) -> None:
    if series.user is None:
        return
    await notify_user(
        series.user,
        "series.changed",
        message,
        link="/bookings",
        now=now,
        space=localized(space, "name"),
        pattern=lambda: describe(series),
        first=series.starts_on,
        last=series.ends_on,
    )


async def create(
    actor: Actor,
    space: Space,
    form: SeriesForm,
    *,
    now: datetime,
    on_created: Callable[[BookingSeries, Space], Awaitable[None]] | None = None,
) -> tuple[BookingSeries, int, int]:
    """Book a standing weekly slot; returns the series and how many dates were booked and
    skipped. Raises `ConflictsFound` when dates are in the way and skipping was not chosen.
    The caller has checked that the actor manages the space. `on_created` runs inside the
    series' transaction, for a caller's own record of it (such as the need it solves)."""
    fields = Fields()
    pattern = read_pattern(space, form, fields)
    group_name = fields.text(form.group_name, "group_name", max_length=100)
    note = fields.text(form.note, "note", max_length=300)
    try:
        resident = await find_resident(actor, form.resident)
    except InputError as exc:
        fields.errors.extend(exc.errors)
        resident = None
    if not form.resident.strip() and not group_name:
        fields.error("group_name", _("Name the group, or give the resident it is for."))
    fields.check()
    assert pattern is not None
    skip = form.skip_conflicts.lower() in {"1", "on", "true"}
    async with write_transaction(lock_key(space)):
        occurrences = await plan(space, pattern, now=now)
        _check_plan(occurrences, skip)
        series = BookingSeries(
            id=uuid.uuid4(),
            space=space.id,
            user=resident.id if resident else None,
            group_name=group_name,
            note=note,
            created_by=actor.id,
            created_at=now,
            updated_at=now,
            **_series_values(pattern),
        )
        await series.save()
        booked, skipped = await _write_occurrences(series, space, occurrences, now)
        await touch(space.id)
        await _notify(series, space, notices.SERIES_BOOKED, now)
        await audit.record(
            actor_id=actor.id,
            action="series.created",
            subject_type="series",
            subject_id=str(series.id),
            community_id=space.community.id,
            after={
                **_audit_values(_series_values(pattern)),
                "resident": series.user,
                "group": group_name,
                "booked": booked,
                "skipped": skipped,
            },
            now=now,
        )
        if on_created is not None:
            await on_created(series, space)
    return series, booked, skipped


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


async def get(space: Space, series_id: str) -> BookingSeries:
    """A series of the space; the caller has checked that the actor manages the space."""
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


async def of_space(space: Space, now: datetime) -> list[BookingSeries]:
    """Series of the space still running, earliest first."""
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


async def _live(series_id: Any, since: date | None = None) -> list[Booking]:
    query = Booking.objects().where(
        (Booking.series == series_id) & (Booking.status == BookingStatus.confirmed.value)
    )
    if since is not None:
        query = query.where(Booking.occurrence_on >= since)
    return await query.order_by(Booking.starts_at)


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
    live = [b for b in await _live(series.id, since) if b.starts_at > now]
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


async def preview_edit(
    space: Space, series: BookingSeries, form: SeriesForm, *, now: datetime
) -> Change:
    pattern, since = read_edit(space, series, form, now)
    return await plan_edit(space, series, pattern, since=since, now=now)


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
    pattern, since = read_edit(space, series, form, now)
    skip = form.skip_conflicts.lower() in {"1", "on", "true"}
    async with write_transaction(lock_key(space)):
        series = existing(
            await BookingSeries.objects().where(BookingSeries.id == series.id).first()
        )
        before = _series_values(pattern_of(series))
        target = series
        if form.scope == FOLLOWING:
            target = await _split(series, since, now)
        change = await plan_edit(space, target, pattern, since=since, now=now)
        _check_plan(change.occurrences, skip)
        await _apply(actor, space, target, change, pattern, now)
        await BookingSeries.update(
            {
                **{getattr(BookingSeries, k): v for k, v in _series_values(pattern).items()},
                BookingSeries.updated_at: now,
                BookingSeries.sequence: BookingSeries.sequence + 1,
            }
        ).where(BookingSeries.id == target.id)
        target = existing(
            await BookingSeries.objects().where(BookingSeries.id == target.id).first()
        )
        await touch(space.id)
        await _notify(target, space, notices.SERIES_CHANGED, now)
        changed_before, changed_after = audit.changes(before, _series_values(pattern))
        await audit.record(
            actor_id=actor.id,
            action=f"series.edited_{form.scope}",
            subject_type="series",
            subject_id=str(target.id),
            community_id=space.community.id,
            before=_audit_values(changed_before),
            after={**_audit_values(changed_after), "split_from": str(series.id)}
            if target.id != series.id
            else _audit_values(changed_after),
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
    live = {b.occurrence_on: b for b in await _live(series.id) if not b.detached}
    reason = _("The series was changed.")
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
            await _booking(series, space, occurrence, now).save()
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


@dataclass
class OccurrenceForm:
    on_date: str = ""
    start_time: str = ""
    end_time: str = ""


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
    fields = Fields()
    day = fields.day(form.on_date, "on_date")
    start = fields.clock(form.start_time, "start_time")
    end = fields.clock(form.end_time, "end_time")
    if start is not None and end is not None and end <= start:
        fields.error("end_time", _("The end must be after the start."))
    fields.check()
    assert day and start and end
    booking = await _occurrence(series, booking_id)
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
        booking = await _occurrence(series, booking_id)
        calendar = await calendar_of(space, Interval(span.start - timedelta(days=1), span.end))
        if not calendar.is_open(span):
            raise InputError([FieldError("start_time", _("The space is closed then."))])
        usage = await _usage_without(space, span, [booking])
        rules = rules_of(space)
        if not fits(span, booking.units, rules.capacity, rules.buffer, usage):
            raise Conflict(_("Already booked then."))
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
                space=localized(space, "name"),
                when=new_start,
                zone=zone,
            )
        await audit.record(
            actor_id=actor.id,
            action="series.edited_one",
            subject_type="booking",
            subject_id=str(booking.id),
            community_id=space.community.id,
            before={"start": booking.starts_at.isoformat(), "end": booking.ends_at.isoformat()},
            after={"start": new_start.isoformat(), "end": new_end.isoformat()},
            now=now,
        )
    return existing(await Booking.objects().where(Booking.id == booking.id).first())


async def _occurrence(series: BookingSeries, booking_id: str) -> Booking:
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
    fields = Fields()
    reason = fields.text(
        reason, "reason", max_length=300, required=_("Tell the resident why it is cancelled.")
    )
    fields.check()
    async with write_transaction(lock_key(space)):
        booking = await _occurrence(series, booking_id)
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
            community_id=space.community.id,
            before={"status": booking.status},
            after={"status": BookingStatus.cancelled.value, "reason": reason},
            now=now,
        )


async def restore(
    actor: Actor, space: Space, series: BookingSeries, on_date: str, *, now: datetime
) -> Booking:
    """Add a skipped date back, at the series' times, if the space is free then."""
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
        booking = _booking(series, space, occurrence, now)
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
                space=localized(space, "name"),
                when=booking.starts_at,
                zone=zone_of(space),
            )
        await audit.record(
            actor_id=actor.id,
            action="series.restored_date",
            subject_type="series",
            subject_id=str(series.id),
            community_id=space.community.id,
            before={"skipped": day.isoformat(), "reason": skip.reason},
            after={"booking": str(booking.id)},
            now=now,
        )
    return booking


async def end(
    actor: Actor, space: Space, series: BookingSeries, *, reason: str, now: datetime
) -> int:
    """Stop the series: cancel every occurrence still ahead; returns how many."""
    fields = Fields()
    reason = fields.text(
        reason, "reason", max_length=300, required=_("Tell the resident why it is cancelled.")
    )
    fields.check()
    async with write_transaction(lock_key(space)):
        ahead = [b for b in await _live(series.id) if b.starts_at > now]
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
            community_id=space.community.id,
            after={"cancelled": len(ahead), "reason": reason},
            now=now,
        )
    return len(ahead)
