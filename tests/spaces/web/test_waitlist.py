"""The waitlist's pages: join from a refusal, accept from my bookings, refuse late accepts
and hide others' entries."""

from __future__ import annotations

import re

from spaces.logic.rules import Request
from spaces.services import bookings, cancellation, waitlist
from spaces.tables import Booking, WaitlistEntry
from tests.factories import (
    PASSWORD,
    actor_for,
    make_community,
    make_space,
    make_user,
    shanghai,
)
from tests.fixtures import Browser, text_of

NOW = shanghai(2, 9)


TEN = Request(shanghai(2, 10), shanghai(2, 11))


async def resident(community, **kwargs):
    return await actor_for(await make_user(community=community, **kwargs))


async def status_of(entry) -> str:
    return (await WaitlistEntry.objects().where(WaitlistEntry.id == entry.id).first()).status


START = "2026-03-02T10:00:00+08:00"


async def test_join_from_the_refusal_then_accept_from_my_bookings(
    browser: Browser, frozen_clock
) -> None:
    home = await make_community()
    await make_space(home, "room")
    holder = await resident(home)
    taken = (await bookings.book(holder, "room", TEN, now=NOW)).booking
    await make_user("13812345678", community=home)
    await browser.sign_in("13812345678", PASSWORD)
    browser.set_language("en")
    refused = await browser.submit(
        "/spaces/room/book", {"start": START, "duration_minutes": "60", "form_token": "x"}
    )
    assert refused.status_code == 409
    assert "you will have 30 minutes to accept it." in text_of(refused.text)
    assert 'action="/spaces/room/waitlist"' in refused.text
    joined = await browser.submit(
        "/spaces/room/waitlist", {"start": START, "duration_minutes": "60", "units": "1"}
    )
    assert joined.status_code == 303
    entry = await WaitlistEntry.objects().first()
    assert joined.headers["location"] == f"/waitlist/{entry.id}"
    mine = text_of((await browser.get("/bookings")).text)
    assert "Shared music room On the waitlist Mon, Mar 2 10:00–11:00 You are first in line." in mine

    await cancellation.cancel(holder, str(taken.id), now=NOW)
    mine = text_of((await browser.get("/bookings")).text)
    assert "held for you until Mon, Mar 2 09:30." in mine
    assert "Accept and book Decline" in mine

    accepted = await browser.submit(f"/waitlist/{entry.id}/accept")
    assert accepted.status_code == 303
    booking = await Booking.objects().where(Booking.status == "confirmed").first()
    assert accepted.headers["location"] == f"/bookings/{booking.id}"
    assert booking.user == entry.user


async def test_a_rule_refusal_offers_no_waitlist(browser: Browser) -> None:
    home = await make_community()
    await make_space(home, "room", max_party_size=4)
    await make_user("13812345678", community=home)
    await browser.sign_in("13812345678", PASSWORD)
    browser.set_language("en")
    refused = await browser.submit(
        "/spaces/room/book",
        {"start": START, "duration_minutes": "60", "party_size": "9", "form_token": "y"},
    )
    assert refused.status_code == 422
    assert "Join the waitlist" not in refused.text
    assert 'action="/spaces/room/waitlist"' not in refused.text


async def test_accept_pages_refuse_late_and_hide_others_entries(
    browser: Browser, frozen_clock
) -> None:
    home = await make_community()
    await make_space(home, "room")
    holder, other = await resident(home), await resident(home)
    taken = (await bookings.book(holder, "room", TEN, now=NOW)).booking
    owner = await make_user("13812345678", community=home)
    entry = (await waitlist.join(await actor_for(owner), "room", TEN, now=NOW)).entry
    other_entry = (await waitlist.join(other, "room", TEN, now=shanghai(2, 9, 1))).entry
    await cancellation.cancel(holder, str(taken.id), now=NOW)
    await browser.sign_in("13812345678", PASSWORD)
    browser.set_language("en")
    assert (await browser.get(f"/waitlist/{other_entry.id}")).status_code == 404
    assert (await browser.submit(f"/waitlist/{other_entry.id}/accept")).status_code == 404
    assert (await browser.submit(f"/waitlist/{other_entry.id}/withdraw")).status_code == 404
    frozen_clock[0] = shanghai(2, 9, 30)
    late = await browser.submit(f"/waitlist/{entry.id}/accept")
    assert late.status_code == 422
    assert "The time to accept this place has run out, so it went to the next in line." in text_of(
        late.text
    )
    assert await status_of(other_entry) == "offered"
    assert re.search(r"Offer ended", text_of(late.text))
