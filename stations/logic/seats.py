"""How many of a station's seats are free, from its check-ins: the rules that keep one person
from making a station look full. Pure functions over plain values.

- One client address holds at most `per_address_cap(seats)` seats at once; its further
  check-ins are recorded but not counted.
- Staff keep `reserve` seats for couriers who walk in without checking in; online check-ins
  take at most `seats - reserve`.

Which check-ins count is decided when seats are counted, not when a check-in is made: the
earliest check-ins count first, so when one ends, the next one from the same address counts
in its place, and no two requests at once can both count past a cap.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any


def per_address_cap(seats: int) -> int:
    """The seats one client address may hold at once: a third of them, rounded up, at
    least one."""
    return max(1, math.ceil(seats / 3))


def walk_in_reserve(seats: int, reserve: int) -> int:
    """The seats kept for walk-ins, never more than the station has (its seats may have
    been lowered after the reserve was set)."""
    return max(0, min(reserve, seats))


def online_seats(seats: int, reserve: int) -> int:
    """The seats online check-ins may take."""
    return max(0, seats) - walk_in_reserve(seats, reserve)


@dataclass(frozen=True)
class SeatCount:
    """A station's seats at a moment, as couriers are shown them."""

    free: int
    """Seats an online check-in can still take."""
    kept: int
    """Seats kept for couriers who walk in without checking in."""


def seat_count(seats: int, reserve: int, per_address: Iterable[int]) -> SeatCount:
    """The free and kept seats of a station with `seats` seats and a walk-in reserve, given
    how many active check-ins each client address has there."""
    cap = per_address_cap(seats)
    taken = sum(min(cap, check_ins) for check_ins in per_address)
    online = online_seats(seats, reserve)
    return SeatCount(free=max(0, online - taken), kept=walk_in_reserve(seats, reserve))


@dataclass(frozen=True)
class ActiveCheckIn:
    """One active check-in, as seat counting sees it."""

    key: Any
    """Whatever identifies it to the caller (its id)."""
    address: str
    """The hash of its client address."""
    checked_in_at: datetime


def counted_check_ins(check_ins: Sequence[ActiveCheckIn], seats: int, reserve: int) -> set[Any]:
    """The keys of the check-ins that hold a seat: earliest first, at most the address cap
    per address and at most the online seats in all (ties broken by key)."""
    cap = per_address_cap(seats)
    room = online_seats(seats, reserve)
    held: dict[str, int] = {}
    counted: set[Any] = set()
    for check_in in sorted(check_ins, key=lambda c: (c.checked_in_at, c.key)):
        if len(counted) >= room:
            break
        if held.get(check_in.address, 0) < cap:
            held[check_in.address] = held.get(check_in.address, 0) + 1
            counted.add(check_in.key)
    return counted
