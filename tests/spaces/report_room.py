"""The space the report tests share: a music room with a week of bookings, closures, a
holiday and dated hours, whose figures the tests compute by hand."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

from app.reports import Period
from app.tables import PublicHoliday
from spaces.tables import Booking, Space, SpaceClosure, SpaceSpecialHours
from tests.factories import make_community, make_space, shanghai

# The week of Monday 9 to Sunday 15 March 2026; "now" is Friday 13 March, 09:30 in Shanghai.
WEEK = Period(date(2026, 3, 9), date(2026, 3, 15))


NOW = shanghai(13, 9, 30).astimezone(UTC)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return shanghai(day, hour, minute).astimezone(UTC)


async def add_booking(space, start, end, status, *, units=1, rating=None) -> None:
    await Booking.insert(
        Booking(
            id=uuid.uuid4(),
            space=space.id,
            starts_at=start,
            ends_at=end,
            units=units,
            status=status,
            rating=rating,
            created_at=at(2, 9),
            updated_at=at(2, 9),
        )
    )


async def a_week_in_the_music_room() -> Space:
    """A capacity-2 room open Monday to Friday 09:00-12:00, closed on public holidays, with
    a week of bookings and exceptions (all figures below are for `WEEK` and `NOW`)."""
    home = await make_community("caijiaxiang", name_en="Caijiaxiang Community")
    room = await make_space(
        home,
        "music-room",
        capacity=2,
        weekly_hours=dict.fromkeys(("mon", "tue", "wed", "thu", "fri"), "09:00-12:00"),
        closed_on_holidays=True,
    )
    await PublicHoliday.insert(
        PublicHoliday(on_date=date(2026, 3, 11), name_zh="测试假日", name_en="Test holiday")
    )
    await SpaceSpecialHours.insert(
        SpaceSpecialHours(space=room.id, on_date=date(2026, 3, 13), hours="09:00-11:00")
    )
    await SpaceClosure.insert(
        # Closed from Thursday 10:30 for the afternoon.
        SpaceClosure(space=room.id, starts_at=at(12, 10, 30), ends_at=at(12, 14), created_at=NOW),
        # One unit under repair on Tuesday 08:00-10:00.
        SpaceClosure(
            space=room.id, starts_at=at(10, 8), ends_at=at(10, 10), units=1, created_at=NOW
        ),
    )
    # Before the period (Sunday 8 March 20:00) into Monday 09:30: used, not counted.
    await add_booking(room, at(8, 20), at(9, 9, 30), "confirmed", rating=1)
    await add_booking(room, at(9, 8), at(9, 10), "confirmed", rating=5)
    await add_booking(room, at(9, 11), at(9, 13), "completed", units=2, rating=4)
    await add_booking(room, at(10, 9), at(10, 11), "confirmed")
    await add_booking(room, at(10, 11), at(10, 12), "no_show")
    await add_booking(room, at(13, 9), at(13, 10), "cancelled", units=2)
    await add_booking(room, at(12, 9), at(12, 10), "rejected")
    await add_booking(room, at(13, 10), at(13, 11), "pending")
    await add_booking(room, at(9, 10), at(9, 11), "pending")
    await add_booking(room, at(12, 10), at(12, 12), "confirmed", rating=4)
    await add_booking(room, at(15, 10), at(15, 11), "confirmed")
    return room
