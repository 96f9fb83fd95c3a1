"""Database plumbing: the engine, safe transactions, locks and the secret key.

Writers that check before they insert use `write_transaction()`: on SQLite it takes the
write lock up front (`BEGIN IMMEDIATE`), on PostgreSQL it can take an advisory lock on a
key, so concurrent writers of the same thing wait for each other instead of both winning.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import secrets
import sqlite3
import threading
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any, TypeVar

from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine, PostgresTransaction
from piccolo.engine.sqlite import SQLiteEngine, TransactionType, dict_factory
from piccolo.querystring import QueryString
from piccolo.table import Table

log = logging.getLogger(__name__)
T = TypeVar("T")
TableT = TypeVar("TableT", bound="Table")

SQLITE_BUSY_TIMEOUT_S = 30
SECRET_KEY_SETTING = "secret_key"

_rows_as_tuples: ContextVar[bool] = ContextVar("rows_as_tuples", default=False)
"""Set by `fetch_tuples` around its statement: Linli's SQLite engine then skips the dicts."""


class LinliSQLiteEngine(SQLiteEngine):
    """Piccolo's SQLite engine with connections kept open, for statements and transactions.

    Piccolo opens (and closes) a new connection, with its own thread, for every statement
    and every transaction; that costs more than the statements themselves. Here statements
    outside transactions run on a small pool of threads, each keeping one connection per
    database file, and a transaction borrows a `KeptConnection` (a connection on its own
    thread, each statement one round trip) that goes back to the engine when it ends.
    Every connection has foreign keys on and `synchronous = NORMAL` (the database is in WAL).
    """

    __slots__ = ("_executor", "_idle", "_idle_lock", "_local")

    MAX_IDLE = 4
    """Kept transaction connections beyond this many idle ones are closed."""

    def __init__(self, path: str, *, threads: int = 4, **connection_kwargs: Any) -> None:
        super().__init__(path=path, **connection_kwargs)
        self._executor = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="sqlite")
        self._local = threading.local()
        self._idle: list[KeptConnection] = []
        # Transactions of several event loops (threads) may borrow and return at once.
        self._idle_lock = threading.Lock()

    def _connection(self, at_once: bool = False) -> sqlite3.Connection:
        """The calling thread's connection to the engine's database file: a pool thread's,
        or with `at_once` the one an event loop's thread reads with (`read_at_once`)."""
        path = self.connection_kwargs["database"]
        name = "at_once" if at_once else "connection"
        connection: sqlite3.Connection | None = getattr(self._local, name, None)
        if connection is not None and getattr(self._local, name + "_path") == path:
            return connection
        if connection is not None:
            # Forget it first: if the new path cannot be opened, the next call must not
            # find this closed connection (service resumes once the file is back).
            setattr(self._local, name, None)
            connection.close()
        kwargs = {**self.connection_kwargs, "timeout": 0} if at_once else self.connection_kwargs
        connection = open_connection(kwargs)
        setattr(self._local, name, connection)
        setattr(self._local, name + "_path", path)
        return connection

    def read_at_once(
        self, query: str, args: list[Any], tuples: bool = False
    ) -> list[dict[str, Any]] | list[tuple[Any, ...]] | None:
        """The rows of the read `query` (tuples with `tuples`), run on the calling thread (an
        event loop's) with a connection of its own that never waits for a lock; None when
        the database is busy, and the read must go to the pool instead (`fetch_by_key`,
        `fetch_tuples`). In WAL a reader waits only while another connection recovers the
        database or changes its journal."""
        try:
            return fetch_rows(self._connection(at_once=True), query, args, tuples)
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                return None
            raise

    def _execute(
        self, query: str, args: list[Any], tuples: bool
    ) -> list[dict[str, Any]] | list[tuple[Any, ...]]:
        return fetch_rows(self._connection(), query, args, tuples)

    def borrow(self) -> KeptConnection:
        """A kept connection for one transaction, lent to it alone until `give_back`."""
        path = self.connection_kwargs["database"]
        with self._idle_lock:
            while self._idle:
                kept = self._idle.pop()
                if kept.path == path:
                    return kept
                kept.discard()
        return KeptConnection(self, dict(self.connection_kwargs))

    def give_back(self, kept: KeptConnection) -> None:
        """Take back a connection lent by `borrow`, once its transaction has ended."""
        kept.reset()
        with self._idle_lock:
            if len(self._idle) < self.MAX_IDLE:
                self._idle.append(kept)
                return
        kept.discard()

    async def _run_in_new_connection(
        self,
        query: str,
        args: list[Any] | None = None,
        query_type: str = "generic",
        table: Any = None,
    ) -> list[dict[str, Any]] | list[tuple[Any, ...]]:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(
            self._executor, self._execute, query, args or [], _rows_as_tuples.get()
        )

    async def get_connection(self) -> Any:
        connection = await super().get_connection()
        # WAL with NORMAL syncs at checkpoints, not at every commit: safe against corruption;
        # only an OS crash or power cut can lose the last moments (the common SQLite setting).
        await connection.execute("PRAGMA synchronous = NORMAL")
        return connection

    async def _run_in_existing_connection(
        self,
        connection: Any,
        query: str,
        args: list[Any] | None = None,
        query_type: str = "generic",
        table: Any = None,
    ) -> list[dict[str, Any]] | list[tuple[Any, ...]]:
        if isinstance(connection, KeptConnection):
            if _sent_later.get():
                connection.send_later(query, args)
                return []
            return await connection.execute(query, args, tuples=_rows_as_tuples.get())
            return await connection.execute(query, args)
        # get_connection() already switched foreign keys on for this connection.
        connection.row_factory = dict_factory
        async with connection.execute(query, args or []) as cursor:
            return await cursor.fetchall()


