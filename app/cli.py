"""The `linli` command: migrate, demo, serve, createadmin, backup, restore."""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

import click

from app.settings import SettingsError, get_settings


def _run(coroutine: Any) -> Any:
    return asyncio.run(coroutine)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Linli (邻里): shared spaces and couriers' rest stations for a district.

    Every command reads DATABASE_URL (default: a SQLite file under data/).
    """
    try:
        get_settings()
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from exc


@main.command()
def migrate() -> None:
    """Create or update the database schema and the stored secret key; import photos older
    versions left in the media folder (LINLI_MEDIA_DIR)."""
    from app.migrate import migrate as migrate_database
    from app.photos import photos_dir

    imported = _run(migrate_database())
    if imported:
        click.echo(f"Imported {imported} photo(s) from {photos_dir()} into the database.")
    click.echo(f"Database is up to date ({get_settings().database.engine_type}).")


@main.command()
def demo() -> None:
    """Load the demo district (idempotent) and print the demo accounts."""
    from app import clock, demo
    from app.asgi import install_domains
    from app.migrate import migrate as migrate_database

    async def load() -> tuple[list[demo.DemoAccount], list[str]]:
        await migrate_database(quiet=True)
        now = clock.utcnow()
        accounts = await demo.load(now)
        lines = []
        for domain in install_domains():
            if domain.load_demo:
                lines += await domain.load_demo(now)
        return accounts, lines

    accounts, lines = _run(load())
    for line in lines:
        click.echo(f"Loaded {line}")
    click.echo(
        f"Demo district loaded. Demo accounts (demo sites only!), password: {demo.DEMO_PASSWORD}"
    )
    for account in accounts:
        where = f" · {account.community}" if account.community else ""
        click.echo(f"  {account.role:<9} {account.login:<36} {account.name}{where}")


@main.command()
@click.option("--host", default=None, help="Address to listen on [LINLI_HOST, 127.0.0.1].")
@click.option("--port", type=int, default=None, help="Port [LINLI_PORT, 8000].")
@click.option("--workers", type=int, default=None, help="Processes [LINLI_WORKERS, 1].")
@click.option("--reload", is_flag=True, help="Restart on code changes (development).")
def serve(host: str | None, port: int | None, workers: int | None, reload: bool) -> None:
    """Serve Linli with uvicorn."""
    import uvicorn

    settings = get_settings()
    workers = workers or settings.server.workers
    # Before prometheus-client is first imported (by app.asgi): it reads the folder then.
    made_metrics_dir = (
        fresh_metrics_dir() if workers > 1 or os.environ.get(METRICS_DIR_ENV) else None
    )

    from app.asgi import SetupError, resolve_secret_key

    try:
        resolve_secret_key(settings)
    except SetupError as exc:
        raise click.ClickException(str(exc)) from exc
    if workers > 1 and settings.database.engine_type == "sqlite":
        click.echo("Note: several workers on SQLite take turns writing; use PostgreSQL to scale.")
    try:
        uvicorn.run(
            "app.asgi:create_app",
            factory=True,
            host=host or settings.server.host,
            port=port or settings.server.port,
            workers=None if reload else workers,
            reload=reload,
            reload_includes=["*.py", "*.html", "*.po"] if reload else None,
            # The app resolves X-Forwarded-For itself (app.web.request_ids), after noting
            # whether the request came from a trusted proxy, whose X-Request-ID it keeps.
            proxy_headers=False,
            access_log=False,  # app.web logs each request with secrets removed from the path
            server_header=False,
            log_level="info",
        )
    finally:
        if made_metrics_dir is not None:
            shutil.rmtree(made_metrics_dir, ignore_errors=True)


METRICS_DIR_ENV = "PROMETHEUS_MULTIPROC_DIR"


def fresh_metrics_dir() -> Path | None:
    """PROMETHEUS_MULTIPROC_DIR for this start, inherited by every worker: the operator's
    folder emptied of an earlier start's files (None returned), or a new temporary one,
    returned to be removed at exit. Counts start from zero at each start, as Prometheus
    expects of a restart."""
    chosen = os.environ.get(METRICS_DIR_ENV, "").strip()
    if chosen:
        directory = Path(chosen)
        directory.mkdir(parents=True, exist_ok=True)
        for leftover in directory.glob("*.db"):
            leftover.unlink()
        return None
    directory = Path(tempfile.mkdtemp(prefix="linli-metrics-"))
    os.environ[METRICS_DIR_ENV] = str(directory)
    return directory


@main.command()
@click.option("--login", prompt="Mobile number or email", help="The administrator's login.")
@click.option("--name", prompt="Display name", help="The name shown to others.")
@click.option(
    "--password",
    default=lambda: os.environ.get("LINLI_ADMIN_PASSWORD", ""),
    help="Password; prompted for when absent (or set LINLI_ADMIN_PASSWORD).",
)
def createadmin(login: str, name: str, password: str) -> None:
    """Make an administrator (creates the account, or promotes an existing one)."""
    from app import clock
    from app.accounts.admin import create_admin
    from app.errors import InputError

    if not password and not _account_exists(login):
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user, created = _run(create_admin(login, name, password, now=clock.utcnow()))
    except InputError as exc:
        for error in exc.errors:
            click.echo(f"{error.field}: {error.message}", err=True)
        sys.exit(1)
    verb = "Created" if created else "Promoted"
    click.echo(f"{verb} administrator {user.login}.")


def _account_exists(login: str) -> bool:
    from app.accounts.admin import find_user
    from app.errors import InputError

    try:
        return _run(find_user(login)) is not None
    except InputError:
        return False


@main.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace FILE if it exists.")
def backup(file: Path, force: bool) -> None:
    """Write a consistent copy of the database to FILE while Linli keeps serving.

    SQLite: a copy through SQLite's online backup API, a database file of its own.
    PostgreSQL: pg_dump's custom format (pg_dump of the server's version or newer must be
    on PATH; the password goes to it through PGPASSWORD). Photos, settings and the stored
    secret key live in the database, so FILE holds them, with everyone's personal data and
    the hashes of sign-in and feed tokens: keep it encrypted, off this machine, readable
    only by those who run the site. Test it with `linli restore` into a new database.
    """
    from app.backup import BackupError
    from app.backup import backup as write_backup

    try:
        copied = write_backup(get_settings().database.url, file, force=force)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Wrote {copied.path} ({copied.describe()}).")


@main.command()
@click.argument("file", type=click.Path(dir_okay=False, exists=True, path_type=Path))
def restore(file: Path) -> None:
    """Load the backup FILE (made by `linli backup`) into the database of DATABASE_URL.

    The database must be empty: a SQLite file that does not exist yet, or a PostgreSQL
    database just created (createdb); anything else is refused. PostgreSQL restores with
    pg_restore in one transaction. Afterwards run `linli migrate`, which brings a backup of
    an older release up to date (and changes nothing for one of this release).
    """
    from app.backup import BackupError
    from app.backup import restore as load_backup

    try:
        copied = load_backup(get_settings().database.url, file)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Restored {copied.path} ({copied.describe()}).")
    click.echo("Next: `linli migrate`, then start Linli.")


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    main()
