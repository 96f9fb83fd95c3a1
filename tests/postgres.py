"""PostgreSQL for the tests: a reset that costs about what SQLite's file copy does, and a
connection pool per event loop.

Reset. Right after migrating, `install_reset()` copies every table that has rows (the
migration log, the site settings, the shipped holidays) and the state of every sequence into
the schema `linli_test_baseline`, and creates `linli_test_baseline.reset()`. One call, one
round trip and one commit: it deletes the rows of every other table, children before
parents; puts a copied table back only when a test changed it; and winds back only the
sequences a test moved. Deferred triggers fire at once (`SET CONSTRAINTS ALL IMMEDIATE`), and
the tables without triggers of their own, which triggers may write (the stations'
generation), are compared and put back once more at the end. Afterwards the database
equals the freshly migrated one.
Measured on the 2-core development machine: TRUNCATE of every table (which replaces every
table's files) took 140 ms a test before the holidays were even reloaded; this reset takes
about 2 ms, and the test's own pool connects in about 3 ms (SQLite's copy: 0.5 ms).

Connections. asyncpg connections belong to the event loop that opened them, and every test
runs in a loop of its own (CLI tests even run `asyncio.run` loops of their own). With
`pool_per_loop(engine)` Piccolo's `engine.pool` is the pool of the running loop, so a test
and the app it calls through `httpx.ASGITransport` share the pool the `db` fixture opened in
that loop; any other loop has no pool and opens a connection per query, as Piccolo does
without one.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import graphlib
import threading
import weakref
from collections.abc import AsyncIterator, Coroutine, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any, TypeVar

import asyncpg
from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine

BASELINE = "linli_test_baseline"
POOL_MAX_SIZE = 20
"""Connections per test: enough for the tests that run many transactions at once."""
POOL_CLOSE_TIMEOUT_S = 10
RESET = f"SELECT {BASELINE}.reset()"
T = TypeVar("T")

_pools: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncpg.Pool] = (
    weakref.WeakKeyDictionary()
)


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


class _PoolPerLoop(PostgresEngine):
    """Piccolo's PostgreSQL engine whose `pool` is the running event loop's, if it has one."""

    __slots__ = ()

    @property
    def pool(self) -> asyncpg.Pool | None:
        loop = _running_loop()
        return _pools.get(loop) if loop is not None else None

    @pool.setter
    def pool(self, value: asyncpg.Pool | None) -> None:
        loop = asyncio.get_running_loop()
        if value is None:
            _pools.pop(loop, None)
        else:
            _pools[loop] = value


def pool_per_loop(engine: PostgresEngine) -> None:
    """Give `engine` (shared by every table) one connection pool per event loop."""
    if _pools:
        raise RuntimeError("pool_per_loop() must run before any pool is opened")
    engine.__class__ = _PoolPerLoop


@asynccontextmanager
async def loop_pool(
    engine: PostgresEngine, max_size: int = POOL_MAX_SIZE
) -> AsyncIterator[asyncpg.Pool]:
    """A pool for the running loop, used by every query of that loop until the block ends."""
    loop = asyncio.get_running_loop()
    pool = await asyncpg.create_pool(**engine.config, min_size=1, max_size=max_size)
    _pools[loop] = pool
    try:
        yield pool
    finally:
        del _pools[loop]
        if pool.get_idle_size() == pool.get_size():
            pool.terminate()  # nothing in use: drop the sockets without waiting for goodbyes
        else:
            try:
                await asyncio.wait_for(pool.close(), POOL_CLOSE_TIMEOUT_S)
            except TimeoutError:
                pool.terminate()
                raise RuntimeError(
                    "the test left a database connection in use (a task still running, "
                    "or a transaction never closed)"
                ) from None


@contextmanager
def without_pool() -> Iterator[None]:
    """Queries of the running loop open their own connections from `engine.config` inside
    this block (to point them at another server, say)."""
    loop = asyncio.get_running_loop()
    pool = _pools.pop(loop, None)
    try:
        yield
    finally:
        if pool is not None:
            _pools[loop] = pool


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


async def _tables(connection: asyncpg.Connection) -> list[str]:
    rows = await connection.fetch(
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') ORDER BY c.relname"
    )
    return [row["relname"] for row in rows]


async def _children_first(connection: asyncpg.Connection, tables: list[str]) -> list[str]:
    """`tables` ordered so that every table comes before the tables it references."""
    references = await connection.fetch(
        "SELECT child.relname AS child, parent.relname AS parent FROM pg_constraint c "
        "JOIN pg_class child ON child.oid = c.conrelid "
        "JOIN pg_class parent ON parent.oid = c.confrelid "
        "JOIN pg_namespace n ON n.oid = c.connamespace "
        "WHERE c.contype = 'f' AND n.nspname = 'public'"
    )
    # A parent waits for its children; a self-reference needs no order (one DELETE).
    waits_for: dict[str, set[str]] = {table: set() for table in tables}
    for row in references:
        if row["child"] != row["parent"]:
            waits_for[row["parent"]].add(row["child"])
    return list(graphlib.TopologicalSorter(waits_for).static_order())  # CycleError: loud


async def install_reset(dsn: str) -> None:
    """Record the freshly migrated database at `dsn` and create `linli_test_baseline.reset()`."""
    connection = await asyncpg.connect(dsn)
    try:
        tables = await _tables(connection)
        ordered = await _children_first(connection, tables)
        kept = [
            t
            for t in tables
            if await connection.fetchval(f"SELECT EXISTS (TABLE public.{_quoted(t)})")
        ]
        linked = await connection.fetch(
            "SELECT child.relname AS child, parent.relname AS parent FROM pg_constraint c "
            "JOIN pg_class child ON child.oid = c.conrelid "
            "JOIN pg_class parent ON parent.oid = c.confrelid "
            "WHERE c.contype = 'f' AND child.relname = ANY($1) AND parent.relname = ANY($1)",
            kept,
        )
        if linked:
            # Putting back one of two linked tables could break the other: not handled.
            raise RuntimeError(f"migrated tables with rows reference each other: {linked}")
        triggered = {
            row["relname"]
            for row in await connection.fetch(
                "SELECT DISTINCT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = 'public' AND NOT t.tgisinternal"
            )
        }
        # The triggers' own writes (stations' generation) fire now, then are put back last.
        statements = ["SET CONSTRAINTS ALL IMMEDIATE;"]
        again = []
        for table in ordered:
            live, copy = f"public.{_quoted(table)}", f"{BASELINE}.{_quoted(table)}"
            if table not in kept:
                statements.append(f"DELETE FROM {live};")
                continue
            restore = (
                f"IF EXISTS (SELECT t::text FROM {live} t EXCEPT ALL SELECT b::text FROM {copy} b)"
                f" OR EXISTS (SELECT b::text FROM {copy} b EXCEPT ALL SELECT t::text FROM {live} t)"
                f" THEN DELETE FROM {live}; INSERT INTO {live} SELECT * FROM {copy}; END IF;"
            )
            statements.append(restore)
            if table not in triggered:
                again.append(restore)
        body = "\n  ".join([*statements, *again])
        async with connection.transaction():
            await connection.execute(f"CREATE SCHEMA {BASELINE}")
            for table in kept:
                await connection.execute(
                    f"CREATE TABLE {BASELINE}.{_quoted(table)} AS TABLE public.{_quoted(table)}"
                )
            await connection.execute(
                f"CREATE TABLE {BASELINE}._sequences AS SELECT sequencename, last_value "
                "FROM pg_sequences WHERE schemaname = 'public'"
            )
            await connection.execute(
                f"""
