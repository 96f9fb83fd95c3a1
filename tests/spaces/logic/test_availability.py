"""The availability engine, checked by examples and against a brute-force model."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.calendar import Calendar, Interval, WeeklyHours, wall_to_utc
from spaces.logic.availability import (
    HeldUnits,
    Hold,
    Shortfall,
    Slot,
    Usage,
    hold_of,
    is_aligned,
    slot_grid,
    slot_starts,
    slots,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
BERLIN = ZoneInfo("Europe/Berlin")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def local(zone: ZoneInfo, *args: int) -> datetime:
    return wall_to_utc(datetime(*args), zone)


def test_usage_peak_counts_overlapping_holds() -> None:
    usage = Usage(
        [
            Hold(utc(2026, 3, 2, 1), utc(2026, 3, 2, 3), 1),
            Hold(utc(2026, 3, 2, 2), utc(2026, 3, 2, 4), 2),
        ]
    )
    assert usage.peak(utc(2026, 3, 2, 0), utc(2026, 3, 2, 1)) == 0
    assert usage.peak(utc(2026, 3, 2, 1), utc(2026, 3, 2, 2)) == 1
    assert usage.peak(utc(2026, 3, 2, 1), utc(2026, 3, 2, 5)) == 3
    assert usage.peak(utc(2026, 3, 2, 3), utc(2026, 3, 2, 4)) == 2
    assert usage.peak(utc(2026, 3, 2, 4), utc(2026, 3, 2, 5)) == 0


def test_usage_peaks_sweeps_the_spans_in_order_with_the_same_answers() -> None:
    usage = Usage(
        [
            Hold(utc(2026, 3, 2, 1), utc(2026, 3, 2, 3), 1),
            Hold(utc(2026, 3, 2, 2), utc(2026, 3, 2, 4), 2),
        ]
    )
    spans = [
        (utc(2026, 3, 2, 0), utc(2026, 3, 2, 1)),
        (utc(2026, 3, 2, 1), utc(2026, 3, 2, 2)),
        (utc(2026, 3, 2, 1), utc(2026, 3, 2, 5)),
        (utc(2026, 3, 2, 3), utc(2026, 3, 2, 4)),
        (utc(2026, 3, 2, 4), utc(2026, 3, 2, 5)),
    ]
    assert usage.peaks(spans) == [0, 1, 3, 2, 0]
    assert usage.peaks(spans) == [usage.peak(start, end) for start, end in spans]
    assert Usage(()).peaks(spans[:2]) == [0, 0]


DAY = Interval(utc(2026, 3, 2), utc(2026, 3, 3))


def held(buffer: timedelta, *bookings: tuple[datetime, datetime, int]) -> HeldUnits:
    """One unit, the bookings holding with `buffer`, read for the whole of 2 March."""
    holds = [hold_of(start, end, units, buffer) for start, end, units in bookings]
    return HeldUnits(DAY, 1, buffer, holds)


def test_buffer_keeps_units_held_after_the_end() -> None:
    quarter = timedelta(minutes=15)
    earlier = held(quarter, (utc(2026, 3, 2, 1), utc(2026, 3, 2, 2), 1))
    assert not earlier.fits(Interval(utc(2026, 3, 2, 2), utc(2026, 3, 2, 2, 15)), 1)
    assert not earlier.fits(Interval(utc(2026, 3, 2, 2, 14), utc(2026, 3, 2, 2, 30)), 1)
    assert earlier.fits(Interval(utc(2026, 3, 2, 2, 15), utc(2026, 3, 2, 2, 30)), 1)


def test_a_new_bookings_own_buffer_may_not_run_into_a_hold() -> None:
    quarter = timedelta(minutes=15)
    later = held(quarter, (utc(2026, 3, 2, 3), utc(2026, 3, 2, 4), 1))
    assert not later.fits(Interval(utc(2026, 3, 2, 2, 30), utc(2026, 3, 2, 3)), 1)
    assert not later.fits(Interval(utc(2026, 3, 2, 2), utc(2026, 3, 2, 2, 46)), 1)
    assert later.fits(Interval(utc(2026, 3, 2, 2), utc(2026, 3, 2, 2, 45)), 1)
    no_buffer = held(timedelta(), (utc(2026, 3, 2, 3), utc(2026, 3, 2, 4), 1))
    assert no_buffer.fits(Interval(utc(2026, 3, 2, 2, 30), utc(2026, 3, 2, 3)), 1)


def test_a_block_holds_its_span_exactly() -> None:
    quarter = timedelta(minutes=15)
    block = HeldUnits(DAY, 1, quarter, [Hold(utc(2026, 3, 2, 3), utc(2026, 3, 2, 4), 1)])
    # A booking ending as the block starts: its own buffer runs into the block.
    assert not block.fits(Interval(utc(2026, 3, 2, 2), utc(2026, 3, 2, 3)), 1)
    # A booking starting as the block ends: the block has no buffer.
    assert block.fits(Interval(utc(2026, 3, 2, 4), utc(2026, 3, 2, 5)), 1)
    # Another block may follow a booking's end at once only if the buffer is over.
    booked = held(quarter, (utc(2026, 3, 2, 1), utc(2026, 3, 2, 2), 1))
    assert not booked.fits(Interval(utc(2026, 3, 2, 2), utc(2026, 3, 2, 3)), 1, buffered=False)
    assert booked.fits(Interval(utc(2026, 3, 2, 2, 15), utc(2026, 3, 2, 3)), 1, buffered=False)


def test_shortfall_says_where_a_booking_runs_out_of_units() -> None:
    half = timedelta(minutes=30)
    later = held(half, (utc(2026, 3, 2, 3), utc(2026, 3, 2, 4), 1))
    block = Hold(utc(2026, 3, 2, 3), utc(2026, 3, 2, 4), 1, maintenance=True)
    blocked = HeldUnits(DAY, 1, half, [block])
    two_to_three = Interval(utc(2026, 3, 2, 2), utc(2026, 3, 2, 3))
    three_to_four = Interval(utc(2026, 3, 2, 3, 30), utc(2026, 3, 2, 4, 30))
    # The span is free; its own buffer runs into the booking at 03:00, or the block.
    assert later.shortfall(two_to_three, 1) == Shortfall(utc(2026, 3, 2, 3), True, False)
    assert blocked.shortfall(two_to_three, 1) == Shortfall(utc(2026, 3, 2, 3), True, True)
    # The span itself is held: by the booking (and its buffer), or by the block.
    assert later.shortfall(three_to_four, 1) == Shortfall(utc(2026, 3, 2, 3, 30), False, False)
    assert blocked.shortfall(three_to_four, 1) == Shortfall(utc(2026, 3, 2, 3, 30), False, True)
    assert later.shortfall(Interval(utc(2026, 3, 2, 1), utc(2026, 3, 2, 2, 30)), 1) is None
    # Of two units, one booked and one blocked, the block is what leaves none.
    mixed = HeldUnits(
        DAY, 2, half, [hold_of(utc(2026, 3, 2, 3), utc(2026, 3, 2, 4), 1, half), block]
    )
    assert mixed.shortfall(two_to_three, 1) == Shortfall(utc(2026, 3, 2, 3), True, True)
    # Moving the booking away leaves the block, still named for two units.
    moved = mixed.without([(utc(2026, 3, 2, 3), utc(2026, 3, 2, 4), 1)])
    assert moved.shortfall(two_to_three, 2) == Shortfall(utc(2026, 3, 2, 3), True, True)


@settings(max_examples=100, deadline=None, derandomize=True)
@given(
    capacity=st.integers(1, 3),
    buffer_minutes=st.sampled_from([0, 15, 30]),
    raw_holds=st.lists(
        st.tuples(st.integers(0, 20), st.integers(1, 6), st.integers(1, 3), st.booleans()),
        max_size=5,
    ),
    start=st.integers(0, 20),
    length=st.integers(1, 6),
    units=st.integers(1, 3),
)
def test_shortfall_is_none_exactly_when_the_booking_fits(
    capacity: int,
    buffer_minutes: int,
    raw_holds: list[tuple[int, int, int, bool]],
    start: int,
    length: int,
    units: int,
) -> None:
    buffer = timedelta(minutes=buffer_minutes)
    origin = utc(2026, 3, 2, 1)
    at = [origin + timedelta(minutes=15 * n) for n in range(40)]
    holds = [
        Hold(at[s], at[s + n] + (ZERO if block else buffer), u, maintenance=block)
        for s, n, u, block in raw_holds
    ]
    engine = HeldUnits(DAY, capacity, buffer, holds)
    span = Interval(at[start], at[start + length])
    short = engine.shortfall(span, units)
    assert (short is None) == engine.fits(span, units)
    if short is not None:
        # The first instant without the units, inside the span and its buffer.
        assert span.start <= short.at < span.end + buffer
        assert engine.usage.level_at(short.at) + units > capacity
        assert engine.fits(Interval(span.start, short.at), units, buffered=False) or (
            short.at == span.start
        )


ZERO = timedelta(0)


def test_asking_about_a_span_that_was_not_read_is_a_bug() -> None:
    nothing = held(timedelta(minutes=15))
    with pytest.raises(ValueError, match="was not read"):
        nothing.fits(Interval(utc(2026, 3, 2, 23, 30), utc(2026, 3, 3, 0, 30)), 1)
    with pytest.raises(ValueError, match="was not read"):
        nothing.held(Interval(utc(2026, 3, 1, 23), utc(2026, 3, 2, 1)))


def test_an_offer_added_and_bookings_let_go() -> None:
    quarter = timedelta(minutes=15)
    booking = (utc(2026, 3, 2, 1), utc(2026, 3, 2, 2), 1)
    units = held(quarter, booking)
    assert units.without([booking]).fits(Interval(utc(2026, 3, 2, 1), utc(2026, 3, 2, 2)), 1)
    units.add(Interval(utc(2026, 3, 2, 5), utc(2026, 3, 2, 6)), 1)
    assert not units.fits(Interval(utc(2026, 3, 2, 6), utc(2026, 3, 2, 7)), 1)
    assert units.fits(Interval(utc(2026, 3, 2, 6, 15), utc(2026, 3, 2, 7)), 1)


def test_slots_of_a_morning_with_free_units() -> None:
    opening = [Interval(local(SHANGHAI, 2026, 3, 2, 9), local(SHANGHAI, 2026, 3, 2, 11))]
    usage = Usage(
        [Hold(local(SHANGHAI, 2026, 3, 2, 9, 30), local(SHANGHAI, 2026, 3, 2, 10, 15), 2)]
    )
    result = [
        (s.start.astimezone(SHANGHAI).strftime("%H:%M"), s.free_units)
        for s in slots(opening, SHANGHAI, 30, 3, usage)
    ]
    assert result == [("09:00", 3), ("09:30", 1), ("10:00", 1), ("10:30", 3)]


def test_slots_align_to_the_local_grid_even_when_opening_is_not() -> None:
    opening = Interval(local(SHANGHAI, 2026, 3, 2, 9, 10), local(SHANGHAI, 2026, 3, 2, 10, 50))
    starts = [s.astimezone(SHANGHAI).strftime("%H:%M") for s in slot_starts(opening, SHANGHAI, 30)]
    assert starts == ["09:30", "10:00"]


def test_spring_forward_never_offers_a_missing_local_time() -> None:
    opening = Interval(local(BERLIN, 2026, 3, 29, 0), local(BERLIN, 2026, 3, 29, 5))
    starts = [s.astimezone(BERLIN).strftime("%H:%M") for s in slot_starts(opening, BERLIN, 60)]
    assert starts == ["00:00", "01:00", "03:00", "04:00"]


def test_fall_back_offers_the_repeated_hour_twice_with_its_offset() -> None:
    opening = Interval(local(BERLIN, 2026, 10, 25, 1), local(BERLIN, 2026, 10, 25, 4))
    starts = [s.astimezone(BERLIN).strftime("%H:%M%z") for s in slot_starts(opening, BERLIN, 60)]
    assert starts == ["01:00+0200", "02:00+0200", "02:00+0100", "03:00+0100"]


# --- a brute-force model, minute by minute -----------------------------------------------------

ZONES = [SHANGHAI, BERLIN, ZoneInfo("America/New_York"), ZoneInfo("Asia/Kathmandu")]
# Days around both of Berlin's and New York's clock changes in 2026, and ordinary days.
DAYS = [
    date(2026, 3, 8),
    date(2026, 3, 29),
    date(2026, 10, 25),
    date(2026, 11, 1),
    date(2026, 6, 10),
]


def model_free_units(start: datetime, end: datetime, capacity: int, holds: list[Hold]) -> int:
    worst = 0
    moment = start
    while moment < end:
        held = sum(h.units for h in holds if h.start <= moment < h.end)
        worst = max(worst, held)
        moment += timedelta(minutes=1)
    return max(0, capacity - worst)


def model_slot_starts(opening: list[Interval], zone: ZoneInfo, slot_minutes: int) -> list[datetime]:
    found = []
    for interval in opening:
        moment = interval.start
        while moment + timedelta(minutes=slot_minutes) <= interval.end:
            wall = moment.astimezone(zone)
            if wall.second == 0 and (wall.hour * 60 + wall.minute) % slot_minutes == 0:
                found.append(moment)
            moment += timedelta(minutes=1)
    return found


def _half_hour(n: int) -> str:
    return f"{n // 2 % 24:02d}:{n % 2 * 30:02d}"


# Opening ranges on the half hour, from half an hour to ten hours, overnight ones included.
ranges = st.tuples(st.integers(0, 47), st.integers(1, 20)).map(
    lambda t: f"{_half_hour(t[0])}-{_half_hour(t[0] + t[1])}"
)


@settings(
    max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
@given(
    zone=st.sampled_from(ZONES),
    day=st.sampled_from(DAYS),
    hours=ranges,
    slot_minutes=st.sampled_from([15, 30, 60]),
    capacity=st.integers(1, 4),
    raw_holds=st.lists(
        st.tuples(st.integers(0, 36 * 4), st.integers(1, 16), st.integers(1, 3)), max_size=6
    ),
    buffer_minutes=st.sampled_from([0, 10, 30]),
)
def test_engine_matches_the_brute_force_model(
    zone: ZoneInfo,
    day: date,
    hours: str,
    slot_minutes: int,
    capacity: int,
    raw_holds: list[tuple[int, int, int]],
    buffer_minutes: int,
) -> None:
    try:
        weekly = WeeklyHours.parse(
            {name: hours for name in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
        )
    except ValueError:
        return
    calendar = Calendar(zone=zone, weekly=weekly)
    window = Interval(
        wall_to_utc(datetime.combine(day, time()), zone),
        wall_to_utc(datetime.combine(day + timedelta(days=1), time()), zone),
    )
    opening = calendar.open_intervals(window)
    origin = window.start - timedelta(hours=6)
    bookings = [
        (origin + timedelta(minutes=15 * s), origin + timedelta(minutes=15 * (s + length)), units)
        for s, length, units in raw_holds
    ]
    holds = [hold_of(s, e, u, timedelta(minutes=buffer_minutes)) for s, e, u in bookings]
    engine = slots(opening, zone, slot_minutes, capacity, Usage(holds))

    assert [s.start for s in engine] == model_slot_starts(opening, zone, slot_minutes)
    for slot in engine:
        assert is_aligned(slot.start, zone, slot_minutes)
        assert slot.end - slot.start == timedelta(minutes=slot_minutes)
        assert slot.free_units == model_free_units(slot.start, slot.end, capacity, holds)
        # Never offers a slot that would overbook: booking every free unit stays within capacity.
        if slot.free_units:
            span = Interval(slot.start, slot.end)
            unbuffered = HeldUnits(window, capacity, timedelta(), holds)
            assert unbuffered.fits(span, slot.free_units)
            assert not unbuffered.fits(span, slot.free_units + 1)


@settings(max_examples=80, deadline=None, derandomize=True)
@given(
    lead=st.sampled_from([None, 0, 30, 90]),
    horizon=st.sampled_from([None, 1]),
    min_minutes=st.sampled_from([None, 60, 90]),
    buffer_minutes=st.sampled_from([0, 15, 30]),
    capacity=st.integers(1, 3),
    raw_holds=st.lists(
        st.tuples(st.integers(0, 40), st.integers(1, 8), st.integers(1, 3)), max_size=5
    ),
    now_offset=st.integers(0, 20),
)
def test_bookable_slots_are_exactly_those_the_booking_rules_accept(
    lead: int | None,
    horizon: int | None,
    min_minutes: int | None,
    buffer_minutes: int,
    capacity: int,
    raw_holds: list[tuple[int, int, int]],
    now_offset: int,
) -> None:
    """What the week grid offers is what booking would accept, and nothing else."""
    from spaces.logic.rules import Request, Rules, check_request, refusal_reasons

    rules = Rules(
        capacity=capacity,
        lead_time_minutes=lead,
        horizon_days=horizon,
        min_duration_minutes=min_minutes,
        buffer_minutes=buffer_minutes,
    )
    zone = SHANGHAI
    calendar = Calendar(
        zone=zone, weekly=WeeklyHours.parse({d: "08:00-12:00, 13:00-18:00" for d in ("mon", "tue")})
    )
    window = Interval(local(zone, 2026, 3, 2, 0), local(zone, 2026, 3, 4, 0))
    opening = calendar.open_intervals(window)
    origin = local(zone, 2026, 3, 2, 8)
    now = origin + timedelta(minutes=15 * now_offset)
    bookings = [
        (origin + timedelta(minutes=30 * s), origin + timedelta(minutes=30 * (s + n)), u)
        for s, n, u in raw_holds
    ]
    holds = HeldUnits(
        window, capacity, rules.buffer, [hold_of(s, e, u, rules.buffer) for s, e, u in bookings]
    )
    grid = slot_grid(opening, zone, 30, capacity, holds.usage)
    found = slots(opening, zone, 30, capacity, holds.usage)
    assert found == [Slot(*slot) for slot in zip(*grid, strict=True)]
    length = timedelta(minutes=max(30, min_minutes or 0))
    for slot, reason in zip(found, refusal_reasons(grid, rules, opening, holds, now), strict=True):
        request = Request(slot.start, slot.start + length)
        accepted = not check_request(
            rules, request, zone=zone, now=now, open_intervals=opening, mine=[]
        ) and holds.fits(request.span, 1)
        assert (reason is None) == accepted, (slot, reason)


def test_refusal_reasons_name_each_slot_s_first_rule() -> None:
    """Each slot's reason, in the order the rules are asked: capacity first, then past,
    lead time, horizon, and a shortest booking that does not fit (too short)."""
    from spaces.logic.rules import Rules, refusal_reasons

    rules = Rules(capacity=1, lead_time_minutes=60, horizon_days=1, min_duration_minutes=60)
    zone = SHANGHAI
    calendar = Calendar(
        zone=zone, weekly=WeeklyHours.parse({"mon": "08:00-12:00", "tue": "08:00-12:00"})
    )
    opening = calendar.open_intervals(
        Interval(local(zone, 2026, 3, 2, 0), local(zone, 2026, 3, 4, 0))
    )
    holds = HeldUnits(
        Interval(local(zone, 2026, 3, 2, 0), local(zone, 2026, 3, 4, 0)),
        1,
        rules.buffer,
        [
            hold_of(local(zone, 2026, 3, 2, 8), local(zone, 2026, 3, 2, 8, 30), 1, rules.buffer),
            hold_of(local(zone, 2026, 3, 2, 10), local(zone, 2026, 3, 2, 10, 30), 1, rules.buffer),
        ],
    )
    grid = slot_grid(opening, zone, 30, 1, holds.usage)
    now = local(zone, 2026, 3, 2, 8, 10)

    assert refusal_reasons(grid, rules, opening, holds, now) == [
        "capacity",  # 08:00, past as well
        "lead_time",  # 08:30
        "lead_time",  # 09:00
        "too_short",  # 09:30: an hour from here runs into 10:00's booking
        "capacity",  # 10:00
        None,  # 10:30
        None,  # 11:00
        "too_short",  # 11:30: an hour from here runs past 12:00
        *["horizon"] * 8,  # Tuesday: an hour from 08:00 ends after Tuesday 08:10
    ]
    assert refusal_reasons(grid, rules, opening, holds, local(zone, 2026, 3, 2, 9)) == [
        "capacity",
        "past",
        "lead_time",
        "lead_time",
        "capacity",
        None,
        None,
        "too_short",
        None,  # Tuesday 08:00: an hour from here ends on the horizon, not after it
        *["horizon"] * 7,
    ]


def test_held_units_of_stored_rows_add_the_buffer_to_bookings_only() -> None:
    """`of_rows` (a booking's or offer's own span, or a block's) holds as the `Hold`s do."""
    quarter = timedelta(minutes=15)
    rows = [
        (utc(2026, 3, 2, 1), utc(2026, 3, 2, 2), 1, False),  # held to 02:15
        (utc(2026, 3, 2, 1, 30), utc(2026, 3, 2, 3), 2, True),  # a block: exactly
        (utc(2026, 3, 2, 2), utc(2026, 3, 2, 2), 1, False),  # empty: its buffer still holds
        (utc(2026, 3, 2, 4), utc(2026, 3, 2, 5), 0, False),  # no units: nothing
    ]
    read = HeldUnits.of_rows(DAY, 3, quarter, rows)
    holds = [
        Hold(start, end if block else end + quarter, units, maintenance=block)
        for start, end, units, block in rows
    ]
    for held_units in (read, HeldUnits(DAY, 3, quarter, holds)):
        assert list(zip(held_units.usage.times, held_units.usage.levels, strict=True)) == [
            (utc(2026, 3, 2, 1), 1),
            (utc(2026, 3, 2, 1, 30), 3),
            (utc(2026, 3, 2, 2), 4),
            (utc(2026, 3, 2, 2, 15), 2),
            (utc(2026, 3, 2, 3), 0),
        ]
        assert list(zip(held_units.blocks.times, held_units.blocks.levels, strict=True)) == [
            (utc(2026, 3, 2, 1, 30), 2),
            (utc(2026, 3, 2, 3), 0),
        ]
