"""Jobs that run by themselves inside the application: no external cron.

Every process runs the same loop, but a job runs only in the process that wins its lease:
an UPDATE that moves `leased_until` forward only where it has passed. The database decides,
so with one process or eight, and on SQLite or PostgreSQL, exactly one runs each turn.
Lease times are the database's clock (`clock.db_now()`), so hosts whose clocks differ still
agree, and a running job renews its lease every third of it, so a run that outlives its
interval is not started again by another process.
"""

from __future__ import annotations

import asyncio
import contextlib
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
RENEWALS_PER_LEASE = 3
"""A running job extends its lease this many times per lease length."""


@dataclass(frozen=True)
class Job:
    name: str
    every: timedelta
    run: Callable[[datetime], Awaitable[object]]
    """Called with `now`; must be safe to run again if a run fails halfway."""


async def pause(seconds: float) -> None:
    """Wait between two renewals of a lease (tests replace it to step by hand)."""
    await asyncio.sleep(seconds)


async def _claim(job: Job) -> bool:
    """Take the job's lease for one interval if nobody holds it now (database time)."""
    now = await clock.db_now()
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


async def renew(job: Job) -> bool:
    """Extend this process's lease of `job` to one interval from now (database time); False
    when the lease is no longer this process's (it ran out and another took it over)."""
    now = await clock.db_now()
    renewed = (
        await JobLease.update({JobLease.leased_until: now + job.every})
        .where(
            (JobLease.name == job.name)
            & (JobLease.holder == HOLDER)
            & (JobLease.leased_until > now)
        )
        .returning(JobLease.id)
    )
    return bool(renewed)


async def _keep_renewing(job: Job) -> None:
    """Renew the lease every third of it until cancelled, or until it is found lost."""
    while True:
        await pause(job.every.total_seconds() / RENEWALS_PER_LEASE)
        try:
            held = await renew(job)
        except Exception:
            log.exception("renewing the lease of job %s failed; trying again", job.name)
            continue
        if not held:
            log.error(
                "job %s lost its lease while running (held by %s); another process may run it",
                job.name,
                HOLDER,
            )
            return


async def _run_holding_lease(job: Job, now: datetime) -> None:
    renewer = asyncio.create_task(_keep_renewing(job))
    try:
        await job.run(now)
    finally:
        renewer.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await renewer


async def run_due(jobs: Sequence[Job], now: datetime) -> list[str]:
    """Run every job whose lease this process wins; returns their names. Jobs are given
    `now`; the leases themselves use the database's clock."""
    ran = []
    for job in jobs:
        if not await _claim(job):
            continue
        try:
            await _run_holding_lease(job, now)
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
