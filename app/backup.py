"""Backups and restores of Linli's one database, while the site serves.

Everything Linli keeps is in the database (photos, settings, the stored secret key), so one
file holds a whole site. SQLite is copied through its online backup API in one step: one
read transaction, so one consistent moment, while other processes go on writing (WAL). The
copy is a database file of its own (rollback journal, no -wal/-shm beside it). PostgreSQL
is dumped by `pg_dump --format=custom` (one snapshot) and restored by `pg_restore` in one
transaction. A backup is written to a temporary name in the same folder, flushed to disk and
renamed, so FILE is either the whole backup or not there. A restore goes only into an empty
database.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal
from urllib.parse import unquote, urlsplit, urlunsplit

SQLITE_HEADER = b"SQLite format 3\x00"
PG_DUMP_HEADER = b"PGDMP"
SQLITE_BUSY_TIMEOUT_S = 30
LINLI_MARKER_TABLE = "site_setting"
"""Every migrated Linli database has it: a SQLite file without it is not a Linli backup."""

Engine = Literal["sqlite", "postgres"]
ENGINE_NAMES: dict[Engine, str] = {"sqlite": "SQLite", "postgres": "PostgreSQL"}


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why and what to do."""


@dataclass(frozen=True)
class Copied:
    """What a backup wrote or a restore loaded."""

    path: Path
    size_bytes: int
    engine: Engine
    tables: int | None = None
    rows: int | None = None
    tool: str = ""
    """`pg_dump 15.20` or `pg_restore 15.20` for PostgreSQL; empty for SQLite."""

    def describe(self) -> str:
        """One line for the operator: size, engine, tables and rows (or the tool)."""
        parts = [_size(self.size_bytes), ENGINE_NAMES[self.engine]]
        if self.tables is not None and self.rows is not None:
            parts.append(f"{self.tables} tables, {self.rows} rows")
        if self.tool:
            parts.append(self.tool)
        return ", ".join(parts)


def _size(size_bytes: int) -> str:
    if size_bytes < 1024 * 1024:
        return f"{size_bytes / 1024:.1f} KiB"
    return f"{size_bytes / 1024 / 1024:.1f} MiB"


def engine_of(url: str) -> Engine:
    if url.startswith(("postgresql://", "postgres://")):
        return "postgres"
    if url.startswith("sqlite:///"):
        return "sqlite"
    raise BackupError(f"DATABASE_URL must start with sqlite:/// or postgresql://, not {url!r}")


def backup_kind(path: Path) -> Engine | None:
    """Which engine's backup `path` is, by its first bytes; None for anything else."""
    with open(path, "rb") as file:
        head = file.read(len(SQLITE_HEADER))
    if head == SQLITE_HEADER:
        return "sqlite"
    if head.startswith(PG_DUMP_HEADER):
        return "postgres"
    return None


# --- backup -------------------------------------------------------------------------------


def backup(url: str, target: Path, *, force: bool = False) -> Copied:
    """Write a consistent copy of the database at `url` to `target` (refused when `target`
    exists, unless `force`); the site may keep serving meanwhile."""
    engine = engine_of(url)
    if target.is_dir():
        raise BackupError(f"{target} is a folder: name the backup file to write.")
    if target.exists() and not force:
        raise BackupError(
            f"{target} exists already: name a new file, or add --force to replace it."
        )
    if not target.parent.is_dir():
        raise BackupError(f"The folder {target.parent} does not exist.")
    if engine == "sqlite" and _is_database_file(target, _sqlite_path(url)):
        raise BackupError(f"{target} is the database itself: name a file elsewhere.")
    with _written_atomically(target) as partial:
        if engine == "sqlite":
            tables, rows = _sqlite_backup(_sqlite_path(url), partial)
            copied = Copied(target, 0, engine, tables, rows)
        else:
            copied = Copied(target, 0, engine, tool=_pg_dump(url, partial))
    return dataclasses.replace(copied, size_bytes=target.stat().st_size)


@contextlib.contextmanager
def _written_atomically(target: Path) -> Iterator[Path]:
    """A temporary file beside `target` (readable by its owner only: a backup holds secrets)
    that becomes `target` once the block succeeds, flushed to disk; removed otherwise."""
    fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".partial")
    os.close(fd)
    partial = Path(name)
    try:
        yield partial
        with open(partial, "rb") as file:
            os.fsync(file.fileno())
        os.replace(partial, target)
        directory = os.open(target.parent, os.O_RDONLY)
        try:
            os.fsync(directory)  # the rename itself survives a power cut
        finally:
            os.close(directory)
    finally:
        for leftover in [partial] + [Path(f"{partial}-{end}") for end in ("journal", "wal", "shm")]:
            leftover.unlink(missing_ok=True)


