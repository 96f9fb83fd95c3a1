"""Several staff deciding at once: the capacity-checked approval decides each request once
and never overbooks."""

from __future__ import annotations

import asyncio

from app.errors import Conflict
from app.tables import Notification
from spaces.logic.rules import Request
from spaces.services import bookings, decisions
from spaces.tables import Booking
from tests.factories import (
    NOW,
    actor_for,
    make_community,
    make_space,
    make_user,
    shanghai,
)


async def requests_of(home, names: list[str]) -> list[Booking]:
    made = []
    for name in names:
        actor = await actor_for(await make_user(community=home, name=name))
        slot = Request(shanghai(3, 19), shanghai(3, 21))
        made.append((await bookings.book(actor, "hall", slot, now=NOW)).booking)
    return made


async def test_two_staff_approving_competing_requests_at_once(db_pool: None) -> None:
    home = await make_community()
    await make_space(home, "hall", requires_approval=True)
    staff = [await actor_for(await make_user(staff_of=[home])) for _ in range(2)]
    requests = await requests_of(home, ["陈老师", "周师傅"])

    async def approve(actor, booking: Booking) -> str:
        try:
            await decisions.approve(actor, str(booking.id), now=NOW)
        except Conflict:
            return "refused"
        return "approved"

    results = await asyncio.gather(*(approve(a, b) for a, b in zip(staff, requests, strict=True)))
    assert sorted(results) == ["approved", "refused"]
    statuses = sorted(b.status for b in await Booking.objects())
    assert statuses == ["confirmed", "pending"]


async def test_the_same_request_approved_twice_at_once_is_decided_once(db_pool: None) -> None:
    home = await make_community()
    await make_space(home, "hall", requires_approval=True)
    staff = [await actor_for(await make_user(staff_of=[home])) for _ in range(5)]
    (request,) = await requests_of(home, ["陈老师"])

    async def approve(actor) -> str:
        try:
            await decisions.approve(actor, str(request.id), now=NOW)
        except Conflict as exc:
            return exc.rule or "conflict"
        return "approved"

    results = await asyncio.gather(*(approve(a) for a in staff))
    assert sorted(results) == ["approved", "decided", "decided", "decided", "decided"]
    assert await Notification.count().where(Notification.kind == "booking.approved") == 1
