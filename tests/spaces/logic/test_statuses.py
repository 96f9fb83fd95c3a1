"""A person's bookings in the groups "My bookings" shows, by their status as seen now."""

from dataclasses import dataclass
from datetime import datetime

from spaces.logic.statuses import BookingGroups, group_bookings
from tests.factories import shanghai

NOW = shanghai(10, 12)  # Tuesday 10 March 2026, 12:00


@dataclass(frozen=True)
class Facts:
    name: str
    status: str
    starts_at: datetime
    ends_at: datetime


def facts(name: str, status: str, day: int, hour: int, hours: int = 1) -> Facts:
    return Facts(name, status, shanghai(day, hour), shanghai(day, hour + hours))


def names(groups: BookingGroups[Facts]) -> tuple[list[str], list[str], list[str]]:
    return (
        [b.name for b in groups.upcoming],
        [b.name for b in groups.called_off],
        [b.name for b in groups.ended],
    )


def test_groups_upcoming_soonest_first_then_called_off_and_ended_latest_first() -> None:
    bookings = [
        facts("next week", "confirmed", 17, 10),
        facts("request tomorrow", "pending", 11, 9),
        facts("under way", "confirmed", 10, 11, hours=2),
        facts("cancelled ahead", "cancelled", 12, 10),
        facts("rejected", "rejected", 9, 18),
        facts("request never decided", "pending", 10, 9),
        facts("cancelled long ago", "cancelled", 1, 10),
        facts("done yesterday", "confirmed", 9, 10),
        facts("done last week", "completed", 3, 10),
        facts("missed", "no_show", 8, 15),
    ]
    assert names(group_bookings(bookings, NOW)) == (
        ["under way", "request tomorrow", "next week"],
        ["cancelled ahead", "request never decided", "rejected", "cancelled long ago"],
        ["done yesterday", "missed", "done last week"],
    )


def test_a_booking_moves_to_ended_the_moment_it_ends() -> None:
    booking = facts("lunch", "confirmed", 10, 11)
    assert names(group_bookings([booking], shanghai(10, 11, 59))) == (["lunch"], [], [])
    assert names(group_bookings([booking], NOW)) == ([], [], ["lunch"])


def test_no_bookings_no_groups() -> None:
    assert group_bookings([], NOW) == BookingGroups([], [], [])