def _sqlite_path(url: str) -> Path:
    return Path(url.removeprefix("sqlite:///"))


def _is_database_file(target: Path, database: Path) -> bool:
    """Whether `target` is the database or one of the files SQLite keeps beside it."""
    names = {database.name + suffix for suffix in ("", "-wal", "-shm", "-journal")}
    return target.name in names and target.parent.resolve() == database.parent.resolve()


def _sqlite_backup(source: Path, partial: Path) -> tuple[int, int]:
    if not source.is_file() or source.stat().st_size == 0:
        raise BackupError(f"There is no database at {source} to back up.")
    with (
        contextlib.closing(sqlite3.connect(source, timeout=SQLITE_BUSY_TIMEOUT_S)) as src,
        contextlib.closing(sqlite3.connect(partial)) as dst,
    ):
        # One step (pages=-1): the whole copy is read in one read transaction, so it is one
        # consistent moment; under WAL the other processes keep writing meanwhile.
        src.backup(dst)
        # The pages say WAL; a backup is a file of its own, with no -wal or -shm beside it.
        dst.execute("PRAGMA journal_mode = DELETE")
        _check_integrity(dst, partial)
        return _count_rows(dst)


def _check_integrity(connection: sqlite3.Connection, path: Path) -> None:
    (verdict,) = connection.execute("PRAGMA quick_check").fetchone()
    if verdict != "ok":
        raise BackupError(f"The copy at {path} fails SQLite's integrity check: {verdict}")


def _count_rows(connection: sqlite3.Connection) -> tuple[int, int]:
    names = [
        name
        for (name,) in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    rows = sum(connection.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] for name in names)
    return len(names), rows


# --- PostgreSQL tools -----------------------------------------------------------------------


def libpq_target(url: str) -> tuple[str, dict[str, str]]:
    """`url` without its password, and the environment for pg_dump/pg_restore with the
    password in PGPASSWORD (never on a command line, which other users may read)."""
    parts = urlsplit(url)
    env = dict(os.environ)
    if parts.password is None:
        return url, env
    env["PGPASSWORD"] = unquote(parts.password)
    userinfo, _, hostport = parts.netloc.rpartition("@")
    user = userinfo.split(":", 1)[0]
    return urlunsplit(parts._replace(netloc=f"{user}@{hostport}")), env


def _tool(name: str) -> tuple[str, str, int]:
    """The path, version text and major version of PostgreSQL's `name` (pg_dump …)."""
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"{name} is not installed (or not on PATH); it is needed for a PostgreSQL "
            "database. Debian: apt-get install postgresql-client (of the server's version "
            "or newer)."
        )
    answer = subprocess.run([path, "--version"], capture_output=True, text=True, check=False)
    found = re.search(r"(\d+)(?:\.(\d+))?", answer.stdout)
    if answer.returncode != 0 or found is None:
        raise BackupError(f"{path} --version failed: {answer.stderr.strip() or answer.stdout}")
    version = found.group(0)
    return path, f"{name} {version}", int(found.group(1))


async def _server_major(url: str) -> int:
    connection = await _connect(url)
    try:
        number = int(await connection.fetchval("SHOW server_version_num"))
    finally:
        await connection.close()
    return number // 10000


async def _connect(url: str) -> Any:
    import asyncpg

    try:
        return await asyncpg.connect(url)
    except asyncpg.InvalidCatalogNameError as exc:
        raise BackupError(
            f"The database {urlsplit(url).path.strip('/')!r} does not exist: create it first "
            "(createdb, or CREATE DATABASE)."
        ) from exc
    except (OSError, asyncpg.PostgresError) as exc:
        raise BackupError(f"Cannot connect to the PostgreSQL database: {exc}") from exc


def _checked_tool(name: str, url: str) -> tuple[str, str]:
    """`name`'s path and version, refused when it is older than the server it works on
    (pg_dump refuses to dump a newer server)."""
    path, version, major = _tool(name)
    server = asyncio.run(_server_major(url))
    if major < server:
        raise BackupError(
            f"{version} is older than the PostgreSQL {server} server and cannot work with it: "
            f"install postgresql-client-{server} and put its {name} first on PATH."
        )
    return path, version


def _pg_dump(url: str, partial: Path) -> str:
    path, version = _checked_tool("pg_dump", url)
    target, env = libpq_target(url)
    command = [path, "--format=custom", "--no-password", f"--file={partial}", target]
    _run_tool(command, env, "pg_dump")
    return version


