"""What every writer of a space shares: the lock that serialises them, the version that keys
the caches of its availability, and the units held in it over time."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

from app.calendar import Interval
from app.db import fetch_tuples, is_sqlite, with_commit, write_later
from spaces.logic.availability import HeldUnits, Usage, read_window
from spaces.logic.statuses import BookingStatus, WaitlistStatus
from spaces.tables import FeedTextDue, Space


def lock_key(space: Space) -> str:
    return f"space:{space.id}"


TOUCH_SQL = "UPDATE space SET version = version + 1 WHERE id = {}"
"""The version bump in plain SQL: Piccolo's builder costs more than the statement."""


async def touch(space_id: Any) -> None:
    """Mark the space's availability as changed (call inside the changing transaction).

    Every change to confirmed bookings, hours or closures must call this, because the
    availability caches are keyed by the version it bumps.
    """
    await write_later(Space.raw(TOUCH_SQL, space_id))
    # Its stored feed texts may be stale: queue it for the job that rewrites them, with the
    # COMMIT on SQLite, after it on PostgreSQL (a queue row lost with a crash costs only the
    # next feed request the writing).
    if not await with_commit(f"feed-texts:{space_id}", partial(mark_feed_texts_due, space_id)):
        await mark_feed_texts_due(space_id)


MARK_DUE_SQL = (
    "INSERT INTO feed_text_due (space, changes) VALUES ({}, 1) "
    "ON CONFLICT (space) DO UPDATE SET changes = feed_text_due.changes + 1"
)


async def mark_feed_texts_due(space_id: Any) -> None:
    """Queue the space for the job that rewrites its stale feed texts (one statement)."""
    await FeedTextDue.raw(MARK_DUE_SQL, space_id)


def _since(table: str, sqlite: bool) -> str:
    """The earliest start a hold of `table` may have and still end after the time given
    (the first `{}`; the second is the space): that time less the longest span `table` has
    ever had for the space (`space_longest_hold`, kept by triggers; read in the same
    statement as the holds, so never older than they are). Without a row, no bound."""
    longest = f"(SELECT seconds FROM space_longest_hold WHERE space = {{}} AND held_in = '{table}')"
    if sqlite:  # stored text compares as text; the bound drops fractions of a second
        return f"IFNULL(strftime('%Y-%m-%d %H:%M:%S', {{}}, '-' || {longest} || ' seconds'), '')"
    return f"COALESCE(CAST({{}} AS timestamptz) - {longest} * INTERVAL '1 second', '-infinity')"


def _holds_sql(sqlite: bool) -> str:
    # On SQLite `+column` gives the stored text, which `instant` parses (in C) faster than
    # Piccolo's converter of each value; PostgreSQL's driver gives datetimes as they are.
    # The columns are those of `spaces.services.catalog.CALENDAR_SQL`, so that the two may be
    # read as one statement. Each part is a range of its `*_hold_starts` index: starts
    # between `_since` and the end, then those ending after the start.
    prefix = "+" if sqlite else ""
    columns = (
        f"NULL AS on_date, NULL AS hours, {prefix}starts_at AS starts_at, "
        f"{prefix}ends_at AS ends_at, units"
    )

    def starts(table: str) -> str:
        return f"starts_at >= {_since(table, sqlite)} AND starts_at < {{}} AND ends_at > {{}}"

    return (
        f"SELECT '{HELD}' AS kind, {columns} FROM booking "
        f"WHERE space = {{}} AND status = {{}} AND {starts('booking')} "
        f"UNION ALL SELECT '{BLOCK}', {columns} FROM space_closure "
        f"WHERE space = {{}} AND {starts('space_closure')} AND units IS NOT NULL "
        f"UNION ALL SELECT '{HELD}', {columns} FROM waitlist_entry "
        f"WHERE space = {{}} AND status = {{}} AND {starts('waitlist_entry')}"
    )


