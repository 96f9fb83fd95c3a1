"""`linli backup` and `linli restore`: what they refuse, what they leave behind, and how
they call PostgreSQL's tools. The whole round trip while another process writes is the
drill's (test_backup_drill.py)."""

from __future__ import annotations

import re
import sqlite3
import stat
import subprocess
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from app import backup
from app.backup import BackupError, libpq_target
from app.cli import main
from tests.app.databases import fixture_url, linli

PG_URL = "postgresql://linli:s%40cret@db.example:5433/linli?sslmode=require"


def make_sqlite(path: Path, rows: int = 3) -> Path:
    """A small database in WAL mode, as Linli keeps its own."""
    with closing(sqlite3.connect(path)) as db:
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("CREATE TABLE site_setting (key TEXT, value TEXT)")
        db.executemany(
            "INSERT INTO site_setting VALUES (?, ?)", [(f"k{i}", "v") for i in range(rows)]
        )
        db.commit()
    return path


def test_backup_of_sqlite_is_a_private_file_of_its_own(tmp_path: Path) -> None:
    source = make_sqlite(tmp_path / "linli.sqlite")
    target = tmp_path / "out" / "linli.backup"
    target.parent.mkdir()
    copied = backup.backup(f"sqlite:///{source}", target)
    assert (copied.path, copied.engine, copied.tables, copied.rows) == (target, "sqlite", 1, 3)
    assert copied.size_bytes == target.stat().st_size
    assert copied.describe() == f"{copied.size_bytes / 1024:.1f} KiB, SQLite, 1 tables, 3 rows"
    assert sorted(p.name for p in target.parent.iterdir()) == ["linli.backup"]
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    header = target.read_bytes()[:20]
    assert header[:16] == b"SQLite format 3\x00"
    assert (header[18], header[19]) == (1, 1)  # rollback journal: no -wal needed beside it
    with closing(sqlite3.connect(f"file:{target}?mode=ro", uri=True)) as db:
        assert db.execute("SELECT count(*) FROM site_setting").fetchone() == (3,)


def test_backup_refuses_an_existing_file_unless_forced(tmp_path: Path) -> None:
    source = make_sqlite(tmp_path / "linli.sqlite", rows=5)
    target = tmp_path / "linli.backup"
    target.write_bytes(b"last night's")
    with pytest.raises(BackupError) as refused:
        backup.backup(f"sqlite:///{source}", target)
    assert str(refused.value) == (
        f"{target} exists already: name a new file, or add --force to replace it."
    )
    assert target.read_bytes() == b"last night's"
    assert backup.backup(f"sqlite:///{source}", target, force=True).rows == 5
    assert backup.backup_kind(target) == "sqlite"


def test_backup_refuses_to_replace_the_database_itself(tmp_path: Path) -> None:
    source = make_sqlite(tmp_path / "linli.sqlite")
    for name in ("linli.sqlite", "linli.sqlite-wal"):
        with pytest.raises(BackupError) as refused:
            backup.backup(f"sqlite:///{source}", tmp_path / "." / name, force=True)
        assert (
            str(refused.value)
            == f"{tmp_path / name} is the database itself: name a file elsewhere."
        )


def test_failed_backup_leaves_no_file(tmp_path: Path) -> None:
    with pytest.raises(BackupError) as failed:
        backup.backup(f"sqlite:///{tmp_path / 'missing.sqlite'}", tmp_path / "linli.backup")
    assert str(failed.value) == f"There is no database at {tmp_path / 'missing.sqlite'} to back up."
    assert list(tmp_path.iterdir()) == []


def test_backup_without_pg_dump_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(backup.shutil, "which", lambda name: None)
    with pytest.raises(BackupError) as missing:
        backup.backup(PG_URL, tmp_path / "linli.pgdump")
    assert str(missing.value) == (
        "pg_dump is not installed (or not on PATH); it is needed for a PostgreSQL database. "
        "Debian: apt-get install postgresql-client (of the server's version or newer)."
    )
    assert list(tmp_path.iterdir()) == []


def test_pg_dump_older_than_the_server_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(backup, "_tool", lambda name: ("/usr/bin/pg_dump", "pg_dump 15.20", 15))

    async def server_major(url: str) -> int:
        return 16

    monkeypatch.setattr(backup, "_server_major", server_major)
    with pytest.raises(BackupError) as old:
        backup.backup(PG_URL, tmp_path / "linli.pgdump")
    assert str(old.value) == (
        "pg_dump 15.20 is older than the PostgreSQL 16 server and cannot work with it: "
        "install postgresql-client-16 and put its pg_dump first on PATH."
    )
    assert list(tmp_path.iterdir()) == []


