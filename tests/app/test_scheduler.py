import asyncio
from datetime import timedelta

from app import scheduler
from app.tables import JobLease
from tests.factories import NOW


async def test_exactly_one_process_runs_each_turn(db: None, monkeypatch) -> None:
    runs: list[str] = []

    async def work(now) -> None:
        runs.append(scheduler.HOLDER)
        await asyncio.sleep(0.01)

    job = scheduler.Job("test.job", timedelta(minutes=1), work)

    async def process(name: str, at) -> list[str]:
        monkeypatch.setattr(scheduler, "HOLDER", name)
        return await scheduler.run_due([job], at)

    # Eight processes wake up at the same moment: one wins.
    results = await asyncio.gather(*(process(f"p{n}", NOW) for n in range(8)))
    assert sum(len(r) for r in results) == 1
    assert len(runs) == 1
    # Within the interval nobody runs it again; after it, one does.
    assert await scheduler.run_due([job], NOW + timedelta(seconds=59)) == []
    assert await scheduler.run_due([job], NOW + timedelta(minutes=1)) == ["test.job"]
    lease = await JobLease.objects().where(JobLease.name == "test.job").first()
    assert (lease.last_run_at, lease.leased_until) == (
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
