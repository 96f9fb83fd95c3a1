"""Resident pages of the waitlist: join from a capacity refusal, see an offer, accept,
decline or leave."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from litestar import Controller, Request, get, post
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect, Template

from app.errors import DomainError, InputError, NotFound
from app.i18n import _
from app.permissions import Actor
from app.web.context import CurrentActor, RequestNow, flash
from app.web.guards import requires_signed_in
from app.web.responses import page, redirect
from spaces.logic.statuses import WaitlistStatus
from spaces.services import waitlist
from spaces.web.forms import BookForm, read_book_form
from spaces.web.presentation import booking_helpers

AnyRequest = Request[Any, Any, Any]


def _message(exc: DomainError) -> str:
    """One sentence for a refusal: the first field's message for bad input."""
    if isinstance(exc, InputError) and exc.errors:
        return exc.errors[0].message
    return exc.detail


class WaitlistController(Controller):
    path = "/"
    include_in_schema = False
    guards = [requires_signed_in]

    @post("/spaces/{slug:str}/waitlist", name="waitlist:join")
    async def join(
        self,
        request: AnyRequest,
        slug: FromPath[str],
        data: URLEncodedBody[BookForm],
        actor: CurrentActor,
        now: RequestNow,
    ) -> Redirect:
        try:
            # A wait is for units over a time; the party comes with the booking it turns into.
            wanted = replace(read_book_form(data, now), party_size=None)
            joined = await waitlist.join(actor, slug, wanted, now=now)
        except NotFound:
            raise
        except DomainError as exc:
            flash(request, _message(exc), "error")
            back = request.app.route_reverse("spaces:detail", slug=slug)
            refused_start = isinstance(exc, InputError) and "start" in exc.by_field()
            query = (
                f"?{urlencode({'start': data.start})}" if data.start and not refused_start else ""
            )
            return redirect(f"{back}{query}#book")
        entry = joined.entry
        if joined.created:
            flash(request, _("You are on the waitlist. We will tell you when this time is free."))
        elif entry.status == WaitlistStatus.offered.value:
            flash(request, _("This time is already held for you. Accept it below."))
        else:
            flash(request, _("You are already on the waitlist for this time."))
        return redirect(request.app.route_reverse("waitlist:detail", entry_id=str(entry.id)))

    @get("/waitlist/{entry_id:str}", name="waitlist:detail")
    async def detail(
        self,
        request: AnyRequest,
        entry_id: FromPath[str],
        actor: CurrentActor,
        now: RequestNow,
    ) -> Template:
        return await self._detail(request, entry_id, actor, now)

    async def _detail(
        self,
        request: AnyRequest,
        entry_id: str,
        actor: Actor,
        now: datetime,
        *,
        status_code: int = 200,
        error: str = "",
    ) -> Template:
        queued = await waitlist.get_entry(actor, entry_id)
        return page(
            request,
            "spaces/waitlist_entry.html",
            status_code=status_code,
            queued=queued,
            errors={"": error} if error else {},
            **booking_helpers(now),
        )

    @post("/waitlist/{entry_id:str}/accept", name="waitlist:accept")
    async def accept(
        self,
        request: AnyRequest,
        entry_id: FromPath[str],
        actor: CurrentActor,
        now: RequestNow,
    ) -> Template | Redirect:
        try:
            booking = await waitlist.accept(actor, entry_id, now=now)
        except NotFound:
            raise
        except DomainError as exc:
            return await self._detail(
                request, entry_id, actor, now, status_code=exc.status_code, error=_message(exc)
            )
        flash(request, _("Booked. See you there!"))
        return redirect(request.app.route_reverse("bookings:detail", booking_id=str(booking.id)))

    @post("/waitlist/{entry_id:str}/withdraw", name="waitlist:withdraw")
    async def withdraw(
        self,
        request: AnyRequest,
        entry_id: FromPath[str],
        actor: CurrentActor,
        now: RequestNow,
    ) -> Redirect:
        before = await waitlist.withdraw(actor, entry_id, now=now)
        if before == WaitlistStatus.offered.value:
            flash(request, _("You declined the place. It goes to the next in line."))
        elif before == WaitlistStatus.waiting.value:
            flash(request, _("You left the waitlist."))
        return redirect(request.app.route_reverse("bookings:index") + "#waitlist")
