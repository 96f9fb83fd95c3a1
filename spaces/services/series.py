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
before, and a new series carries the later occurrences and exceptions with the new pattern
(`spaces.services.series_changes`); one date is changed on its own in
`spaces.services.series_dates`.

Every write plans first (`plan`), listing each date with what is in its way; staff then
either fix the pattern or choose to skip the dates in the way. The plan is made again
inside the space's write transaction, so what is saved never overbooks.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import partial

from app import audit
from app.calendar import WEEKDAYS, Interval, wall_to_utc
from app.db import is_unique_violation, write_transaction
from app.errors import Conflict, FieldError, InputError
from app.form_tokens import token_refused
from app.formfields import Fields, checked
from app.i18n import _, current_locale, localized, ngettext, weekday_names
from app.notifications import notify_user
from app.permissions import Actor, staff_service
from app.tables import User
from spaces.logic import notices
from spaces.logic.availability import HeldUnits
from spaces.logic.permissions import can_manage_series, space_refused
from spaces.logic.series_pattern import (
    ALL,
    MAX_OCCURRENCES,
    MAX_SPAN,
    MAX_SPAN_DAYS,
    Pattern,
    audit_values,
    series_columns,
    span_on,
)
from spaces.logic.statuses import BookingStatus, SkipReason
from spaces.logic.wording import shortfall_reason
from spaces.queries.spaces import held_units, lock_key, touch
from spaces.services.catalog import calendar_of, community_id, reread_space, zone_of
from spaces.services.residents import find_resident
from spaces.tables import Booking, BookingSeries, SeriesSkip, Space


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
    form_token: str = ""
    """The token of the plan page that confirms a new series (`app.form_tokens`)."""


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
            fields.error(
                "ends_on",
                ngettext(
                    "A series must fit within %(n)s day.",
                    "A series must fit within %(n)s days.",
                    MAX_SPAN_DAYS,
                    n=MAX_SPAN_DAYS,
                ),
            )
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
        fields.error(
            "ends_on",
            ngettext(
                "A series can have at most %(n)s date.",
                "A series can have at most %(n)s dates.",
                MAX_OCCURRENCES,
                n=MAX_OCCURRENCES,
            ),
        )
        return None
    if count is not None and len(dates) < count:
        fields.error(
            "count",
            ngettext(
                "A series must fit within %(n)s day.",
                "A series must fit within %(n)s days.",
                MAX_SPAN_DAYS,
                n=MAX_SPAN_DAYS,
            ),
        )
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


async def held_without(space: Space, window: Interval, exclude: Iterable[Booking]) -> HeldUnits:
    """Units held in and around `window` apart from the bookings in `exclude` (being moved)."""
    held = await held_units(space, window)
    moved = [b for b in exclude if b.status == BookingStatus.confirmed.value]
    if not moved:
        return held
    return held.without([(b.starts_at, b.ends_at, b.units) for b in moved])


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
    # Inside a write transaction of the space, its hours and rules as the lock protects them.
    space = await reread_space(space, include_inactive=True)
    zone = zone_of(space)
    window = Interval(
        wall_to_utc(datetime.combine(days[0], time()), zone) - timedelta(days=1),
        wall_to_utc(datetime.combine(days[-1], time()), zone) + timedelta(days=2),
    )
    calendar = await calendar_of(space, window)
    open_intervals = calendar.open_intervals(window)
    held = await held_without(space, window, moving)
    result = []
    for day in days:
        if day in skipped:
            result.append(Occurrence(day, None, None, kept="skipped"))
            continue
        if day in detached:
            result.append(Occurrence(day, None, None, kept="detached"))
            continue
        span = span_on(pattern, day, zone)
        if span is None:
            problem = _("The clocks change at this time that day.")
        elif span.start <= now:
            result.append(Occurrence(day, span.start, span.end, kept="past"))
            continue
        elif not any(i.contains(span) for i in open_intervals):
            problem = _("The space is closed then.")
        elif short := held.shortfall(span, pattern.units):
            reason = shortfall_reason(short, space.buffer_minutes, zone)
            problem = reason or _("Already booked then.")
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


def check_plan(occurrences: list[Occurrence], skip_conflicts: bool) -> None:
    if any(o.problem for o in occurrences) and not skip_conflicts:
        raise ConflictsFound(occurrences)
    if not any(o.bookable or o.kept for o in occurrences):
        raise InputError(
            [FieldError("weekdays", _("No date of this series can be booked."))],
            _("No date of this series can be booked."),
        )


def occurrence_booking(
    series: BookingSeries, space: Space, occurrence: Occurrence, now: datetime
) -> Booking:
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


