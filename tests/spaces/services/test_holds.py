"""The hold rule in every capacity-checked write, and everything read inside the space's lock.

A confirmed booking or a waitlist offer holds its span plus the space's buffer; a maintenance
block holds its span exactly; a new booking's own buffer may not run into any hold. The demo
ladder is the case: one unit, a 30-minute turnaround."""

import pytest

from app.errors import Conflict, RuleViolation
from app.i18n import set_locale
from spaces.logic.rules import Request
from spaces.logic.statuses import BookingStatus, WaitlistStatus
from spaces.services import bookings, cancellation, decisions, series, waitlist
from spaces.tables import Booking, Space, SpaceClosure, WaitlistEntry
from tests.factories import actor_for, make_community, make_space, make_user, shanghai
from tests.spaces.services.test_series import elderly_band

NOW = shanghai(1, 20)
ALL_DAY = {day: "00:00-24:00" for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


@pytest.fixture(autouse=True)
def english() -> None:
    set_locale("en")


async def ladder(home, slug: str = "ladder", *, capacity: int = 1, **rules: object) -> Space:
    return await make_space(
        home, slug, capacity=capacity, buffer_minutes=30, weekly_hours=ALL_DAY, **rules
    )


async def resident(home):
    return await actor_for(await make_user(community=home))


def at(hour: int, minute: int = 0, end_hour: int | None = None, end_minute: int = 0) -> Request:
    """On Monday 2 March 2026, Shanghai time."""
    return Request(shanghai(2, hour, minute), shanghai(2, end_hour or hour + 1, end_minute))


async def confirmed(space_slug: str) -> list[tuple]:
    rows = await Booking.select(Booking.starts_at, Booking.ends_at).where(
        (Booking.space.slug == space_slug) & (Booking.status == BookingStatus.confirmed.value)
    )
    return sorted((r["starts_at"], r["ends_at"]) for r in rows)


async def test_an_earlier_booking_whose_buffer_runs_into_a_later_one_is_refused(
    db: None,
) -> None:
    home = await make_community()
    await ladder(home)
    first, second = await resident(home), await resident(home)
    await bookings.book(first, "ladder", at(3), now=NOW)
    with pytest.raises(Conflict) as refused:
        await bookings.book(second, "ladder", at(2), now=NOW)
    assert refused.value.rule == "capacity"
    assert refused.value.detail == (
        "This space needs 30 min of turnaround after each booking, and the next booking "
        "starts at 03:00. Here are the nearest free times."
    )
    # The nearest free times of the same length leave the turnaround before 03:00 free.
    assert [a.start for a in refused.value.alternatives] == [
        "2026-03-02T01:30:00+08:00",
        "2026-03-02T01:00:00+08:00",
        "2026-03-02T00:30:00+08:00",
    ]
    booked = await bookings.book(second, "ladder", at(1, 30, 2, 30), now=NOW)
    assert booked.created
    assert await confirmed("ladder") == [
        (shanghai(2, 1, 30), shanghai(2, 2, 30)),
        (shanghai(2, 3), shanghai(2, 4)),
    ]


async def test_a_later_booking_inside_an_earlier_ones_buffer_is_refused(db: None) -> None:
    home = await make_community()
    await ladder(home)
    first, second = await resident(home), await resident(home)
    await bookings.book(first, "ladder", at(2), now=NOW)
    with pytest.raises(Conflict):
        await bookings.book(second, "ladder", at(3), now=NOW)
    assert (await bookings.book(second, "ladder", at(3, 30, 4, 30), now=NOW)).created


async def test_a_booking_ending_as_a_block_starts_is_refused_one_starting_as_it_ends_is_not(
    db: None,
) -> None:
    home = await make_community()
    space = await ladder(home)
    await SpaceClosure(
        space=space.id, starts_at=shanghai(2, 3), ends_at=shanghai(2, 4), units=1, created_at=NOW
    ).save()
    wang = await resident(home)
    with pytest.raises(Conflict) as refused:
        await bookings.book(wang, "ladder", at(2), now=NOW)
    assert (refused.value.rule, refused.value.detail) == (
        "capacity",
        "This space needs 30 min of turnaround after each booking, and units are out of use "
        "for maintenance from 03:00. Here are the nearest free times.",
    )
    with pytest.raises(Conflict) as refused:
        await bookings.book(wang, "ladder", at(3, 30, 4, 30), now=NOW)
    assert (refused.value.rule, refused.value.detail) == (
        "capacity",
        "The units are out of use for maintenance at 03:30. Here are the nearest free times.",
    )
    assert refused.value.alternatives
    assert (await bookings.book(wang, "ladder", at(4), now=NOW)).created


async def test_approval_refuses_a_request_whose_buffer_runs_into_a_confirmed_booking(
    db: None,
) -> None:
    home = await make_community()
    await ladder(home, requires_approval=True)
    staff = await actor_for(await make_user("staff@example.com", staff_of=[home]))
    later = await bookings.book(await resident(home), "ladder", at(3), now=NOW)
    earlier = await bookings.book(await resident(home), "ladder", at(2), now=NOW)
    await decisions.approve(staff, str(later.booking.id), now=NOW)
    with pytest.raises(Conflict, match="would overbook"):
        await decisions.approve(staff, str(earlier.booking.id), now=NOW)
    assert await confirmed("ladder") == [(shanghai(2, 3), shanghai(2, 4))]


async def test_no_waitlist_offer_whose_buffer_runs_into_a_confirmed_booking(db: None) -> None:
    home = await make_community()
    await ladder(home)
    blocker, holder, waiting = await resident(home), await resident(home), await resident(home)
    freed = await bookings.book(blocker, "ladder", at(1, 30, 2, 30), now=NOW)
    await bookings.book(holder, "ladder", at(3), now=NOW)
    joined = await waitlist.join(waiting, "ladder", at(2), now=NOW)
    await cancellation.cancel(blocker, str(freed.booking.id), now=NOW)
    entry = await WaitlistEntry.objects().where(WaitlistEntry.id == joined.entry.id).first()
    assert entry.status == WaitlistStatus.waiting.value


async def test_a_series_date_whose_buffer_runs_into_a_booking_is_a_conflict(db: None) -> None:
    home = await make_community("bayi")
    staff = await actor_for(await make_user("staff@example.com", staff_of=[home]))
    await make_user("13812345678", name="赵老师", community=home)
    hall = await ladder(home, "hall")
    # Thursday 12 March at 11:00, just after the series' 09:00–11:00.
    await bookings.book(
        await resident(home), "hall", Request(shanghai(12, 11), shanghai(12, 12)), now=NOW
    )
    occurrences = await series.preview_create(staff, hall, elderly_band(), now=NOW)
    assert [o.on.day for o in occurrences if o.problem] == [12]


async def test_approval_inside_a_closure_is_refused_with_the_closure_named(db: None) -> None:
    home = await make_community()
    space = await ladder(home, requires_approval=True)
    staff = await actor_for(await make_user("staff@example.com", staff_of=[home]))
    asked = await bookings.book(await resident(home), "ladder", at(10), now=NOW)
    await SpaceClosure(
        space=space.id,
        starts_at=shanghai(2, 9),
        ends_at=shanghai(2, 12),
        reason="Pipe repair",
        created_at=NOW,
    ).save()
    with pytest.raises(RuleViolation) as refused:
        await decisions.approve(staff, str(asked.booking.id), now=NOW)
    assert refused.value.rule == "closed"
    assert refused.value.detail == (
        "The space is closed from Mon, Mar 2 09:00 to Mon, Mar 2 12:00 (Pipe repair). "
        "Reject the request, telling the resident why."
    )
    stored = await Booking.objects().where(Booking.id == asked.booking.id).first()
    assert stored.status == BookingStatus.pending.value


async def test_approval_after_the_hours_changed_is_refused(db: None) -> None:
    home = await make_community()
    space = await ladder(home, requires_approval=True)
    staff = await actor_for(await make_user("staff@example.com", staff_of=[home]))
    asked = await bookings.book(await resident(home), "ladder", at(10), now=NOW)
    await Space.update({Space.weekly_hours: {"mon": "14:00-18:00"}}).where(Space.id == space.id)
    with pytest.raises(RuleViolation) as refused:
        await decisions.approve(staff, str(asked.booking.id), now=NOW)
    assert refused.value.detail.startswith("The space is no longer open for the whole of this")


async def test_approval_after_the_slot_length_changed_is_refused(db: None) -> None:
    home = await make_community()
    space = await ladder(home, requires_approval=True)
    staff = await actor_for(await make_user("staff@example.com", staff_of=[home]))
    asked = await bookings.book(await resident(home), "ladder", at(10, 30, 11, 30), now=NOW)
    await Space.update({Space.slot_minutes: 60}).where(Space.id == space.id)
    with pytest.raises(RuleViolation) as refused:
        await decisions.approve(staff, str(asked.booking.id), now=NOW)
    assert refused.value.rule == "alignment"


async def _block(staff, space, request: Request, units: int, *, choice: str = "cancel"):
    from spaces.logic.closures import SpaceClosureDraft
    from spaces.services import closures

    draft = SpaceClosureDraft(request.start, request.end, False, "检修", units)
    hit = await closures.preview(staff, space, draft)
    return await closures.add(
        staff,
        space,
        draft,
        choice=choice,
        cancel_reason="检修",
        expected=",".join(sorted(str(b.id) for b in hit)),
        now=NOW,
    )


async def test_a_block_cannot_take_more_units_than_other_blocks_leave(db: None) -> None:
    from app.errors import InputError

    home = await make_community()
    space = await ladder(home, "drill", capacity=2)
    staff = await actor_for(await make_user("staff@example.com", staff_of=[home]))
    await _block(staff, space, at(9, 0, 11), 1)
    with pytest.raises(InputError) as refused:
        await _block(staff, space, at(10, 30, 12), 2)
    assert [(e.field, e.message) for e in refused.value.errors] == [
        ("units", "Other blocks already take units out of use then: at most 1 more can be blocked.")
    ]
    await _block(staff, space, at(11), 2)
    assert await SpaceClosure.count().where(SpaceClosure.space == space.id) == 2


async def test_a_block_keeps_no_booking_in_its_way(db: None) -> None:
    from app.errors import InputError

    home = await make_community()
    space = await ladder(home)
    staff = await actor_for(await make_user("staff@example.com", staff_of=[home]))
    # Ends at 10:00; its buffer runs to 10:30, into the block.
    await bookings.book(await resident(home), "ladder", at(9), now=NOW)
    with pytest.raises(InputError) as refused:
        await _block(staff, space, at(10, 0, 11), 1, choice="keep")
    assert refused.value.errors[0].field == "choice"
    _closure, hit = await _block(staff, space, at(10, 0, 11), 1)
    assert [(b.starts_at, b.status) for b in hit] == [(shanghai(2, 9), "confirmed")]
    assert await confirmed("ladder") == []


async def test_a_block_puts_an_offer_in_its_way_back_in_line(db: None) -> None:
    from app.tables import Notification

    home = await make_community()
    space = await ladder(home)
    staff = await actor_for(await make_user("staff@example.com", staff_of=[home]))
    holder = await resident(home)
    waiting = await actor_for(await make_user(community=home, locale="en"))
    taken = await bookings.book(holder, "ladder", at(9), now=NOW)
    joined = await waitlist.join(waiting, "ladder", at(9), now=NOW)
    await cancellation.cancel(holder, str(taken.booking.id), now=NOW)
    entry = await WaitlistEntry.objects().where(WaitlistEntry.id == joined.entry.id).first()
    assert entry.status == WaitlistStatus.offered.value
    await _block(staff, space, at(10, 0, 11), 1)
    entry = await WaitlistEntry.objects().where(WaitlistEntry.id == joined.entry.id).first()
    assert (entry.status, entry.offer_expires_at) == (WaitlistStatus.waiting.value, None)
    told = await Notification.objects().where(
        (Notification.user == waiting.id) & (Notification.kind == "waitlist.offer_withdrawn")
    )
    assert [n.title for n in told] == [
        "The place held for you at Shared music room on Mon, Mar 2, 2026 09:00 is no longer "
        "free: 检修. You keep your place on the waitlist."
    ]


@pytest.mark.parametrize(
    ("capacity", "units", "later_first"),
    [
        (1, [1] * 30, True),
        (1, [1] * 30, False),
        (3, [1, 2, 3, 2, 1, 1, 3, 2, 1, 2] * 3, True),
        (3, [1, 2, 3, 2, 1, 1, 3, 2, 1, 2] * 3, False),
    ],
)
async def test_concurrent_attempts_on_adjacent_times_never_overbook(
    db_pool: None, capacity: int, units: list[int], later_first: bool
) -> None:
    """Half the attempts want 02:00–03:00, whose buffer runs into 03:00–04:00, which the
    other half want; they alternate, the later time first or the earlier. Whatever wins,
    the oracle finds no overbooked minute, and every refused attempt would not have fit."""
    import asyncio

    from tests.spaces.oracle import overbooked_in

    home = await make_community()
    space = await ladder(home, "race", capacity=capacity)
    actors = [await resident(home) for _ in units]
    times = [at(3), at(2)] if later_first else [at(2), at(3)]

    async def attempt(index: int) -> int | None:
        wanted = times[index % 2]
        request = Request(wanted.start, wanted.end, units[index])
        try:
            await bookings.book(actors[index], "race", request, now=NOW)
        except Conflict:
            return None
        return units[index]

    results = await asyncio.gather(*(attempt(i) for i in range(len(units))))
    assert await overbooked_in(space.id) == {}
    booked = sum(u for u in results if u is not None)
    refused = [u for u, r in zip(units, results, strict=True) if r is None]
    assert 1 <= booked <= capacity
    assert booked + min(refused) > capacity


async def test_an_offer_caused_in_chinese_reaches_an_english_resident_in_english(
    db: None,
) -> None:
    from app.tables import Notification

    home = await make_community()
    await ladder(home)
    holder = await resident(home)
    waiting = await actor_for(await make_user(community=home, locale="en"))
    taken = await bookings.book(holder, "ladder", at(9), now=NOW)
    await waitlist.join(waiting, "ladder", at(9), now=NOW)
    set_locale("zh_CN")  # the holder cancels from a Chinese page
    await cancellation.cancel(holder, str(taken.booking.id), now=NOW)
    told = await Notification.objects().where(Notification.user == waiting.id)
    assert [n.title for n in told] == [
        "Shared music room is free on Mon, Mar 2, 2026 09:00. It is held for you until "
        "Sun, Mar 1, 2026 20:30."
    ]


async def test_approval_on_a_holiday_names_the_holiday(db: None) -> None:
    from app.tables import PublicHoliday

    home = await make_community()
    await ladder(home, requires_approval=True, closed_on_holidays=True)
    staff = await actor_for(await make_user("staff@example.com", staff_of=[home]))
    asked = await bookings.book(await resident(home), "ladder", at(10), now=NOW)
    await PublicHoliday(
        on_date=shanghai(2, 0).date(), name_zh="测试假日", name_en="Test holiday"
    ).save()
    with pytest.raises(RuleViolation) as refused:
        await decisions.approve(staff, str(asked.booking.id), now=NOW)
    assert refused.value.detail == (
        "The space is closed on Mon, Mar 2, 2026 for Test holiday. Reject the request, "
        "telling the resident why."
    )


async def test_a_booking_held_over_its_own_span_is_still_someone_elses(db: None) -> None:
    home = await make_community()
    await ladder(home)
    await bookings.book(await resident(home), "ladder", at(2), now=NOW)
    with pytest.raises(Conflict) as refused:
        await bookings.book(await resident(home), "ladder", at(2, 30, 3, 30), now=NOW)
    assert refused.value.detail == (
        "Someone else booked this time just now. Here are the nearest free times."
    )


async def test_a_series_date_whose_buffer_runs_into_a_booking_says_so(db: None) -> None:
    home = await make_community()
    space = await ladder(home)
    staff = await actor_for(await make_user("staff@example.com", staff_of=[home]))
    await bookings.book(
        await resident(home), "ladder", Request(shanghai(3, 10), shanghai(3, 11)), now=NOW
    )
    form = elderly_band(
        resident="", weekdays="tue", start_time="09:00", end_time="10:00", ends_on="2026-03-10"
    )
    planned = await series.preview_create(staff, space, form, now=NOW)
    assert [o.problem for o in planned] == [
        "This space needs 30 min of turnaround after each booking, and the next booking "
        "starts at 10:00.",
        None,
    ]
