import asyncio
import importlib.util
from datetime import datetime, timedelta
from typing import Any

from app import scheduler
from app.tables import JobLease
from tests.factories import NOW
from tests.fixtures import SteppingClock


def start_process(holder: str) -> Any:
    """A fresh copy of `app.scheduler` (its own globals, as in another process) whose
    `HOLDER` is `holder`."""
    spec = importlib.util.find_spec("app.scheduler")
    assert spec is not None and spec.loader is not None
    process: Any = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(process)
    process.HOLDER = holder
    return process


async def test_exactly_one_process_runs_each_turn(db: None, db_clock: SteppingClock) -> None:
    runs: list[tuple[str, datetime]] = []
    processes = [start_process(f"p{n}") for n in range(8)]

    def job_of(process: Any) -> scheduler.Job:
        async def work(now: datetime) -> None:
            runs.append((process.HOLDER, now))
            await asyncio.sleep(0.01)

        return process.Job("test.job", timedelta(minutes=1), work)

    jobs = [job_of(process) for process in processes]

    async def turn(at: datetime) -> list[str]:
        """All eight processes wake up at `at`; the holders that ran the job."""
        db_clock.now = at
        ran = await asyncio.gather(
            *(process.run_due([job], at) for process, job in zip(processes, jobs, strict=True))
        )
        return [process.HOLDER for process, names in zip(processes, ran, strict=True) if names]

    async def lease() -> tuple[str, datetime, datetime]:
        row = await JobLease.objects().where(JobLease.name == "test.job").first()
        assert row is not None
        return row.holder, row.last_run_at, row.leased_until

    # The first turn creates the lease: one process wins, the other seven lose the insert.
    first = await turn(NOW)
    assert len(first) == 1
    assert runs == [(first[0], NOW)]
    assert await lease() == (first[0], NOW, NOW + timedelta(minutes=1))
    # Within the interval nobody runs it again, not even the holder.
    assert await turn(NOW + timedelta(seconds=59)) == []
    # After it, exactly one process takes the lease over.
    second = await turn(NOW + timedelta(minutes=1))
    assert len(second) == 1
    assert runs[1:] == [(second[0], NOW + timedelta(minutes=1))]
    assert await lease() == (
        second[0],
        NOW + timedelta(minutes=1),
        NOW + timedelta(minutes=2),
    )


async def test_a_failing_job_is_logged_and_runs_next_turn(
    db: None, db_clock: SteppingClock, caplog
) -> None:
    calls = []

    async def broken(now) -> None:
        calls.append(now)
        raise RuntimeError("boom")

    job = scheduler.Job("test.broken", timedelta(minutes=5), broken)
    assert await scheduler.run_due([job], NOW) == ["test.broken"]
    assert "job test.broken failed" in caplog.text
    db_clock.step(timedelta(minutes=5))
    assert await scheduler.run_due([job], NOW + timedelta(minutes=5)) == ["test.broken"]
    assert calls == [NOW, NOW + timedelta(minutes=5)]


class HeldJob:
    """A job that runs until the test lets it finish, in a process whose lease renewals
    happen only when the test steps them: `pauses` has one entry per renewal awaited, and
    `renewals` the outcome of each renewal made."""

    def __init__(self, process: Any, every: timedelta) -> None:
        self.process = process
        self.started = asyncio.Event()
        self.finish = asyncio.Event()
        self.steps: asyncio.Queue[None] = asyncio.Queue()
        self.pauses: list[float] = []
        self.renewals: asyncio.Queue[bool] = asyncio.Queue()
        self.job = process.Job("test.slow", every, self.work)
        renew = process.renew

        async def pause(seconds: float) -> None:
            self.pauses.append(seconds)
            await self.steps.get()

        async def watched_renew(job: scheduler.Job) -> bool:
            held: bool = await renew(job)
            self.renewals.put_nowait(held)
            return held

        process.pause = pause
        process.renew = watched_renew

    async def work(self, now: datetime) -> None:
        self.started.set()
        await self.finish.wait()

    async def renew_once(self) -> bool:
        self.steps.put_nowait(None)
        return await self.renewals.get()


async def lease_of(name: str) -> tuple[str, datetime]:
    row = await JobLease.objects().where(JobLease.name == name).first()
    assert row is not None
    return row.holder, row.leased_until


async def test_a_running_job_renews_its_lease_so_no_other_process_starts_it(
    db: None, db_clock: SteppingClock, caplog
) -> None:
    first, second = start_process("p1"), start_process("p2")
    held = HeldJob(first, timedelta(minutes=1))
    runs: list[datetime] = []

    async def quick(now: datetime) -> None:
        runs.append(now)

    other = second.Job("test.slow", timedelta(minutes=1), quick)
    running = asyncio.create_task(first.run_due([held.job], NOW))
    await held.started.wait()
    assert await lease_of("test.slow") == ("p1", NOW + timedelta(minutes=1))
    assert held.pauses == [20.0]  # a third of the lease

    # Renewed at 20 s and at 40 s: the lease now runs to 1 min 40 s.
    db_clock.step(timedelta(seconds=20))
    assert await held.renew_once() is True
    db_clock.step(timedelta(seconds=20))
    assert await held.renew_once() is True
    assert await lease_of("test.slow") == ("p1", NOW + timedelta(seconds=100))
    # Past the interval, the job still runs in p1: p2 does not start it again.
    db_clock.step(timedelta(seconds=30))
    assert await second.run_due([other], NOW + timedelta(seconds=70)) == []
    assert runs == []

    # p1 stalls (no renewal) until the lease runs out: p2 takes over, and p1's next
    # renewal finds the lease lost and says so.
    db_clock.step(timedelta(seconds=31))
    assert await second.run_due([other], NOW + timedelta(seconds=101)) == ["test.slow"]
    assert runs == [NOW + timedelta(seconds=101)]
    assert await held.renew_once() is False
    assert "job test.slow lost its lease while running (held by p1)" in caplog.text
    assert (await lease_of("test.slow"))[0] == "p2"
    held.finish.set()
    assert await running == ["test.slow"]
    assert held.pauses == [20.0, 20.0, 20.0]
