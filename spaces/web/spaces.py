"""Resident pages: /spaces, /spaces/{slug} (week grid and booking form), /bookings."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.params import (
    FromPath,
    FromQuery,
    QueryParameter,
    URLEncodedBody,
)
from litestar.response import Redirect, Template
from markupsafe import Markup

from app import clock
from app.cache import VersionedCache
from app.clock import site_date
from app.errors import Conflict, DomainError, FieldError, InputError, RuleViolation
from app.i18n import _, current_locale
from app.permissions import Actor
from app.web.context import CurrentActor, CurrentViewer, RequestNow, actor_of, flash
from app.web.guards import requires_signed_in
from app.web.responses import page, page_or_fragment, redirect, render
from spaces.logic import statuses
from spaces.logic import wording as views
from spaces.logic.kinds import KIND_LABELS, SpaceKind
from spaces.logic.rules import Request as BookingRequest
from spaces.logic.statuses import STATUS_LABELS
from spaces.logic.wording import site_zone
from spaces.services import (
    attendance,
    bookings,
    cancellation,
    catalog,
    ratings,
    waitlist,
)
from spaces.services.availability import get_availability
from spaces.tables import Space
from spaces.web import presentation
from spaces.web.feeds import google_calendar_url

AnyRequest = Request[Any, Any, Any]
WEEK = timedelta(days=7)
_week_html: VersionedCache[Markup] = VersionedCache(max_entries=512)
"""Rendered week grids, keyed like the availability they show (see app.cache)."""


@dataclass
class BookForm:
    start: str = ""
    duration_minutes: str = ""
    units: str = "1"
    party_size: str = ""
    note: str = ""
    form_token: str = ""


@dataclass
class CancelForm:
    reason: str = ""


@dataclass
class RateForm:
    rating: str = ""
    comment: str = ""


def _int(value: str, field: str, default: int | None = None) -> int | None:
    if not value.strip():
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise InputError([FieldError(field, _("Enter a whole number."))]) from exc


def _parse_start(value: str) -> datetime:
    try:
        start = datetime.fromisoformat(value)
    except ValueError as exc:
        raise InputError([FieldError("start", _("Choose a start time from the week."))]) from exc
    if start.tzinfo is None:
        raise InputError([FieldError("start", _("Choose a start time from the week."))])
    return start


class SpacesController(Controller):
    path = "/spaces"
    include_in_schema = False

    @get("", name="spaces:index")
    async def index(
        self, request: AnyRequest, community: FromQuery[str] = "", kind: FromQuery[str] = ""
    ) -> Template:
        return page(
            request,
            "spaces/index.html",
            spaces=await catalog.list_spaces(community=community or None, kind=kind or None),
            communities=await catalog.communities_with_spaces(),
            kinds=[(k.value, KIND_LABELS[k.value]) for k in SpaceKind],
            chosen_community=community,
            chosen_kind=kind,
            kind_labels=KIND_LABELS,
        )

    async def _space_view(
        self,
        request: AnyRequest,
        slug: str,
        viewer: Actor | None,
        now: datetime,
        *,
        first: str | None,
        start: str | None,
        form: BookForm | None = None,
        errors: dict[str, str] | None = None,
        refusal: DomainError | None = None,
    ) -> tuple[Space, Markup, dict[str, Any]]:
        """The space, its week grid rendered, and what the rest of its page shows."""
        space = await catalog.get_space(slug)
        zone = catalog.zone_of(space)
        today = now.astimezone(zone).date()
        chosen_start = None
        if start:
            try:
                chosen_start = _parse_start(start)
            except InputError:
                chosen_start = None
        first_day = presentation.first_day_shown(
            first, today, chosen_start.astimezone(zone).date() if chosen_start else None
        )
        availability = await get_availability(
            space, first_day, 7, now=now, user_id=viewer.id if viewer else None
        )
        form = form or BookForm(start=start or "", form_token=secrets.token_urlsafe(16))
        if not form.form_token:
            form.form_token = secrets.token_urlsafe(16)
        context: dict[str, Any] = {
            "space": space,
            "availability": availability,
            "first_day": first_day,
            "previous_from": (first_day - WEEK).isoformat(),
            "next_from": (first_day + WEEK).isoformat(),
            "today": today,
            "now": now,
            "zone": zone,
            "viewer_zone": site_zone(),
            "rules": presentation.rules_in_words(space, availability.rules),
            "hours": presentation.weekly_in_words(space),
            "kind_label": KIND_LABELS[space.kind],
            "chosen_start": chosen_start,
            "durations": presentation.duration_choices(availability, chosen_start)
            if chosen_start
            else [],
            "chosen_taken": chosen_start is not None
            and presentation.is_taken(availability, chosen_start),
            "form": form,
            "errors": errors or {},
            "refusal": refusal,
            "alternatives": _alternatives(refusal),
            "local_time": views.local_time,
            "day_label": partial(views.day_label, today=site_date(now)),
        }
        week_key = (
            space.id,
            space.version,
            first_day,
            context["today"],
            now.replace(second=0, microsecond=0),
            current_locale(),
        )
        week_html = _week_html.get(week_key)
        if week_html is None:
            week_html = Markup(render(request, "spaces/partials/week.html", **context))
            _week_html.put(week_key, week_html)
        return space, week_html, context

    async def _space_page(
        self,
        request: AnyRequest,
        space: Space,
        week_html: Markup,
        context: dict[str, Any],
        *,
        status_code: int = 200,
    ) -> Template:
        return page(
            request,
            "spaces/detail.html",
            status_code=status_code,
            week_html=week_html,
            ratings=await ratings.ratings_of(space),
            **context,
        )

    @get("/{slug:str}", name="spaces:detail")
    async def detail(
        self,
        request: AnyRequest,
        slug: FromPath[str],
        viewer: CurrentViewer,
        now: RequestNow,
        first: Annotated[str | None, QueryParameter(name="from", max_length=10)] = None,
        start: Annotated[str | None, QueryParameter(max_length=40)] = None,
    ) -> Template | Response[str]:
        """The space's page; htmx asking for another week gets the page's `week` block."""
        space, week_html, context = await self._space_view(
            request, slug, viewer, now, first=first, start=start
        )
        return page_or_fragment(
            request,
            "spaces/detail.html",
            "week",
            week_html=week_html,
            ratings=await ratings.ratings_of(space),
            **context,
        )

    @post("/{slug:str}/book", name="spaces:book", guards=[requires_signed_in])
    async def book(
        self,
        request: AnyRequest,
        slug: FromPath[str],
        data: URLEncodedBody[BookForm],
        actor: CurrentActor,
        now: RequestNow,
    ) -> Template | Redirect:
        try:
            start = _parse_start(data.start)
            minutes = _int(data.duration_minutes, "duration_minutes")
            if minutes is None:
                raise InputError([FieldError("duration_minutes", _("Choose how long."))])
            units = _int(data.units, "units", 1)
            party_size = _int(data.party_size, "party_size")
            result = await bookings.book(
                actor,
                slug,
                BookingRequest(start, start + timedelta(minutes=minutes), units or 1, party_size),
                now=now,
                note=data.note,
                idempotency_key=f"form:{data.form_token}" if data.form_token else None,
            )
        except DomainError as exc:
            try:
                _parse_start(data.start)
            except InputError:
                data.start = ""
            space, week_html, context = await self._space_view(
                request,
                slug,
                actor,
                now,
                first=None,
                start=data.start or None,
                form=data,
                errors=exc.by_field() if isinstance(exc, InputError) else {},
                refusal=exc,
            )
            return await self._space_page(
                request, space, week_html, context, status_code=exc.status_code
            )
        booking = result.booking
        if booking.status == "pending":
            flash(request, _("Your request was sent. Staff will approve or reject it."))
        else:
            flash(request, _("Booked. See you there!"))
        return redirect(request.app.route_reverse("bookings:detail", booking_id=str(booking.id)))


def _alternatives(refusal: DomainError | None) -> list[Any]:
    if isinstance(refusal, RuleViolation | Conflict):
        return [
            {"start": datetime.fromisoformat(a.start), "end": datetime.fromisoformat(a.end)}
            for a in refusal.alternatives
        ]
    return []


class CheckInController(Controller):
    """The page a printed QR code on the door leads to: one tap to say "we are here"."""

    path = "/spaces/{slug:str}/checkin"
    include_in_schema = False

    @get("", name="spaces:checkin")
    async def form(self, request: AnyRequest, slug: FromPath[str]) -> Template:
        actor = actor_of(request)
        now = clock.utcnow()
        space = await catalog.get_space(slug)
        booking = await attendance.booking_to_check_in(actor.id, space, now) if actor else None
        zone = catalog.zone_of(space)
        return page(
            request,
            "spaces/checkin.html",
            space=space,
            booking=booking,
            zone=zone,
            when=lambda moment: views.local_time(moment, zone, site_zone()),
        )

    @post("", name="spaces:checkin.post", guards=[requires_signed_in])
    async def check_in(
        self,
        request: AnyRequest,
        slug: FromPath[str],
        actor: CurrentActor,
        now: RequestNow,
    ) -> Redirect:
        space = await catalog.get_space(slug)
        booking = await attendance.booking_to_check_in(actor.id, space, now)
        if booking is None:
            flash(request, _("You have no booking here to check in to right now."), "error")
            return redirect(request.app.route_reverse("spaces:checkin", slug=slug))
        try:
            await attendance.check_in(actor, str(booking.id), now=now)
        except RuleViolation as exc:
            flash(request, exc.detail, "error")
            return redirect(request.app.route_reverse("spaces:checkin", slug=slug))
        flash(request, _("Checked in. Enjoy your time here!"))
        return redirect(request.app.route_reverse("bookings:detail", booking_id=str(booking.id)))


class BookingsController(Controller):
    path = "/bookings"
    include_in_schema = False
    guards = [requires_signed_in]

    @get("", name="bookings:index")
    async def index(
        self,
        request: AnyRequest,
        actor: CurrentActor,
        now: RequestNow,
    ) -> Template:
        mine = await bookings.bookings_of(actor.id)
        upcoming = sorted((b for b in mine if b.ends_at > now), key=lambda b: b.starts_at)
        past = [b for b in mine if b.ends_at <= now]
        return page(
            request,
            "spaces/bookings.html",
            upcoming=upcoming,
            past=past,
            waitlist=await waitlist.entries_of(actor.id, now),
            **_booking_helpers(now),
        )

    @get("/{booking_id:str}", name="bookings:detail")
    async def detail(
        self,
        request: AnyRequest,
        booking_id: FromPath[str],
        actor: CurrentActor,
        now: RequestNow,
    ) -> Template:
        return await self._detail(request, booking_id, actor, now)

    async def _detail(
        self,
        request: AnyRequest,
        booking_id: str,
        actor: Actor,
        now: datetime,
        *,
        status_code: int = 200,
        errors: dict[str, str] | None = None,
    ) -> Template:
        booking, space = await bookings.get_booking(actor, booking_id)
        return page(
            request,
            "spaces/booking.html",
            status_code=status_code,
            booking=booking,
            space=space,
            is_owner=booking.user == actor.id,
            errors=errors or {},
            google_url=google_calendar_url(
                booking, space, str(request.base_url).rstrip("/") + request.url.path
            ),
            **_booking_helpers(now),
        )

    @post("/{booking_id:str}/cancel", name="bookings:cancel")
    async def cancel(
        self,
        request: AnyRequest,
        booking_id: FromPath[str],
        data: URLEncodedBody[CancelForm],
        actor: CurrentActor,
        now: RequestNow,
    ) -> Template | Redirect:
        try:
            await cancellation.cancel(actor, booking_id, reason=data.reason, now=now)
        except (InputError, RuleViolation) as exc:
            errors = exc.by_field() if isinstance(exc, InputError) else {"": exc.detail}
            return await self._detail(
                request, booking_id, actor, now, status_code=exc.status_code, errors=errors
            )
        flash(request, _("The booking was cancelled."))
        return redirect(request.app.route_reverse("bookings:detail", booking_id=booking_id))

    @post("/{booking_id:str}/checkin", name="bookings:checkin")
    async def check_in(
        self,
        request: AnyRequest,
        booking_id: FromPath[str],
        actor: CurrentActor,
        now: RequestNow,
    ) -> Template | Redirect:
        try:
            await attendance.check_in(actor, booking_id, now=now)
        except RuleViolation as exc:
            return await self._detail(
                request,
                booking_id,
                actor,
                now,
                status_code=exc.status_code,
                errors={"": exc.detail},
            )
        flash(request, _("Checked in."))
        return redirect(request.app.route_reverse("bookings:detail", booking_id=booking_id))

    @post("/{booking_id:str}/rate", name="bookings:rate")
    async def rate(
        self,
        request: AnyRequest,
        booking_id: FromPath[str],
        data: URLEncodedBody[RateForm],
        actor: CurrentActor,
        now: RequestNow,
    ) -> Template | Redirect:
        try:
            stars = _int(data.rating, "rating")
            await ratings.rate(actor, booking_id, stars=stars or 0, comment=data.comment, now=now)
        except (InputError, RuleViolation) as exc:
            errors = exc.by_field() if isinstance(exc, InputError) else {"": exc.detail}
            return await self._detail(
                request, booking_id, actor, now, status_code=exc.status_code, errors=errors
            )
        flash(request, _("Thank you for your rating."))
        return redirect(request.app.route_reverse("bookings:detail", booking_id=booking_id))


def _booking_helpers(now: datetime) -> dict[str, Any]:
    return {
        "now": now,
        "viewer_zone": site_zone(),
        "status_of": lambda b: statuses.effective_status(b, now),
        "status_labels": STATUS_LABELS,
        "local_time": views.local_time,
        "day_label": partial(views.day_label, today=site_date(now)),
        "zone_of": catalog.zone_of,
        "can_cancel": lambda b, space: cancellation.resident_may_cancel(b, space, now),
        "can_check_in": lambda b: (
            b.status == "confirmed"
            and b.checked_in_at is None
            and attendance.check_in_window(b)[0] <= now < attendance.check_in_window(b)[1]
        ),
    }
