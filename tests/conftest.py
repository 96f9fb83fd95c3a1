"""Test set-up: a clean database for every test, on SQLite or (LINLI_TEST_ENGINE=postgres)
on a PostgreSQL database created for this run.

Both start each test from the freshly migrated database (shipped holidays included): SQLite
tests copy one migrated file; PostgreSQL tests call one function that empties what the
previous test filled and puts back what it changed (see tests/postgres.py), and use a
connection pool in the test's own event loop. Outside the `db` fixture the SQLite engine
points at a file that cannot be opened, so a fixture that writes rows without depending on
`db` fails instead of writing into the template. The environment is fixed before `app` is
imported, because Piccolo picks its engine on import.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import shutil
import sqlite3
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine

ENGINE = os.environ.get("LINLI_TEST_ENGINE", "sqlite")
_WORKDIR = Path(tempfile.mkdtemp(prefix="linli-tests-"))
_TEMPLATE = _WORKDIR / "template.sqlite"
_NOWHERE = _WORKDIR / "no-database-outside-the-db-fixture" / "test.sqlite"
_PG_ADMIN_URL = os.environ.get("LINLI_TEST_POSTGRES_URL", "")
# Named after the database of LINLI_TEST_POSTGRES_URL, so each checkout's runs are told apart.
_PG_DATABASE = "{}_{}_{}".format(
    urlsplit(_PG_ADMIN_URL).path.strip("/") or "linli_test", os.getpid(), secrets.token_hex(3)
)


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


if ENGINE == "postgres":
    if not _PG_ADMIN_URL:
        raise pytest.UsageError("LINLI_TEST_ENGINE=postgres needs LINLI_TEST_POSTGRES_URL")
    os.environ["DATABASE_URL"] = _with_database(_PG_ADMIN_URL, _PG_DATABASE)
elif ENGINE == "sqlite":
    os.environ["DATABASE_URL"] = f"sqlite:///{_TEMPLATE}"
else:
    raise pytest.UsageError(f"LINLI_TEST_ENGINE must be sqlite or postgres, not {ENGINE!r}")

os.environ["LINLI_PASSWORD_HASH_PROFILE"] = "cheapest"
os.environ["LINLI_SECRET_KEY"] = "test-secret-key-" + "x" * 32
# The app's lifespan (which would open a pool) does not run under ASGITransport; the `db`
# fixture opens one in the test's event loop instead.
os.environ["LINLI_DB_POOL_SIZE"] = "0"
os.environ["LINLI_DEFAULT_LOCALE"] = "zh_CN"
os.environ["LINLI_SIGNUPS_PER_HOUR"] = "20"
# Photos older versions left in a checkout's data/media must not reach the template database.
os.environ["LINLI_MEDIA_DIR"] = str(_WORKDIR / "media")
for name in ("REDIS_URL", "LINLI_SMTP_HOST", "LINLI_SMS_SENDER", "LINLI_TIMEZONE"):
    os.environ.pop(name, None)

from app.cache import clear_all  # noqa: E402
from app.migrate import migrate  # noqa: E402
from app.tables import SiteSetting  # noqa: E402
from tests import postgres  # noqa: E402

pytest_plugins = ["tests.fixtures"]

# Browser journeys, API fuzzing and multi-process contention run with `make test-e2e`.
collect_ignore_glob = [] if os.environ.get("LINLI_E2E") else ["e2e/*"]


async def _admin_execute(statement: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(_PG_ADMIN_URL)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "db" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.db)


@pytest.fixture(autouse=True)
def default_locale() -> Iterator[None]:
    """Each test starts in the site's default language, whatever the previous one chose."""
    from app.i18n import set_locale

    set_locale("zh_CN")
    yield
    set_locale("zh_CN")


@pytest.fixture(scope="session")
def migrated_database() -> Iterator[postgres.Resetter | None]:
    """Migrate once per run: a template file on SQLite, the run's database on PostgreSQL
    (with the resetter that brings it back to this state)."""
    if ENGINE == "postgres":
        asyncio.run(_admin_execute(f'CREATE DATABASE "{_PG_DATABASE}"'))
    asyncio.run(migrate(quiet=True))
    engine = SiteSetting._meta.db  # Piccolo makes it on first use, and then asks its version
    if isinstance(engine, SQLiteEngine):
        with sqlite3.connect(_TEMPLATE) as connection:
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        engine.path = str(_NOWHERE)
        yield None
    else:
        assert isinstance(engine, PostgresEngine)
        asyncio.run(postgres.install_reset(engine.config["dsn"]))
        postgres.pool_per_loop(engine)
        resetter = postgres.Resetter(engine.config["dsn"])
        yield resetter
        resetter.close()
        asyncio.run(_admin_execute(f'DROP DATABASE IF EXISTS "{_PG_DATABASE}" WITH (FORCE)'))
    shutil.rmtree(_WORKDIR, ignore_errors=True)


@pytest.fixture
async def db(migrated_database: postgres.Resetter | None, tmp_path: Path) -> AsyncIterator[None]:
    """A clean, migrated database for this test (and no cached results of an earlier one)."""
    clear_all()
    engine = SiteSetting._meta.db
    if isinstance(engine, SQLiteEngine):
        path = tmp_path / "test.sqlite"
        shutil.copyfile(_TEMPLATE, path)
        engine.path = str(path)
        yield
        engine.path = str(_NOWHERE)
    else:
        assert isinstance(engine, PostgresEngine) and migrated_database is not None
        await migrated_database.reset()
        async with postgres.loop_pool(engine):
            yield


@pytest.fixture
def db_pool(db: None) -> None:
    """For tests that run many transactions at once: on PostgreSQL the pool `db` opens in the
    test's event loop serves them (up to `postgres.POOL_MAX_SIZE` connections; one
    connection per query would exhaust the server)."""