async def write_occurrences(
    series: BookingSeries, space: Space, occurrences: list[Occurrence], now: datetime
) -> tuple[int, int]:
    """Book the bookable dates and record the others as skipped; (booked, skipped)."""
    booked = skipped = 0
    for occurrence in occurrences:
        if occurrence.bookable:
            await occurrence_booking(series, space, occurrence, now).save()
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


async def notify_resident(series: BookingSeries, space: Space, message: str, now: datetime) -> None:
    if series.user is None:
        return
    await notify_user(
        series.user,
        "series.changed",
        message,
        link="/bookings",
        now=now,
        space=partial(localized, space, "name"),
        pattern=lambda: describe(series),
        first=series.starts_on,
        last=series.ends_on,
    )


def require_series_staff(actor: Actor, space: Space) -> None:
    """Refuse anyone but the space's staff a series of it."""
    if not can_manage_series(actor, community_id(space)):
        raise space_refused()


async def _read_new(
    actor: Actor, space: Space, form: SeriesForm
) -> tuple[Pattern, User | None, str, str]:
    """The pattern, the resident, the group's name and the note of a new series, or one
    `InputError` naming every field to correct."""
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
    assert pattern is not None  # fields.check() raised otherwise
    return pattern, resident, group_name, note


@staff_service
async def preview_create(
    actor: Actor, space: Space, form: SeriesForm, *, now: datetime
) -> list[Occurrence]:
    """What `create` would book now: each date of the pattern with what is in its way."""
    require_series_staff(actor, space)
    pattern, _resident, _group_name, _note = await _read_new(actor, space, form)
    return await plan(space, pattern, now=now)


async def made_with(
    actor: Actor, space: Space, form_token: str
) -> tuple[BookingSeries, int, int] | None:
    """The series the actor's form with `form_token` created, with how many of its dates
    were booked and skipped, or None. A token that made a series of another space is
    refused (`app.form_tokens.token_refused`)."""
    made = (
        await BookingSeries.objects()
        .where((BookingSeries.created_by == actor.id) & (BookingSeries.form_token == form_token))
        .first()
    )
    if made is None:
        return None
    if made.space != space.id:
        raise token_refused()
    booked = await Booking.count().where(Booking.series == made.id)
    skipped = await SeriesSkip.count().where(
        (SeriesSkip.series == made.id) & (SeriesSkip.reason == SkipReason.conflict.value)
    )
    return made, booked, skipped


@staff_service
async def create(
    actor: Actor,
    space: Space,
    form: SeriesForm,
    *,
    now: datetime,
    form_token: str | None = None,
    on_created: Callable[[BookingSeries, Space], Awaitable[None]] | None = None,
) -> tuple[BookingSeries, int, int]:
    """Book a standing weekly slot; returns the series and how many dates were booked and
    skipped. Raises `ConflictsFound` when dates are in the way and skipping was not chosen.
    `on_created` runs inside the series' transaction, for a caller's own record of it (such
    as the need it solves).

    With `form_token` (checked by the caller), a repeat of the form that made a series
    returns that series and its counts, and books nothing: the token is looked up under the
    space's lock and kept on the series in the same transaction, unique per staff member."""
    require_series_staff(actor, space)
    pattern, resident, group_name, note = await _read_new(actor, space, form)
    skip = checked(form.skip_conflicts)
    async with write_transaction(lock_key(space)):
        if form_token is not None:
            earlier = await made_with(actor, space, form_token)
            if earlier is not None:
                return earlier
        occurrences = await plan(space, pattern, now=now)
        check_plan(occurrences, skip)
        series = BookingSeries(
            id=uuid.uuid4(),
            space=space.id,
            user=resident.id if resident else None,
            group_name=group_name,
            note=note,
            created_by=actor.id,
            created_at=now,
            updated_at=now,
            form_token=form_token,
            **series_columns(pattern),
        )
        try:
            await series.save()
        except Exception as exc:
            # Only a token already spent in another space gets here: one space's lock
            # serialises the repeats in it, and the lookup above found theirs.
            if form_token is not None and is_unique_violation(exc):
                raise token_refused() from exc
            raise
        booked, skipped = await write_occurrences(series, space, occurrences, now)
        await touch(space.id)
        await notify_resident(series, space, notices.SERIES_BOOKED, now)
        await audit.record(
            actor_id=actor.id,
            action="series.created",
            subject_type="series",
            subject_id=str(series.id),
            community_id=community_id(space),
            after={
                **audit_values(series_columns(pattern)),
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
