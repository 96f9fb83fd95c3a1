"""The spaces panel of the staff dashboard (`/staff`): today in the actor's spaces."""

from __future__ import annotations

from datetime import datetime

from app.clock import site_date
from app.domains import Panel
from app.i18n import N_
from app.permissions import Actor
from spaces.logic.statuses import is_expired_request
from spaces.services import decisions
from spaces.services.catalog import managed_spaces
from spaces.services.day_entries import booking_entry, closure_entry, reason_text
from spaces.services.space_days import space_days


async def dashboard(actor: Actor, now: datetime) -> list[Panel]:
    """Today in the actor's spaces: bookings and requests by start, requests waiting for a
    decision (oldest first), spaces closed today and why, and maintenance blocks."""
    today = site_date(now)
    spaces = await managed_spaces(actor)
    by_space = await space_days(spaces, today, 1, now=now)
    days = [by_space[s.id][0] for s in spaces]
    bookings = sorted(
        (
            booking_entry(b, d.space, day=today, today=today, now=now)
            for d in days
            for b in d.bookings
        ),
        key=lambda e: (e.start, e.end, e.space.slug),
    )
    pending = [
        booking_entry(b, b.space, day=None, today=today, now=now)
        for b in await decisions.pending_requests(actor)
        if not is_expired_request(b, now)
    ]
    closed = [
        (d, [reason_text(r, d, today=today) for r in d.reasons], not d.open_intervals)
        for d in days
        if d.reasons
    ]
    blocks = sorted(
        (closure_entry(c, d, today=today) for d in days for c in d.blocks),
        key=lambda e: (e.start, e.space.slug),
    )
    return [
        Panel(
            title=N_("Spaces today"),
            template="spaces/staff/_dashboard.html",
            context={
                "has_spaces": bool(spaces),
                "bookings": bookings,
                "pending": pending,
                "closed": closed,
                "blocks": blocks,
            },
            count=len(pending),
            count_label=N_("To decide: %(n)s"),
        )
    ]
