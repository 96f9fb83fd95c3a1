"""Writing the stale feed texts of changed spaces after the change, before the next poll.

`touch` queues a space (`FeedTextDue`) with the commit of every change (on SQLite in the
COMMIT's trip, on PostgreSQL just after it). The job claims queued spaces like the outbox
claims messages (`FOR UPDATE SKIP LOCKED` on PostgreSQL; under `BEGIN IMMEDIATE` on SQLite),
writes their missing and stale texts with the function feeds use (`events_of`), and removes
each row unless it was queued again meanwhile. A worker that dies leaves its rows to be
claimed again when the claim runs out; a lost row costs only the next feed request the
writing. `linli migrate` writes every space's texts the same way.
Each space written is also pruned of the texts no feed shows any more (`prune`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from datetime import datetime, timedelta
from typing import Any

from app import clock, db, i18n
from app.feeds import Context, Window
from app.scheduler import Job
from app.settings import SUPPORTED_LOCALES
from spaces.services import feed_texts
from spaces.services.feed_events import PUBLIC
from spaces.services.feeds import events_of
from spaces.tables import Booking, BookingSeries, FeedEventText, FeedTextDue, Space

log = logging.getLogger(__name__)

BATCH = 5
"""Spaces one worker claims at a time."""
CLAIM_FOR = timedelta(minutes=10)
"""How long a claim keeps other workers off a space: longer than a batch takes."""


async def claim(limit: int = BATCH) -> list[dict[str, Any]]:
    """Claim up to `limit` queued spaces, oldest first, in one short transaction."""
    async with db.write_transaction():
        now = await clock.db_now()
        due = (
            FeedTextDue.select(FeedTextDue.id, FeedTextDue.space, FeedTextDue.changes)
            .where(FeedTextDue.claimed_until.is_null() | (FeedTextDue.claimed_until <= now))
            .order_by(FeedTextDue.id)
            .limit(limit)
        )
        if not db.is_sqlite():
            due = due.lock_rows(skip_locked=True)
        rows = list(await due)
        if rows:
            await FeedTextDue.update({FeedTextDue.claimed_until: now + CLAIM_FOR}).where(
                FeedTextDue.id.is_in([row["id"] for row in rows])
            )
        return rows


async def write_space(space_id: Any, now: datetime) -> None:
    """Write the space's missing and stale texts: the public ones in every language, and
    every other audience, language and address some feed has asked for; first delete
    those no feed shows any more."""
    space = await Space.select(Space.id).where(Space.id == space_id).first()
    if space is None:
        return
    asked = await (
        FeedEventText.select(FeedEventText.audience, FeedEventText.locale, FeedEventText.base_url)
        .where(FeedEventText.space == space_id)
        .distinct()
    )
    kinds = {(PUBLIC, locale, "") for locale in SUPPORTED_LOCALES}
    kinds |= {
        (row["audience"], row["locale"], row["base_url"])
        for row in asked
        if feed_texts.stored_address(row["base_url"])
    }
    window = Window.around(now)
    await prune(space_id, window)
    for audience, locale, base_url in sorted(kinds):
        # A task of its own: the language it sets stays in it.
        await asyncio.create_task(
            _write(space_id, audience, locale, Context(window, base_url, now))
        )


async def prune(space_id: Any, window: Window) -> int:
    """Delete the space's texts no feed shows any more: of bookings that ended before the
    window, series whose last date is before it, and owners gone or moved to another
    space; the number deleted. A feed that still shows one (a moment earlier) writes it
    again; reads only the owners that have texts, so it costs what they number."""
    owners = await (
        FeedEventText.select(FeedEventText.owner).where(FeedEventText.space == space_id).distinct()
    )
    ids: dict[str, set[uuid.UUID]] = {"booking": set(), "series": set()}
    for row in owners:
        kind, _sep, owner_id = row["owner"].partition(":")
        with contextlib.suppress(ValueError):
            ids.setdefault(kind, set()).add(uuid.UUID(owner_id))
    kept: set[str] = set()
    for chunk in db.batches(sorted(ids["booking"]), feed_texts.STORE_CHUNK):
        kept |= {
            f"booking:{row['id']}"
            for row in await Booking.select(Booking.id).where(
                Booking.id.is_in(chunk)
                & (Booking.space == space_id)
                & (Booking.ends_at > window.start)
            )
        }
    for chunk in db.batches(sorted(ids["series"]), feed_texts.STORE_CHUNK):
        kept |= {
            f"series:{row['id']}"
            for row in await BookingSeries.select(BookingSeries.id).where(
                BookingSeries.id.is_in(chunk)
                & (BookingSeries.space == space_id)
                & (BookingSeries.ends_on >= window.first_day)
            )
        }
    gone = sorted({row["owner"] for row in owners} - kept)
    for chunk in db.batches(gone, feed_texts.STORE_CHUNK):
        await FeedEventText.delete().where(
            (FeedEventText.space == space_id) & FeedEventText.owner.is_in(chunk)
        )
    return len(gone)


async def _write(space_id: Any, audience: str, locale: str, context: Context) -> None:
    i18n.set_locale(locale)
    await events_of(Booking.space == space_id, BookingSeries.space == space_id, audience, context)


async def write_due(now: datetime) -> int:
    """The job: claim queued spaces and write their texts; the number of spaces done."""
    done = 0
    for row in await claim():
        await write_space(row["space"], now)
        await FeedTextDue.delete().where(
            (FeedTextDue.id == row["id"]) & (FeedTextDue.changes == row["changes"])
        )
        # Queued again meanwhile: free it for the next turn.
        await FeedTextDue.update({FeedTextDue.claimed_until: None}).where(
            FeedTextDue.id == row["id"]
        )
        done += 1
    return done


async def backfill(now: datetime) -> None:
    """Write the texts of every active space (`linli migrate`; only what is missing or
    stale, so running it again costs little)."""
    for row in await Space.select(Space.id).where(Space.active == True).order_by(Space.id):  # noqa: E712
        await write_space(row["id"], now)


JOBS = [Job("spaces.feed_texts", timedelta(seconds=10), write_due)]
