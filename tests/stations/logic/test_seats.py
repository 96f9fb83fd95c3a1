"""Counting a station's seats: a third per client address, the walk-in reserve, and which
check-ins hold a seat."""

from datetime import datetime, timedelta

import pytest

from stations.logic.devices import address_hash, address_key
from stations.logic.seats import (
    ActiveCheckIn,
    SeatCount,
    counted_check_ins,
    online_seats,
    per_address_cap,
    seat_count,
)
from tests.factories import NOW


@pytest.mark.parametrize(
    ("seats", "cap"), [(0, 1), (1, 1), (2, 1), (3, 1), (4, 2), (6, 2), (7, 3), (8, 3), (9, 3)]
)
def test_per_address_cap_is_a_third_rounded_up_and_at_least_one(seats: int, cap: int) -> None:
    assert per_address_cap(seats) == cap


def test_seat_count_caps_each_address_then_the_online_seats() -> None:
    assert seat_count(8, 0, [8]) == SeatCount(free=5, kept=0)
    assert seat_count(8, 0, [2, 1, 1]) == SeatCount(free=4, kept=0)
    assert seat_count(8, 2, [3, 3, 3]) == SeatCount(free=0, kept=2)
    assert seat_count(8, 2, [1]) == SeatCount(free=5, kept=2)
    assert seat_count(4, 9, [1]) == SeatCount(free=0, kept=4)
    assert seat_count(0, 0, []) == SeatCount(free=0, kept=0)
    assert (online_seats(8, 2), online_seats(3, 5), online_seats(5, -1)) == (6, 0, 5)


def test_the_earliest_check_ins_count_within_each_cap() -> None:
    def at(minutes: int) -> datetime:
        return NOW + timedelta(minutes=minutes)

    check_ins = [
        ActiveCheckIn(5, "a", at(5)),
        ActiveCheckIn(1, "a", at(1)),
        ActiveCheckIn(2, "a", at(1)),
        ActiveCheckIn(3, "b", at(2)),
        ActiveCheckIn(4, "a", at(0)),
        ActiveCheckIn(6, "c", at(6)),
        ActiveCheckIn(7, "d", at(7)),
    ]
    # 6 seats: 2 per address; online seats 6, then 5 with one kept for walk-ins.
    assert counted_check_ins(check_ins, 6, 0) == {4, 1, 3, 6, 7}
    assert counted_check_ins(check_ins, 6, 1) == {4, 1, 3, 6, 7}
    assert counted_check_ins(check_ins, 6, 2) == {4, 1, 3, 6}
    assert counted_check_ins(check_ins, 3, 0) == {4, 3, 6}
    assert counted_check_ins([], 3, 0) == set()


@pytest.mark.parametrize(
    ("client_ip", "key"),
    [
        ("198.51.100.7", "198.51.100.7"),
        ("::ffff:198.51.100.7", "198.51.100.7"),
        ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"),
        ("2001:DB8:1:2::ff", "2001:db8:1:2::/64"),
        ("unknown", "unknown"),
    ],
)
def test_address_key_is_what_one_client_holds(client_ip: str, key: str) -> None:
    assert address_key(client_ip) == key


def test_address_hash_depends_on_the_site_key() -> None:
    assert address_hash("198.51.100.7", "one") == address_hash("::ffff:198.51.100.7", "one")
    assert address_hash("198.51.100.7", "one") != address_hash("198.51.100.7", "two")
