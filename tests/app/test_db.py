import asyncio
import contextvars
import inspect
import os
import sqlite3
import threading
import time
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pytest
from piccolo.conf.apps import Finder
from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine, PostgresTransaction
from piccolo.engine.sqlite import SQLiteEngine, SQLiteTransaction, TransactionType, dict_factory
from piccolo.querystring import QueryString

from app import db as database
from app.migrate import migrate
from app.tables import SiteSetting, ThrottleEvent
from tests import postgres
from tests.conftest import _PG_DATABASE, ENGINE, _admin_execute, _with_database
from tests.factories import NOW


async def _columns(engine, table: str) -> set[str]:
    if isinstance(engine, SQLiteEngine):
        rows = await engine.run_ddl(f'PRAGMA table_info("{table}")')
        return {row["name"] for row in rows}
    rows = await engine.run_ddl(
        "SELECT column_name FROM information_schema.columns "
        f"WHERE table_schema = 'public' AND table_name = '{table}'"
    )
    return {row["column_name"] for row in rows}


@pytest.mark.db
async def test_migrations_build_the_schema_from_empty(tmp_path: Path) -> None:
    """A brand-new database gets every table and column the code declares, twice safely."""
    engine = SiteSetting._meta.db
    if ENGINE == "sqlite":
        original = engine.path
        engine.path = str(tmp_path / "empty.sqlite")
        fresh_name = None
    else:
        fresh_name = f"{_PG_DATABASE}_empty"
        await _admin_execute(f'CREATE DATABASE "{fresh_name}"')
        original = engine.config["dsn"]
        engine.config["dsn"] = _with_database(os.environ["LINLI_TEST_POSTGRES_URL"], fresh_name)
    try:
        await migrate(quiet=True)
        await migrate(quiet=True)
        for table in Finder().get_table_classes():
            declared = {column._meta.db_column_name for column in table._meta.columns}
            assert await _columns(engine, table._meta.tablename) == declared, table
        assert len(await database.stored_secret_key() or "") >= 48
    finally:
        if ENGINE == "sqlite":
            engine.path = original
        else:
            engine.config["dsn"] = original
            await _admin_execute(f'DROP DATABASE IF EXISTS "{fresh_name}" WITH (FORCE)')


async def test_secret_key_is_created_once(db: None) -> None:
    first = await database.ensure_secret_key()
    second = await database.ensure_secret_key()
    assert first == second
    assert await SiteSetting.count().where(SiteSetting.key == database.SECRET_KEY_SETTING) == 1


async def _check_then_insert(bucket: str, capacity: int, *, locked: bool) -> bool:
    """Insert a row only while fewer than `capacity` exist: the pattern bookings use."""

    async def attempt() -> bool:
        taken = await ThrottleEvent.count().where(ThrottleEvent.bucket == bucket)
        await asyncio.sleep(0.01)  # widen the window between the check and the insert
        if taken >= capacity:
            return False
        await ThrottleEvent.insert(ThrottleEvent(bucket=bucket, occurred_at=NOW))
        return True

    if not locked:
        return await attempt()
    async with database.write_transaction(f"test:{bucket}"):
        return await attempt()


@pytest.mark.parametrize("capacity", [1, 3])
async def test_write_transaction_serialises_check_then_insert(db: None, capacity: int) -> None:
    results = await asyncio.gather(
        *(_check_then_insert("race", capacity, locked=True) for _ in range(20))
    )
    assert results.count(True) == capacity
    assert await ThrottleEvent.count().where(ThrottleEvent.bucket == "race") == capacity


async def test_without_write_transaction_the_race_overbooks(db: None) -> None:
    """The control: the harness does detect a race when the lock is left out."""
    results = await asyncio.gather(
        *(_check_then_insert("unlocked", 1, locked=False) for _ in range(20))
    )
    assert results.count(True) > 1


