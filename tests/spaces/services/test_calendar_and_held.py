"""The week's one statement reads what `calendar_of` and `held_units` read apart: dated
hours, closures and holidays; confirmed bookings and offers with their buffers (reaching into
the window from before it and running past its end), blocks exactly, nothing for pending,
cancelled or waiting rows."""

from datetime import date, timedelta

from app.calendar import Interval, TimeRange
from app.tables import PublicHoliday
from spaces.queries.spaces import held_units
from spaces.services.catalog import calendar_and_held, calendar_of
from spaces.tables import Booking, SpaceClosure, SpaceSpecialHours, WaitlistEntry
from tests.factories import NOW, make_community, make_space, make_user, shanghai

ALL_DAY = {day: "00:00-24:00" for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
MONDAY = Interval(shanghai(2, 0), shanghai(3, 0))
"""Monday 2 March 2026, local midnight to midnight in Shanghai."""


async def seeded_space():
    home = await make_community()
    space = await make_space(
        home, "yard", capacity=3, buffer_minutes=30, weekly_hours=ALL_DAY, closed_on_holidays=True
    )
    user = await make_user(community=home)

    def booking(start, end, units=1, status="confirmed") -> Booking:
        return Booking(
            space=space.id,
            user=user.id,
            starts_at=start,
            ends_at=end,
            units=units,
            status=status,
            created_at=NOW,
            updated_at=NOW,
        )

    await Booking.insert(
        booking(shanghai(1, 23), shanghai(2, 0, 10)),  # across midnight: held to 00:40
        booking(shanghai(1, 23), shanghai(1, 23, 45)),  # before, its buffer runs to 00:15
        booking(shanghai(1, 22), shanghai(1, 23, 20)),  # its buffer ends before: not read
        booking(shanghai(2, 10), shanghai(2, 11), 2, "pending"),  # holds nothing
        booking(shanghai(2, 10), shanghai(2, 11), 3, "cancelled"),  # holds nothing
        booking(shanghai(3, 0, 10), shanghai(3, 1)),  # after; within the buffer: read
        booking(shanghai(3, 0, 30), shanghai(3, 1)),  # starts after the buffer: not read
    )

    def entry(start, end, units, status) -> WaitlistEntry:
        return WaitlistEntry(
            space=space.id,
            user=user.id,
            starts_at=start,
            ends_at=end,
            units=units,
            status=status,
            created_at=NOW,
            updated_at=NOW,
        )

    await WaitlistEntry.insert(
        entry(shanghai(2, 12), shanghai(2, 13), 1, "offered"),  # held to 13:30
        entry(shanghai(2, 12), shanghai(2, 13), 2, "waiting"),  # holds nothing
    )
    await SpaceClosure.insert(
        # A block of two units across the next midnight: held exactly, no buffer.
        SpaceClosure(
            space=space.id, starts_at=shanghai(2, 23, 30), ends_at=shanghai(3, 1), units=2
        ),
        # A closure: the space is shut, nothing is held.
        SpaceClosure(space=space.id, starts_at=shanghai(2, 14), ends_at=shanghai(2, 15)),
    )
    await SpaceSpecialHours(space=space.id, on_date=date(2026, 3, 2), hours="08:00-20:00").save()
    await PublicHoliday.delete().where(PublicHoliday.id > 0)
    await PublicHoliday.insert(
        PublicHoliday(on_date=date(2026, 3, 3), name_zh="节", name_en="Day", is_workday=False),
        PublicHoliday(on_date=date(2026, 3, 1), name_zh="班", name_en="Work", is_workday=True),
    )
    return space


async def test_one_statement_reads_the_calendar_and_the_holds_of_the_two_reads(
    db: None,
) -> None:
    space = await seeded_space()
    calendar, held = await calendar_and_held(space, MONDAY)
    assert calendar == await calendar_of(space, MONDAY)
    assert calendar.special == {date(2026, 3, 2): (TimeRange(8 * 60, 20 * 60),)}
    assert calendar.closures == (Interval(shanghai(2, 14), shanghai(2, 15)),)
    assert calendar.closed_dates == frozenset({date(2026, 3, 3)})
    expected = [
        (shanghai(1, 23), 2),
        (shanghai(2, 0, 15), 1),
        (shanghai(2, 0, 40), 0),
        (shanghai(2, 12), 1),
        (shanghai(2, 13, 30), 0),
        (shanghai(2, 23, 30), 2),
        (shanghai(3, 0, 10), 3),
        (shanghai(3, 1), 1),
        (shanghai(3, 1, 30), 0),
    ]
    apart = await held_units(space, MONDAY)
    for read in (held, apart):
        assert list(zip(read.usage.times, read.usage.levels, strict=True)) == expected
        assert list(zip(read.blocks.times, read.blocks.levels, strict=True)) == [
            (shanghai(2, 23, 30), 2),
            (shanghai(3, 1), 0),
        ]
        assert (read.window, read.capacity, read.buffer) == (MONDAY, 3, timedelta(minutes=30))