_sent_later: ContextVar[bool] = ContextVar("sent_later", default=False)


async def write_later(query: Awaitable[object]) -> None:
    """Run the write `query` (a Piccolo query) whose result nobody reads and whose failure
    only has to fail its transaction. In a SQLite transaction it is sent with the
    transaction's next statement or its COMMIT, saving a trip to the connection's thread
    while the write lock is held; elsewhere it runs at once."""
    token = _sent_later.set(True)
    try:
        await query
    finally:
        _sent_later.reset(token)


def open_connection(connection_kwargs: dict[str, Any]) -> sqlite3.Connection:
    """A connection to the database of Piccolo's `connection_kwargs`, set up as every
    connection of Linli's engine is."""
    connection = sqlite3.connect(**{**connection_kwargs, "check_same_thread": True})
    connection.row_factory = dict_factory
    connection.execute("PRAGMA foreign_keys = 1")
    # WAL with NORMAL syncs at checkpoints, not at every commit: safe against corruption;
    # only an OS crash or power cut can lose the last moments (the common SQLite setting).
    connection.execute("PRAGMA synchronous = NORMAL")
    return connection


def fetch_rows(
    connection: sqlite3.Connection, query: str, args: list[Any], tuples: bool = False
) -> list[dict[str, Any]] | list[tuple[Any, ...]]:
    """The rows of `query`: dicts (the connection's row factory), or tuples with `tuples`
    (no dict per row: `fetch_tuples`)."""
    cursor = connection.cursor()
    if tuples:
        cursor.row_factory = None
    try:
        return cursor.execute(query, args).fetchall()
    finally:
        cursor.close()