async def test_failed_write_transaction_changes_nothing(db: None) -> None:
    with pytest.raises(RuntimeError, match="halfway"):
        async with database.write_transaction("test:rollback"):
            await ThrottleEvent.insert(ThrottleEvent(bucket="half", occurred_at=NOW))
            raise RuntimeError("halfway")
    assert await ThrottleEvent.count().where(ThrottleEvent.bucket == "half") == 0
    # The engine is usable again afterwards: no transaction left marked as current.
    async with database.write_transaction("test:rollback"):
        await ThrottleEvent.insert(ThrottleEvent(bucket="half", occurred_at=NOW))
    assert await ThrottleEvent.count().where(ThrottleEvent.bucket == "half") == 1


FETCH_SQL = "SELECT bucket, occurred_at FROM throttle_event WHERE bucket = {} ORDER BY id"


async def test_fetch_tuples_gives_rows_in_column_order_in_and_out_of_a_transaction(
    db: None,
) -> None:
    await ThrottleEvent.insert(ThrottleEvent(bucket="rows", occurred_at=NOW))
    rows = await database.fetch_tuples(FETCH_SQL, "rows")
    assert [tuple(row) for row in rows] == [("rows", NOW)]
    async with database.write_transaction("test:rows"):
        await ThrottleEvent.insert(ThrottleEvent(bucket="rows", occurred_at=NOW))
        # Inside, the transaction's own connection answers: its uncommitted row is seen.
        rows = await database.fetch_tuples(FETCH_SQL, "rows")
        assert [tuple(row) for row in rows] == [("rows", NOW), ("rows", NOW)]
        assert await ThrottleEvent.raw(FETCH_SQL, "rows") == [
            {"bucket": "rows", "occurred_at": NOW},
            {"bucket": "rows", "occurred_at": NOW},
        ]
    # Other statements still get a dict per row.
    assert await ThrottleEvent.raw(FETCH_SQL, "rows") == [
        {"bucket": "rows", "occurred_at": NOW},
        {"bucket": "rows", "occurred_at": NOW},
    ]


def test_lock_id_is_stable_and_signed_64_bit() -> None:
    assert database.lock_id("space:1") == database.lock_id("space:1")
    assert database.lock_id("space:1") != database.lock_id("space:2")
    assert -(2**63) <= database.lock_id("space:1") < 2**63


async def test_ping_reports_an_unreachable_database(db: None, tmp_path: Path) -> None:
    engine = SiteSetting._meta.db
    if ENGINE == "sqlite":
        original = engine.path
        engine.path = str(tmp_path / "missing-dir" / "db.sqlite")
        try:
            assert await database.ping() is False
        finally:
            engine.path = original
    else:
        original = engine.config["dsn"]
        engine.config["dsn"] = "postgresql://postgres@127.0.0.1:1/nothing"
        try:
            with postgres.without_pool():
                assert await database.ping(timeout_s=2) is False
        finally:
            engine.config["dsn"] = original
    assert await database.ping() is True


# --- the Piccolo internals app/db.py relies on --------------------------------------------
#
# LinliSQLiteEngine overrides private methods of Piccolo's SQLiteEngine, and _transaction()
# drives Piccolo's transaction objects by hand. pyproject.toml pins Piccolo to the minor
# release these were written against; these tests fail first when a new release moves them.

PICCOLO_PIN = "app/db.py overrides Piccolo internals; re-check it before raising the Piccolo pin"


def _parameters(function: Callable[..., Any]) -> list[str]:
    return list(inspect.signature(function).parameters)


def test_piccolo_is_the_pinned_minor_release() -> None:
    assert version("piccolo").startswith("1.38."), f"Piccolo {version('piccolo')}: {PICCOLO_PIN}"


