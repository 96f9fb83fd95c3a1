"""An overbooking oracle written apart from the availability code: it reads the raw rows of
one space and adds up, minute by minute, the units they hold.

The rule it checks is DESIGN's invariant 2 as written: a confirmed booking or a waitlist
offer holds its units from its start until its end plus the space's buffer; a maintenance
block holds its units over its span exactly; at no minute may the units held exceed the
capacity. It shares no code with `spaces.logic.availability` on purpose.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

MINUTE = timedelta(minutes=1)

BOOKINGS_SQL = "SELECT starts_at, ends_at, units FROM booking WHERE space = {} AND status = {}"
OFFERS_SQL = "SELECT starts_at, ends_at, units FROM waitlist_entry WHERE space = {} AND status = {}"
BLOCKS_SQL = (
    "SELECT starts_at, ends_at, units FROM space_closure WHERE space = {} AND units IS NOT NULL"
)


def _instant(value: Any) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def overbooked_minutes(
    capacity: int,
    buffer_minutes: int,
    bookings: Iterable[tuple[Any, Any, int]],
    offers: Iterable[tuple[Any, Any, int]] = (),
    blocks: Iterable[tuple[Any, Any, int]] = (),
) -> dict[datetime, int]:
    """Each minute at which more than `capacity` units are held, with the units held."""
    held: Counter[datetime] = Counter()
    buffer = timedelta(minutes=buffer_minutes)

    def hold(start: Any, end: Any, units: int, extra: timedelta) -> None:
        minute = _instant(start)
        until = _instant(end) + extra
        while minute < until:
            held[minute] += units
            minute += MINUTE

    for start, end, units in bookings:
        hold(start, end, units, buffer)
    for start, end, units in offers:
        hold(start, end, units, buffer)
    for start, end, units in blocks:
        hold(start, end, units, timedelta(0))
    return {minute: units for minute, units in sorted(held.items()) if units > capacity}


async def overbooked_in(space_id: Any) -> dict[datetime, int]:
    """The oracle over what the test database holds for the space, read as raw rows."""
    from spaces.tables import Space

    space = (await Space.raw("SELECT capacity, buffer_minutes FROM space WHERE id = {}", space_id))[
        0
    ]

    async def rows(sql: str, *args: Any) -> list[tuple[Any, Any, int]]:
        found = await Space.raw(sql, space_id, *args)
        return [(r["starts_at"], r["ends_at"], r["units"]) for r in found]

    return overbooked_minutes(
        space["capacity"],
        space["buffer_minutes"],
        await rows(BOOKINGS_SQL, "confirmed"),
        await rows(OFFERS_SQL, "offered"),
        await rows(BLOCKS_SQL),
    )
