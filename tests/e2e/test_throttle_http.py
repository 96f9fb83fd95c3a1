"""Fifty wrong passwords for one account at once, over HTTP, to a server of several
processes: exactly five are checked (401), the others are refused (429 with Retry-After),
and then even the right password waits. On SQLite with two processes, and on PostgreSQL
with four."""

from __future__ import annotations

import asyncio
from collections import Counter

import httpx
import pytest

from tests.e2e.servers import (
    Server,
    live_server,
    run_async,
    run_cli,
    scratch_postgres,
    server_errors,
)

LOGIN = "13800000099"
PASSWORD = "throttle-garden-47"
ATTEMPTS = 50

pytestmark = pytest.mark.e2e


async def _storm(server: Server) -> tuple[Counter[int], list[int], int]:
    limits = httpx.Limits(max_connections=ATTEMPTS, max_keepalive_connections=ATTEMPTS)
    async with httpx.AsyncClient(base_url=server.url, timeout=60, limits=limits) as client:

        async def attempt(_: int) -> httpx.Response:
            return await client.post(
                "/api/v1/auth/token", json={"login": LOGIN, "password": "wrong-guess"}
            )

        responses = await asyncio.gather(*(attempt(i) for i in range(ATTEMPTS)))
        right = await client.post("/api/v1/auth/token", json={"login": LOGIN, "password": PASSWORD})
    waits = [int(r.headers["retry-after"]) for r in responses if r.status_code == 429]
    return Counter(r.status_code for r in responses), waits, right.status_code


def _check(server: Server) -> None:
    run_cli(
        {**server.env, "LINLI_ADMIN_PASSWORD": PASSWORD},
        "createadmin",
        "--login",
        LOGIN,
        "--name",
        "管理员",
    )
    statuses, waits, right = run_async(_storm(server))
    assert statuses == {401: 5, 429: 45}
    # About the 15-minute window: each request reads the clock when it arrives, which may
    # be a little before the oldest counted failure was counted (then it waits 901 s).
    assert all(880 <= wait <= 910 for wait in waits), waits
    assert right == 429
    assert server_errors(server.log) == []


def test_fifty_wrong_passwords_at_once_on_sqlite_through_two_processes() -> None:
    with live_server(workers=2, demo=False) as server:
        _check(server)


def test_fifty_wrong_passwords_at_once_on_postgresql_through_four_processes() -> None:
    with (
        scratch_postgres() as database_url,
        live_server(database_url, workers=4, demo=False) as server,
    ):
        _check(server)
