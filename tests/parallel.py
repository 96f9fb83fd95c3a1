"""Many attempts at once from several OS processes, against the test's own database (and
Redis): what a limit must withstand when several server processes take requests together.

The processes are forked from the test, so they share its database file or PostgreSQL
database, its patched limits and backends, and need no start-up of their own (a fresh
interpreter takes about two seconds to import Linli). Each child runs its share of the
attempts with `asyncio.gather` in a new thread (the forked thread still believes the test's
event loop is running), after a barrier that all children pass together.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import threading
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

from piccolo.engine.postgres import PostgresEngine

from app.db import LinliSQLiteEngine, engine
from tests import postgres

PROCESSES = 3
CHILD_TIMEOUT_S = 60


@asynccontextmanager
async def _own_connections() -> AsyncIterator[None]:
    """Database connections of the child's own: a small pool on PostgreSQL; on SQLite the
    engine's statement threads and kept transaction connections, which did not survive the
    fork."""
    db: Any = engine()
    async with AsyncExitStack() as stack:
        if isinstance(db, LinliSQLiteEngine):
            db._executor = ThreadPoolExecutor(max_workers=4, thread_name_prefix="sqlite")
            db._local = threading.local()
            db._idle, db._idle_lock = [], threading.Lock()
        elif isinstance(db, PostgresEngine) and isinstance(db, postgres._PoolPerLoop):
            await stack.enter_async_context(postgres.loop_pool(db, max_size=5))
        yield


async def _outcome(attempt: Callable[[int], Awaitable[object]], index: int) -> str:
    try:
        result = await attempt(index)
    except Exception as exc:
        return type(exc).__name__
    return "ok" if result is None else str(result)


def _child(
    attempt: Callable[[int], Awaitable[object]],
    indexes: list[int],
    barrier: Any,
    results: Any,
) -> None:
    async def main() -> list[str]:
        async with _own_connections():
            barrier.wait(CHILD_TIMEOUT_S)
            return list(await asyncio.gather(*(_outcome(attempt, i) for i in indexes)))

    outcomes: list[str] = []

    def run() -> None:
        try:
            outcomes.extend(asyncio.run(main()))
        except BaseException as exc:  # reported to the test, which fails with it
            outcomes.append(f"child failed: {exc!r}")

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    results.put(outcomes)


def at_once(
    attempt: Callable[[int], Awaitable[object]],
    *,
    attempts: int = 50,
    processes: int = PROCESSES,
) -> Counter[str]:
    """Run `attempt(0)` … `attempt(attempts - 1)` spread over `processes` forked processes,
    all started together; how many ended with each outcome: the exception's class name, or
    the attempt's result as text ("ok" for None)."""
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(processes)
    results = context.Queue()
    children = [
        context.Process(
            target=_child,
            args=(attempt, list(range(p, attempts, processes)), barrier, results),
            daemon=True,
        )
        for p in range(processes)
    ]
    for child in children:
        child.start()
    try:
        outcomes = [results.get(timeout=CHILD_TIMEOUT_S) for _ in children]
    finally:
        for child in children:
            child.join(5)
            if child.is_alive():
                child.kill()
    return Counter(outcome for share in outcomes for outcome in share)