HELD, BLOCK = "held", "block"
"""The kinds of the rows of `HOLDS_SQL`: a confirmed booking or an offer; a block."""
HOLDS_SQL = {sqlite: _holds_sql(sqlite) for sqlite in (True, False)}
"""The holds of one space reaching into a span, by engine (see `held_units`)."""


@dataclass(frozen=True)
class HoldsRead:
    """The statement that reads the holds around `window`, and how to read its rows."""

    window: Interval
    capacity: int
    buffer: timedelta
    sql: str
    args: tuple[Any, ...]

    def held_units(self, rows: Sequence[Sequence[Any]]) -> HeldUnits:
        """The units held, from the statement's rows as tuples (`fetch_tuples`); rows of
        other kinds, read beside them, are skipped. The spans are made as `of_spans` takes
        them, without an object per row (a week reads hundreds of rows)."""
        buffer = self.buffer
        held = instants([(s, e, units) for kind, _d, _h, s, e, units in rows if kind == HELD])
        blocks = instants([(s, e, units) for kind, _d, _h, s, e, units in rows if kind == BLOCK])
        if buffer:
            held = [(start, end + buffer, units) for start, end, units in held]
        return HeldUnits.of_spans(self.window, self.capacity, buffer, held + blocks, blocks)


def holds_read(space: Space, window: Interval, *, buffer_minutes: int | None = None) -> HoldsRead:
    """What `held_units` reads, to be run alone or beside another read."""
    minutes = space.buffer_minutes if buffer_minutes is None else buffer_minutes
    buffer = timedelta(minutes=minutes)
    reach = read_window(window, buffer)
    start, end = reach.start - buffer, reach.end
    space_id = space.id
    args = (
        *(space_id, BookingStatus.confirmed.value, start, space_id, end, start),
        *(space_id, reach.start, space_id, end, reach.start),
        *(space_id, WaitlistStatus.offered.value, start, space_id, end, start),
    )
    return HoldsRead(window, space.capacity, buffer, HOLDS_SQL[is_sqlite()], args)


async def held_units(
    space: Space, window: Interval, *, buffer_minutes: int | None = None
) -> HeldUnits:
    """What confirmed bookings, waitlist offers and maintenance blocks hold in and around
    `window`, to check any booking inside it (`spaces.logic.availability` states the hold
    rule). One statement (`HOLDS_SQL`). `buffer_minutes` replaces the space's buffer
    for a change being previewed."""
    read = holds_read(space, window, buffer_minutes=buffer_minutes)
    return read.held_units(await fetch_tuples(read.sql, *read.args))


async def holding_usage(
    space: Space, window: Interval, *, buffer_minutes: int | None = None
) -> Usage:
    """The units held over time in and around `window` (see `held_units`)."""
    return (await held_units(space, window, buffer_minutes=buffer_minutes)).usage


def instant(value: datetime | str) -> datetime:
    """A timestamp from a raw query: engines give a datetime; SQLite gives text for the
    columns of a compound SELECT after the first."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def instants(spans: list[tuple[Any, Any, int]]) -> list[tuple[datetime, datetime, int]]:
    """`(instant(start), instant(end), units)` of each span. In one comprehension where all
    are text with an offset (SQLite, as Linli stores them) or aware datetimes (PostgreSQL):
    a call of `instant` per value costs three times the parsing, and a week reads hundreds."""
    parsed: list[tuple[datetime, datetime, int]] | None = spans
    if spans and isinstance(spans[0][0], str):
        parse = datetime.fromisoformat
        try:
            parsed = [(parse(start), parse(end), units) for start, end, units in spans]
        except TypeError:  # text and datetimes mixed
            parsed = None
    if parsed is not None:
        for start, end, _units in parsed:
            if start.tzinfo is None or end.tzinfo is None:
                break
        else:
            return parsed
    return [(instant(start), instant(end), units) for start, end, units in spans]
