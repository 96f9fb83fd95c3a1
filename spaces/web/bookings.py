"""A person's bookings: the list (with their waits) in groups, one booking, and cancelling
(asked once, then undone within a minute if wished), checking in to and rating it from its
page."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect, Template

from app.errors import Conflict, DomainError, InputError, NotFound, RuleViolation, free_instead
from app.i18n import _
from app.permissions import Actor
from app.web.context import CurrentActor, RequestNow, flash
from app.web.guards import requires_signed_in
from app.web.responses import page, redirect
from spaces.logic.statuses import group_bookings
from spaces.services import attendance, bookings, cancellation, ratings, undo, waitlist
from spaces.web.feeds import google_calendar_url
from spaces.web.forms import RateForm, ReasonForm, whole_number
from spaces.web.presentation import booking_helpers

AnyRequest = Request[Any, Any, Any]


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
        groups = group_bookings(await bookings.bookings_of(actor.id), now)
        return page(
            request,
            "spaces/bookings.html",
            groups=groups,
            waitlist=await waitlist.entries_of(actor.id, now),
            **booking_helpers(now),
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
        refusal: DomainError | None = None,
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
            alternatives=free_instead(refusal),
            google_url=google_calendar_url(
                booking, space, str(request.base_url).rstrip("/") + request.url.path
            ),
            **booking_helpers(now),
        )

    @get("/{booking_id:str}/cancel", name="bookings:confirm_cancel")
    async def confirm_cancel(
        self,
        request: AnyRequest,
        booking_id: FromPath[str],
        actor: CurrentActor,
        now: RequestNow,
    ) -> Template | Redirect:
        """Ask once before cancelling: the booking, and a form that cancels it. Staff
        cancelling for a resident give a reason on the booking's page instead."""
        try:
            booking, space = await cancellation.cancellable(actor, booking_id, now=now)
        except NotFound:
            await bookings.get_booking(actor, booking_id)  # staff see the booking; others 404
            return redirect(request.app.route_reverse("bookings:detail", booking_id=booking_id))
        except RuleViolation as exc:
            return await self._detail(
                request,
                booking_id,
                actor,
                now,
                status_code=exc.status_code,
                errors={"": exc.detail},
            )
        return page(
            request,
            "spaces/cancel.html",
            booking=booking,
            space=space,
            **booking_helpers(now),
        )

    @post("/{booking_id:str}/cancel", name="bookings:cancel")
    async def cancel(
        self,
        request: AnyRequest,
        booking_id: FromPath[str],
        data: URLEncodedBody[ReasonForm],
        actor: CurrentActor,
        now: RequestNow,
    ) -> Template | Redirect:
        try:
            await cancellation.cancel(actor, booking_id, reason=data.reason, now=now)
        except (InputError, RuleViolation) as exc:
            errors = exc.by_field()
            return await self._detail(
                request, booking_id, actor, now, status_code=exc.status_code, errors=errors
            )
        flash(request, _("The booking was cancelled."))
        return redirect(request.app.route_reverse("bookings:detail", booking_id=booking_id))

    @post("/{booking_id:str}/undo-cancel", name="bookings:undo_cancel")
    async def undo_cancel(
        self,
        request: AnyRequest,
        booking_id: FromPath[str],
        actor: CurrentActor,
        now: RequestNow,
    ) -> Template | Redirect:
        try:
            await undo.undo_cancel(actor, booking_id, now=now)
        except (InputError, RuleViolation, Conflict) as exc:
            errors = exc.by_field()
            return await self._detail(
                request,
                booking_id,
                actor,
                now,
                status_code=exc.status_code,
                errors=errors,
                refusal=exc,
            )
        flash(request, _("Your booking is back."))
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
            stars = whole_number(data.rating, "rating")
            await ratings.rate(actor, booking_id, stars=stars or 0, comment=data.comment, now=now)
        except (InputError, RuleViolation) as exc:
            errors = exc.by_field()
            return await self._detail(
                request, booking_id, actor, now, status_code=exc.status_code, errors=errors
            )
        flash(request, _("Thank you for your rating."))
        return redirect(request.app.route_reverse("bookings:detail", booking_id=booking_id))
