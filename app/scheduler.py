"""Jobs that run by themselves inside the application: no external cron.

Every process runs the same loop, but a job runs only in the process that wins its lease:
an UPDATE that moves `leased_until` forward only where it has passed. The database decides,
so with one process or eight, and on SQLite or PostgreSQL, exactly one runs each turn.
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from app import clock
from app.db import is_unique_violation
from app.tables import JobLease

log = logging.getLogger("linli.scheduler")

TICK_S = 5.0
HOLDER = f"{os.getpid()}-{secrets.token_hex(4)}"
"""This process's name in the leases."""


@dataclass(frozen=True)
class Job:
    name: str
    every: timedelta
    run: Callable[[datetime], Awaitable[object]]
    """Called with `now`; must be safe to run again if a run fails halfway."""


async def _claim(job: Job, now: datetime) -> bool:
    """Take the job's lease for one interval if nobody holds it now."""
    won = (
        await JobLease.update(
            {
                JobLease.holder: HOLDER,
                JobLease.leased_until: now + job.every,
                JobLease.last_run_at: now,
            }
        )
        .where((JobLease.name == job.name) & (JobLease.leased_until <= now))
        .returning(JobLease.id)
    )
    if won:
        return True
    if await JobLease.exists().where(JobLease.name == job.name):
        return False
    try:
        await JobLease.insert(
            JobLease(name=job.name, holder=HOLDER, leased_until=now + job.every, last_run_at=now)
        )
    except Exception as exc:
        if is_unique_violation(exc):
            return False  # another process created it first, and so won this turn
        raise
    return True


async def run_due(jobs: Sequence[Job], now: datetime) -> list[str]:
    """Run every job whose lease this process wins at `now`; returns their names."""
    ran = []
    for job in jobs:
        if not await _claim(job, now):
            continue
        try:
            await job.run(now)
        except Exception:
            log.exception("job %s failed; it runs again at its next turn", job.name)
        ran.append(job.name)
    return ran


async def run_forever(jobs: Sequence[Job]) -> None:
    """The loop the application's lifespan starts in every process."""
    while True:
        try:
            await run_due(jobs, clock.utcnow())
        except Exception:
            log.exception("scheduler tick failed")
        await asyncio.sleep(TICK_S)
