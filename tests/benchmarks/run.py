"""`make bench`: every benchmark of the project in one run, printed as one table.

Each HTTP figure is measured with wrk beside a trivial Litestar endpoint served the same way
(one uvicorn process) in the same run, because these machines are noisy: compare the ratio,
not the raw number. The table is also written to bench-results/ to compare runs.

Usage: python -m tests.benchmarks.run [--seconds 10] [--out bench-results]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.error import HTTPError
from urllib.request import Request, urlopen

from tests.benchmarks import uploads

ROOT = Path(__file__).resolve().parents[2]
RESIDENT = "13900009999"
"""The seeded resident, who files needs with photos in the upload figures."""
BOOKINGS = 10_000
FEED_BOOKINGS = 5_000


@dataclass
class Row:
    figure: str
    value: str
    baseline: str
    ratio: str
    goal: str


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urlopen(url, timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {seconds} s")


def serve(app: str, port: int, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """One uvicorn process; its log (errors included) goes to `log`."""
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            app,
            "--factory",
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log.open("w"),
    )


@dataclass
class WrkResult:
    requests_per_s: float
    p50_ms: float
    p99_ms: float
    requests: int
    non_2xx: int


def _ms(text: str) -> float:
    value, unit = re.match(r"([\d.]+)(\w+)", text).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]


def wrk(
    url: str,
    *,
    seconds: int,
    connections: int,
    script: Path | None = None,
    env: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
) -> WrkResult:
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", url]
    for name, value in (headers or {}).items():
        command[1:1] = ["-H", f"{name}: {value}"]
    if script:
        command[1:1] = ["-s", str(script)]
    output = subprocess.run(command, capture_output=True, text=True, check=True, env=env).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    # The latency distribution's own lines: a standard deviation such as "87.50%" is not one.
    p50 = _ms(re.search(r"^\s+50%\s+(\S+)", output, re.M).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)", output, re.M).group(1))  # type: ignore[union-attr]
    requests = int(re.search(r"(\d+) requests in", output).group(1))  # type: ignore[union-attr]
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return WrkResult(rps, p50, p99, requests, int(non_2xx.group(1)) if non_2xx else 0)


async def seed(bench_day: date) -> tuple[str, int]:
    """A space with 10,000 bookings around `bench_day`, one empty space to book, a token."""
    from app.accounts.sessions import create_api_token
    from app.migrate import migrate
    from app.tables import Community, District, Street, User
    from spaces.tables import Booking, Space

    await migrate(quiet=True)
    now = datetime.now(UTC)
    district = District(slug="bench", name_zh="基准区", name_en="Bench District")
    await district.save()
    street = Street(district=district.id, slug="bench", name_zh="基准街道", name_en="Bench Street")
    await street.save()
    community = Community(street=street.id, slug="bench", name_zh="基准社区", name_en="Bench")
    await community.save()
    user = User(
        login=RESIDENT,
        login_kind="phone",
        name="基准",
        password_hash="x",
        community=community.id,
        privacy_accepted_at=now,
        privacy_version="bench",
        created_at=now,
        password_changed_at=now,
        contact_verified_at=now,
        resident_approved_at=now,
    )
    await user.save()
    every_day = {d: "00:00-24:00" for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    week_space = Space(
        slug="bench-week",
        community=community.id,
        kind="music_room",
        name_zh="基准空间",
        name_en="Bench space",
        capacity=3,
        weekly_hours=every_day,
        created_at=now,
        updated_at=now,
    )
    await week_space.save()
    create_space = Space(
        slug="bench-create",
        community=community.id,
        kind="tool",
        name_zh="基准工具",
        name_en="Bench tool",
        capacity=1,
        weekly_hours=every_day,
        created_at=now,
        updated_at=now,
    )
    await create_space.save()
    # One-hour bookings every 40 minutes: two overlap at times, capacity is three.
    first = datetime.combine(bench_day, datetime.min.time(), UTC) - timedelta(days=140)
    rows = [
        Booking(
            id=uuid.uuid4(),
            space=week_space.id,
            user=user.id,
            starts_at=first + timedelta(minutes=40 * i),
            ends_at=first + timedelta(minutes=40 * i + 60),
            units=1,
            status="confirmed",
            created_at=now,
            updated_at=now,
        )
        for i in range(BOOKINGS)
    ]
    for chunk in range(0, len(rows), 500):
        await Booking.insert(*rows[chunk : chunk + 500])
    feed_space = Space(
        slug="bench-feed",
        community=community.id,
        kind="activity_room",
        name_zh="基准订阅",
        name_en="Bench feed",
        capacity=1,
        weekly_hours=every_day,
        created_at=now,
        updated_at=now,
    )
    await feed_space.save()
    # FEED_BOOKINGS 40-minute bookings every 50 minutes, all inside a feed's window.
    feed_first = now.replace(second=0, microsecond=0) - timedelta(days=20)
    feed_rows = [
        Booking(
            id=uuid.uuid4(),
            space=feed_space.id,
            user=user.id,
            starts_at=feed_first + timedelta(minutes=50 * i),
            ends_at=feed_first + timedelta(minutes=50 * i + 40),
            units=1,
            status="confirmed",
            created_at=now,
            updated_at=now,
        )
        for i in range(FEED_BOOKINGS)
    ]
    for chunk in range(0, len(feed_rows), 500):
        await Booking.insert(*feed_rows[chunk : chunk + 500])
    _row, token = await create_api_token(user, "bench", now)
    return token, await Booking.count().where(Booking.space == week_space.id)


async def feed_build_in_process(repeats: int) -> tuple[list[float], list[float], int]:
    """Building the feed of a space with FEED_BOOKINGS bookings in its window from the
    database: cold (nothing cached), and again after one booking changed (what each change
    costs, once, whatever the number of subscribers)."""
    from app import feeds
    from app.cache import clear_all
    from app.feeds import Context, Window
    from spaces.services import catalog
    from spaces.services.feeds import public_events
    from spaces.tables import Booking

    space = await catalog.get_space("bench-feed")
    now = datetime.now(UTC)
    window = Window.around(now)

    async def build() -> bytes:
        events = await public_events(space, Context(window, "", now))
        return await feeds.finish(feeds.calendar("bench"), events, window)

    cold, changed, size = [], [], 0
    for _ in range(repeats):
        clear_all()
        started = time.perf_counter()
        size = len(await build())
        cold.append((time.perf_counter() - started) * 1000)
    for i in range(repeats):
        one = await Booking.select(Booking.id).where(Booking.space == space.id).first()
        await Booking.update(
            {Booking.updated_at: now + timedelta(seconds=i + 1), Booking.sequence: i + 1}
        ).where(Booking.id == one["id"])
        started = time.perf_counter()
        await build()
        changed.append((time.perf_counter() - started) * 1000)
    return cold, changed, size


async def availability_in_process(bench_day: date, repeats: int) -> list[float]:
    """Computing a week from the database each time: the cache is emptied before each call."""
    from app.cache import clear_all
    from spaces.services import catalog
    from spaces.services.availability import get_availability

    space = await catalog.get_space("bench-week")
    now = datetime.combine(bench_day, datetime.min.time(), UTC)
    timings = []
    for _ in range(repeats):
        clear_all()
        started = time.perf_counter()
        await get_availability(space, bench_day, 7, now=now)
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def check_refused(url: str, status: int, body: str | None = None, token: str = "") -> None:
    """The hostile request is refused as it should be (else its figure measures another
    answer)."""
    request = Request(url, data=body.encode() if body else None)
    if body:
        request.add_header("Content-Type", "application/json")
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urlopen(request) as response:
            answered = response.status
    except HTTPError as error:
        answered = error.code
    if answered != status:
        raise RuntimeError(f"{url} answered {answered}, not {status}")


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10, help="wrk duration per figure")
    parser.add_argument("--out", default=str(ROOT / "bench-results"))
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("make bench needs wrk: apt-get install wrk (Debian's package)")

    workdir = Path(tempfile.mkdtemp(prefix="linli-bench-"))
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{workdir / 'bench.sqlite'}",
        "LINLI_SECRET_KEY": "bench-" + "k" * 40,
        "LINLI_PASSWORD_HASH_PROFILE": "cheapest",
    }
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    bench_day = date.today() + timedelta(days=30)
    token, count = asyncio.run(seed(bench_day))
    session = asyncio.run(uploads.resident_session(RESIDENT))
    from app.photos import MAX_UPLOAD_BYTES

    pictures = [uploads.largest_png(), uploads.largest_jpeg(MAX_UPLOAD_BYTES)]
    timings = asyncio.run(availability_in_process(bench_day, 300))
    feed_cold, feed_changed, feed_bytes = asyncio.run(feed_build_in_process(5))

    linli_port, trivial_port = free_port(), free_port()
    servers = [
        serve("app.asgi:create_app", linli_port, env, workdir / "linli.log"),
        serve(
            "tests.benchmarks.trivial_app:create_app", trivial_port, env, workdir / "trivial.log"
        ),
    ]
    rows: list[Row] = []
    try:
        wait_until_up(f"http://127.0.0.1:{linli_port}/healthz")
        wait_until_up(f"http://127.0.0.1:{trivial_port}/")
        linli = f"http://127.0.0.1:{linli_port}"
        seconds = args.seconds
        trivial_rate = wrk(f"http://127.0.0.1:{trivial_port}/", seconds=seconds, connections=16)
        trivial_latency = wrk(f"http://127.0.0.1:{trivial_port}/", seconds=seconds, connections=1)
        api = wrk(
            f"{linli}/api/v1/spaces/bench-week/availability?from={bench_day}&days=7",
            seconds=seconds,
            connections=1,
        )
        # A returning visitor: the browser sends back the CSRF cookie it was given.
        with urlopen(f"{linli}/spaces/bench-week") as response:
            cookie = response.headers["set-cookie"].split(";", 1)[0]
        page = wrk(
            f"{linli}/spaces/bench-week?view=week&from={bench_day}",
            seconds=seconds,
            connections=16,
            headers={"Cookie": cookie},
        )
        feed_url = f"{linli}/feeds/spaces/bench-feed.ics"
        with urlopen(feed_url) as response:  # builds it once
            etag = response.headers["etag"]
        feed = wrk(feed_url, seconds=seconds, connections=1)
        feed_304 = wrk(feed_url, seconds=seconds, connections=1, headers={"If-None-Match": etag})
        first_start = int(datetime.combine(bench_day, datetime.min.time(), UTC).timestamp())
        create = wrk(
            f"{linli}/api/v1/bookings",
            seconds=seconds,
            connections=4,
            script=Path(__file__).with_name("create_booking.lua"),
            env={**env, "LINLI_BENCH_TOKEN": token, "LINLI_BENCH_FIRST_START": str(first_start)},
        )
        hostile_body = json.dumps(
            {
                "space": "bench-create",
                "start": f"{bench_day}T10:00:00+08:00",
                "end": f"{bench_day.year + 700}-01-01T10:00:00+08:00",
            }
        )
        check_refused(f"{linli}/api/v1/bookings", 422, hostile_body, token)
        hostile_booking = wrk(
            f"{linli}/api/v1/bookings",
            seconds=seconds,
            connections=1,
            script=Path(__file__).with_name("hostile_booking.lua"),
            env={**env, "LINLI_BENCH_TOKEN": token, "LINLI_BENCH_BODY": hostile_body},
        )
        far_page_url = f"{linli}/spaces/bench-week?from=9999-12-31"
        check_refused(far_page_url, 400)
        far_page = wrk(far_page_url, seconds=seconds, connections=1, headers={"Cookie": cookie})
        # The cheapest answers of the same kind: signed in with the same token, and a page
        # rendered through the layout without the database.
        me = wrk(
            f"{linli}/api/v1/me",
            seconds=seconds,
            connections=1,
            headers={"Authorization": f"Bearer {token}"},
        )
        privacy = wrk(
            f"{linli}/privacy", seconds=seconds, connections=1, headers={"Cookie": cookie}
        )
        idle_rss_mb = uploads.rss_mb(servers[0].pid)
        healthz = wrk(f"{linli}/healthz", seconds=seconds, connections=1)
        form_cookie, csrf = uploads.form_cookies(linli, session)
        upload_runs = [
            uploads.during_uploads(
                linli, servers[0].pid, picture, form_cookie, csrf, seconds, wrk, workdir
            )
            for picture in pictures
        ]
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=10)

    created_per_s = (create.requests - create.non_2xx) / seconds
    rows = [
        Row(
            f"availability of a week, computed, median ms ({count:,} bookings)",
            f"{statistics.median(timings):.2f}",
            "—",
            "—",
            "< 5 ms",
        ),
        Row(
            "availability of a week, computed, p95 ms",
            f"{percentile(timings, 0.95):.2f}",
            "—",
            "—",
            "—",
        ),
        Row(
            "availability API, 7 days, median ms (1 connection)",
            f"{api.p50_ms:.2f}",
            f"{trivial_latency.p50_ms:.2f}",
            f"{api.p50_ms / trivial_latency.p50_ms:.1f}×",
            "—",
        ),
        Row(
            "week page, requests/s (1 process, 16 connections)",
            f"{page.requests_per_s:.0f}",
            f"{trivial_rate.requests_per_s:.0f}",
            f"{page.requests_per_s / trivial_rate.requests_per_s:.2f}",
            "≥ 0.10 (0.33 ahead)",
        ),
        Row(
            "booking creation, bookings/s (1 process, 4 connections)",
            f"{created_per_s:.0f}",
            f"{trivial_rate.requests_per_s:.0f}",
            f"{created_per_s / trivial_rate.requests_per_s:.2f}",
            "—",
        ),
        Row(
            f"space feed, {FEED_BOOKINGS:,} bookings ({feed_bytes / 1e6:.1f} MB): cold build, "
            "median ms",
            f"{statistics.median(feed_cold):.0f}",
            "—",
            "—",
            "—",
        ),
        Row(
            "space feed, rebuilt after one booking changed, median ms",
            f"{statistics.median(feed_changed):.0f}",
            "—",
            "—",
            "once per change",
        ),
        Row(
            "space feed, served unchanged, median ms (1 connection)",
            f"{feed.p50_ms:.2f}",
            f"{trivial_latency.p50_ms:.2f}",
            f"{feed.p50_ms / trivial_latency.p50_ms:.1f}×",
            "< 10 ms",
        ),
        Row(
            "space feed, 304 Not Modified, median ms (1 connection)",
            f"{feed_304.p50_ms:.2f}",
            f"{trivial_latency.p50_ms:.2f}",
            f"{feed_304.p50_ms / trivial_latency.p50_ms:.1f}×",
            "< 3 ms",
        ),
        Row(
            "hostile: a 700-year booking (API, refused 422), median ms (1 connection)",
            f"{hostile_booking.p50_ms:.2f}",
            f"{trivial_latency.p50_ms:.2f}",
            f"{hostile_booking.p50_ms / trivial_latency.p50_ms:.1f}×",
            "≤ 5×",
        ),
        Row(
            "hostile: space page from=9999-12-31 (refused 400), median ms (1 connection)",
            f"{far_page.p50_ms:.2f}",
            f"{trivial_latency.p50_ms:.2f}",
            f"{far_page.p50_ms / trivial_latency.p50_ms:.1f}×",
            "≤ 5×",
        ),
        Row(
            "hostile 700-year booking beside GET /api/v1/me (same token), median ms",
            f"{hostile_booking.p50_ms:.2f}",
            f"{me.p50_ms:.2f} (/api/v1/me)",
            f"{hostile_booking.p50_ms / me.p50_ms:.1f}×",
            "—",
        ),
        Row(
            "hostile space page from=9999-12-31 beside /privacy (layout, no database), median ms",
            f"{far_page.p50_ms:.2f}",
            f"{privacy.p50_ms:.2f} (/privacy)",
            f"{far_page.p50_ms / privacy.p50_ms:.1f}×",
            "—",
        ),
    ]
    rows += upload_rows(idle_rss_mb, healthz, upload_runs)
    rows += nearby_rows(
        "SQLite", f"sqlite:///{workdir / 'nearby.sqlite'}", seconds, trivial_latency.p50_ms
    )
    admin_url = os.environ.get(
        "LINLI_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
    )
    database = f"linli_bench_{os.getpid()}"
    try:
        asyncio.run(_postgres_database(admin_url, database, create=True))
    except Exception as exc:
        print(f"PostgreSQL benchmarks skipped: {exc}")
    else:
        try:
            url = admin_url.rsplit("/", 1)[0] + f"/{database}"
            rows += nearby_rows("PostgreSQL", url, seconds, trivial_latency.p50_ms)
        finally:
            asyncio.run(_postgres_database(admin_url, database, create=False))
    table = render(rows, create.non_2xx)
    print(table)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    (out / f"bench-{stamp}.md").write_text(table, encoding="utf-8")
    (out / "latest.md").write_text(table, encoding="utf-8")
    errors = [
        line
        for line in (workdir / "linli.log").read_text(errors="replace").splitlines()
        if " ERROR " in line or "Traceback" in line
    ]
    if errors:
        print(f"The server logged {len(errors)} errors; see {workdir / 'linli.log'}")
    else:
        shutil.rmtree(workdir, ignore_errors=True)


def upload_rows(idle_rss_mb: float, healthz: WrkResult, runs: list[uploads.UploadRun]) -> list[Row]:
    rows = [
        Row(
            "server RSS at rest after the figures above, MB (1 process)",
            f"{idle_rss_mb:.0f}",
            "—",
            "—",
            "—",
        ),
    ]
    for run in runs:
        rows += [
            Row(
                f"server RSS, peak while {uploads.UPLOADS_AT_ONCE} uploads of a 24 MP "
                f"{run.picture} ({run.picture_mb:.1f} MB) arrive at once, MB",
                f"{run.peak_rss_mb:.0f}",
                f"{idle_rss_mb:.0f} (at rest)",
                f"+{run.peak_rss_mb - idle_rss_mb:.0f} MB",
                "bounded: 2 decodes at once",
            ),
            Row(
                f"GET /healthz during the {run.picture} uploads, median ms (p99) "
                f"({run.uploads} uploads answered, {run.refused} refused)",
                f"{run.page_p50_ms:.2f} ({run.page_p99_ms:.0f})",
                f"{healthz.p50_ms:.2f} (without uploads)",
                f"{run.page_p50_ms / healthz.p50_ms:.1f}×",
                "—",
            ),
        ]
    return rows


def nearby_rows(engine: str, database_url: str, seconds: int, trivial_ms: float) -> list[Row]:
    """Run tests/benchmarks/nearby.py against one database and turn its figures into rows."""
    output = subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.benchmarks.nearby",
            "--database-url",
            database_url,
            "--seconds",
            str(seconds),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "DATABASE_URL": database_url},
    ).stdout
    figures = json.loads(output.strip().splitlines()[-1])
    scan = figures["full_scan_median_ms"]
    service = figures["service_median_ms"]
    return [
        Row(
            f"nearby search, 100,000 stations, {engine}, service, median ms (full scan beside)",
            f"{service:.2f}",
            f"{scan:.0f} (full scan)",
            f"{scan / service:.0f}× faster",
            "< 5 ms, ≥ 50× faster",
        ),
        Row(
            f"nearby search, {engine}, service, p95 ms",
            f"{figures['service_p95_ms']:.2f}",
            "—",
            "—",
            "—",
        ),
        Row(
            f"nearby API over HTTP, {engine}, median ms (1 connection)",
            f"{figures['http_median_ms']:.2f}",
            f"{trivial_ms:.2f}",
            f"{figures['http_median_ms'] / trivial_ms:.1f}×",
            "—",
        ),
    ]


async def _postgres_database(admin_url: str, name: str, create: bool) -> None:
    import asyncpg

    connection = await asyncpg.connect(admin_url)
    try:
        if create:
            await connection.execute(f'CREATE DATABASE "{name}"')
        else:
            await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await connection.close()


def render(rows: list[Row], failed_creations: int) -> str:
    header = "| figure | value | trivial endpoint | ratio | goal |\n| --- | --- | --- | --- | --- |"
    lines = [f"| {r.figure} | {r.value} | {r.baseline} | {r.ratio} | {r.goal} |" for r in rows]
    note = (
        f"\nMeasured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {os.cpu_count()} cores with wrk; "
        f"booking creations answered other than 201: {failed_creations}.\n"
    )
    return "\n".join([header, *lines]) + "\n" + note


if __name__ == "__main__":
    main()
