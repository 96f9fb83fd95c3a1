"""Regenerate the databases of an earlier release that tests/app/test_upgrade.py migrates.

    .venv/bin/python -m tests.app.release_fixtures REVISION NAME

e.g. `… 5a673ae release-2026-12-06`. It checks REVISION out into a temporary git worktree and
runs that release's own code (with this checkout's virtual environment) to make, on each
engine, what `linli migrate && linli demo` makes, plus two bookings of the demo resident,
with the clock fixed at FIXED_NOW, random ids drawn from a seeded generator (so both
engines get the same ids) and a known stored secret key. It writes

- tests/app/data/NAME.sqlite: the SQLite database, checkpointed and VACUUMed (about 1 MB);
- tests/app/data/NAME.pgdump: the PostgreSQL database in pg_dump's custom format, which is
  what `linli backup` writes, so the test also restores an earlier release's backup with
  this release's `linli restore` (compressed, and read by any pg_restore of version 15 or
  newer; `pg_restore -f - FILE` prints it as SQL to review).

PostgreSQL: a scratch database is created and dropped through LINLI_TEST_POSTGRES_URL
(default postgresql://postgres@127.0.0.1:5432/postgres). When the rows change, update the
expected values in tests/app/test_upgrade.py.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import subprocess
import sys
import tempfile
from contextlib import closing
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg

DATA = Path(__file__).resolve().parent / "data"
ROOT = Path(__file__).resolve().parents[2]
FIXED_NOW = "2026-12-06T02:00:00+00:00"
"""Sunday 6 December 2026, 10:00 in Shanghai."""
SECRET_KEY = "release-fixture-secret-key-" + "k" * 37
SEED = 20261206

# Runs inside the earlier release's checkout: its CLI, with the clock and the ids fixed.
GENERATE = f"""
import random, uuid
from datetime import datetime, timedelta
_ids = random.Random({SEED})
uuid.uuid4 = lambda: uuid.UUID(int=_ids.getrandbits(128), version=4)
import app.clock
NOW = datetime.fromisoformat({FIXED_NOW!r})
app.clock.utcnow = lambda: NOW
from app.cli import main
main(["migrate"], standalone_mode=False)
main(["demo"], standalone_mode=False)

async def extra():
    from app.accounts.sessions import load_actor
    from app.db import engine
    from app.demo import RESIDENT_LOGIN
    from app.tables import SiteSetting, User
    from spaces.logic.rules import Request
    from spaces.services.bookings import book
    from piccolo.querystring import QueryString
    resident = await User.objects().where(User.login == RESIDENT_LOGIN).first()
    actor = await load_actor(resident)
    day = datetime.fromisoformat("2026-12-09T06:00:00+00:00")  # Wednesday 14:00 in Shanghai
    for hours in (0, 2):
        start = day + timedelta(hours=hours)
        await book(actor, "caijiaxiang-music-room", Request(start, start + timedelta(hours=1)),
                   now=NOW, note="release fixture")
    await SiteSetting.update({{SiteSetting.value: {SECRET_KEY!r}}}).where(
        SiteSetting.key == "secret_key")
    if engine().engine_type == "sqlite":
        await engine().run_querystring(QueryString("PRAGMA wal_checkpoint(TRUNCATE)"))

import asyncio
asyncio.run(extra())
"""


def _generate(release: Path, url: str) -> None:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "PYTHONPATH": str(release),
        "LINLI_PASSWORD_HASH_PROFILE": "cheapest",
        "LINLI_SCHEDULER": "off",
        "LINLI_MEDIA_DIR": str(release / "no-media"),
    }
    env.pop("LINLI_SECRET_KEY", None)
    subprocess.run([sys.executable, "-c", GENERATE], cwd=release, env=env, check=True)


async def _admin(url: str, statement: str) -> None:
    connection = await asyncpg.connect(url)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


def main(revision: str, name: str) -> None:
    admin = os.environ.get(
        "LINLI_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
    )
    with tempfile.TemporaryDirectory(prefix="linli-release-") as scratch:
        release = Path(scratch) / "release"
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "add", "--detach", str(release), revision],
            check=True,
        )
        try:
            sqlite_file = DATA / f"{name}.sqlite"
            sqlite_file.unlink(missing_ok=True)
            _generate(release, f"sqlite:///{Path(scratch) / 'release.sqlite'}")
            with closing(sqlite3.connect(Path(scratch) / "release.sqlite")) as db:
                db.execute("PRAGMA journal_mode = DELETE")
                db.execute(f"VACUUM INTO '{sqlite_file}'")
            database = f"linli_release_fixture_{os.getpid()}"
            url = urlunsplit(urlsplit(admin)._replace(path=f"/{database}"))
            asyncio.run(_admin(admin, f'CREATE DATABASE "{database}"'))
            try:
                _generate(release, url)
                dump = DATA / f"{name}.pgdump"
                subprocess.run(
                    ["pg_dump", "--format=custom", "--no-owner", f"--file={dump}", url],
                    check=True,
                )
            finally:
                asyncio.run(_admin(admin, f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        finally:
            subprocess.run(
                ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(release)],
                check=True,
            )
    print(f"Wrote {DATA / name}.sqlite and {DATA / name}.pgdump")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
