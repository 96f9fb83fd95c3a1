"""Needs left done but neither rated nor followed up (回访): when they wait for a 回访, and
the hourly job that closes them as "closed without rating" after each community's
`autoclose_after_days`.

A done need has had no rating and no 回访 since it was done: either moves it on (to `rated`
or back to `open`), so the status alone says what is left waiting."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from app.db import write_transaction
from app.scheduler import Job
from app.tables import Community
from needs.logic import loop
from needs.services.transitions import add_event, lock_key, locked, save_step
from needs.tables import Need

BATCH = 200
"""Needs closed per community and run; the next run takes the rest."""


def due(done_before: datetime) -> Any:
    """Done needs, left without rating or 回访, done at `done_before` or earlier."""
    return (Need.status == loop.DONE) & (Need.done_at <= done_before)


async def _close(need_id: Any, done_before: datetime, now: datetime) -> bool:
    """Close one need unless, re-read under its lock, it was rated, followed up or closed
    meanwhile (by another process running the same job, say)."""
    async with write_transaction(lock_key(need_id)):
        need = await locked(need_id)
        if need.status != loop.DONE or need.done_at is None or need.done_at > done_before:
            return False
        await save_step(need.id, {Need.status: loop.CLOSED}, now)
        await add_event(need.id, "closed_unrated", actor_id=None, now=now)
        return True


async def close_unrated(now: datetime) -> int:
    """Close every need done `autoclose_after_days` ago (its community's) or longer and
    still without rating or 回访. Returns how many it closed; nobody is told."""
    closed = 0
    communities = await Community.select(Community.id, Community.autoclose_after_days)
    for community in communities:
        done_before = now - timedelta(days=community["autoclose_after_days"])
        rows = (
            await Need.select(Need.id)
            .where(due(done_before) & (Need.community == community["id"]))
            .order_by(Need.done_at)
            .limit(BATCH)
        )
        for row in rows:
            closed += await _close(row["id"], done_before, now)
    return closed


JOBS = [Job("needs.autoclose", timedelta(hours=1), close_unrated)]
