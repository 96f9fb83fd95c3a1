"""Availability cached day by day: a week overlapping days read before computes only its new
days, and gives exactly what computing the whole week at once gives; a booking's version bump
reaches every week containing its day; where a day's slots depend on the days read with it
(slots that do not tile a day, a change of the clocks), the days are read together as before.
"""

from __future__ import annotations

import asyncio
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from app.cache import clear_all
from spaces.logic.rules import Request
from spaces.services import availability, bookings, catalog
from spaces.services.availability import _minute_after, _slots_by_day, get_availability
from tests.factories import actor_for, make_community, make_space, make_user, shanghai

NOW = shanghai(2, 9, 20)
MONDAY = date(2026, 3, 2)


@pytest.fixture
def computed(monkeypatch: pytest.MonkeyPatch) -> list[tuple[date, int]]:
    """The (first day, days) of every computation from the calendar and holds."""
    calls: list[tuple[date, int]] = []
    compute = availability._slots_by_day

    async def counting(space, rules, zone, first_day, days, now):  # type: ignore[no-untyped-def]
        calls.append((first_day, days))
        return await compute(space, rules, zone, first_day, days, now)

    monkeypatch.setattr(availability, "_slots_by_day", counting)
    return calls


async def overnight_space(booked: bool = True, **rules: object):
    """Open into the night on some days, so that slots near midnight are refused or not by
    the next day's hours; two units, bookings crossing midnight."""
    home = await make_community()
    await make_space(
        home,
        "night-room",
        capacity=2,
        weekly_hours={
            "mon": "18:00-24:00",
            "tue": "00:00-01:00,09:00-23:30",
            "wed": "08:00-24:00",
            "thu": "00:00-24:00",
            "fri": "10:00-12:00",
            "sun": "20:00-24:00",
        },
        min_duration_minutes=90,
        buffer_minutes=15,
        **rules,
    )
    wang, kim = [await actor_for(await make_user(community=home)) for _ in range(2)]
    booked_times = (
        (wang, shanghai(2, 23), 2),
        (kim, shanghai(2, 23), 2),  # both units taken across Monday's midnight
        (wang, shanghai(4, 22, 30), 3),
        (wang, shanghai(5, 9), 2),
    )
    for who, start, hours in booked_times if booked else ():
        await bookings.book(
            who, "night-room", Request(start, start + timedelta(hours=hours)), now=NOW
        )
    return await catalog.get_space("night-room")


async def whole(space, first_day: date, days: int):
    """The days computed together, as before days were cached one by one."""
    rules = catalog.rules_of(space)
    return await _slots_by_day(
        space, rules, catalog.zone_of(space), first_day, days, _minute_after(NOW)
    )


async def test_each_week_is_what_computing_it_whole_gives(db: None) -> None:
    space = await overnight_space()
    seen = set()
    for offset in range(10):
        first = MONDAY - timedelta(days=2) + timedelta(days=offset)
        week = await get_availability(space, first, 7, now=NOW)
        by_day, reachable = await whole(space, first, 7)
        assert week.days == by_day
        assert week.open_intervals == reachable
        seen |= {(s.free_units, s.reason) for _day, slots in week.days for s in slots}
    # Taken, half taken, too short for the next day's hours, past, and free slots were read.
    assert {(0, "capacity"), (1, None), (2, "too_short"), (2, "past"), (2, None)} <= seen


async def test_a_day_and_an_api_month_between_weeks_read_agree(db: None) -> None:
    space = await overnight_space()
    await get_availability(space, MONDAY, 7, now=NOW)
    await get_availability(space, MONDAY + timedelta(days=14), 7, now=NOW)
    month = await get_availability(space, MONDAY - timedelta(days=3), 31, now=NOW)
    by_day, reachable = await whole(space, MONDAY - timedelta(days=3), 31)
    assert month.days == by_day
    assert month.open_intervals == reachable
    clear_all()
    thursday = await get_availability(space, MONDAY + timedelta(days=3), 1, now=NOW)
    assert thursday.days == (await whole(space, MONDAY + timedelta(days=3), 1))[0]


async def test_a_week_overlapping_one_read_computes_only_its_new_day(
    db: None, computed: list[tuple[date, int]]
) -> None:
    space = await overnight_space()
    await get_availability(space, MONDAY, 7, now=NOW)
    await get_availability(space, MONDAY + timedelta(days=1), 7, now=NOW)
    await get_availability(space, MONDAY - timedelta(days=2), 7, now=NOW)
    await get_availability(space, MONDAY + timedelta(days=3), 1, now=NOW)
    assert computed == [
        (MONDAY, 7),
        (MONDAY + timedelta(days=7), 1),
        (MONDAY - timedelta(days=2), 2),
    ]


