"""Nearby-search benchmark for one database engine; `run.py` calls it once per engine.

Seeds 100,000 stations over a 200 × 200 km region around Changzhi, then measures the search
at the service (bounding-box prefilter on the index), beside it the bare box query (the
service's box SQL and columns on the same points, nothing else: `box_median_ms`), the same
search as a full scan (every row read and measured), and the HTTP endpoint with wrk. Prints
one JSON object.

`page_rate` measures the couriers' page (`PAGE_PATH`, HTML) of a served demo district; it
prints nothing (run.py calls it).

Usage: python -m tests.benchmarks.nearby --database-url URL --seconds N
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

STATIONS = 100_000
CENTRE = (36.195, 113.116)
HALF_SPAN_DEG = (0.9, 1.1)  # about 100 km each way


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000


async def seed() -> None:
    from app.migrate import migrate
    from app.tables import Community, District, Street
    from stations.logic.amenities import mask_of
    from stations.queries import open_weeks
    from stations.tables import Station

    await migrate(quiet=True)
    if await Station.count() >= STATIONS:
        if await Station.count().where(Station.open_week_version != Station.version):
            await open_weeks.rebuild()  # a database seeded before the weeks were stored
        return
    now = datetime.now(UTC)
    district = District(slug="bench", name_zh="基准区", name_en="Bench")
    await district.save()
    street = Street(district=district.id, slug="bench", name_zh="基准", name_en="Bench")
    await street.save()
    community = Community(street=street.id, slug="bench", name_zh="基准", name_en="Bench")
    await community.save()
    rng = random.Random(42)
    hours = [
        {d: "00:00-24:00" for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")},
        {d: "08:00-22:00" for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")},
        {d: "09:00-17:00" for d in ("mon", "tue", "wed", "thu", "fri")},
    ]
    masks = [
        mask_of(["water", "charging", "seats"]),
        mask_of(["water", "toilet"]),
        mask_of(["water"]),
    ]
    batch = []
    for number in range(STATIONS):
        batch.append(
            Station(
                slug=f"bench-{number:06d}",
                community=community.id,
                name_zh=f"基准驿站{number}",
                name_en=f"Bench station {number}",
                latitude=CENTRE[0] + rng.uniform(-HALF_SPAN_DEG[0], HALF_SPAN_DEG[0]),
                longitude=CENTRE[1] + rng.uniform(-HALF_SPAN_DEG[1], HALF_SPAN_DEG[1]),
                weekly_hours=hours[number % 3],
                amenities_working=masks[number % 3],
                seats_total=4 if number % 3 == 0 else 0,
                created_at=now,
                updated_at=now,
            )
        )
        if len(batch) == 1000:  # PostgreSQL takes at most 32,767 parameters a statement
            await Station.insert(*batch)
            batch = []
    if batch:
        await Station.insert(*batch)
    await open_weeks.rebuild()  # as creating a station through the service does


def _centres(count: int) -> list[tuple[float, float]]:
    rng = random.Random(7)
    return [
        (
            CENTRE[0] + rng.uniform(-HALF_SPAN_DEG[0] * 0.8, HALF_SPAN_DEG[0] * 0.8),
            CENTRE[1] + rng.uniform(-HALF_SPAN_DEG[1] * 0.8, HALF_SPAN_DEG[1] * 0.8),
        )
        for _ in range(count)
    ]


async def measure(repeats: int, scans: int) -> dict[str, float]:
    from app import db
    from stations.logic.geo import Point, distance_m
    from stations.logic.nearby import NearbyQuery
    from stations.services import nearby
    from stations.tables import Station

    await db.start_pool(10)  # as a served process does (a no-op on SQLite)
    now = datetime.now(UTC)
    found = []
    timings = []
    box_timings = []
    box_sql = f"SELECT {nearby.LIST_COLUMNS} FROM station WHERE {nearby.BOX_WHERE}"
    for lat, lon in _centres(repeats):
        query = NearbyQuery(centre=Point(lat, lon), radius_m=1000, limit=20)
        started = time.perf_counter()
        result = await nearby.nearby(query, now=now)
        timings.append(_ms(started))
        found.append(len(result.stations))
        started = time.perf_counter()
        await Station.raw(box_sql, *nearby.box_args(query))
        box_timings.append(_ms(started))
    scan_timings = []
    for lat, lon in _centres(scans):
        centre = Point(lat, lon)
        started = time.perf_counter()
        rows = await Station.raw(
            f"SELECT {nearby.LIST_COLUMNS} FROM station WHERE active = {{}}", True
        )
        measured = sorted(
            (d, row["slug"])
            for row in rows
            if (d := distance_m(centre, Point(row["latitude"], row["longitude"]))) <= 1000
        )[:20]
        scan_timings.append(_ms(started))
        del measured
    await db.close_pool()
    ordered = sorted(timings)
    return {
        "service_median_ms": statistics.median(timings),
        "service_p95_ms": ordered[int(0.95 * (len(ordered) - 1))],
        "box_median_ms": statistics.median(box_timings),
        "full_scan_median_ms": statistics.median(scan_timings),
        "stations_found_median": statistics.median(found),
    }


PAGE_PATH = "/stations?near=landmark:chenghuangmiao"
"""The couriers' page near 城隍庙广场 with its defaults (open now first, every amenity)."""


def page_rate(base_url: str, seconds: int, connections: int = 8) -> tuple[float, float]:
    """Requests/s and median ms of `PAGE_PATH` (anonymous, Chinese) on a served demo
    district at `base_url`."""
    from tests.benchmarks.run import wrk

    result = wrk(
        base_url + PAGE_PATH,
        seconds=seconds,
        connections=connections,
        headers={"Accept-Language": "zh-CN"},
    )
    return result.requests_per_s, result.p50_ms


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--seconds", type=int, default=10)
    args = parser.parse_args()
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("LINLI_SECRET_KEY", "bench-" + "k" * 40)
    root = Path(__file__).resolve().parents[2]
    sys.path.insert(0, str(root))

    from tests.benchmarks.run import free_port, serve, wait_until_up, wrk

    asyncio.run(seed())
    figures = asyncio.run(measure(repeats=300, scans=5))
    port = free_port()
    log = Path(os.environ.get("TMPDIR", "/tmp")) / f"linli-bench-nearby-{port}.log"
    server = serve("app.asgi:create_app", port, dict(os.environ), log)
    try:
        wait_until_up(f"http://127.0.0.1:{port}/healthz")
        lat, lon = _centres(1)[0]
        result = wrk(
            f"http://127.0.0.1:{port}/api/v1/stations/nearby?lat={lat:.5f}&lon={lon:.5f}",
            seconds=args.seconds,
            connections=1,
        )
        figures["http_median_ms"] = result.p50_ms
        figures["http_requests_per_s"] = result.requests_per_s
    finally:
        server.terminate()
        server.wait(timeout=10)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
