"""Many people pressing "book" for the same time at once, across processes: on PostgreSQL
with 4 server processes, and on SQLite with one. Bookings never exceed the capacity, every
loser gets 409, nothing answers 5xx."""

from __future__ import annotations

import asyncio
import os
import secrets
from datetime import datetime

import asyncpg
import httpx
import pytest

from tests.e2e.servers import Server, live_server, server_errors

ATTEMPTS = 200
PASSWORD = "contention-garden-47"

pytestmark = pytest.mark.e2e


async def _residents(client: httpx.AsyncClient, count: int) -> list[str]:
    """`count` new residents of the demo's Caijiaxiang community, as bearer tokens."""

    async def one(index: int) -> str:
        login = f"137{index:04d}{secrets.randbelow(10**4):04d}"
        body = {"login": login, "password": PASSWORD}
        registered = await client.post(
            "/api/v1/auth/register",
            json={**body, "name": f"居民{index}", "community": "caijiaxiang"},
        )
        assert registered.status_code == 201, registered.text
        token = await client.post("/api/v1/auth/token", json=body)
        assert token.status_code == 201, token.text
        return token.json()["token"]

    tokens = []
    for start in range(0, count, 20):  # sign-ups in small batches: the point is the booking
        tokens += await asyncio.gather(*(one(i) for i in range(start, min(start + 20, count))))
    return tokens


async def _race(server: Server) -> tuple[dict[int, int], int, dict]:
    limits = httpx.Limits(max_connections=ATTEMPTS, max_keepalive_connections=ATTEMPTS)
    async with httpx.AsyncClient(base_url=server.url, timeout=120, limits=limits) as client:
        spaces = (await client.get("/api/v1/spaces?community=caijiaxiang")).json()["items"]
        space = next(s for s in spaces if s["capacity"] >= 2 and not s["requires_approval"])
        today = datetime.now().date().isoformat()
        week = (
            await client.get(f"/api/v1/spaces/{space['slug']}/availability?from={today}&days=7")
        ).json()
        slot = next(
            s
            for s in week["slots"][len(week["slots"]) // 2 :]
            if s["bookable"] and s["free_units"] == space["capacity"]
        )
        tokens = await _residents(client, ATTEMPTS)
        body = {"space": space["slug"], "start": slot["start"], "end": slot["end"], "units": 1}

        async def attempt(token: str) -> int:
            response = await client.post(
                "/api/v1/bookings", json=body, headers={"Authorization": f"Bearer {token}"}
            )
            return response.status_code

        statuses = await asyncio.gather(*(attempt(token) for token in tokens))
        after = (
            await client.get(
                f"/api/v1/spaces/{space['slug']}/availability?from={slot['start'][:10]}&days=1"
            )
        ).json()
    counts: dict[int, int] = {}
    for status in statuses:
        counts[status] = counts.get(status, 0) + 1
    freed = next(s for s in after["slots"] if s["start"] == slot["start"])
    return counts, space["capacity"], freed


def _check(server: Server, counts: dict[int, int], capacity: int, slot: dict) -> None:
    assert counts == {201: capacity, 409: ATTEMPTS - capacity}, counts
    assert slot["free_units"] == 0
    assert server_errors(server.log) == []


def test_two_hundred_attempts_on_sqlite_through_one_process() -> None:
    with live_server() as server:
        counts, capacity, slot = asyncio.run(_race(server))
        _check(server, counts, capacity, slot)


def test_two_hundred_attempts_on_postgresql_through_four_processes() -> None:
    admin_url = os.environ.get("LINLI_TEST_POSTGRES_URL") or os.environ.get(
        "LINLI_E2E_POSTGRES_URL"
    )
    if not admin_url:
        if os.environ.get("CI"):
            pytest.fail("CI runs this on PostgreSQL: set LINLI_TEST_POSTGRES_URL")
        pytest.skip("LINLI_TEST_POSTGRES_URL is not set")
    name = f"linli_e2e_{os.getpid()}_{secrets.token_hex(3)}"
    base = admin_url.rsplit("/", 1)[0]
    asyncio.run(_admin(f"{base}/postgres", f'CREATE DATABASE "{name}"'))
    try:
        with live_server(f"{base}/{name}", workers=4) as server:
            counts, capacity, slot = asyncio.run(_race(server))
            _check(server, counts, capacity, slot)
    finally:
        asyncio.run(_admin(f"{base}/postgres", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def _admin(url: str, statement: str) -> None:
    connection = await asyncpg.connect(url)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()