class KeptConnection:
    """A SQLite connection kept open on its own thread and lent to one transaction at a time
    (`LinliSQLiteEngine.borrow`). Each statement is one trip to its thread, and the thread
    runs them in the order they were sent, so a rollback sent after a cancelled statement
    still runs after it.

    Statements nobody waits for travel with the next one: `BEGIN …` with the transaction's
    first statement, writes sent through `write_later` with the next statement or the
    COMMIT (fewer trips while a writer holds the write lock). A transaction that sends
    nothing before it ends sends nothing."""

    def __init__(self, engine: LinliSQLiteEngine, connection_kwargs: dict[str, Any]) -> None:
        self.engine = engine
        self.path: str = connection_kwargs["database"]
        self._kwargs = connection_kwargs
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sqlite-tx")
        self._connection: sqlite3.Connection | None = None
        self._waiting: list[tuple[str, list[Any]]] = []
        """Statements to send before the next one, in order."""
        self._ended = True
        """Whether the last statement sent was a COMMIT or ROLLBACK that ran (or nothing
        was sent): then no transaction can be left open, and `reset` needs no trip."""

    def _run(
        self, waiting: list[tuple[str, list[Any]]], query: str, args: list[Any], tuples: bool
    ) -> list[dict[str, Any]] | list[tuple[Any, ...]]:
        if self._connection is None:
            self._connection = open_connection(self._kwargs)
        for earlier, earlier_args in waiting:
            self._connection.execute(earlier, earlier_args).close()
        if query == "ROLLBACK" and not self._connection.in_transaction:
            return []  # its BEGIN failed (with the first statement): nothing to roll back
        return fetch_rows(self._connection, query, args, tuples)

    async def execute(
        self, query: str, args: list[Any] | None = None, *, tuples: bool = False
    ) -> list[dict[str, Any]] | list[tuple[Any, ...]]:
        """Run `query` after the statements waiting to be sent; its rows as dicts, or as
        tuples with `tuples`."""
        if query.startswith("BEGIN"):
            self._waiting.append((query, []))
            return []
        waiting, self._waiting = self._waiting, []
        if query == "ROLLBACK":
            waiting = []  # what was never sent needs no undoing
        elif query == "COMMIT" and len(waiting) == 1 and waiting[0][0].startswith("BEGIN"):
            return []  # nothing was sent, so there is nothing to end
        self._ended = False
        loop = asyncio.get_running_loop()
        rows = await loop.run_in_executor(
            self._thread, self._run, waiting, query, list(args or []), tuples
        )
        self._ended = query in {"COMMIT", "ROLLBACK"}
        return rows

    async def execute_all(
        self, statements: Sequence[tuple[str, list[Any], bool]]
    ) -> list[list[dict[str, Any]] | list[tuple[Any, ...]]]:
        """Run several reads in one trip, after the statements waiting to be sent: each
        `(query, args, tuples)` gives its rows as `execute` would."""
        waiting, self._waiting = self._waiting, []
        self._ended = False
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._thread, self._run_all, waiting, statements)

    def _run_all(
        self,
        waiting: list[tuple[str, list[Any]]],
        statements: Sequence[tuple[str, list[Any], bool]],
    ) -> list[list[dict[str, Any]] | list[tuple[Any, ...]]]:
        (first, first_args, first_tuples), *rest = statements
        found = [self._run(waiting, first, first_args, first_tuples)]
        found += [self._run([], query, args, tuples) for query, args, tuples in rest]
        return found

    def send_later(self, query: str, args: list[Any] | None = None) -> None:
        """Send the write `query` with the next statement (see `write_later`)."""
        self._waiting.append((query, list(args or [])))

    async def close(self) -> None:
        """Give the connection back to its engine (Piccolo's transactions call this)."""
        self.engine.give_back(self)

    def _reset(self) -> None:
        # A transaction that could not commit or roll back leaves it open: end it, or start
        # afresh with a new connection.
        if self._connection is not None and self._connection.in_transaction:
            try:
                self._connection.rollback()
            except sqlite3.Error:
                log.exception("could not roll back a kept connection; it is replaced")
                self._close()

    def reset(self) -> None:
        """End whatever transaction is left open, after every statement already sent: no
        trip to the thread when the last one sent was a COMMIT or ROLLBACK that ran."""
        self._waiting = []
        if not self._ended:
            self._thread.submit(self._reset)
            self._ended = True

    def _close(self) -> None:
        if self._connection is not None:
            connection, self._connection = self._connection, None
            connection.close()

    def discard(self) -> None:
        """Close the connection and end its thread, after every statement already sent."""
        self._thread.submit(self._close)
        self._thread.shutdown(wait=False)


