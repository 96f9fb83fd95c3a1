"""Bringing a database up to date: Piccolo's migrations under a lock, so that several
processes may start at once, then what every installation needs (the secret key, once, and
the shipped table of public holidays)."""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import io
from pathlib import Path

from piccolo.apps.migrations.commands.forwards import run_forwards
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine
from piccolo.querystring import QueryString

from app import holidays
from app.db import engine, ensure_secret_key

MIGRATION_LOCK_KEY = 8154711


async def _run_forwards(quiet: bool) -> None:
    out = io.StringIO()
    with contextlib.redirect_stdout(out) if quiet else contextlib.nullcontext():
        result = await run_forwards("all")
    if not result.success:
        raise RuntimeError(f"migrations failed: {result.message}\n{out.getvalue()}")


async def migrate(*, quiet: bool = False) -> None:
    """Bring the schema up to date and create the secret key once; safe to run concurrently."""
    db = engine()
    if isinstance(db, SQLiteEngine):
        lock_path = Path(db.path).with_suffix(".migrate.lock")
        with open(lock_path, "w") as lock_file:
            await asyncio.to_thread(fcntl.flock, lock_file, fcntl.LOCK_EX)
            try:
                await db.run_querystring(QueryString("PRAGMA journal_mode=WAL"))
                await _run_forwards(quiet)
                await _after_migrations()
            finally:
                fcntl.flock(lock_file, fcntl.LOCK_UN)
        return
    if not isinstance(db, PostgresEngine):
        raise TypeError(f"no migration lock for {type(db).__name__}")
    connection = await db.get_new_connection()
    try:
        await connection.execute("SELECT pg_advisory_lock($1)", MIGRATION_LOCK_KEY)
        try:
            await _run_forwards(quiet)
            await _after_migrations()
        finally:
            await connection.execute("SELECT pg_advisory_unlock($1)", MIGRATION_LOCK_KEY)
    finally:
        await connection.close()


async def _after_migrations() -> None:
    """Data every installation needs: the secret key and the shipped holiday table."""
    await ensure_secret_key()
    await holidays.load_shipped()