async def test_weeks_read_at_once_compute_each_day_once(
    db: None, computed: list[tuple[date, int]]
) -> None:
    """Pages of neighbouring weeks arrive together: a day another read is computing is
    waited for, not computed again, and each read gives what computing it whole gives."""
    space = await overnight_space()
    clear_all()
    computed.clear()
    firsts = [MONDAY, MONDAY + timedelta(days=1), MONDAY + timedelta(days=3), MONDAY]
    weeks = await asyncio.gather(*(get_availability(space, f, 7, now=NOW) for f in firsts))
    assert computed == [
        (MONDAY, 7),
        (MONDAY + timedelta(days=7), 1),
        (MONDAY + timedelta(days=8), 2),
    ]
    for first, week in zip(firsts, weeks, strict=True):
        by_day, reachable = await whole(space, first, 7)
        assert week.days == by_day
        assert week.open_intervals == reachable
    assert availability._computing == {}


async def test_days_another_read_failed_to_compute_are_computed_by_those_waiting(
    db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    space = await overnight_space()
    clear_all()
    compute = availability._slots_by_day
    first_call = True

    async def failing_once(space, rules, zone, first_day, days, now):  # type: ignore[no-untyped-def]
        nonlocal first_call
        if first_call:
            first_call = False
            await asyncio.sleep(0)  # the second read finds the days being computed
            raise asyncio.CancelledError  # the first page's request was dropped
        return await compute(space, rules, zone, first_day, days, now)

    monkeypatch.setattr(availability, "_slots_by_day", failing_once)
    dropped, waiting = await asyncio.gather(
        get_availability(space, MONDAY, 7, now=NOW),
        get_availability(space, MONDAY, 7, now=NOW),
        return_exceptions=True,
    )
    assert isinstance(dropped, asyncio.CancelledError)
    assert isinstance(waiting, availability.Availability)
    assert waiting.days == (await whole(space, MONDAY, 7))[0]
    assert availability._computing == {}


async def test_a_booking_reaches_every_cached_week_containing_its_day(db: None) -> None:
    space = await overnight_space()
    thursday_noon = shanghai(5, 12)

    async def free_at_noon(first: date) -> int:
        space = await catalog.get_space("night-room")
        week = await get_availability(space, first, 7, now=NOW)
        return next(
            s.free_units for _d, slots in week.days for s in slots if s.start == thursday_noon
        )

    assert [await free_at_noon(MONDAY), await free_at_noon(MONDAY + timedelta(days=1))] == [2, 2]
    kim = await actor_for(await make_user(community=space.community))
    await bookings.book(
        kim, "night-room", Request(thursday_noon, thursday_noon + timedelta(hours=2)), now=NOW
    )
    assert [await free_at_noon(MONDAY + timedelta(days=1)), await free_at_noon(MONDAY)] == [1, 1]


async def test_slots_that_do_not_tile_a_day_are_computed_with_the_days_read(
    db: None, computed: list[tuple[date, int]]
) -> None:
    # 50-minute slots from Thursday's midnight run across Friday's: a day read alone would not
    # have them, so each week is computed whole, as before.
    space = await overnight_space(booked=False, slot_minutes=50)
    await get_availability(space, MONDAY, 7, now=NOW)
    week = await get_availability(space, MONDAY + timedelta(days=1), 7, now=NOW)
    assert computed == [(MONDAY, 7), (MONDAY + timedelta(days=1), 7)]
    tuesday = week.days[0][1]
    assert (tuesday[0].start, tuesday[0].end) == (shanghai(3, 0), shanghai(3, 0, 50))
    assert week.days == (await whole(space, MONDAY + timedelta(days=1), 7))[0]


async def test_days_around_a_change_of_the_clocks_are_computed_with_the_days_read(
    db: None, computed: list[tuple[date, int]]
) -> None:
    home = await make_community()
    space = await make_space(home, "berlin", timezone="Europe/Berlin")
    # Clocks go forward in Berlin early on Sunday 29 March 2026.
    now = datetime(2026, 3, 20, 9, tzinfo=ZoneInfo("Europe/Berlin"))
    await get_availability(space, date(2026, 3, 24), 7, now=now)
    await get_availability(space, date(2026, 3, 25), 7, now=now)
    await get_availability(space, date(2026, 3, 16), 7, now=now)
    await get_availability(space, date(2026, 3, 17), 7, now=now)
    assert computed == [
        (date(2026, 3, 24), 7),
        (date(2026, 3, 25), 7),
        (date(2026, 3, 16), 7),
        (date(2026, 3, 23), 1),
    ]
