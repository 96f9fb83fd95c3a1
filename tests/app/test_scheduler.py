import asyncio
import importlib.util
from datetime import datetime, timedelta
from typing import Any

from app import scheduler
from app.tables import JobLease
from tests.factories import NOW


def start_process(holder: str) -> Any:
    """A fresh copy of `app.scheduler` (its own globals, as in another process) whose
    `HOLDER` is `holder`."""
    spec = importlib.util.find_spec("app.scheduler")
    assert spec is not None and spec.loader is not None
    process: Any = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(process)
    process.HOLDER = holder
    return process


async def test_exactly_one_process_runs_each_turn(db: None) -> None:
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


async def test_a_failing_job_is_logged_and_runs_next_turn(db: None, caplog) -> None:
    calls = []

    async def broken(now) -> None:
        calls.append(now)
        raise RuntimeError("boom")

    job = scheduler.Job("test.broken", timedelta(minutes=5), broken)
    assert await scheduler.run_due([job], NOW) == ["test.broken"]
    assert "job test.broken failed" in caplog.text
    assert await scheduler.run_due([job], NOW + timedelta(minutes=5)) == ["test.broken"]
    assert calls == [NOW, NOW + timedelta(minutes=5)]
