"""Live Linli servers for the end-to-end tests: a fresh database, migrated and loaded with
the demo district, served by `linli serve` on a free local port (one process or several)."""

from __future__ import annotations

import asyncio
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar
from urllib.request import urlopen

import asyncpg
import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


T = TypeVar("T")


def run_async(coroutine: Coroutine[Any, Any, T]) -> T:
    """`asyncio.run` in a thread of its own: the browser journeys' session-long Playwright
    keeps an event loop running in the main thread, where `asyncio.run` refuses to start."""
    with ThreadPoolExecutor(max_workers=1) as thread:
        return thread.submit(asyncio.run, coroutine).result()


async def _admin(url: str, statement: str) -> None:
    connection = await asyncpg.connect(url)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


@contextmanager
def scratch_postgres() -> Iterator[str]:
    """A new, empty PostgreSQL database for one test, dropped after it; its URL. Skips
    without `LINLI_TEST_POSTGRES_URL` (or `LINLI_E2E_POSTGRES_URL`), and fails under CI."""
    admin_url = os.environ.get("LINLI_TEST_POSTGRES_URL") or os.environ.get(
        "LINLI_E2E_POSTGRES_URL"
    )
    if not admin_url:
        if os.environ.get("CI"):
            pytest.fail("CI runs this on PostgreSQL: set LINLI_TEST_POSTGRES_URL")
        pytest.skip("LINLI_TEST_POSTGRES_URL is not set")
    name = f"linli_e2e_{os.getpid()}_{secrets.token_hex(3)}"
    base = admin_url.rsplit("/", 1)[0]
    run_async(_admin(f"{base}/postgres", f'CREATE DATABASE "{name}"'))
    try:
        yield f"{base}/{name}"
    finally:
        run_async(_admin(f"{base}/postgres", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    url: str
    database_url: str
    env: dict[str, str]
    log: Path


METRICS_TOKEN = "e2e-metrics-" + "m" * 24
"""What the live servers' `/metrics` answers to (`Authorization: Bearer …`)."""


def server_env(database_url: str, workdir: Path) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("LINLI_") and key not in {"DATABASE_URL", "REDIS_URL"}
    }
    env.update(
        DATABASE_URL=database_url,
        LINLI_SECRET_KEY="e2e-" + "s" * 44,
        LINLI_PASSWORD_HASH_PROFILE="cheapest",
        LINLI_MEDIA_DIR=str(workdir / "media"),
        LINLI_SIGNUPS_PER_HOUR="0",
        LINLI_LOG_LEVEL="WARNING",
        LINLI_METRICS_TOKEN=METRICS_TOKEN,
    )
    return env


def run_cli(env: dict[str, str], *args: str, bin_dir: Path = BIN, cwd: Path = ROOT) -> None:
    subprocess.run(
        [str(bin_dir / "linli"), *args], env=env, cwd=cwd, check=True, capture_output=True
    )


@contextmanager
def live_server(
    database_url: str | None = None,
    *,
    workers: int = 1,
    demo: bool = True,
    bin_dir: Path = BIN,
    cwd: Path = ROOT,
) -> Iterator[Server]:
    """Migrate (and load the demo into) the database, serve it, stop it afterwards; with
    `linli` from `bin_dir`, run in `cwd` (the checkout unless told otherwise)."""
    workdir = Path(tempfile.mkdtemp(prefix="linli-e2e-"))
    database_url = database_url or f"sqlite:///{workdir / 'linli.sqlite'}"
    env = server_env(database_url, workdir)
    run_cli(env, "migrate", bin_dir=bin_dir, cwd=cwd)
    if demo:
        run_cli(env, "demo", bin_dir=bin_dir, cwd=cwd)
    port = free_port()
    env["LINLI_PUBLIC_URL"] = f"http://127.0.0.1:{port}"  # links in text messages
    log = workdir / "server.log"
    process = subprocess.Popen(
        [str(bin_dir / "linli"), "serve", "--port", str(port), "--workers", str(workers)],
        env=env,
        cwd=cwd,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url, process)
        yield Server(url, database_url, env, log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()


def _wait_until_up(url: str, process: subprocess.Popen[bytes], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server stopped with code {process.returncode}")
        try:
            with urlopen(f"{url}/healthz", timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.25)
    raise RuntimeError(f"{url} did not answer within {seconds} s")


def server_errors(log: Path) -> list[str]:
    """Lines of the server's log that tell of a 500 or an unhandled exception."""
    return [
        line
        for line in log.read_text(errors="replace").splitlines()
        if "Traceback" in line or "unhandled error" in line or " 500 " in line
    ]
