"""The availability engine, checked by examples and against a brute-force model."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.calendar import Calendar, Interval, WeeklyHours, wall_to_utc
from spaces.logic.availability import Hold, Usage, fits, holds_of, is_aligned, slot_starts, slots

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


def test_buffer_keeps_units_held_after_the_end() -> None:
    usage = Usage(holds_of([(utc(2026, 3, 2, 1), utc(2026, 3, 2, 2), 1)], timedelta(minutes=15)))
    after = Interval(utc(2026, 3, 2, 2), utc(2026, 3, 2, 2, 30))
    assert not fits(after, 1, 1, timedelta(), usage)
    later = Interval(utc(2026, 3, 2, 2, 30), utc(2026, 3, 2, 3))
    assert fits(later, 1, 1, timedelta(), usage)
    # The new booking's own buffer must not run into the next booking either.
    usage = Usage(holds_of([(utc(2026, 3, 2, 3), utc(2026, 3, 2, 4), 1)], timedelta()))
    before = Interval(utc(2026, 3, 2, 2, 30), utc(2026, 3, 2, 3))
    assert fits(before, 1, 1, timedelta(), usage)
    assert not fits(before, 1, 1, timedelta(minutes=15), usage)


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
    holds = holds_of(bookings, timedelta(minutes=buffer_minutes))
    engine = slots(opening, zone, slot_minutes, capacity, Usage(holds))

    assert [s.start for s in engine] == model_slot_starts(opening, zone, slot_minutes)
    for slot in engine:
        assert is_aligned(slot.start, zone, slot_minutes)
        assert slot.end - slot.start == timedelta(minutes=slot_minutes)
        assert slot.free_units == model_free_units(slot.start, slot.end, capacity, holds)
        # Never offers a slot that would overbook: booking every free unit stays within capacity.
        if slot.free_units:
            span = Interval(slot.start, slot.end)
            assert fits(span, slot.free_units, capacity, timedelta(), Usage(holds))
            assert not fits(span, slot.free_units + 1, capacity, timedelta(), Usage(holds))


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
    usage = Usage(holds_of(bookings, rules.buffer))
    found = slots(opening, zone, 30, capacity, usage)
    length = timedelta(minutes=max(30, min_minutes or 0))
    for slot, reason in zip(found, refusal_reasons(found, rules, opening, usage, now), strict=True):
        request = Request(slot.start, slot.start + length)
        accepted = not check_request(
            rules, request, zone=zone, now=now, open_intervals=opening, mine=[]
        ) and fits(request.span, 1, capacity, rules.buffer, usage)
        assert (reason is None) == accepted, (slot, reason)
