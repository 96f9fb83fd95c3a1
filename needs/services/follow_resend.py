"""Sending a follow link again to the phone that filed a need without an account.

Whoever asks gets the same answer whether or not the number filed anything: the limits per
number and per address are taken for every request before the needs are looked up, the
needs are looked up and texted after the answer was sent, and a need past its own daily
limit is skipped without a word."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from app import throttle
from app.accounts.validation import mainland_mobile
from app.db import write_transaction
from app.errors import Throttled
from app.formfields import Fields
from app.i18n import _, ngettext
from needs.services import need_notices
from needs.services.transitions import lock_key, locked
from needs.tables import Need

log = logging.getLogger(__name__)

PER_NUMBER = throttle.Limit("need-link-number", 3, timedelta(hours=1))
"""Requests for one phone number (by its digits) in an hour."""
PER_ADDRESS = throttle.Limit("need-link-address", 10, timedelta(hours=1))
"""Requests from one client address in an hour."""
PER_NEED = throttle.Limit("need-link-need", 3, timedelta(days=1))
"""Links sent again for one need in a day."""
MOST_LINKS = 5
"""Needs whose links one request texts at most, the most recently filed: the work an
anonymous request causes, and the texts it sends one phone, stay bounded."""
AFTER_CLOSING = timedelta(days=30)
"""A need closed longer ago than this gets no link (its phone number goes then too)."""


def _wait(minutes: int) -> str:
    return ngettext(
        "Too many links were asked for. Please try again in %(minutes)s minute.",
        "Too many links were asked for. Please try again in %(minutes)s minutes.",
        minutes,
        minutes=minutes,
    )


async def _filed_with(mobile: str, now: datetime) -> list[Any]:
    """The ids of the `MOST_LINKS` needs last filed without an account with this mobile
    number (kept as its 11 digits: filing.stored_phone), not closed before the cut-off; an
    indexed lookup."""
    rows = (
        await Need.select(Need.id)
        .where(
            (Need.reporter_contact == mobile)
            & Need.reporter.is_null()
            & (Need.closed_at.is_null() | (Need.closed_at >= now - AFTER_CLOSING))
        )
        .order_by(Need.created_at, ascending=False)
        .limit(MOST_LINKS)
    )
    return [row["id"] for row in rows]


async def take_request(phone: str, *, client_ip: str, now: datetime) -> str:
    """Read `phone` and count the request against the limits per address and per number,
    known number or not; returns the number as its 11 digits for `text_links`.

    Raises `InputError` for a number that cannot be one, `Throttled` past a limit."""
    mobile = mainland_mobile(phone)
    if mobile is None:
        fields = Fields()
        fields.error("phone", _("Enter the mobile number you left, such as 13812345678."))
        fields.check()
    assert mobile is not None
    await throttle.reserve_all([(PER_ADDRESS, client_ip), (PER_NUMBER, mobile)], now, _wait)
    return mobile


async def text_links(mobile: str, *, now: datetime) -> None:
    """Queue a text message with its follow link for each need filed with `mobile` (the
    `MOST_LINKS` latest), in the need's language. The page answers before this runs (see
    `text_links_later`), so how long it takes tells nobody whether the number filed any."""
    for need_id in await _filed_with(mobile, now):
        try:
            await throttle.reserve(PER_NEED, str(need_id), now, _wait)
        except Throttled:
            continue  # silently: the answer must not tell that this number filed it
        async with write_transaction(lock_key(need_id)):
            await need_notices.send_text(await locked(need_id), need_notices.TEXT_LINK, now=now)


async def text_links_later(mobile: str, *, now: datetime) -> None:
    """`text_links` run after the answer was sent: a failure is logged with its trace, as the
    person who asked has already been answered."""
    try:
        await text_links(mobile, now=now)
    except Exception:
        log.exception("Texting the follow links again failed")


async def resend_links(phone: str, *, client_ip: str, now: datetime) -> None:
    """`take_request`, then `text_links` at once."""
    await text_links(await take_request(phone, client_ip=client_ip, now=now), now=now)
