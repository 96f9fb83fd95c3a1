"""Sending a follow link again to the phone that filed a need without an account.

Whoever asks gets the same answer whether or not the number filed anything: the limits per
number and per address are taken for every request before the needs are looked up, and a
need past its own daily limit is skipped without a word."""

from __future__ import annotations

from datetime import datetime, timedelta

from app import throttle
from app.db import write_transaction
from app.errors import Throttled
from app.formfields import Fields
from app.i18n import _, ngettext
from needs.logic import loop
from needs.services import need_notices
from needs.services.filing import usable_phone
from needs.services.transitions import lock_key, locked
from needs.tables import Need

PER_NUMBER = throttle.Limit("need-link-number", 3, timedelta(hours=1))
"""Requests for one phone number (by its digits) in an hour."""
PER_ADDRESS = throttle.Limit("need-link-address", 10, timedelta(hours=1))
"""Requests from one client address in an hour."""
PER_NEED = throttle.Limit("need-link-need", 3, timedelta(days=1))
"""Links sent again for one need in a day."""
AFTER_CLOSING = timedelta(days=30)
"""A need closed longer ago than this gets no link (its phone number goes then too)."""


def _wait(minutes: int) -> str:
    return ngettext(
        "Too many links were asked for. Please try again in %(minutes)s minute.",
        "Too many links were asked for. Please try again in %(minutes)s minutes.",
        minutes,
        minutes=minutes,
    )


async def _filed_with(digits: str, now: datetime) -> list[Need]:
    """Needs filed without an account with this number, not closed before the cut-off."""
    rows = await Need.objects().where(
        Need.reporter.is_null()
        & (Need.reporter_contact != "")
        & (Need.closed_at.is_null() | (Need.closed_at >= now - AFTER_CLOSING))
    )
    return [need for need in rows if loop.phone_digits(need.reporter_contact) == digits]


async def resend_links(phone: str, *, client_ip: str, now: datetime) -> None:
    """Queue a text message with its follow link for each need filed with `phone`, in the
    need's language. Returns the same way whether or not there was any.

    Raises `InputError` for a number that cannot be one, `Throttled` past the limit per
    number or per address (counted for every request, known number or not)."""
    fields = Fields()
    phone = phone.strip()
    if not phone or not usable_phone(phone):
        fields.error("phone", _("Enter the phone number you left, such as 13812345678."))
    fields.check()
    digits = loop.phone_digits(phone)
    await throttle.reserve_all([(PER_ADDRESS, client_ip), (PER_NUMBER, digits)], now, _wait)
    for need in await _filed_with(digits, now):
        try:
            await throttle.reserve(PER_NEED, str(need.id), now, _wait)
        except Throttled:
            continue  # silently: the answer must not tell that this number filed it
        async with write_transaction(lock_key(need.id)):
            await need_notices.send_text(await locked(need.id), need_notices.TEXT_LINK, now=now)