def make_engine(url: str) -> Engine:
    """The Piccolo engine for a `sqlite:///…` or `postgresql://…` URL."""
    if url.startswith(("postgresql://", "postgres://")):
        return PostgresEngine(config={"dsn": url})
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        path.parent.mkdir(parents=True, exist_ok=True)
        return LinliSQLiteEngine(path=str(path), timeout=SQLITE_BUSY_TIMEOUT_S)
    raise ValueError(f"unsupported DATABASE_URL scheme: {url.split(':', 1)[0]!r}")


def engine() -> Engine:
    """The engine every table of this process uses."""
    from app.tables import SiteSetting

    return SiteSetting._meta.db


def is_sqlite(db: Engine | None = None) -> bool:
    return (db or engine()).engine_type == "sqlite"


# One lock per event loop: a Lock is bound to the loop that first waits on it.
_sqlite_write_locks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = (
    weakref.WeakKeyDictionary()
)


def _sqlite_write_lock() -> asyncio.Lock:
    loop = asyncio.get_running_loop()
    lock = _sqlite_write_locks.get(loop)
    if lock is None:
        lock = _sqlite_write_locks[loop] = asyncio.Lock()
    return lock


async def _release(db: Engine, tx: Any) -> None:
    if isinstance(db, PostgresEngine) and db.pool:
        await db.pool.release(tx.connection)
    else:
        await tx.connection.close()


@asynccontextmanager
async def _transaction(db: Engine, *, immediate: bool) -> AsyncIterator[Any]:
    """A transaction that always releases its connection and resets Piccolo's context.

    Piccolo 1.38 leaks the connection and leaves the transaction marked current when COMMIT
    itself fails; this wrapper drives the same transaction object by hand to avoid that.
    """
    if isinstance(db, SQLiteEngine):
        kind = TransactionType.immediate if immediate else TransactionType.deferred
        tx = db.transaction(transaction_type=kind, allow_nested=False)
    else:
        tx = db.transaction(allow_nested=False)
    if isinstance(db, LinliSQLiteEngine):
        tx.connection = db.borrow()
    else:
        tx.connection = await tx.get_connection()
    try:
        if isinstance(tx, PostgresTransaction):
            tx.transaction = tx.connection.transaction()
        await tx.begin()
    except BaseException:
        await _release(db, tx)
        raise
    token = db.current_transaction.set(tx)
    try:
        try:
            yield tx
        except BaseException:
            if not (tx._committed or tx._rolled_back):
                try:
                    await tx.rollback()
                except Exception:
                    log.exception("rollback failed; the connection is discarded")
            raise
        if not (tx._committed or tx._rolled_back):
            await tx.commit()
    finally:
        db.current_transaction.reset(token)
        await _release(db, tx)