def _run_tool(command: list[str], env: dict[str, str], name: str) -> None:
    answer = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if answer.returncode != 0:
        said = answer.stderr.strip() or answer.stdout.strip()
        raise BackupError(f"{name} failed (exit {answer.returncode}): {said}")


# --- restore --------------------------------------------------------------------------------


def restore(url: str, source: Path) -> Copied:
    """Load the backup `source` into the database at `url`, which must be empty."""
    engine = engine_of(url)
    if not source.is_file():
        raise BackupError(f"There is no backup file at {source}.")
    kind = backup_kind(source)
    if kind is None:
        raise BackupError(
            f"{source} is not a Linli backup: neither a SQLite database nor a pg_dump "
            "custom-format archive (a plain SQL dump is loaded with psql instead)."
        )
    if kind != engine:
        raise BackupError(
            f"{source} is a {ENGINE_NAMES[kind]} backup, but DATABASE_URL names a "
            f"{ENGINE_NAMES[engine]} database: restore it into a {ENGINE_NAMES[kind]} one."
        )
    if engine == "sqlite":
        tables, rows = _sqlite_restore(source, _sqlite_path(url))
        return Copied(source, source.stat().st_size, engine, tables, rows)
    return Copied(source, source.stat().st_size, engine, tool=_pg_restore(url, source))


def _sqlite_restore(source: Path, target: Path) -> tuple[int, int]:
    _refuse_filled_sqlite(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as src:
        try:
            linli = src.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
                (LINLI_MARKER_TABLE,),
            ).fetchone()
        except sqlite3.DatabaseError as exc:
            raise BackupError(f"{source} cannot be read as a SQLite database: {exc}") from exc
        if linli is None:
            raise BackupError(f"{source} is a SQLite database, but not one of Linli's.")
        with contextlib.closing(sqlite3.connect(target, timeout=SQLITE_BUSY_TIMEOUT_S)) as dst:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode = WAL")  # as `linli migrate` leaves it
            _check_integrity(dst, target)
            return _count_rows(dst)


def _refuse_filled_sqlite(target: Path) -> None:
    """Refuse a target that is not a missing or empty file (or a database without tables)."""
    wal = Path(f"{target}-wal")
    if not target.exists() or target.stat().st_size == 0:
        if wal.exists() and wal.stat().st_size > 0:
            raise BackupError(f"{wal} is left from an earlier database: move it away first.")
        return
    try:
        with contextlib.closing(sqlite3.connect(f"file:{target}?mode=ro", uri=True)) as db:
            (tables,) = db.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{target} exists and is not an empty database ({exc}).") from exc
    if tables:
        raise BackupError(
            f"The database {target} is not empty: restore only into a new database "
            "(point DATABASE_URL at a file that does not exist yet)."
        )


async def _postgres_tables(url: str) -> tuple[list[str], list[str]]:
    """The public tables of the database at `url`, and those of them with rows."""
    connection = await _connect(url)
    try:
        names = [
            row["relname"]
            for row in await connection.fetch(
                "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') ORDER BY c.relname"
            )
        ]
        filled = [
            name
            for name in names
            if await connection.fetchval(
                'SELECT EXISTS (TABLE public."{}")'.format(name.replace('"', '""'))
            )
        ]
    finally:
        await connection.close()
    return names, filled


def _pg_restore(url: str, source: Path) -> str:
    names, filled = asyncio.run(_postgres_tables(url))
    database = urlsplit(url).path.strip("/")
    if filled:
        raise BackupError(
            f"The database {database!r} is not empty ({len(filled)} tables hold rows, "
            f"{filled[0]} among them): restore only into a new database (createdb)."
        )
    if names:
        raise BackupError(
            f"The database {database!r} has tables already ({len(names)}, without rows): "
            "restore only into a new database (createdb)."
        )
    # pg_restore reads archives of its own version or older, into servers old and new.
    path, version, _major = _tool("pg_restore")
    target, env = libpq_target(url)
    command = [
        path,
        "--no-owner",
        "--exit-on-error",
        "--single-transaction",
        "--no-password",
        f"--dbname={target}",
        str(source),
    ]
    try:
        _run_tool(command, env, "pg_restore")
    except BackupError as exc:
        if "unsupported version" in str(exc):
            raise BackupError(
                f"{source} was written by a newer pg_dump than {version}: install the "
                f"postgresql-client of that version and put its pg_restore first on PATH. {exc}"
            ) from exc
        raise
    return version
