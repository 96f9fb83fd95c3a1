"""Booking at the counter (代约): staff book a space for a resident who cannot use a phone,
with the resident's own rules, quotas and notices. Other domains book through
`spaces.services.decisions.book_on_behalf`, which this calls."""

from __future__ import annotations

from datetime import datetime

from app.errors import InputError
from app.form_tokens import checked_token
from app.formfields import Fields
from app.i18n import _
from app.permissions import Actor, staff_service
from app.tables import User
from spaces.logic.counter_booking import CounterBookingForm, read_counter_request
from spaces.logic.permissions import can_book_on_behalf, space_refused
from spaces.services.bookings import Booked
from spaces.services.catalog import community_id, zone_of
from spaces.services.decisions import book_on_behalf
from spaces.services.residents import find_resident
from spaces.tables import Space


@staff_service
async def book_at_counter(
    actor: Actor, space: Space, form: CounterBookingForm, *, now: datetime
) -> tuple[User, Booked]:
    """Book what the counter's form asks for, for the resident it names (by phone or email,
    among the actor's communities); every problem with the form is raised at once."""
    if not can_book_on_behalf(actor, community_id(space)):
        raise space_refused()
    token = checked_token(form.form_token)
    fields = Fields()
    resident = None
    if not form.resident.strip():
        fields.error("resident", _("Enter the resident's mobile number or email."))
    else:
        try:
            resident = await find_resident(actor, form.resident)
        except InputError as exc:
            fields.errors.extend(exc.errors)
    request = read_counter_request(form, zone_of(space), space.capacity, fields)
    fields.check()
    assert resident is not None and request is not None  # fields.check() raised otherwise
    booked = await book_on_behalf(
        actor,
        resident.id,
        space.slug,
        request,
        note=form.note,
        now=now,
        idempotency_key=f"staff:{token}",
    )
    return resident, booked