CREATE FUNCTION {BASELINE}.reset() RETURNS void LANGUAGE plpgsql AS $reset$
BEGIN
  {body}
  PERFORM setval(format('public.%I', s.sequencename), coalesce(b.last_value, s.start_value),
                 b.last_value IS NOT NULL)
  FROM pg_sequences s JOIN {BASELINE}._sequences b USING (sequencename)
  WHERE s.schemaname = 'public' AND s.last_value IS DISTINCT FROM b.last_value;
END
$reset$
"""
            )
    finally:
        await connection.close()


class Resetter:
    """One connection for the whole run, in a thread with its own event loop, that calls
    `linli_test_baseline.reset()`: a new connection would first spend some 6 ms loading
    every table's definition; this one keeps them, and a reset costs about 2 ms, the hop to
    its thread included."""

    def __init__(self, dsn: str) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="linli-test-reset", daemon=True
        )
        self._thread.start()
        # A connection a test left inside a transaction fails the next reset, not hangs it.
        connecting = asyncpg.connect(dsn, server_settings={"lock_timeout": "10s"})
        self._connection: asyncpg.Connection = self._run(connecting).result()

    def _run(self, coroutine: Coroutine[Any, Any, T]) -> concurrent.futures.Future[T]:
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop)

    async def reset(self) -> None:
        """Bring the database back to the freshly migrated one (see `install_reset`)."""
        await asyncio.wrap_future(self._run(self._connection.execute(RESET)))

    def close(self) -> None:
        self._run(self._connection.close()).result()
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join()
        self._loop.close()


async def fingerprint(engine: Engine) -> dict[str, list[str]]:
    """Every row of every table, and the state of every sequence, as sorted text."""
    tables = await engine.run_ddl(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
    )
    found: dict[str, list[str]] = {}
    for row in tables:
        rows = await engine.run_ddl(
            f"SELECT t::text AS row FROM public.{_quoted(row['tablename'])} t ORDER BY 1"
        )
        found[row["tablename"]] = [r["row"] for r in rows]
    sequences = await engine.run_ddl(
        "SELECT sequencename || ' ' || coalesce(last_value::text, '-') AS state "
        "FROM pg_sequences WHERE schemaname = 'public' ORDER BY 1"
    )
    found["(sequences)"] = [row["state"] for row in sequences]
    return found
