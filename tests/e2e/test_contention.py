"""Many people pressing "book" for the same time at once, across processes: on PostgreSQL
with 4 server processes, and on SQLite with one. Bookings never exceed the capacity, every
loser gets 409, nothing answers 5xx. Then everyone at once for two adjacent hours of a
one-unit item with a turnaround buffer, half for the later hour and half for the earlier one
(whose buffer runs into it): exactly one wins, and an oracle reading the raw rows finds no
overbooked minute."""

from __future__ import annotations

import asyncio
import secrets
import sqlite3
from datetime import datetime

import asyncpg
import httpx
import pytest

from tests.e2e.servers import Server, live_server, run_async, scratch_postgres, server_errors
from tests.spaces.oracle import overbooked_minutes

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


async def _race(server: Server) -> tuple[dict[int, int], int, dict, dict[int, int]]:
    limits = httpx.Limits(max_connections=ATTEMPTS, max_keepalive_connections=ATTEMPTS)
    async with httpx.AsyncClient(base_url=server.url, timeout=120, limits=limits) as client:
        spaces = (await client.get("/api/v1/spaces?community=caijiaxiang")).json()["items"]
        # The drill in the tool cabinet: two units, no approval, and one slot is one whole
        # booking (other spaces of the community have a minimum longer than a slot).
        space = next(s for s in spaces if s["slug"] == "caijiaxiang-tool-drill")
        assert space["capacity"] >= 2 and not space["requires_approval"]
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
    # Fresh connections: the server has closed the idle ones by now.
    async with httpx.AsyncClient(base_url=server.url, timeout=120, limits=limits) as client:
        buffered = await _race_adjacent(client, tokens)
    freed = next(s for s in after["slots"] if s["start"] == slot["start"])
    return _count(statuses), space["capacity"], freed, buffered


LADDER = "caijiaxiang-tool-ladder"
"""One unit, hour slots, a 30-minute turnaround: an hour booked just before another one
would run its buffer into it."""


async def _race_adjacent(client: httpx.AsyncClient, tokens: list[str]) -> dict[int, int]:
    """Everyone at once, alternately for an hour of the ladder and the hour before it."""
    today = datetime.now().date().isoformat()
    week = (await client.get(f"/api/v1/spaces/{LADDER}/availability?from={today}&days=7")).json()
    free = {s["start"]: s for s in week["slots"] if s["bookable"] and s["free_units"] == 1}
    earlier, later = next(
        (s, free[s["end"]])
        for s in week["slots"][len(week["slots"]) // 2 :]
        if s["start"] in free and s["end"] in free
    )

    async def attempt(index: int, token: str) -> int:
        wanted = (later, earlier)[index % 2]
        body = {"space": LADDER, "start": wanted["start"], "end": wanted["end"], "units": 1}
        response = await client.post(
            "/api/v1/bookings", json=body, headers={"Authorization": f"Bearer {token}"}
        )
        return response.status_code

    return _count(await asyncio.gather(*(attempt(i, t) for i, t in enumerate(tokens))))


def _count(statuses: list[int]) -> dict[int, int]:
    counts: dict[int, int] = {}
    for status in statuses:
        counts[status] = counts.get(status, 0) + 1
    return counts


async def _overbooked(database_url: str) -> dict:
    """The independent oracle over the ladder's raw rows in the server's database."""
    if database_url.startswith("sqlite:///"):
        connection = sqlite3.connect(database_url.removeprefix("sqlite:///"))
        try:

            async def fetch(sql: str, *args: object) -> list:
                return connection.execute(
                    sql.replace("$1", "?").replace("$2", "?"), args
                ).fetchall()

            return await _oracle(fetch)
        finally:
            connection.close()
    pg = await asyncpg.connect(database_url)
    try:

        async def fetch_pg(sql: str, *args: object) -> list:
            return [tuple(row) for row in await pg.fetch(sql, *args)]

        return await _oracle(fetch_pg)
    finally:
        await pg.close()


async def _oracle(fetch) -> dict:
    ((space_id, capacity, buffer),) = await fetch(
        "SELECT id, capacity, buffer_minutes FROM space WHERE slug = $1", LADDER
    )
    return overbooked_minutes(
        capacity,
        buffer,
        await fetch(
            "SELECT starts_at, ends_at, units FROM booking WHERE space = $1 AND status = $2",
            space_id,
            "confirmed",
        ),
        await fetch(
            "SELECT starts_at, ends_at, units FROM waitlist_entry WHERE space = $1 AND status = $2",
            space_id,
            "offered",
        ),
        await fetch(
            "SELECT starts_at, ends_at, units FROM space_closure "
            "WHERE space = $1 AND units IS NOT NULL",
            space_id,
        ),
    )


def _check(
    server: Server, counts: dict[int, int], capacity: int, slot: dict, buffered: dict[int, int]
) -> None:
    assert counts == {201: capacity, 409: ATTEMPTS - capacity}, counts
    assert slot["free_units"] == 0
    assert buffered == {201: 1, 409: ATTEMPTS - 1}, buffered
    assert run_async(_overbooked(server.database_url)) == {}
    assert server_errors(server.log) == []


def test_two_hundred_attempts_on_sqlite_through_one_process() -> None:
    with live_server() as server:
        _check(server, *run_async(_race(server)))


def test_two_hundred_attempts_on_postgresql_through_four_processes() -> None:
    with scratch_postgres() as database_url, live_server(database_url, workers=4) as server:
        _check(server, *run_async(_race(server)))