def test_pg_dump_gets_the_password_by_environment_never_in_its_arguments(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[list[str], dict[str, str]]] = []

    def run(command: list[str], *, env: dict[str, str], **kwargs: Any) -> Any:
        calls.append((command, env))
        Path(command[3].removeprefix("--file=")).write_bytes(b"PGDMP-archive")
        return subprocess.CompletedProcess(command, 0, "", "")

    monkeypatch.setattr(backup, "_checked_tool", lambda name, url: (f"/usr/bin/{name}", "15.20"))
    monkeypatch.setattr(backup.subprocess, "run", run)
    target = tmp_path / "linli.pgdump"
    copied = backup.backup(PG_URL, target)
    ((command, env),) = calls
    assert command[:3] == ["/usr/bin/pg_dump", "--format=custom", "--no-password"]
    assert command[4] == "postgresql://linli@db.example:5433/linli?sslmode=require"
    assert not any("cret" in part for part in command)
    assert env["PGPASSWORD"] == "s@cret"
    assert (target.read_bytes(), copied.describe()) == (
        b"PGDMP-archive",
        "0.0 KiB, PostgreSQL, 15.20",
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["linli.pgdump"]


def test_pg_dump_failure_is_reported_and_leaves_no_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def run(command: list[str], **kwargs: Any) -> Any:
        return subprocess.CompletedProcess(command, 1, "", "pg_dump: error: connection refused\n")

    monkeypatch.setattr(backup, "_checked_tool", lambda name, url: (f"/usr/bin/{name}", "15.20"))
    monkeypatch.setattr(backup.subprocess, "run", run)
    with pytest.raises(BackupError) as failed:
        backup.backup(PG_URL, tmp_path / "linli.pgdump")
    assert str(failed.value) == "pg_dump failed (exit 1): pg_dump: error: connection refused"
    assert list(tmp_path.iterdir()) == []


def test_libpq_target_without_a_password_changes_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PGPASSWORD", raising=False)
    url, env = libpq_target("postgres://postgres@127.0.0.1:5432/linli")
    assert url == "postgres://postgres@127.0.0.1:5432/linli"
    assert "PGPASSWORD" not in env


def test_restore_names_a_file_of_the_other_engine(tmp_path: Path) -> None:
    dump = tmp_path / "linli.pgdump"
    dump.write_bytes(b"PGDMP\x01\x0e\x00")
    with pytest.raises(BackupError) as wrong:
        backup.restore(f"sqlite:///{tmp_path / 'new.sqlite'}", dump)
    assert str(wrong.value) == (
        f"{dump} is a PostgreSQL backup, but DATABASE_URL names a SQLite database: "
        "restore it into a PostgreSQL one."
    )
    copy = make_sqlite(tmp_path / "copy.sqlite")
    with pytest.raises(BackupError) as other:
        backup.restore(PG_URL, copy)
    assert str(other.value) == (
        f"{copy} is a SQLite backup, but DATABASE_URL names a PostgreSQL database: "
        "restore it into a SQLite one."
    )
    assert not (tmp_path / "new.sqlite").exists()


def test_restore_refuses_what_is_not_a_linli_backup(tmp_path: Path) -> None:
    plain = tmp_path / "linli.sql"
    plain.write_text("--\n-- PostgreSQL database dump\n--\n")
    with pytest.raises(BackupError) as refused:
        backup.restore(f"sqlite:///{tmp_path / 'new.sqlite'}", plain)
    assert str(refused.value) == (
        f"{plain} is not a Linli backup: neither a SQLite database nor a pg_dump "
        "custom-format archive (a plain SQL dump is loaded with psql instead)."
    )
    other = tmp_path / "other.sqlite"
    with closing(sqlite3.connect(other)) as db:
        db.execute("CREATE TABLE photos (name TEXT)")
    with pytest.raises(BackupError) as foreign:
        backup.restore(f"sqlite:///{tmp_path / 'new.sqlite'}", other)
    assert str(foreign.value) == f"{other} is a SQLite database, but not one of Linli's."


def test_restore_into_sqlite_refuses_a_database_with_tables(tmp_path: Path) -> None:
    source = make_sqlite(tmp_path / "backup.sqlite")
    target = make_sqlite(tmp_path / "live.sqlite", rows=0)
    with pytest.raises(BackupError) as refused:
        backup.restore(f"sqlite:///{target}", source)
    assert str(refused.value) == (
        f"The database {target} is not empty: restore only into a new database "
        "(point DATABASE_URL at a file that does not exist yet)."
    )
    empty = tmp_path / "empty.sqlite"
    empty.touch()
    assert backup.restore(f"sqlite:///{empty}", source).rows == 3


async def test_restore_refuses_the_migrated_database(db: None, tmp_path: Path) -> None:
    url = fixture_url()
    if url.startswith("sqlite:///"):
        source = make_sqlite(tmp_path / "backup.sqlite")
        expected = (
            f"The database {url.removeprefix('sqlite:///')} is not empty: restore only into a "
            "new database (point DATABASE_URL at a file that does not exist yet)."
        )
    else:
        source = Path(__file__).parent / "data" / "release-2026-12-06.pgdump"
        database = url.rsplit("/", 1)[1]
        # How many tables a migration fills (the migration table, settings, counters)
        # changes with the schema; the message names the count and the migration table.
        expected = re.escape(f"The database {database!r} is not empty (") + (
            r"[1-9]\d* tables hold rows, migration among them\): restore only into a new "
            r"database \(createdb\)\."
        )
    done = linli(url, "restore", str(source), check=False)
    assert (done.returncode, done.stdout) == (1, "")
    if url.startswith("sqlite:///"):
        assert done.stderr == f"Error: {expected}\n"
    else:
        assert re.fullmatch(f"Error: {expected}\n", done.stderr), done.stderr


def test_backup_command_refuses_to_overwrite_and_says_so(tmp_path: Path) -> None:
    source = make_sqlite(tmp_path / "linli.sqlite")
    target = tmp_path / "linli.backup"
    target.touch()
    done = linli(f"sqlite:///{source}", "backup", str(target), check=False)
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr == (
        f"Error: {target} exists already: name a new file, or add --force to replace it.\n"
    )


def test_backup_help_says_what_the_file_holds() -> None:
    result = CliRunner().invoke(main, ["backup", "--help"])
    assert result.exit_code == 0
    text = " ".join(result.output.split())
    assert "Photos, settings and the stored secret key live in the database" in text
    assert "keep it encrypted, off this machine" in text


def _empty_postgres(monkeypatch: pytest.MonkeyPatch) -> None:
    async def no_tables(url: str) -> tuple[list[str], list[str]]:
        return [], []

    monkeypatch.setattr(backup, "_postgres_tables", no_tables)
    monkeypatch.setattr(backup, "_tool", lambda name: (f"/usr/bin/{name}", f"{name} 15.20", 15))


def test_pg_restore_runs_in_one_transaction_without_the_password_in_its_arguments(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dump = tmp_path / "linli.pgdump"
    dump.write_bytes(b"PGDMP\x01\x0e\x00")
    calls: list[tuple[list[str], dict[str, str]]] = []

    def run(command: list[str], *, env: dict[str, str], **kwargs: Any) -> Any:
        calls.append((command, env))
        return subprocess.CompletedProcess(command, 0, "", "")

    _empty_postgres(monkeypatch)
    monkeypatch.setattr(backup.subprocess, "run", run)
    copied = backup.restore(PG_URL, dump)
    ((command, env),) = calls
    assert command == [
        "/usr/bin/pg_restore",
        "--no-owner",
        "--exit-on-error",
        "--single-transaction",
        "--no-password",
        "--dbname=postgresql://linli@db.example:5433/linli?sslmode=require",
        str(dump),
    ]
    assert env["PGPASSWORD"] == "s@cret"
    assert copied.describe() == "0.0 KiB, PostgreSQL, pg_restore 15.20"


def test_restore_of_an_archive_newer_than_pg_restore_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dump = tmp_path / "linli.pgdump"
    dump.write_bytes(b"PGDMP\x01\x10\x00")
    said = "pg_restore: error: unsupported version (1.16) in file header"

    def run(command: list[str], **kwargs: Any) -> Any:
        return subprocess.CompletedProcess(command, 1, "", said + "\n")

    _empty_postgres(monkeypatch)
    monkeypatch.setattr(backup.subprocess, "run", run)
    with pytest.raises(BackupError) as newer:
        backup.restore(PG_URL, dump)
    assert str(newer.value) == (
        f"{dump} was written by a newer pg_dump than pg_restore 15.20: install the "
        "postgresql-client of that version and put its pg_restore first on PATH. "
        f"pg_restore failed (exit 1): {said}"
    )
