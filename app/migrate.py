"""Bringing a database up to date: Piccolo's migrations under a lock, so that several
processes may start at once, then what every installation needs (the secret key, once, the
shipped table of public holidays, and the photos older versions kept in the media folder),
and what each domain derives and keeps (the spaces' stored feed texts)."""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import io
import logging
from collections.abc import Sequence
from pathlib import Path

from piccolo.apps.migrations.commands.forwards import run_forwards
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine
from piccolo.querystring import QueryString

from app import domains, holidays, photos
from app.clock import utcnow
from app.db import engine, ensure_secret_key

log = logging.getLogger(__name__)

MIGRATION_LOCK_KEY = 8154711


async def _run_forwards(quiet: bool) -> None:
    out = io.StringIO()
    with contextlib.redirect_stdout(out) if quiet else contextlib.nullcontext():
        result = await run_forwards("all")
    if not result.success:
        raise RuntimeError(f"migrations failed: {result.message}\n{out.getvalue()}")


async def migrate(*, quiet: bool = False) -> int:
    """Bring the schema up to date and create the secret key once; safe to run concurrently.
    Returns how many photos were imported from the media folder (0 once they all are)."""
    db = engine()
    if isinstance(db, SQLiteEngine):
        lock_path = Path(db.path).with_suffix(".migrate.lock")
        with open(lock_path, "w") as lock_file:
            await asyncio.to_thread(fcntl.flock, lock_file, fcntl.LOCK_EX)
            try:
                await db.run_querystring(QueryString("PRAGMA journal_mode=WAL"))
                await _run_forwards(quiet)
                return await _after_migrations()
            finally:
                fcntl.flock(lock_file, fcntl.LOCK_UN)
    if not isinstance(db, PostgresEngine):
        raise TypeError(f"no migration lock for {type(db).__name__}")
    connection = await db.get_new_connection()
    try:
        await connection.execute("SELECT pg_advisory_lock($1)", MIGRATION_LOCK_KEY)
        try:
            await _run_forwards(quiet)
            return await _after_migrations()
        finally:
            await connection.execute("SELECT pg_advisory_unlock($1)", MIGRATION_LOCK_KEY)
    finally:
        await connection.close()


async def _after_migrations() -> int:
    """Data every installation needs: the secret key, the shipped holiday table and the
    photos of the media folder; returns how many photos were imported."""
    from app.asgi import install_domains  # only the domains know; loaded when needed

    await ensure_secret_key()
    # Loading a year of holidays tells the domains (their hours may follow holidays).
    domains.installed() or install_domains()
    await holidays.load_shipped()
    imported = await photos.import_media_folder(_private_photos, now=utcnow())
    if imported:
        log.info("Imported %d photo(s) from %s into the database", imported, photos.photos_dir())
    for domain in _installed_domains():
        if domain.after_migrations is not None:
            await domain.after_migrations(utcnow())
    return imported


def _installed_domains() -> list[domains.Domain]:
    from app.asgi import install_domains  # only the domains know; loaded when needed

    return domains.installed() or install_domains()


async def _private_photos(names: Sequence[str]) -> set[str]:
    """Which of the photo names the installed domains show only to some people."""
    # Never without them: every photo would be imported as public, a need's too.
    private: set[str] = set()
    for domain in _installed_domains():
        if domain.private_photos is not None:
            private |= await domain.private_photos(names)
    return private
