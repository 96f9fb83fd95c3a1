"""One person checking in at a rest station many times at once, each time as a new device,
from one address: on PostgreSQL through 4 server processes and on SQLite through one. Every
check-in is recorded and answered as usual, yet the address holds exactly its share of the
seats, ⌈seats ÷ 3⌉, and nothing answers 5xx."""

from __future__ import annotations

import asyncio
import math
import secrets

import httpx
import pytest

from tests.e2e.servers import Server, live_server, run_async, scratch_postgres, server_errors

ATTEMPTS = 50
CSRF_COOKIE = "linli_csrf"
SQUARE = "lat=36.1950&lon=113.1160&radius_m=10000&limit=100"

pytestmark = pytest.mark.e2e


async def _race(server: Server) -> tuple[dict[int, int], int, int | None]:
    async with httpx.AsyncClient(base_url=server.url, timeout=120) as client:
        found = (await client.get(f"/api/v1/stations/nearby?{SQUARE}")).json()["features"]
        station = max(
            (feature["properties"] for feature in found),
            key=lambda p: (p["seats_total"], p["slug"]),
        )
        await client.get("/privacy")
        csrf = client.cookies[CSRF_COOKIE]

    async def attempt() -> int:
        cookies = {CSRF_COOKIE: csrf, "linli_device": secrets.token_urlsafe(24)}
        async with httpx.AsyncClient(base_url=server.url, timeout=120, cookies=cookies) as one:
            response = await one.post(
                f"/stations/{station['slug']}/checkin", data={"_csrf_token": csrf}
            )
            return response.status_code

    statuses = await asyncio.gather(*(attempt() for _ in range(ATTEMPTS)))
    async with httpx.AsyncClient(base_url=server.url, timeout=120) as client:
        after = (await client.get(f"/api/v1/stations/{station['slug']}")).json()
    counts: dict[int, int] = {}
    for status in statuses:
        counts[status] = counts.get(status, 0) + 1
    return counts, station["seats_total"], after["seats_free"]


def _check(server: Server, counts: dict[int, int], seats: int, free: int | None) -> None:
    assert seats >= 6
    assert counts == {303: ATTEMPTS}, counts
    assert free == seats - math.ceil(seats / 3)
    assert server_errors(server.log) == []


def test_fifty_check_ins_from_one_address_on_sqlite_through_one_process() -> None:
    with live_server() as server:
        _check(server, *run_async(_race(server)))


def test_fifty_check_ins_from_one_address_on_postgresql_through_four_processes() -> None:
    with scratch_postgres() as database_url, live_server(database_url, workers=4) as server:
        _check(server, *run_async(_race(server)))
