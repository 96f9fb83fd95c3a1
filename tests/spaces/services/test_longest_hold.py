"""The holds read starts no earlier than the window's start less the longest hold the space
has had (`space_longest_hold`, raised by triggers): a long hold written by any path, starting
hours before the window, is still read. Each test first writes a short hold of the same
table, so that a bound which missed the long one would be too short to reach it."""

from datetime import date

import pytest

from app.calendar import Interval
from app.db import is_sqlite
from app.i18n import set_locale
from spaces.logic.closures import SpaceClosureDraft
from spaces.logic.rules import Request
from spaces.logic.statuses import WaitlistStatus
from spaces.queries.spaces import held_units
from spaces.services import bookings, cancellation, closures, series, series_dates, waitlist
from spaces.services.series_dates import OccurrenceForm
from spaces.tables import Booking, Space, WaitlistEntry
from tests.factories import NOW, actor_for, make_community, make_space, make_user, shanghai
from tests.spaces.services.test_series import elderly_band

ALL_DAY = {day: "00:00-24:00" for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
EARLY_TO_HALF_PAST_NOON = ("05:00", "12:30")
"""The long hold: 7 h 30 min, from hours before the window at noon into it."""


@pytest.fixture(autouse=True)
def english() -> None:
    set_locale("en")


def long_on(day: int) -> Request:
    return Request(shanghai(day, 5), shanghai(day, 12, 30))


def evening_of(day: int) -> Request:
    return Request(shanghai(day, 20), shanghai(day, 21))


async def held_at_noon(space: Space, day: int) -> int:
    """The most units held between 12:00 and 13:00 on `day` (March 2026, Shanghai)."""
    noon = Interval(shanghai(day, 12), shanghai(day, 13))
    return (await held_units(space, noon)).held(noon)


async def world():
    home = await make_community("bayi")
    staff = await actor_for(await make_user("staff@example.com", staff_of=[home]))
    await make_user("13812345678", name="赵老师", community=home)  # the series' leader
    hall = await make_space(home, "hall", weekly_hours=ALL_DAY)
    return home, staff, hall


async def resident(home):
    return await actor_for(await make_user(community=home))


async def longest(space: Space) -> dict[str, int]:
    rows = await Space.raw(
        "SELECT held_in, seconds FROM space_longest_hold WHERE space = {}", space.id
    )
    return {row["held_in"]: row["seconds"] for row in rows}


async def test_a_long_booking_is_read_from_a_window_hours_after_its_start(db: None) -> None:
    home, _staff, hall = await world()
    await bookings.book(await resident(home), "hall", evening_of(2), now=NOW)
    assert await held_at_noon(hall, 3) == 0
    await bookings.book(await resident(home), "hall", long_on(3), now=NOW)
    assert await held_at_noon(hall, 3) == 1


async def test_a_long_series_date_is_read_from_a_window_hours_after_its_start(db: None) -> None:
    home, staff, hall = await world()
    await bookings.book(await resident(home), "hall", evening_of(2), now=NOW)
    start, end = EARLY_TO_HALF_PAST_NOON
    await series.create(staff, hall, elderly_band(start_time=start, end_time=end), now=NOW)
    # Tuesdays and Thursdays from 3 March.
    assert [await held_at_noon(hall, day) for day in (3, 4, 5)] == [1, 0, 1]


async def test_a_series_date_made_longer_is_read_from_a_window_hours_after_its_start(
    db: None,
) -> None:
    _home, staff, hall = await world()
    made, _booked, _skipped = await series.create(staff, hall, elderly_band(), now=NOW)
    assert await held_at_noon(hall, 10) == 0  # 09:00–11:00
    tenth = await Booking.objects().where(Booking.occurrence_on == date(2026, 3, 10)).first()
    start, end = EARLY_TO_HALF_PAST_NOON
    await series_dates.edit_one(
        staff,
        hall,
        made,
        str(tenth.id),
        OccurrenceForm(on_date="2026-03-10", start_time=start, end_time=end),
        now=NOW,
    )
    assert await held_at_noon(hall, 10) == 1


async def _block(staff, space: Space, request: Request) -> None:
    draft = SpaceClosureDraft(request.start, request.end, False, "检修", 1)
    await closures.add(
        staff, space, draft, choice="cancel", cancel_reason="检修", expected="", now=NOW
    )


async def test_a_long_block_is_read_from_a_window_hours_after_its_start(db: None) -> None:
    _home, staff, hall = await world()
    await _block(staff, hall, evening_of(2))
    await _block(staff, hall, long_on(3))
    assert await held_at_noon(hall, 3) == 1


async def test_a_long_offer_is_read_from_a_window_hours_after_its_start(db: None) -> None:
    home, _staff, hall = await world()
    holder = await resident(home)
    await bookings.book(holder, "hall", evening_of(2), now=NOW)
    await waitlist.join(await resident(home), "hall", evening_of(2), now=NOW)
    taken = await bookings.book(holder, "hall", long_on(3), now=NOW)
    joined = await waitlist.join(await resident(home), "hall", long_on(3), now=NOW)
    await cancellation.cancel(holder, str(taken.booking.id), now=NOW)
    entry = await WaitlistEntry.objects().where(WaitlistEntry.id == joined.entry.id).first()
    assert entry.status == WaitlistStatus.offered.value
    assert await held_at_noon(hall, 3) == 1


async def test_the_longest_hold_only_grows_and_counts_every_status(db: None) -> None:
    home, _staff, hall = await world()
    user = await make_user(community=home)

    def booking(request: Request, status: str) -> Booking:
        return Booking(
            space=hall.id,
            user=user.id,
            starts_at=request.start,
            ends_at=request.end,
            units=1,
            status=status,
            created_at=NOW,
            updated_at=NOW,
        )

    # SQLite's stored text is measured in whole seconds, one more than the difference.
    extra = 1 if is_sqlite() else 0
    assert await longest(hall) == {}
    await Booking.insert(booking(evening_of(2), "pending"))
    assert await longest(hall) == {"booking": 3600 + extra}
    await Booking.insert(booking(Request(shanghai(3, 9), shanghai(3, 9, 30)), "cancelled"))
    assert await longest(hall) == {"booking": 3600 + extra}
    await Booking.update({Booking.ends_at: shanghai(2, 23)}).where(
        Booking.starts_at == shanghai(2, 20)
    )
    assert await longest(hall) == {"booking": 3 * 3600 + extra}
    await Booking.delete(force=True)
    assert await longest(hall) == {"booking": 3 * 3600 + extra}
