import asyncio
import os
from pathlib import Path

import pytest
from piccolo.conf.apps import Finder
from piccolo.engine.sqlite import SQLiteEngine

from app import db as database
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
        await database.migrate(quiet=True)
        await database.migrate(quiet=True)
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