def lock_id(key: str) -> int:
    """A stable signed 64-bit number for an advisory lock on `key`."""
    digest = hashlib.sha256(key.encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


@asynccontextmanager
async def write_transaction(*lock_keys: str) -> AsyncIterator[Any]:
    """A transaction for writes that must not interleave with other writers of `lock_keys`.

    SQLite: one writer at a time (`BEGIN IMMEDIATE`, plus a per-loop lock so waiting costs
    no busy polling). PostgreSQL: transaction-scoped advisory locks on each key, taken in a
    fixed order so two writers never deadlock on them.
    """
    db = engine()
    queued: dict[str, Callable[[], Awaitable[object]]] = {}
    token = _after_commit.set(queued)
    try:
        if isinstance(db, SQLiteEngine):
            async with _sqlite_write_lock():
                async with _transaction(db, immediate=True) as tx:
                    yield tx
                await _run_after_commit(queued)  # still one writer of this process at a time
            return
        async with _transaction(db, immediate=True) as tx:
            for key_id in sorted({lock_id(key) for key in lock_keys}):
                await tx.connection.execute("SELECT pg_advisory_xact_lock($1)", key_id)
            yield tx
        await _run_after_commit(queued)
    finally:
        _after_commit.reset(token)


_after_commit: ContextVar[dict[str, Callable[[], Awaitable[object]]] | None] = ContextVar(
    "after_commit", default=None
)


def after_commit(key: str, callback: Callable[[], Awaitable[object]]) -> bool:
    """Run `callback` once the current `write_transaction` has committed (once per `key`);
    False, and nothing queued, outside one. For work the change's answer need not wait
    for and whose loss a later reader repairs (a failure is logged, not raised)."""
    queued = _after_commit.get()
    if queued is None:
        return False
    queued.setdefault(key, callback)
    return True


async def _sent_with_commit() -> None:
    """What `with_commit` queues once the write is sent: nothing is left to run."""


async def with_commit(key: str, write: Callable[[], Awaitable[object]]) -> bool:
    """Make the write `write()` part of the current `write_transaction` (once per `key`)
    when that costs no trip of its own: on SQLite it is sent with the transaction's next
    statement or its COMMIT (`write_later`), so it commits with the change or not at all.
    Under PostgreSQL, where each statement is a trip, it runs after the commit instead
    (`after_commit`). False, and nothing done, outside a `write_transaction`."""
    queued = _after_commit.get()
    if queued is None:
        return False
    if key in queued:
        return True
    if is_sqlite():
        queued[key] = _sent_with_commit
        await write_later(write())
    else:
        queued[key] = write
    return True


async def _run_after_commit(queued: dict[str, Callable[[], Awaitable[object]]]) -> None:
    for key, callback in list(queued.items()):
        try:
            await callback()
        except Exception:
            log.exception("after-commit work %s failed; a later reader repairs it", key)


def is_unreachable(exc: BaseException) -> bool:
    """Whether `exc` says the database cannot be reached (or will not take this request
    now), rather than that the request or the code is wrong: the site is briefly
    unavailable, and says so (503), instead of failing (500)."""
    if isinstance(exc, sqlite3.OperationalError):
        message = str(exc).lower()
        return any(
            sign in message
            for sign in ("unable to open", "disk i/o", "database is locked", "readonly database")
        )
    if isinstance(exc, (ConnectionError, TimeoutError)):
        return True
    try:
        import asyncpg
    except ImportError:  # pragma: no cover - asyncpg is a declared dependency
        return False
    return isinstance(
        exc,
        (
            asyncpg.PostgresConnectionError,
            asyncpg.InterfaceError,
            asyncpg.exceptions.CannotConnectNowError,
            asyncpg.exceptions.TooManyConnectionsError,
            asyncpg.exceptions.OperatorInterventionError,
        ),
    )


def existing(row: T | None) -> T:
    """`row`, read again by the key of a row this transaction wrote or locked: it cannot be
    missing, and if it is, that is a bug to fail loudly for."""
    if row is None:
        raise LookupError("a row read back by its key inside its own transaction is missing")
    return row


_column_names: dict[type[Any], frozenset[str]] = {}


def row_object(table: type[TableT], values: dict[str, Any]) -> TableT:
    """The object of a row read from the database with every column of `table` (by name),
    as `table(_exists_in_db=True, **values)` makes it: without Piccolo's constructor, which
    looks up every column's default first (a foreign key's lookups are slow). Any other set
    of names (a column missing, one unknown) goes through the constructor."""
    names = _column_names.get(table)
    if names is None:
        names = _column_names[table] = frozenset(c._meta.name for c in table._meta.columns)
    if values.keys() != names:
        return table(_exists_in_db=True, **values)
    row = table.__new__(table)
    # What `Table.__init__` sets: the flags, then each column's value (every column's
    # descriptor keeps it in the instance's __dict__ under its name).
    row.__dict__.update(values)
    row._exists_in_db = True
    row._was_created = None
    return row


def placeholders(count: int) -> str:
    """`{}, {}, …` for an `IN (…)` list of `count` values in a raw Piccolo query."""
    return ", ".join("{}" for _ in range(count))


def batches(items: list[T], size: int) -> Iterator[list[T]]:
    """`items` in consecutive slices of at most `size`: lists of query parameters stay
    below either engine's limit."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


class Statement(QueryString):
    """A raw statement whose values are plain (no query strings or columns inside), its
    text compiled once per template and engine. Piccolo walks the template at every
    compile, which for the availability read (27 values) costs a fifth of what SQLite
    takes to run it."""

    _compiled: dict[tuple[str, str], str] = {}  # one for the process
    MAX_KEPT = 512
    """Templates kept at most: a few dozen are written in the code, and a statement with an
    `IN (…)` list makes one for each length of list."""

    def compile_string(self, engine_type: str = "postgres") -> tuple[str, list[Any]]:
        if any(isinstance(arg, QueryString) for arg in self.args):
            return super().compile_string(engine_type)
        key = (self.template, engine_type)
        text = self._compiled.get(key)
        if text is None:
            text = super().compile_string(engine_type)[0]
            if len(self._compiled) >= self.MAX_KEPT:
                self._compiled.clear()
            self._compiled[key] = text
        return text, list(self.args)


async def fetch_tuples(sql: str, *args: Any, walked: bool = False) -> list[Sequence[Any]]:
    """The rows of a raw statement (Piccolo's `{}` placeholders) as tuples in the order of
    its columns, inside the current transaction if there is one.

    For reads of hundreds of rows: Piccolo makes a dict of every row, which costs more than
    SQLite takes to read it. The statement goes through the engine's `run_querystring` as
    every other does, except with `walked` on Linli's SQLite engine outside a transaction:
    then it runs on the event loop's own thread, as `fetch_by_key` does. That is for a read
    whose every row the loop then walks in Python, which costs it several times what SQLite
    takes to find the row, so the read adds a fraction to the loop's work, and saves the
    trip to a pool thread and back (0.4 ms of a week's 1.2 ms at rest; under load, the
    answer's wait for the interpreter's lock)."""
    statement = Statement(sql, *args)
    if walked and (found := _read_at_once(statement, tuples=True)) is not None:
        return found
    token = _rows_as_tuples.set(True)
    try:
        rows = await engine().run_querystring(statement)
    finally:
        _rows_as_tuples.reset(token)
    # asyncpg's records are tuples already; another connection may still give dicts (all
    # of its rows), which keep the order of the columns.
    if rows and isinstance(rows[0], dict):
        return [tuple(row.values()) for row in rows]
    return rows


async def fetch_by_key(sql: str, *args: Any) -> list[dict[str, Any]]:
    """The rows, as dicts like `Table.raw`'s, of a raw read (Piccolo's `{}` placeholders)
    that finds a row or a few by a unique index (or a table's one row): what a page reads
    first on every request.

    On Linli's SQLite engine, outside a transaction, it runs at once on the event loop's
    own thread (`LinliSQLiteEngine.read_at_once`): SQLite answers it in microseconds, while a
    trip to a pool thread cost a space page 4 ms under load, most of it the answer waiting
    for the interpreter's lock behind the loop's other work, and halved the rate of a page
    served from memory. Anything slower must not come here: it would stall every request
    of the process. Elsewhere it runs as every other statement does."""
    statement = Statement(sql, *args)
    rows = _read_at_once(statement, tuples=False)
    if rows is not None:
        return rows
    db = engine()
    return db.transform_response_to_dicts(await db.run_querystring(statement))


def _read_at_once(statement: Statement, *, tuples: bool) -> list[Any] | None:
    """The statement's rows read at once on the calling event loop's thread
    (`LinliSQLiteEngine.read_at_once`); None where that does not apply: another engine,
    inside a transaction (its own connection answers), or a busy database."""
    db = engine()
    if not isinstance(db, LinliSQLiteEngine) or db.current_transaction.get() is not None:
        return None
    query, args = statement.compile_string(engine_type="sqlite")
    return db.read_at_once(query, args, tuples=tuples)


async def fetch_together(*reads: tuple[str, Sequence[Any], bool]) -> list[list[Any]]:
    """The rows of several raw reads (Piccolo's `{}` placeholders), each `(sql, args,
    tuples)`: as tuples like `fetch_tuples` with `tuples`, else as dicts like `Table.raw`.

    Inside a transaction of Linli's SQLite engine they go to the connection's thread in one
    trip (while a writer holds the write lock, each trip costs more than a small read);
    elsewhere they run one after another, each through the engine's `run_querystring`."""
    db = engine()
    tx = db.current_transaction.get() if isinstance(db, LinliSQLiteEngine) else None
    if tx is None or not isinstance(tx.connection, KeptConnection):
        found: list[list[Any]] = []
        for sql, args, tuples in reads:
            found.append(
                await fetch_tuples(sql, *args)
                if tuples
                else db.transform_response_to_dicts(await db.run_querystring(Statement(sql, *args)))
            )
        return found
    statements = []
    for sql, args, tuples in reads:
        query, query_args = Statement(sql, *args).compile_string(engine_type=db.engine_type)
        statements.append((query, list(query_args), tuples))
    return await tx.connection.execute_all(statements)


async def gather(*awaitables: Awaitable[T]) -> list[T]:
    """Run reads side by side, like `asyncio.gather`; inside a transaction they share one
    connection, which answers one statement at a time, so they run one after another."""
    if engine().current_transaction.get() is None:
        return list(await asyncio.gather(*awaitables))
    return [await awaitable for awaitable in awaitables]


async def ping(timeout_s: float = 3.0) -> bool:
    """True when the database answers a trivial query within `timeout_s`."""
    try:
        await asyncio.wait_for(engine().run_querystring(QueryString("SELECT 1")), timeout_s)
    except Exception:
        log.warning("database ping failed", exc_info=True)
        return False
    return True


async def start_pool(pool_size: int) -> None:
    db = engine()
    if isinstance(db, PostgresEngine) and pool_size > 0:
        await db.start_connection_pool(min_size=1, max_size=pool_size)


async def close_pool() -> None:
    db = engine()
    if isinstance(db, PostgresEngine) and db.pool:
        await db.close_connection_pool()


# --- the secret key ---------------------------------------------------------


async def ensure_secret_key() -> str:
    """The secret key kept in the database, created on first call."""
    from app.tables import SiteSetting

    async with write_transaction("site-setting:" + SECRET_KEY_SETTING):
        row = (
            await SiteSetting.select(SiteSetting.value)
            .where(SiteSetting.key == SECRET_KEY_SETTING)
            .first()
        )
        if row:
            return row["value"]
        value = secrets.token_urlsafe(48)
        await SiteSetting.insert(SiteSetting(key=SECRET_KEY_SETTING, value=value))
        return value


async def stored_secret_key() -> str | None:
    from app.tables import SiteSetting

    try:
        row = (
            await SiteSetting.select(SiteSetting.value)
            .where(SiteSetting.key == SECRET_KEY_SETTING)
            .first()
        )
    except Exception:
        log.exception("could not read the secret key from the database")
        return None
    return row["value"] if row else None


def is_unique_violation(exc: BaseException) -> bool:
    """True for a unique-constraint failure on either engine."""
    import sqlite3

    from asyncpg.exceptions import UniqueViolationError

    if isinstance(exc, UniqueViolationError):
        return True
    return isinstance(exc, sqlite3.IntegrityError) and "UNIQUE" in str(exc)