@pytest.mark.parametrize(
    "name", ["_run_in_new_connection", "_run_in_existing_connection", "get_connection"]
)
def test_sqlite_engine_methods_overridden_keep_their_names_and_parameters(name: str) -> None:
    piccolo_method = vars(SQLiteEngine).get(name)
    assert piccolo_method is not None, f"SQLiteEngine.{name} is gone: {PICCOLO_PIN}"
    assert inspect.iscoroutinefunction(piccolo_method), f"SQLiteEngine.{name}: {PICCOLO_PIN}"
    ours = getattr(database.LinliSQLiteEngine, name)
    assert _parameters(piccolo_method) == _parameters(ours), f"SQLiteEngine.{name}: {PICCOLO_PIN}"


def test_sqlite_engine_internals_used_by_the_override_are_there(tmp_path: Path) -> None:
    """`__init__(path=…, **connection_kwargs)`, `connection_kwargs["database"]`, `path`, and
    run_querystring() calling the two methods by their keyword names."""
    init = inspect.signature(SQLiteEngine.__init__).parameters
    assert "path" in init, f"SQLiteEngine(path=…): {PICCOLO_PIN}"
    assert any(p.kind is p.VAR_KEYWORD for p in init.values()), f"**kwargs: {PICCOLO_PIN}"
    engine = SQLiteEngine(path=str(tmp_path / "x.sqlite"), timeout=5)
    assert engine.connection_kwargs["database"] == engine.path, PICCOLO_PIN
    assert engine.connection_kwargs["timeout"] == 5, PICCOLO_PIN
    for caller in (SQLiteEngine.run_querystring, SQLiteEngine.run_ddl):
        source = inspect.getsource(caller)
        for call in ("self._run_in_new_connection(", "self._run_in_existing_connection("):
            assert call in source, f"{caller.__qualname__} no longer calls {call}: {PICCOLO_PIN}"


