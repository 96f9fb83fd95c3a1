"""Turning a need into a booking or a group series for its reporter, in one step.

The booking (or series) is made by the spaces domain's own services, which check every
rule and tell the resident; the need is marked done inside the same transaction, through
the services' `on_created` hook, so there is never a booking without its need recorded as
solved, nor a need solved without its booking.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from app.errors import InputError, NotFound, RuleViolation
from app.formfields import Fields
from app.i18n import _, format_day, localized
from app.permissions import Actor, staff_service
from app.settings import get_settings
from app.tables import Community, User
from needs.logic import loop
from needs.logic.permissions import can_book_for_need
from needs.queries.assignees import helper_user_id
from needs.services import need_notices
from needs.services.dispatch import need_for
from needs.services.transitions import (
    add_event,
    audit_step,
    language_of,
    lock_here,
    locked,
    require_status,
    save_step,
)
from needs.tables import Need
from spaces.logic.rules import Request as BookingRequest
from spaces.services import catalog as spaces_catalog
from spaces.services import decisions
from spaces.services import series as spaces_series


@dataclass
class BookingForm:
    space: str = ""
    on_date: str = ""
    start_time: str = ""
    end_time: str = ""
    booking_note: str = ""


@dataclass
class SeriesForm:
    """Shares a page with `BookingForm`: fields of the same meaning have their own names."""

    series_space: str = ""
    group_name: str = ""
    weekdays: list[str] | str = field(default_factory=list)
    series_start_time: str = ""
    series_end_time: str = ""
    starts_on: str = ""
    ends_on: str = ""
    count: str = ""
    skip_conflicts: str = ""


SERIES_FIELDS = {"start_time": "series_start_time", "end_time": "series_end_time", "resident": ""}
"""The names of `spaces.services.series.SeriesForm`'s fields on our form; the resident is the
need's reporter, so a refusal about them is about the whole form."""


async def spaces_for(need: Need) -> list[Any]:
    """The active spaces of the need's community, to book for it."""
    row = await Community.select(Community.slug).where(Community.id == need.community).first()
    return await spaces_catalog.list_spaces(community=row["slug"]) if row else []


async def _reporter(need: Need) -> User:
    """Whom the booking is for: only someone with an account can hold one."""
    reporter = (
        await User.objects().where(User.id == need.reporter).first() if need.reporter else None
    )
    if reporter is None:
        raise RuleViolation(
            "anonymous",
            _(
                "This need was filed without an account, so no booking can be made for it. "
                "Call the person if they left a number, or book for them once they sign up."
            ),
        )
    return reporter


async def _space(need: Need, slug: str, fields: Fields, field_name: str) -> Any:
    space = None
    if slug.strip():
        try:
            space = await spaces_catalog.get_space(slug.strip())
        except NotFound:
            space = None
    if space is None or space.community.id != need.community:
        fields.error(field_name, _("Choose a space of the need's community."))
        return None
    return space


async def _solved(
    actor: Actor,
    need_id: Any,
    *,
    resolution: str,
    booking_ref: str = "",
    series_ref: str = "",
    now: datetime,
) -> None:
    """Inside the booking's (or series') transaction: the need is done, with its booking."""
    await lock_here(need_id)
    need = await locked(need_id)
    require_status(need, loop.MAY_CONVERT)
    helper = await helper_user_id(need)
    values: dict[Any, Any] = {
        Need.status: loop.DONE,
        Need.resolution: resolution,
        Need.done_at: now,
    }
    if booking_ref:
        values[Need.booking_ref] = booking_ref
    if series_ref:
        values[Need.series_ref] = series_ref
    await save_step(need.id, values, now)
    await add_event(need.id, "converted", actor_id=actor.id, now=now, detail=resolution)
    await need_notices.tell_reporter(
        need, "converted", need_notices.CONVERTED, now=now, resolution=resolution
    )
    await need_notices.text_reporter(need, need_notices.TEXT_DONE, now=now)
    await need_notices.tell_helper(
        helper, need, "withdrawn", need_notices.WITHDRAWN_FOR_HELPER, now=now
    )
    await audit_step(
        actor.id,
        "need.converted",
        need,
        now=now,
        before={"status": need.status},
        after={
            "status": loop.DONE,
            **({"booking": booking_ref} if booking_ref else {}),
            **({"series": series_ref} if series_ref else {}),
        },
    )


