"""Booking at the counter (代约): staff book one of their spaces for a resident who cannot use
a phone, with the resident's own rules and quotas; a refusal shows the nearest free times."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect, Template

from app.errors import DomainError, InputError
from app.form_tokens import new_token
from app.i18n import _
from app.web.context import CurrentActor, RequestNow, flash
from app.web.guards import requires_staff
from app.web.responses import page, redirect
from spaces.logic.counter_booking import CounterBookingForm
from spaces.services import counter
from spaces.services.catalog import managed_space, zone_of
from spaces.tables import Space
from spaces.web.presentation import time_helpers

AnyRequest = Request[Any, Any, Any]


def _counter_page(
    request: AnyRequest,
    space: Space,
    form: CounterBookingForm,
    errors: dict[str, str],
    now: datetime,
    *,
    refusal: DomainError | None = None,
    status_code: int = 200,
) -> Template:
    if not form.on_date:
        form.on_date = now.astimezone(zone_of(space)).date().isoformat()
    # A new token on every render, a re-render after an error too (see spaces:book).
    form.form_token = new_token()
    alternatives = [
        (datetime.fromisoformat(a.start), datetime.fromisoformat(a.end))
        for a in getattr(refusal, "alternatives", ())
    ]
    return page(
        request,
        "spaces/staff/book_for.html",
        status_code=status_code,
        space=space,
        form=form,
        errors=errors,
        refusal=refusal if not isinstance(refusal, InputError) else None,
        alternatives=alternatives,
        **time_helpers(space, now),
    )


class StaffCounterController(Controller):
    path = "/staff/spaces/{slug:str}/book-for"
    guards = [requires_staff]
    include_in_schema = False

    @get("", name="staff:space.book_for")
    async def book_for_form(
        self,
        request: AnyRequest,
        slug: FromPath[str],
        actor: CurrentActor,
        now: RequestNow,
    ) -> Template:
        space = await managed_space(actor, slug)
        return _counter_page(request, space, CounterBookingForm(), {}, now)

    @post("", name="staff:space.book_for.post")
    async def book_for(
        self,
        request: AnyRequest,
        slug: FromPath[str],
        data: URLEncodedBody[CounterBookingForm],
        actor: CurrentActor,
        now: RequestNow,
    ) -> Template | Redirect:
        space = await managed_space(actor, slug)
        try:
            resident, result = await counter.book_at_counter(actor, space, data, now=now)
        except InputError as exc:
            return _counter_page(
                request, space, data, exc.by_field(), now, refusal=exc, status_code=400
            )
        except DomainError as exc:
            return _counter_page(
                request, space, data, {}, now, refusal=exc, status_code=exc.status_code
            )
        booking = result.booking
        if booking.status == "pending":
            flash(
                request,
                _(
                    "The request was made for %(name)s; approve it under requests.",
                    name=resident.name,
                ),
            )
        else:
            flash(request, _("Booked for %(name)s; they were told.", name=resident.name))
        return redirect(request.app.route_reverse("bookings:detail", booking_id=str(booking.id)))
