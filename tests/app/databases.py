"""Whole databases for the backup and upgrade tests: the `db` fixture's database by URL, a
fresh one beside it, the `linli` command run against either, and every row of every table
read straight through the engine's driver (not through the app, whose engine is the
fixture's)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, closing
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from app.settings import PROJECT_ROOT
from app.tables import SiteSetting

Rows = dict[str, list[tuple[tuple[str, str], ...]]]
"""Per table, its rows as sorted `(column, repr(value))` pairs, the rows sorted too."""


def fixture_url() -> str:
    """The URL of the database the `db` fixture gave this test."""
    engine = SiteSetting._meta.db
    if engine.engine_type == "sqlite":
        return f"sqlite:///{engine.path}"
    return os.environ["DATABASE_URL"]


def _admin_url() -> str:
    return os.environ["LINLI_TEST_POSTGRES_URL"]


@asynccontextmanager
async def fresh_database(tmp_path: Path, name: str) -> AsyncIterator[str]:
    """The URL of a new, empty database on the engine under test (dropped afterwards)."""
    url = fixture_url()
    if url.startswith("sqlite:///"):
        yield f"sqlite:///{tmp_path / (name + '.sqlite')}"
        return
    database = f"{urlsplit(url).path.strip('/')}_{name}"
    admin = await asyncpg.connect(_admin_url())
    try:
        await admin.execute(f'CREATE DATABASE "{database}"')
        try:
            yield urlunsplit(urlsplit(url)._replace(path=f"/{database}"))
        finally:
            await admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    finally:
        await admin.close()


def linli(url: str, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run the installed `linli` command against the database at `url`."""
    env = {**os.environ, "DATABASE_URL": url, "LINLI_SCHEDULER": "off"}
    command = [str(Path(sys.executable).with_name("linli")), *args]
    done = subprocess.run(
        command, env=env, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120
    )
    if check and done.returncode != 0:
        raise AssertionError(f"linli {' '.join(args)} exited {done.returncode}:\n{done.stderr}")
    return done


def _canonical(rows: list[dict[str, Any]]) -> list[tuple[tuple[str, str], ...]]:
    return sorted(tuple(sorted((key, repr(value)) for key, value in row.items())) for row in rows)


async def raw_rows(url: str) -> dict[str, list[dict[str, Any]]]:
    """Every row of every one of Linli's tables in the database at `url`, as dicts."""
    if url.startswith("sqlite:///"):
        import sqlite3

        path = url.removeprefix("sqlite:///")
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as connection:
            connection.row_factory = sqlite3.Row
            names = [
                name
                for (name,) in connection.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table' "
                    "AND name NOT LIKE 'sqlite_%' ORDER BY name"
                )
            ]
            return {
                name: [dict(row) for row in connection.execute(f'SELECT * FROM "{name}"')]
                for name in names
            }
    connection = await asyncpg.connect(url)
    try:
        names = [
            row["tablename"]
            for row in await connection.fetch(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
            )
        ]
        return {
            name: [dict(row) for row in await connection.fetch(f'SELECT * FROM public."{name}"')]
            for name in names
        }
    finally:
        await connection.close()


async def all_rows(url: str) -> Rows:
    """`raw_rows` in a form to compare: each table's rows sorted, values as their repr."""
    return {name: _canonical(rows) for name, rows in (await raw_rows(url)).items()}


def canonical(rows: list[dict[str, Any]]) -> list[tuple[tuple[str, str], ...]]:
    """Rows as `all_rows` gives them."""
    return _canonical(rows)


async def schema_of(url: str) -> list[tuple[str, ...]]:
    """Every table's columns (name, type, nullability) and every index, as sorted tuples."""
    if url.startswith("sqlite:///"):
        import sqlite3

        path = url.removeprefix("sqlite:///")
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as connection:
            return sorted(
                (kind, name, sql or "")
                for kind, name, sql in connection.execute(
                    "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'"
                )
            )
    connection = await asyncpg.connect(url)
    try:
        columns = await connection.fetch(
            "SELECT table_name, column_name, data_type, is_nullable, "
            "coalesce(column_default, '') AS column_default FROM information_schema.columns "
            "WHERE table_schema = 'public'"
        )
        indexes = await connection.fetch(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'"
        )
    finally:
        await connection.close()
    return sorted(
        [("column", *(str(value) for value in row.values())) for row in columns]
        + [("index", row["indexname"], row["indexdef"]) for row in indexes]
    )
