"""What every writer of a space shares: the lock that serialises them, the version that keys
the caches of its availability, and the units held in it over time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

from app.calendar import Interval
from app.db import after_commit, write_later
from spaces.logic.availability import HeldUnits, Hold, Usage, read_window
from spaces.logic.statuses import BookingStatus, WaitlistStatus
from spaces.tables import Booking, FeedTextDue, Space


def lock_key(space: Space) -> str:
    return f"space:{space.id}"


async def touch(space_id: Any) -> None:
    """Mark the space's availability as changed (call inside the changing transaction).

    Every change to confirmed bookings, hours or closures must call this, because the
    availability caches are keyed by the version it bumps.
    """
    await write_later(Space.update({Space.version: Space.version + 1}).where(Space.id == space_id))
    # Its stored feed texts may be stale: queue it for the job that rewrites them, after the
    # commit (a queue row lost with a crash costs only the next feed request the writing).
    if not after_commit(f"feed-texts:{space_id}", partial(mark_feed_texts_due, space_id)):
        await mark_feed_texts_due(space_id)


MARK_DUE_SQL = (
    "INSERT INTO feed_text_due (space, changes) VALUES ({}, 1) "
    "ON CONFLICT (space) DO UPDATE SET changes = feed_text_due.changes + 1"
)


async def mark_feed_texts_due(space_id: Any) -> None:
    """Queue the space for the job that rewrites its stale feed texts (one statement)."""
    await FeedTextDue.raw(MARK_DUE_SQL, space_id)


HOLDS_SQL = (
    "SELECT starts_at, ends_at, units, 1 AS buffered FROM booking "
    "WHERE space = {} AND starts_at < {} AND ends_at > {} AND status = {} "
    "UNION ALL SELECT starts_at, ends_at, units, 0 FROM space_closure "
    "WHERE space = {} AND starts_at < {} AND ends_at > {} AND units IS NOT NULL "
    "UNION ALL SELECT starts_at, ends_at, units, 1 FROM waitlist_entry "
    "WHERE space = {} AND starts_at < {} AND ends_at > {} AND status = {}"
)


async def held_units(
    space: Space, window: Interval, *, buffer_minutes: int | None = None
) -> HeldUnits:
    """What confirmed bookings, waitlist offers and maintenance blocks hold in and around
    `window`, to check any booking inside it (`spaces.logic.availability` states the hold
    rule). One query, the same on both engines. `buffer_minutes` replaces the space's buffer
    for a change being previewed."""
    minutes = space.buffer_minutes if buffer_minutes is None else buffer_minutes
    buffer = timedelta(minutes=minutes)
    reach = read_window(window, buffer)
    start, end = reach.start - buffer, reach.end
    rows = await Booking.raw(
        HOLDS_SQL,
        *(space.id, end, start, BookingStatus.confirmed.value),
        *(space.id, end, reach.start),
        *(space.id, end, start, WaitlistStatus.offered.value),
    )
    holds = [
        Hold(
            instant(r["starts_at"]),
            instant(r["ends_at"]) + (buffer if r["buffered"] else ZERO),
            r["units"],
            maintenance=not r["buffered"],
        )
        for r in rows
    ]
    return HeldUnits(window, space.capacity, buffer, holds)


async def holding_usage(
    space: Space, window: Interval, *, buffer_minutes: int | None = None
) -> Usage:
    """The units held over time in and around `window` (see `held_units`)."""
    return (await held_units(space, window, buffer_minutes=buffer_minutes)).usage


ZERO = timedelta(0)


def instant(value: datetime | str) -> datetime:
    """A timestamp from a raw query: engines give a datetime; SQLite gives text for the
    columns of a compound SELECT after the first."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)