def _booked_text(reporter: User, space: Any, booking: Any) -> str:
    zone = spaces_catalog.zone_of(space)
    start, end = booking.starts_at.astimezone(zone), booking.ends_at.astimezone(zone)
    with language_of(reporter):
        values = {
            "space": localized(space, "name"),
            "day": format_day(start.date(), with_year=True),
            "start": f"{start:%H:%M}",
            "end": f"{end:%H:%M}",
        }
        if booking.status == "pending":
            return _(
                "Asked to book %(space)s on %(day)s, %(start)s–%(end)s; the request waits for "
                "approval.",
                **values,
            )
        return _("Booked %(space)s on %(day)s, %(start)s–%(end)s.", **values)


@staff_service
async def to_booking(actor: Actor, need_id: str, form: BookingForm, *, now: datetime) -> Need:
    """Book a space of the need's community for its reporter (代约, with the reporter's own
    rules and quotas) and mark the need done. Raises `RuleViolation` for a need filed
    without an account, `InputError`, and the booking's own refusals."""
    need = await need_for(actor, need_id, can_book_for_need)
    require_status(need, loop.MAY_CONVERT)
    reporter = await _reporter(need)
    fields = Fields()
    space = await _space(need, form.space, fields, "space")
    zone = spaces_catalog.zone_of(space) if space else ZoneInfo(get_settings().site.timezone)
    day = fields.day(form.on_date, "on_date")
    start = fields.instant(day, fields.clock(form.start_time, "start_time"), zone, "start_time")
    end = fields.instant(day, fields.clock(form.end_time, "end_time"), zone, "end_time")
    if start is not None and end is not None and end <= start:
        fields.error("end_time", _("The end must be after the start."))
    note = fields.text(form.booking_note, "booking_note", max_length=300)
    fields.check()
    assert space is not None and start is not None and end is not None

    async def record(booking: Any, booked_space: Any) -> None:
        await _solved(
            actor,
            need.id,
            resolution=_booked_text(reporter, booked_space, booking),
            booking_ref=str(booking.id),
            now=now,
        )

    await decisions.book_on_behalf(
        actor,
        reporter.id,
        space.slug,
        BookingRequest(start, end),
        note=note,
        now=now,
        on_created=record,
    )
    return await locked(need.id)


def _series_text(reporter: User, space: Any, made: Any) -> str:
    with language_of(reporter):
        return _(
            "Booked %(space)s: %(pattern)s, from %(first)s to %(last)s.",
            space=localized(space, "name"),
            pattern=spaces_series.describe(made),
            first=format_day(made.starts_on, with_year=True),
            last=format_day(made.ends_on, with_year=True),
        )


@staff_service
async def to_series(
    actor: Actor, need_id: str, form: SeriesForm, *, now: datetime
) -> tuple[Need, int, int]:
    """Book a standing weekly slot for the reporter (a band's Tuesday rehearsals) and mark
    the need done; returns the need and how many dates were booked and skipped. Raises
    `spaces.services.series.ConflictsFound` when dates are in the way and skipping was not
    chosen."""
    need = await need_for(actor, need_id, can_book_for_need)
    require_status(need, loop.MAY_CONVERT)
    reporter = await _reporter(need)
    fields = Fields()
    space = await _space(need, form.series_space, fields, "series_space")
    fields.check()
    series_form = spaces_series.SeriesForm(
        resident=reporter.login,
        group_name=form.group_name,
        weekdays=form.weekdays,
        start_time=form.series_start_time,
        end_time=form.series_end_time,
        starts_on=form.starts_on,
        ends_on=form.ends_on,
        count=form.count,
        units="1",
        note=loop.summary(need.description, 300),
        skip_conflicts=form.skip_conflicts,
    )

    async def record(made: Any, booked_space: Any) -> None:
        await _solved(
            actor,
            need.id,
            resolution=_series_text(reporter, booked_space, made),
            series_ref=str(made.id),
            now=now,
        )

    try:
        _made, booked, skipped = await spaces_series.create(
            actor, space, series_form, now=now, on_created=record
        )
    except InputError as exc:
        for error in exc.errors:
            error.field = SERIES_FIELDS.get(error.field, error.field)
        raise
    return await locked(need.id), booked, skipped