@pytest.mark.parametrize(
    ("engine_type", "text"),
    [
        ("sqlite", "SELECT a FROM t WHERE b = ? AND c IN (?, ?) AND d = '{x}'"),
        ("postgres", "SELECT a FROM t WHERE b = $1 AND c IN ($2, $3) AND d = '{x}'"),
    ],
)
def test_a_statement_compiles_as_piccolo_does_and_keeps_its_text(
    engine_type: str, text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its text is Piccolo's, kept per template and engine; the values are each call's own."""
    monkeypatch.setattr(database.Statement, "_compiled", {})
    template = "SELECT a FROM t WHERE b = {} AND c IN ({}, {}) AND d = '{{x}}'"
    first = database.Statement(template, 1, "two", NOW).compile_string(engine_type)
    assert first == QueryString(template, 1, "two", NOW).compile_string(engine_type)
    assert first == (text, [1, "two", NOW])
    assert database.Statement._compiled == {(template, engine_type): text}
    again = database.Statement(template, 4, None, "x").compile_string(engine_type)
    assert again == (text, [4, None, "x"])
    # A query inside is written into the text, which then depends on it: not kept.
    nested = database.Statement("SELECT {} + {}", QueryString("{} * 2", 3), 5)
    assert nested.compile_string("sqlite") == ("SELECT ? * 2 + ?", [3, 5])
    assert list(database.Statement._compiled) == [(template, engine_type)]


def test_statements_kept_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(database.Statement, "_compiled", {})
    monkeypatch.setattr(database.Statement, "MAX_KEPT", 3)
    for count in range(1, 6):
        template = "SELECT " + ", ".join(["{}"] * count)
        assert database.Statement(template, *range(count)).compile_string("sqlite") == (
            "SELECT " + ", ".join(["?"] * count),
            list(range(count)),
        )
    assert len(database.Statement._compiled) <= 3


def test_sqlite_helpers_imported_by_app_db_are_there() -> None:
    assert _parameters(dict_factory) == ["cursor", "row"], f"dict_factory: {PICCOLO_PIN}"
    assert TransactionType.immediate.value == "IMMEDIATE", f"TransactionType: {PICCOLO_PIN}"
    assert TransactionType.deferred.value == "DEFERRED", f"TransactionType: {PICCOLO_PIN}"
    assert _parameters(SQLiteEngine.transaction) == ["self", "transaction_type", "allow_nested"], (
        f"SQLiteEngine.transaction: {PICCOLO_PIN}"
    )
    assert _parameters(PostgresEngine.transaction) == ["self", "allow_nested"], (
        f"PostgresEngine.transaction: {PICCOLO_PIN}"
    )


@pytest.mark.parametrize(
    ("transaction_class", "attributes"),
    [
        (SQLiteTransaction, {"connection", "_committed", "_rolled_back"}),
        (PostgresTransaction, {"connection", "transaction", "_committed", "_rolled_back"}),
    ],
)
def test_transaction_internals_driven_by_hand_are_there(
    transaction_class: type, attributes: set[str]
) -> None:
    """_transaction() sets `connection` (and on PostgreSQL `transaction`) itself, calls
    get_connection/begin/commit/rollback, and reads `_committed` and `_rolled_back`."""
    name = transaction_class.__name__
    missing = attributes - set(transaction_class.__slots__)
    assert not missing, f"{name} lost {sorted(missing)}: {PICCOLO_PIN}"
    for method_name in ("get_connection", "begin", "commit", "rollback"):
        method = getattr(transaction_class, method_name, None)
        where = f"{name}.{method_name}: {PICCOLO_PIN}"
        assert inspect.iscoroutinefunction(method), where
        assert _parameters(method) == ["self"], where
    for method_name, flag in (("commit", "_committed"), ("rollback", "_rolled_back")):
        source = inspect.getsource(getattr(transaction_class, method_name))
        assert f"self.{flag} = True" in source, (
            f"{name}.{method_name} sets no {flag}: {PICCOLO_PIN}"
        )


def test_postgres_engine_internals_used_by_app_db_are_there() -> None:
    """`pool` (released by hand), `current_transaction`, get_new_connection()."""
    assert "pool" in PostgresEngine.__slots__, f"PostgresEngine.pool: {PICCOLO_PIN}"
    assert "current_transaction" in Engine.__slots__, f"Engine.current_transaction: {PICCOLO_PIN}"
    assert inspect.iscoroutinefunction(PostgresEngine.get_new_connection), PICCOLO_PIN


async def test_linli_sqlite_engine_is_called_where_piccolo_runs_statements(
    tmp_path: Path,
) -> None:
    """Outside a transaction Piccolo runs statements through _run_in_new_connection (our
    pool of threads), inside one through _run_in_existing_connection on its connection;
    _transaction() commits, rolls back and leaves no transaction marked current."""
    calls: list[str] = []

    class Recording(database.LinliSQLiteEngine):
        async def _run_in_new_connection(self, *args: Any, **kwargs: Any) -> Any:
            calls.append("new")
            return await super()._run_in_new_connection(*args, **kwargs)

        async def _run_in_existing_connection(self, *args: Any, **kwargs: Any) -> Any:
            calls.append("existing")
            return await super()._run_in_existing_connection(*args, **kwargs)

    engine = Recording(path=str(tmp_path / "internals.sqlite"), threads=1)
    try:
        assert isinstance(engine.current_transaction, contextvars.ContextVar), PICCOLO_PIN
        await engine.run_ddl("CREATE TABLE t (n INTEGER)")
        assert await engine.run_querystring(QueryString("SELECT 1 AS one")) == [{"one": 1}]
        assert calls == ["new", "new"], PICCOLO_PIN
        async with database._transaction(engine, immediate=True) as tx:
            assert isinstance(tx, SQLiteTransaction), PICCOLO_PIN
            assert engine.current_transaction.get() is tx, PICCOLO_PIN
            await engine.run_querystring(QueryString("INSERT INTO t (n) VALUES ({})", 1))
        assert tx._committed and not tx._rolled_back, PICCOLO_PIN
        assert calls[2:] == ["existing"], PICCOLO_PIN
        with pytest.raises(RuntimeError, match="undo"):
            async with database._transaction(engine, immediate=False) as tx:
                await engine.run_querystring(QueryString("INSERT INTO t (n) VALUES ({})", 2))
                raise RuntimeError("undo")
        assert tx._rolled_back and not tx._committed, PICCOLO_PIN
        assert engine.current_transaction.get() is None, PICCOLO_PIN
        assert await engine.run_querystring(QueryString("SELECT n FROM t")) == [{"n": 1}]
    finally:
        engine._executor.shutdown()


async def test_db_now_is_the_databases_clock_in_utc(db: None) -> None:
    from datetime import UTC, datetime, timedelta

    from app import clock

    now = await clock.db_now()
    (row,) = await database.engine().run_querystring(
        QueryString("SELECT CURRENT_TIMESTAMP AS stamp")
    )
    stamp = row["stamp"]
    if isinstance(stamp, str):  # SQLite: UTC text to the second
        stamp = datetime.fromisoformat(stamp).replace(tzinfo=UTC)
    assert now.utcoffset() == timedelta(0)
    assert timedelta(0) <= stamp - now.replace(microsecond=0) < timedelta(seconds=2)


async def test_after_commit_work_runs_only_once_the_change_is_committed(db: None) -> None:
    ran: list[str] = []

    async def note() -> None:
        ran.append("ran")

    async with database.write_transaction():
        assert database.after_commit("k", note) and database.after_commit("k", note)
        assert ran == []
    assert ran == ["ran"]
    with pytest.raises(RuntimeError):
        async with database.write_transaction():
            database.after_commit("k", note)
            raise RuntimeError("refused")
    assert ran == ["ran"] and not database.after_commit("k", note)


async def test_a_write_sent_later_is_part_of_its_transaction(db: None) -> None:
    async with database.write_transaction("test:later"):
        await database.write_later(
            ThrottleEvent.insert(ThrottleEvent(bucket="later", occurred_at=NOW))
        )
        # A statement after it in the transaction sees it.
        assert await ThrottleEvent.count().where(ThrottleEvent.bucket == "later") == 1
        await database.write_later(
            ThrottleEvent.insert(ThrottleEvent(bucket="later", occurred_at=NOW))
        )
    assert await ThrottleEvent.count().where(ThrottleEvent.bucket == "later") == 2


async def test_a_write_sent_later_that_fails_fails_its_transaction(db: None) -> None:
    await SiteSetting.insert(SiteSetting(key="taken", value="first"))
    with pytest.raises(Exception) as failed:
        async with database.write_transaction("test:later"):
            await ThrottleEvent.insert(ThrottleEvent(bucket="undone", occurred_at=NOW))
            await database.write_later(SiteSetting.insert(SiteSetting(key="taken", value="x")))
    assert database.is_unique_violation(failed.value)
    assert await ThrottleEvent.count().where(ThrottleEvent.bucket == "undone") == 0
    # The engine is usable again afterwards.
    async with database.write_transaction("test:later"):
        await ThrottleEvent.insert(ThrottleEvent(bucket="undone", occurred_at=NOW))
    assert await ThrottleEvent.count().where(ThrottleEvent.bucket == "undone") == 1


@pytest.fixture
def trips(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """What each trip to a kept SQLite connection's thread sent: the first word of every
    statement that waited to be sent, then of the statement itself."""
    sent: list[list[str]] = []
    run = database.KeptConnection._run

    def counted(self: Any, waiting: list[Any], query: str, args: list[Any], tuples: bool) -> Any:
        sent.append([sql.split(None, 1)[0] for sql, _args in waiting] + [query.split()[0]])
        return run(self, waiting, query, args, tuples)

    monkeypatch.setattr(database.KeptConnection, "_run", counted)
    return sent


@pytest.mark.skipif(ENGINE != "sqlite", reason="SQLite's kept connections")
async def test_begin_and_writes_sent_later_travel_with_the_next_statement(
    db: None, trips: list[list[str]]
) -> None:
    async with database.write_transaction("test:trips"):
        pass
    assert trips == []  # nothing sent, nothing to end
    async with database.write_transaction("test:trips"):
        await ThrottleEvent.count()
        await database.write_later(
            ThrottleEvent.insert(ThrottleEvent(bucket="trips", occurred_at=NOW))
        )
    assert trips == [["BEGIN", "SELECT"], ["INSERT", "COMMIT"]]
    assert await ThrottleEvent.count().where(ThrottleEvent.bucket == "trips") == 1
    trips.clear()
    # A transaction whose first statement wants tuples still sends its BEGIN first.
    async with database.write_transaction("test:trips"):
        rows = await database.fetch_tuples(FETCH_SQL, "trips")
        await database.write_later(
            ThrottleEvent.insert(ThrottleEvent(bucket="trips", occurred_at=NOW))
        )
    assert [tuple(row) for row in rows] == [("trips", NOW)]
    assert trips == [["BEGIN", "SELECT"], ["INSERT", "COMMIT"]]
    assert await ThrottleEvent.count().where(ThrottleEvent.bucket == "trips") == 2


async def test_reads_fetched_together_give_each_its_rows(db: None) -> None:
    await ThrottleEvent.insert(
        ThrottleEvent(bucket="a", occurred_at=NOW), ThrottleEvent(bucket="b", occurred_at=NOW)
    )
    reads = [(FETCH_SQL, ["a"], True), (FETCH_SQL, ["b"], False), (FETCH_SQL, ["none"], True)]
    outside = await database.fetch_together(*reads)
    async with database.write_transaction("test:together"):
        inside = await database.fetch_together(*reads)
    for tuples, dicts, empty in (outside, inside):
        assert [tuple(row) for row in tuples] == [("a", NOW)]
        assert dicts == [{"bucket": "b", "occurred_at": NOW}]
        assert list(empty) == []


@pytest.mark.skipif(ENGINE != "sqlite", reason="SQLite's kept connections")
async def test_reads_fetched_together_in_a_transaction_take_one_trip(
    db: None, monkeypatch: pytest.MonkeyPatch, trips: list[list[str]]
) -> None:
    def thread_trips(self: Any, *args: Any) -> Any:
        trips.append(["trip"])
        return run_all(self, *args)

    run_all = database.KeptConnection._run_all
    monkeypatch.setattr(database.KeptConnection, "_run_all", thread_trips)
    async with database.write_transaction("test:together"):
        await database.write_later(ThrottleEvent.insert(ThrottleEvent(bucket="t", occurred_at=NOW)))
        first, second = await database.fetch_together(
            (FETCH_SQL, ["t"], True), ("SELECT COUNT(*) FROM throttle_event", [], True)
        )
    # One trip for both reads (with what waited to be sent), one for the COMMIT.
    assert trips == [["trip"], ["BEGIN", "INSERT", "SELECT"], ["SELECT"], ["COMMIT"]]
    assert [tuple(row) for row in first] == [("t", NOW)]
    assert [tuple(row) for row in second] == [(1,)]


async def test_with_commit_work_commits_with_the_change_once_per_key(db: None) -> None:
    """On SQLite the write is part of the transaction (sent with its COMMIT), so a refused
    change takes it back too; on PostgreSQL it runs after the commit, once per key."""

    def event(bucket: str) -> Callable[[], Any]:
        async def write() -> None:
            await ThrottleEvent.insert(ThrottleEvent(bucket=bucket, occurred_at=NOW))

        return write

    assert not await database.with_commit("k", event("outside"))  # nothing done
    async with database.write_transaction("test:with-commit"):
        assert await database.with_commit("k", event("with"))
        assert await database.with_commit("k", event("with"))
    assert await ThrottleEvent.count().where(ThrottleEvent.bucket == "with") == 1
    with pytest.raises(RuntimeError):
        async with database.write_transaction("test:with-commit"):
            await ThrottleEvent.insert(ThrottleEvent(bucket="before", occurred_at=NOW))
            await database.with_commit("k", event("refused"))
            raise RuntimeError("refused")
    assert await ThrottleEvent.count().where(ThrottleEvent.bucket.is_in(["refused", "before"])) == 0


@pytest.mark.skipif(ENGINE != "sqlite", reason="SQLite's kept connections")
async def test_with_commit_work_travels_with_the_commit(db: None, trips: list[list[str]]) -> None:
    async def write() -> None:
        await ThrottleEvent.insert(ThrottleEvent(bucket="mark", occurred_at=NOW))

    async with database.write_transaction("test:with-commit"):
        await database.fetch_tuples(FETCH_SQL, "mark")
        await database.with_commit("k", write)
    assert trips == [["BEGIN", "SELECT"], ["INSERT", "COMMIT"]]


@pytest.mark.skipif(ENGINE != "sqlite", reason="SQLite's kept connections")
async def test_a_kept_connection_is_reset_only_when_its_transaction_may_be_open(
    db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Given back after a COMMIT or ROLLBACK that ran, it needs no trip to its thread; after
    a failed statement it is rolled back there before its next transaction."""
    resets: list[str] = []
    reset = database.KeptConnection._reset

    def counted(self: Any) -> None:
        resets.append("reset")
        reset(self)

    monkeypatch.setattr(database.KeptConnection, "_reset", counted)
    async with database.write_transaction("test:reset"):
        await ThrottleEvent.insert(ThrottleEvent(bucket="reset", occurred_at=NOW))
    with pytest.raises(RuntimeError):
        async with database.write_transaction("test:reset"):
            await ThrottleEvent.insert(ThrottleEvent(bucket="reset", occurred_at=NOW))
            raise RuntimeError("refused")
    assert resets == []
    await SiteSetting.insert(SiteSetting(key="taken", value="first"))
    with pytest.raises(Exception) as failed:
        async with database.write_transaction("test:reset"):
            await database.write_later(SiteSetting.insert(SiteSetting(key="taken", value="x")))
    assert database.is_unique_violation(failed.value)
    await asyncio.sleep(0.05)  # the reset runs on the connection's thread, unawaited
    assert resets == ["reset"]
    assert await ThrottleEvent.count().where(ThrottleEvent.bucket == "reset") == 1


async def test_a_row_object_is_the_one_piccolos_constructor_makes(db: None) -> None:
    """Every column given: the same instance state as `Table(_exists_in_db=True, **row)`,
    without the constructor; anything else goes through the constructor (and its checks)."""
    from app.tables import Community
    from tests.factories import make_community

    made = await make_community("caijiaxiang")
    (row,) = await Community.raw("SELECT * FROM community WHERE id = {}", made.id)
    fast, slow = database.row_object(Community, dict(row)), Community(_exists_in_db=True, **row)
    assert type(fast) is Community and vars(fast) == vars(slow)
    assert fast._exists_in_db and fast.slug == row["slug"]
    with pytest.raises(ValueError, match="street wasn't provided"):
        database.row_object(Community, {k: v for k, v in row.items() if k != "street"})
    with pytest.raises(ValueError, match="Unrecognized"):
        database.row_object(Community, {**row, "unknown": 1})


async def _walked(sql: str, *args: Any) -> list[tuple[Any, ...]]:
    # asyncpg's records are tuples that do not compare equal to one.
    return [tuple(row) for row in await database.fetch_tuples(sql, *args, walked=True)]


def _as_tuples(rows: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return [tuple(row.values()) for row in rows]


Shape = Callable[[list[dict[str, Any]]], Any]
"""How a read gives the rows `Table.raw` gives as dicts."""
READS_AT_ONCE = [
    pytest.param(database.fetch_by_key, lambda rows: rows, id="by key"),
    pytest.param(_walked, _as_tuples, id="walked"),
]
"""The reads that may run on the event loop's thread, and their rows as each gives them
from the dicts `Table.raw` gives."""


@pytest.mark.parametrize(("read", "shaped"), READS_AT_ONCE)
async def test_a_read_at_once_gives_the_rows_raw_gives_in_and_out_of_a_transaction(
    db: None, read: Callable[..., Any], shaped: Shape
) -> None:
    await ThrottleEvent.insert(ThrottleEvent(bucket="key", occurred_at=NOW))
    expected = [{"bucket": "key", "occurred_at": NOW}]
    assert await read(FETCH_SQL, "key") == shaped(expected)
    assert await ThrottleEvent.raw(FETCH_SQL, "key") == expected
    async with database.write_transaction("test:key"):
        await ThrottleEvent.insert(ThrottleEvent(bucket="key", occurred_at=NOW))
        # Inside, the transaction's own connection answers: its uncommitted row is seen.
        assert await read(FETCH_SQL, "key") == shaped(expected * 2)
    assert await read(FETCH_SQL, "none") == []


@pytest.mark.skipif(ENGINE != "sqlite", reason="SQLite's read on the loop's thread")
@pytest.mark.parametrize(("read", "shaped"), READS_AT_ONCE)
async def test_a_read_at_once_runs_on_the_loops_own_thread(
    db: None, monkeypatch: pytest.MonkeyPatch, read: Callable[..., Any], shaped: Shape
) -> None:
    threads: list[str] = []
    fetch_rows = database.fetch_rows

    def noted(*args: Any, **kwargs: Any) -> Any:
        threads.append("loop" if threading.current_thread() is loop_thread else "other")
        return fetch_rows(*args, **kwargs)

    loop_thread = threading.current_thread()
    monkeypatch.setattr(database, "fetch_rows", noted)
    await ThrottleEvent.insert(ThrottleEvent(bucket="here", occurred_at=NOW))
    threads.clear()
    assert await read(FETCH_SQL, "here") == shaped([{"bucket": "here", "occurred_at": NOW}])
    assert threads == ["loop"]
    await database.fetch_tuples(FETCH_SQL, "here")  # any other read goes to a pool thread
    await ThrottleEvent.raw(FETCH_SQL, "here")
    assert threads == ["loop", "other", "other"]


@pytest.mark.parametrize(("read", "shaped"), READS_AT_ONCE)
async def test_a_read_at_once_never_waits_for_a_lock_on_the_loops_thread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, read: Callable[..., Any], shaped: Shape
) -> None:
    """A database another connection has locked: the loop's thread does not wait (its
    connection gives up at once), the read goes to the pool, whose connection waits for
    the lock while the loop serves on, and then answers."""
    path = tmp_path / "locked.sqlite"
    setup = sqlite3.connect(path)
    # A rollback journal: a writer about to commit keeps every reader out (in WAL, readers
    # wait only while a connection recovers the database, which a test cannot hold).
    setup.execute("PRAGMA journal_mode = DELETE")
    setup.execute("CREATE TABLE t (n INTEGER PRIMARY KEY)")
    setup.execute("INSERT INTO t (n) VALUES (1)")
    setup.commit()
    engine = database.LinliSQLiteEngine(path=str(path), threads=1, timeout=30)
    monkeypatch.setattr(database, "engine", lambda: engine)
    one = shaped([{"n": 1}])
    try:
        assert await read("SELECT n FROM t WHERE n = {}", 1) == one
        setup.execute("BEGIN EXCLUSIVE")
        started = time.monotonic()
        assert engine.read_at_once("SELECT n FROM t WHERE n = ?", [1]) is None
        assert engine.read_at_once("SELECT n FROM t WHERE n = ?", [1], tuples=True) is None
        assert time.monotonic() - started < 1
        task = asyncio.create_task(read("SELECT n FROM t WHERE n = {}", 1))
        await asyncio.sleep(0.2)
        assert not task.done()  # the pool's connection waits; this loop ran on meanwhile
        setup.commit()
        assert await asyncio.wait_for(task, 10) == one
    finally:
        setup.close()
        engine._executor.shutdown()
