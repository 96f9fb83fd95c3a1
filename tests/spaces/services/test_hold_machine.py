"""No sequence of bookings, requests, approvals, cancellations, blocks and waitlist offers ever
overbooks a space, checked by the independent oracle after every step.

Hypothesis draws sequences of up to 20 steps and runs them through the real services on a
fresh pair of spaces (one that confirms at once, one whose staff approve), with a turnaround
buffer and several units; after each step the oracle sums what the raw rows hold minute by
minute. Refusals are expected; a 5xx-like error (anything but a domain error) fails.
"""

from __future__ import annotations

import contextlib
import itertools
from dataclasses import dataclass, field
from datetime import timedelta

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from app.calendar_exceptions import CANCEL, fingerprint
from app.errors import DomainError
from app.i18n import set_locale
from app.permissions import Actor
from spaces.logic.closures import SpaceClosureDraft
from spaces.logic.rules import Request
from spaces.logic.statuses import BookingStatus, WaitlistStatus
from spaces.services import bookings, cancellation, closures, decisions, waitlist
from spaces.tables import Booking, Space, WaitlistEntry
from tests.factories import actor_for, make_community, make_space, make_user, shanghai
from tests.spaces.oracle import overbooked_in

NOW = shanghai(1, 20)
FIRST = shanghai(2, 8)
"""Every step's times are whole slots from 08:00 on Monday 2 March."""
SLOT = timedelta(minutes=30)
CAPACITY = 2
_runs = itertools.count()

spans = st.tuples(st.integers(0, 11), st.integers(1, 4))
"""A start slot and a length in slots."""
steps = st.one_of(
    st.tuples(st.just("book"), st.integers(0, 2), spans, st.integers(1, CAPACITY)),
    st.tuples(st.just("request"), st.integers(0, 2), spans, st.integers(1, CAPACITY)),
    st.tuples(st.just("approve"), st.integers(0, 30)),
    st.tuples(st.just("cancel"), st.integers(0, 30)),
    st.tuples(st.just("block"), st.booleans(), spans, st.integers(1, CAPACITY)),
    st.tuples(st.just("wait"), st.integers(0, 2), spans, st.integers(1, CAPACITY)),
    st.tuples(st.just("accept"), st.integers(0, 30)),
)


@dataclass
class World:
    staff: Actor
    residents: list[Actor]
    direct: Space
    approved: Space
    made: list[Booking] = field(default_factory=list)


async def _world() -> World:
    run = next(_runs)
    home = await make_community(f"machine-{run}")
    staff = await actor_for(await make_user(f"staff{run}@example.com", staff_of=[home]))
    residents = [await actor_for(await make_user(community=home)) for _ in range(3)]
    common = {"capacity": CAPACITY, "buffer_minutes": 30, "waitlist_offer_minutes": 60}
    direct = await make_space(home, f"direct-{run}", **common)
    approved = await make_space(home, f"approved-{run}", requires_approval=True, **common)
    return World(staff, residents, direct, approved)


def _request(span: tuple[int, int], units: int) -> Request:
    start, length = span
    return Request(FIRST + start * SLOT, FIRST + (start + length) * SLOT, units)


async def _step(world: World, step: tuple) -> None:
    kind = step[0]
    if kind in {"book", "request"}:
        _kind, who, span, units = step
        space = world.direct if kind == "book" else world.approved
        booked = await bookings.book(
            world.residents[who], space.slug, _request(span, units), now=NOW
        )
        world.made.append(booked.booking)
    elif kind == "approve":
        pending = [b for b in world.made if b.space == world.approved.id]
        if pending:
            await decisions.approve(world.staff, str(pending[step[1] % len(pending)].id), now=NOW)
    elif kind == "cancel":
        if world.made:
            booking = world.made[step[1] % len(world.made)]
            await cancellation.cancel(world.staff, str(booking.id), reason="换时间", now=NOW)
    elif kind == "block":
        _kind, on_direct, span, units = step
        space = world.direct if on_direct else world.approved
        request = _request(span, units)
        draft = SpaceClosureDraft(request.start, request.end, False, "检修", units)
        hit = await closures.preview(world.staff, space, draft)
        await closures.add(
            world.staff,
            space,
            draft,
            choice=CANCEL,
            cancel_reason="检修",
            expected=fingerprint(b.id for b in hit),
            now=NOW,
        )
    elif kind == "wait":
        _kind, who, span, units = step
        await waitlist.join(world.residents[who], world.direct.slug, _request(span, units), now=NOW)
    elif kind == "accept":
        offered = await WaitlistEntry.objects().where(
            (WaitlistEntry.space == world.direct.id)
            & (WaitlistEntry.status == WaitlistStatus.offered.value)
        )
        if offered:
            entry = offered[step[1] % len(offered)]
            owner = next(r for r in world.residents if r.id == entry.user)
            world.made.append(await waitlist.accept(owner, str(entry.id), now=NOW))


@settings(
    max_examples=50,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    stateful_step_count=20,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(sequence=st.lists(steps, min_size=1, max_size=20))
async def test_no_sequence_of_steps_overbooks(db: None, sequence: list[tuple]) -> None:
    set_locale("en")
    world = await _world()
    for step in sequence:
        # A refusal is explained; what matters is that nothing overbooks.
        with contextlib.suppress(DomainError):
            await _step(world, step)
        for space in (world.direct, world.approved):
            assert await overbooked_in(space.id) == {}, (step, space.slug)
    statuses = {
        b.status
        for b in await Booking.objects().where(
            Booking.space.is_in([world.direct.id, world.approved.id])
        )
    }
    assert statuses <= {s.value for s in BookingStatus}


def test_the_oracle_sees_an_overbooked_minute() -> None:
    """Two confirmed one-unit bookings of a one-unit space, the second starting in the
    first's 15-minute buffer, overbook the space for exactly those 15 minutes; a block
    holds no buffer."""
    from tests.spaces.oracle import overbooked_minutes

    first = (shanghai(2, 9), shanghai(2, 10), 1)
    second = (shanghai(2, 10), shanghai(2, 11), 1)
    found = overbooked_minutes(1, 15, [first, second])
    assert list(found) == [shanghai(2, 10) + timedelta(minutes=m) for m in range(15)]
    assert set(found.values()) == {2}
    assert overbooked_minutes(1, 15, [second], blocks=[first]) == {}
    assert overbooked_minutes(1, 0, [first, second]) == {}
