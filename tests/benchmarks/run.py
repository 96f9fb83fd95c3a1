"""`make bench`: every benchmark of the project in one run, printed as one table.

Each figure is measured beside a baseline in the same run, because these machines are
noisy: an HTTP figure beside the trivial Litestar endpoint (`trivial_app`, served the same
way) with the same connection count; an in-process figure beside the bare operation it
builds on (a B-tree box query on the same points and engine, icalendar writing the same
events). Compare ratios, not raw numbers. An HTTP figure is measured in `ROUNDS` rounds,
each just after its own baseline, and the row is the round of the middle ratio: the
machine's speed drifts by a fifth within minutes, and a single pair also catches bursts.

Every ratio is checked against its floor, and against the table committed in the README
(between its `bench:start` and `bench:end` marks): a ratio more than 15 % worse than there
is a regression, and the run exits with status 1. `--readme` writes the new table there.

Usage: python -m tests.benchmarks.run [--seconds 4] [--out bench-results] [--readme]
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
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.error import HTTPError
from urllib.request import Request, urlopen
from zoneinfo import ZoneInfo

from tests.benchmarks import uploads

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
RESIDENT = "13900009999"
"""The seeded resident, who books, holds the API token, and files needs with photos."""
BOOKINGS = 10_000
FEED_BOOKINGS = 5_000
REGRESSION = 0.15
"""A ratio this much worse than the README's is a regression."""
ROUNDS = 3
"""Rounds of each HTTP figure and its baseline; the row is the round of the middle ratio."""
WEEKS = 200
"""Weeks computed in-process in each round (their median is the round's figure)."""
TABLE_START, TABLE_END = "<!-- bench:start -->", "<!-- bench:end -->"
SCRIPTS = Path(__file__).parent


@dataclass
class Row:
    """One figure of the table. `ratio` compares it with its baseline: a rate divided by
    the baseline's (`higher` is better), or a time divided by the baseline's (`lower` is
    better, printed with ×); `floor` is the limit the ratio must stay within."""

    figure: str
    value: str
    baseline: str = "—"
    ratio: float | None = None
    better: str = ""
    floor: float | None = None
    note: str = ""
    rounds: Sequence[float] = ()
    """The ratio of every round, where the figure was measured in rounds."""

    def _text(self, ratio: float) -> str:
        if self.better == "lower":
            return f"{ratio:.2f}×" if ratio < 10 else f"{ratio:.1f}×"
        return f"{ratio:.3f}" if ratio < 0.1 else f"{ratio:.2f}"

    @property
    def ratio_text(self) -> str:
        return "—" if self.ratio is None else self._text(self.ratio)

    @property
    def rounds_text(self) -> str:
        return " ".join(self._text(ratio) for ratio in self.rounds) or "—"

    @property
    def floor_text(self) -> str:
        if self.floor is None:
            return self.note or "—"
        sign = "≥" if self.better == "higher" else "≤"
        limit = f"{self.floor:g}×" if self.better == "lower" else f"{self.floor:g}"
        return f"{sign} {limit}"

    @property
    def met(self) -> str:
        if self.floor is None or self.ratio is None:
            return "—"
        ok = self.ratio >= self.floor if self.better == "higher" else self.ratio <= self.floor
        return "met" if ok else "MISSED"


def rate_row(
    figure: str, rate: float, baseline: float, floor: float | None = None, note: str = ""
) -> Row:
    return Row(figure, f"{rate:.0f}", f"{baseline:.0f}", rate / baseline, "higher", floor, note)


def time_row(
    figure: str,
    ms: float,
    baseline_ms: float,
    baseline_text: str = "",
    floor: float | None = None,
    note: str = "",
) -> Row:
    return Row(
        figure,
        f"{ms:.2f}",
        baseline_text or f"{baseline_ms:.2f}",
        ms / baseline_ms,
        "lower",
        floor,
        note,
    )


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


def serve(
    app: str, port: int, env: dict[str, str], log: Path, workers: int = 1
) -> subprocess.Popen[bytes]:
    """uvicorn with `workers` processes; its log (errors included) goes to `log`."""
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            app,
            "--factory",
            "--port",
            str(port),
            "--workers",
            str(workers),
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
    connections: int = 1

    @property
    def sent(self) -> int:
        """At most how many requests the script made: those answered, and one in flight
        on each connection when wrk stopped."""
        return self.requests + self.connections


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
    skip: int = 0,
) -> WrkResult:
    """One wrk run; a script that counts its requests (`cold_pages.lua`,
    `create_booking.lua`) starts its count at `skip` (the requests of earlier rounds)."""
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", url]
    for name, value in (headers or {}).items():
        command[1:1] = ["-H", f"{name}: {value}"]
    if script:
        command[1:1] = ["-s", str(script)]
    env = {**(os.environ if env is None else env), "LINLI_BENCH_SKIP": str(skip)}
    output = subprocess.run(command, capture_output=True, text=True, check=True, env=env).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    # The latency distribution's own lines: a standard deviation such as "87.50%" is not one.
    p50 = _ms(re.search(r"^\s+50%\s+(\S+)", output, re.M).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)", output, re.M).group(1))  # type: ignore[union-attr]
    requests = int(re.search(r"(\d+) requests in", output).group(1))  # type: ignore[union-attr]
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return WrkResult(rps, p50, p99, requests, int(non_2xx.group(1)) if non_2xx else 0, connections)


async def seed(bench_day: date) -> tuple[str, int]:
    """A space with 10,000 bookings around `bench_day`, one empty space to book, a space
    with FEED_BOOKINGS bookings in a feed's window, a resident and their API token."""
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

    async def space(slug: str, kind: str, name: str, capacity: int) -> Space:
        made = Space(
            slug=slug,
            community=community.id,
            kind=kind,
            name_zh=f"基准{name}",
            name_en=f"Bench {slug}",
            capacity=capacity,
            weekly_hours=every_day,
            created_at=now,
            updated_at=now,
        )
        await made.save()
        return made

    week_space = await space("bench-week", "music_room", "空间", 3)
    await space("bench-create", "tool", "工具", 1)
    await space("bench-create-2", "tool", "工具二", 1)  # a second run on the same database
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
    feed_space = await space("bench-feed", "activity_room", "订阅", 1)
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


@dataclass
class Beside:
    """A second baseline for a latency figure: another URL of the same server."""

    figure: str
    url: str
    label: str
    headers: dict[str, str] | None = None


def middle(rounds: Sequence[tuple[Any, ...]], ratio: Callable[..., float]) -> tuple[Any, ...]:
    """The round whose `ratio(*round)` is the median of the rounds' (an odd number)."""
    return sorted(rounds, key=lambda measured: ratio(*measured))[len(rounds) // 2]


def in_rounds(row: Row, rounds: Sequence[tuple[Any, ...]], ratio: Callable[..., float]) -> Row:
    """`row` with the ratio of each of its rounds, in the order they ran."""
    return replace(row, rounds=[ratio(*measured) for measured in rounds])


def latency_ratio(baseline: WrkResult, figure: WrkResult) -> float:
    return figure.p50_ms / baseline.p50_ms


def week_ratio(baseline: WrkResult, week_ms: float) -> float:
    return week_ms / baseline.p50_ms


class Bench:
    """wrk against one server, each figure in `rounds` rounds, each just after the trivial
    endpoint's with the same connection count (and the same number of worker processes)."""

    def __init__(self, trivial_url: str, seconds: int, rounds: int = ROUNDS) -> None:
        assert rounds % 2, "an odd number of rounds has a middle one"
        self.trivial_url = trivial_url
        self.seconds = seconds
        self.rounds = rounds

    def trivial(self, connections: int) -> WrkResult:
        return wrk(self.trivial_url, seconds=self.seconds, connections=connections)

    def measure(self, *measures: Callable[[int], Any]) -> list[tuple[Any, ...]]:
        """The measures run one after another, `rounds` times: each round's results. A
        measure is given how many requests it sent in earlier rounds (`wrk`'s `skip`)."""
        sent = [0] * len(measures)
        rounds = []
        for _ in range(self.rounds):
            results = tuple(measure(sent[i]) for i, measure in enumerate(measures))
            for i, result in enumerate(results):
                sent[i] += result.sent if isinstance(result, WrkResult) else 0
            rounds.append(results)
        return rounds

    def rate(
        self,
        figure: str,
        url: str,
        connections: int,
        *,
        floor: float | None = None,
        headers: dict[str, str] | None = None,
        script: Path | None = None,
        env: dict[str, str] | None = None,
        successes_only: bool = False,
    ) -> tuple[Row, list[WrkResult]]:
        """The row, and the figure's wrk results of every round, in the order run."""

        def rate_of(result: WrkResult) -> float:
            if successes_only:
                return (result.requests - result.non_2xx) / self.seconds
            if result.non_2xx:
                raise RuntimeError(f"{url} answered {result.non_2xx} errors")
            return result.requests_per_s

        rounds = self.measure(
            lambda _sent: self.trivial(connections),
            lambda sent: wrk(
                url,
                seconds=self.seconds,
                connections=connections,
                headers=headers,
                script=script,
                env=env,
                skip=sent,
            ),
        )

        def ratio(base: WrkResult, got: WrkResult) -> float:
            return rate_of(got) / base.requests_per_s

        baseline, result = middle(rounds, ratio)
        row = rate_row(figure, rate_of(result), baseline.requests_per_s, floor)
        return in_rounds(row, rounds, ratio), [got for _base, got in rounds]

    def latency(
        self,
        figure: str,
        url: str,
        *,
        floor: float | None = None,
        headers: dict[str, str] | None = None,
        script: Path | None = None,
        env: dict[str, str] | None = None,
        note: str = "",
        beside: Beside | None = None,
    ) -> list[Row]:
        """The median latency of `url` (1 connection) beside the trivial endpoint's; with
        `beside`, also beside that URL's, measured in the same rounds."""
        measures = [
            lambda _sent: self.trivial(1),
            lambda _sent: wrk(
                url, seconds=self.seconds, connections=1, headers=headers, script=script, env=env
            ),
        ]
        if beside:
            measures.append(
                lambda _sent: wrk(
                    beside.url, seconds=self.seconds, connections=1, headers=beside.headers
                )
            )
        rounds = self.measure(*measures)
        pairs = [r[:2] for r in rounds]
        baseline, result = middle(pairs, latency_ratio)
        row = time_row(figure, result.p50_ms, baseline.p50_ms, floor=floor, note=note)
        rows = [in_rounds(row, pairs, latency_ratio)]
        if beside:
            pairs = [(r[2], r[1]) for r in rounds]
            other, result = middle(pairs, latency_ratio)
            text = f"{other.p50_ms:.2f} ({beside.label})"
            row = time_row(beside.figure, result.p50_ms, other.p50_ms, text)
            rows.append(in_rounds(row, pairs, latency_ratio))
        return rows


def linli_command(*args: str, env: dict[str, str]) -> str:
    command = [str(Path(sys.executable).with_name("linli")), *args]
    return subprocess.run(
        command, cwd=ROOT, env=env, check=True, capture_output=True
    ).stdout.decode()


def csrf_cookie(url: str) -> str:
    """The CSRF cookie a returning visitor's browser sends back."""
    with urlopen(url) as response:
        return next(
            value.split(";", 1)[0]
            for name, value in response.headers.items()
            if name.lower() == "set-cookie" and value.startswith("linli_csrf=")
        )


def cold_paths(bench_day: date, out: Path) -> int:
    """Every day of the space page's window, as a day and as a week, in both languages,
    interleaved so that consecutive requests share nothing: what `cold_pages.lua` asks.

    The window is counted from today where the space is (in Shanghai the date is UTC's next
    one from 16:00 UTC), less a day at each end, so that a run across its midnight asks
    nothing outside."""
    from spaces.tables import Space

    today = datetime.now(ZoneInfo(Space.timezone.default)).date()
    days = [today + timedelta(days=offset) for offset in range(-365, 366)]
    lines = []
    for index, day in enumerate(days):
        other = days[(index + len(days) // 2) % len(days)]
        for language in ("zh-CN", "en"):
            lines.append(f"{language} /spaces/bench-week?view=week&from={day}")
            lines.append(f"{language} /spaces/bench-week?day={other}")
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(lines)


def near_place(base: str) -> str:
    """The first place couriers can choose on the stations page of the demo district."""
    with urlopen(f"{base}/stations") as response:
        html = response.read().decode()
    select = re.search(r'<select[^>]*name="near".*?</select>', html, re.S)
    assert select, "the stations page has no list of places"
    return next(v for v in re.findall(r'<option value="([^"]*)"', select.group(0)) if v)


def crawl(base: str, limit: int = 120) -> int:
    """Open the demo's pages as a visitor would, following links from the home page
    (breadth first, at most `limit` pages); the number of pages opened."""
    seen, queue, opened = {"/"}, deque(["/"]), 0
    skipped = ("/static/", "/feeds/", "/media/", "/account/signout", "/api/", "/open311/")
    while queue and opened < limit:
        path = queue.popleft()
        try:
            with urlopen(f"{base}{path}") as response:
                html = response.read().decode(errors="replace")
        except HTTPError:
            continue
        opened += 1
        for link in re.findall(r'href="(/[^"#]*)"', html):
            link = link.replace("&amp;", "&")
            if link not in seen and not link.startswith(skipped):
                seen.add(link)
                queue.append(link)
    return opened


def readme_ratios() -> dict[str, float]:
    """The ratio of every figure in the table committed in the README."""
    text = README.read_text(encoding="utf-8")
    if TABLE_START not in text:
        return {}
    table = text.split(TABLE_START, 1)[1].split(TABLE_END, 1)[0]
    ratios = {}
    for line in table.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) >= 4 and (found := re.match(r"^([\d.]+)×?$", cells[3])):
            ratios[cells[0]] = float(found.group(1))
    return ratios


def regression(row: Row, committed: dict[str, float]) -> str:
    before = committed.get(row.figure)
    if before is None or row.ratio is None or not before:
        return "—"
    change = row.ratio / before - 1
    worse = -change if row.better == "higher" else change
    if worse > REGRESSION:
        return f"REGRESSED ({worse:+.0%} worse)"
    return f"{-worse:+.0%}"


def render(rows: list[Row], committed: dict[str, float], notes: list[str]) -> str:
    header = (
        "| figure | value | baseline | ratio | floor | floor met | rounds | vs README |\n"
        "| --- | --- | --- | --- | --- | --- | --- | --- |"
    )
    lines = [
        f"| {r.figure} | {r.value} | {r.baseline} | {r.ratio_text} | {r.floor_text} | {r.met} "
        f"| {r.rounds_text} | {regression(r, committed)} |"
        for r in rows
    ]
    stamp = (
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {os.cpu_count()} cores (`make bench`)."
    )
    return "\n".join([header, *lines, "", stamp, *(f"{note}" for note in notes)]) + "\n"


def write_readme(table: str) -> None:
    text = README.read_text(encoding="utf-8")
    before, rest = text.split(TABLE_START, 1)
    after = rest.split(TABLE_END, 1)[1]
    README.write_text(f"{before}{TABLE_START}\n{table}{TABLE_END}{after}", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--seconds", type=int, default=4, help=f"wrk duration of each of a figure's {ROUNDS} rounds"
    )
    parser.add_argument("--out", default=str(ROOT / "bench-results"))
    parser.add_argument("--readme", action="store_true", help="write the table to README.md")
    parser.add_argument("--seed", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.seed:  # seed DATABASE_URL and print the token (the PostgreSQL rows use it)
        sys.path.insert(0, str(ROOT))
        print(json.dumps(asyncio.run(seed(date.fromisoformat(os.environ["LINLI_BENCH_DAY"])))))
        return
    if not shutil.which("wrk"):
        sys.exit("make bench needs wrk: apt-get install wrk (Debian's package)")

    workdir = Path(tempfile.mkdtemp(prefix="linli-bench-"))
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{workdir / 'bench.sqlite'}",
        "LINLI_SECRET_KEY": "bench-" + "k" * 40,
        "LINLI_PASSWORD_HASH_PROFILE": "cheapest",
        "LINLI_SCHEDULER": "off",
    }
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    bench_day = date.today() + timedelta(days=30)
    token, count = asyncio.run(seed(bench_day))
    session = asyncio.run(uploads.resident_session(RESIDENT))
    from app.photos import MAX_UPLOAD_BYTES
    from tests.benchmarks.feeds import feed_figures

    pictures = [uploads.largest_png(), uploads.largest_jpeg(MAX_UPLOAD_BYTES)]
    feed = asyncio.run(feed_figures("bench-feed", 5))
    demo_env = {**env, "DATABASE_URL": f"sqlite:///{workdir / 'demo.sqlite'}"}
    linli_command("migrate", env=demo_env)
    linli_command("demo", env=demo_env)

    linli_port, trivial_port, demo_port = free_port(), free_port(), free_port()
    servers = [
        serve("app.asgi:create_app", linli_port, env, workdir / "linli.log"),
        serve("tests.benchmarks.trivial_app:create_app", trivial_port, env, workdir / "t.log"),
        serve("app.asgi:create_app", demo_port, demo_env, workdir / "demo.log"),
    ]
    rows: list[Row] = []
    notes = [
        f"HTTP figures: the middle of {ROUNDS} rounds of {args.seconds} s, each just after its "
        f"own baseline; the in-process week: the middle of {ROUNDS} rounds of {WEEKS} weeks, "
        "each just after the trivial endpoint's (`rounds`: each round's ratio, in the order run)."
    ]
    try:
        for port in (linli_port, trivial_port, demo_port):
            wait_until_up(
                f"http://127.0.0.1:{port}/healthz"
                if port != trivial_port
                else f"http://127.0.0.1:{port}/"
            )
        linli = f"http://127.0.0.1:{linli_port}"
        demo = f"http://127.0.0.1:{demo_port}"
        bench = Bench(f"http://127.0.0.1:{trivial_port}/", args.seconds)
        cookie = {"Cookie": csrf_cookie(f"{linli}/privacy")}
        page = f"{linli}/spaces/bench-week"
        rows.append(
            bench.rate(
                "space page, day view, warm, requests/s (1 process, 16 connections)",
                f"{page}?day={bench_day}",
                16,
                floor=0.10,
                headers=cookie,
            )[0]
        )
        week_row, _rounds = bench.rate(
            "space page, week view, warm, requests/s (1 process, 16 connections)",
            f"{page}?view=week&from={bench_day}",
            16,
            floor=0.10,
            headers=cookie,
        )
        rows.append(week_row)
        paths = workdir / "cold-paths.txt"
        distinct = cold_paths(bench_day, paths)
        cold_row, cold = bench.rate(
            "space page, cold: every request another day or week of the window, requests/s "
            "(1 process, 16 connections)",
            linli,
            16,
            floor=0.03,
            headers=cookie,
            script=SCRIPTS / "cold_pages.lua",
            env={**env, "LINLI_BENCH_PATHS": str(paths), "LINLI_BENCH_COOKIE": cookie["Cookie"]},
        )
        rows.append(cold_row)
        asked = sum(result.requests for result in cold)
        if asked > distinct:
            notes.append(
                f"The cold row asked {asked} pages of {distinct} distinct ones over its rounds: "
                f"each again {distinct} requests after the last time."
            )
        signed_in = {"Cookie": f"{cookie['Cookie']}; linli_session={session}"}
        rows.append(
            bench.rate(
                "space page, week view, signed in (quota and own bookings per request), "
                "requests/s (1 process, 16 connections)",
                f"{page}?view=week&from={bench_day}",
                16,
                headers=signed_in,
            )[0]
        )
        demo_cookie = {"Cookie": csrf_cookie(f"{demo}/privacy")}
        place = near_place(demo)
        rows.append(
            bench.rate(
                f"couriers' page /stations?near={place} (demo district), requests/s "
                "(1 process, 8 connections)",
                f"{demo}/stations?near={place}",
                8,
                floor=0.10,
                headers=demo_cookie,
            )[0]
        )
        first_start = int(datetime.combine(bench_day, datetime.min.time(), UTC).timestamp())
        booking_env = {
            **env,
            "LINLI_BENCH_TOKEN": token,
            "LINLI_BENCH_SPACE": "bench-create",
            "LINLI_BENCH_FIRST_START": str(first_start),
        }
        booking_row, booking = bench.rate(
            "booking creation through the API, SQLite, bookings/s (1 process, 4 connections)",
            f"{linli}/api/v1/bookings",
            4,
            floor=1 / 40,
            script=SCRIPTS / "create_booking.lua",
            env=booking_env,
            successes_only=True,
        )
        rows.append(booking_row)
        refused = sum(result.non_2xx for result in booking)
        if refused:
            notes.append(f"Booking creations answered other than 201: {refused}.")
        week_rounds = bench.measure(
            lambda _sent: bench.trivial(1),
            lambda _sent: statistics.median(asyncio.run(availability_in_process(bench_day, WEEKS))),
        )
        trivial_1, week_ms = middle(week_rounds, week_ratio)
        week_row = time_row(
            f"availability of a week computed in-process, median ms ({count:,} bookings)",
            week_ms,
            trivial_1.p50_ms,
            f"{trivial_1.p50_ms:.2f} (trivial endpoint's median, 1 connection)",
            floor=12,
        )
        rows.append(in_rounds(week_row, week_rounds, week_ratio))
        rows += bench.latency(
            "availability API, 7 days, median ms (1 connection)",
            f"{linli}/api/v1/spaces/bench-week/availability?from={bench_day}&days=7",
        )
        feed_url = f"{linli}/feeds/spaces/bench-feed.ics"
        with urlopen(feed_url) as response:  # builds it once
            etag = response.headers["etag"]
        rows += bench.latency("space feed, served unchanged, median ms (1 connection)", feed_url)
        rows += bench.latency(
            "space feed, 304 Not Modified, median ms (1 connection)",
            feed_url,
            headers={"If-None-Match": etag},
        )
        hostile_body = json.dumps(
            {
                "space": "bench-create",
                "start": f"{bench_day}T10:00:00+08:00",
                "end": f"{bench_day.year + 700}-01-01T10:00:00+08:00",
            }
        )
        check_refused(f"{linli}/api/v1/bookings", 422, hostile_body, token)
        hostile_rows = bench.latency(
            "hostile: a 700-year booking (API, refused 422), median ms (1 connection)",
            f"{linli}/api/v1/bookings",
            script=SCRIPTS / "hostile_booking.lua",
            env={**env, "LINLI_BENCH_TOKEN": token, "LINLI_BENCH_BODY": hostile_body},
            beside=Beside(
                "hostile 700-year booking beside GET /api/v1/me (same token), median ms",
                f"{linli}/api/v1/me",
                "/api/v1/me",
                {"Authorization": f"Bearer {token}"},
            ),
        )
        far_url = f"{page}?from=9999-12-31"
        check_refused(far_url, 400)
        far_rows = bench.latency(
            "hostile: space page from=9999-12-31 (refused 400), median ms (1 connection)",
            far_url,
            headers=cookie,
            beside=Beside(
                "hostile space page from=9999-12-31 beside /privacy (layout, no database), "
                "median ms",
                f"{linli}/privacy",
                "/privacy",
                cookie,
            ),
        )
        # In the order of the table committed before the rounds: both beside the trivial
        # endpoint, then each beside its page.
        rows += [hostile_rows[0], far_rows[0], hostile_rows[1], far_rows[1]]
        opened = crawl(demo)
        rows.append(
            Row(
                f"server RSS after the demo's pages ({opened} pages opened), MB (1 process)",
                f"{uploads.rss_mb(servers[2].pid):.0f}",
            )
        )
        idle_rss_mb = uploads.rss_mb(servers[0].pid)
        upload_seconds = args.seconds * ROUNDS  # one run as long as a figure's rounds
        healthz = wrk(f"{linli}/healthz", seconds=upload_seconds, connections=1)
        form_cookie, csrf = uploads.form_cookies(linli, session)
        upload_runs = [
            uploads.during_uploads(
                linli, servers[0].pid, picture, form_cookie, csrf, upload_seconds, wrk, workdir
            )
            for picture in pictures
        ]
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=10)

    rows += feed_rows(feed)
    rows += upload_rows(idle_rss_mb, healthz, upload_runs)
    rows += nearby_rows("SQLite", f"sqlite:///{workdir / 'nearby.sqlite'}", args.seconds)
    admin_url = os.environ.get(
        "LINLI_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
    )
    rows += postgres_rows(admin_url, bench_day, args.seconds, workdir, env)
    rows.append(
        Row(
            "peer in view: MRBS 1.12 (PHP, Apache prefork) week view on the same 10,000 bookings "
            "and machine, requests/s per process (1 December 2026, not rerun)",
            "≈ 14",
            f"{cold_row.value} (Linli, cold, this run)",
            note="1/26 of Linli's warm week then; books at 1/5 of Linli's rate",
        )
    )
    committed = readme_ratios()
    table = render(rows, committed, notes)
    print(table)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    (out / f"bench-{stamp}.md").write_text(table, encoding="utf-8")
    (out / "latest.md").write_text(table, encoding="utf-8")
    if args.readme:
        write_readme(table)
    errors = [
        line
        for log in workdir.glob("*.log")
        for line in log.read_text(errors="replace").splitlines()
        if " ERROR " in line or "Traceback" in line
    ]
    if errors:
        print(f"The servers logged {len(errors)} errors; see {workdir}")
    else:
        shutil.rmtree(workdir, ignore_errors=True)
    regressed = [r.figure for r in rows if regression(r, committed).startswith("REGRESSED")]
    missed = [r.figure for r in rows if r.met == "MISSED"]
    for figure in regressed:
        print(f"Regressed against the README: {figure}")
    for figure in missed:
        print(f"Floor missed: {figure}")
    if regressed or errors:
        sys.exit(1)


def feed_rows(feed: dict[str, float | int]) -> list[Row]:
    return [
        time_row(
            f"space feed, {FEED_BOOKINGS:,} events ({int(feed['bytes']) / 1e6:.1f} MB), first "
            "build after a change, median ms",
            float(feed["first_build_after_change_ms"]),
            float(feed["bare_icalendar_ms"]),
            f"{float(feed['bare_icalendar_ms']):.0f} (icalendar writing the same events bare)",
            floor=0.12,
        ),
        time_row(
            "space feed, cold build (nothing stored: once, by the outbox job), median ms",
            float(feed["cold_build_ms"]),
            float(feed["bare_icalendar_ms"]),
            f"{float(feed['bare_icalendar_ms']):.0f} (icalendar writing the same events bare)",
        ),
    ]


def upload_rows(idle_rss_mb: float, healthz: WrkResult, runs: list[uploads.UploadRun]) -> list[Row]:
    rows = [Row("server RSS at rest after the figures above, MB (1 process)", f"{idle_rss_mb:.0f}")]
    for run in runs:
        rows += [
            Row(
                f"server RSS, peak while {uploads.UPLOADS_AT_ONCE} uploads of a 24 MP "
                f"{run.picture} ({run.picture_mb:.1f} MB) arrive at once, MB",
                f"{run.peak_rss_mb:.0f}",
                f"{idle_rss_mb:.0f} (at rest)",
                note=f"+{run.peak_rss_mb - idle_rss_mb:.0f} MB; bounded: 2 decodes at once",
            ),
            time_row(
                f"GET /healthz during the {run.picture} uploads, median ms "
                f"({run.uploads} uploads answered, {run.refused} refused; p99 "
                f"{run.page_p99_ms:.0f} ms)",
                run.page_p50_ms,
                healthz.p50_ms,
                f"{healthz.p50_ms:.2f} (without uploads)",
            ),
        ]
    return rows


def nearby_rows(engine: str, database_url: str, seconds: int) -> list[Row]:
    """Run tests/benchmarks/nearby.py against one database and turn its figures into rows."""
    completed = subprocess.run(
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
        env={**os.environ, "DATABASE_URL": database_url},
    )
    if completed.returncode != 0:
        raise RuntimeError(f"nearby benchmark on {engine} failed:\n{completed.stderr}")
    figures = json.loads(completed.stdout.strip().splitlines()[-1])
    service, box = figures["service_median_ms"], figures["box_median_ms"]
    return [
        time_row(
            f"nearby search, 100,000 stations, {engine}, service, median ms",
            service,
            box,
            f"{box:.2f} (bare B-tree box query, same points)",
            floor=3,
        ),
        Row(
            f"nearby search, {engine}, service, p95 ms (full scan beside)",
            f"{figures['service_p95_ms']:.2f}",
            f"{figures['full_scan_median_ms']:.0f} (full scan, median)",
        ),
    ]


def postgres_rows(
    admin_url: str, bench_day: date, seconds: int, workdir: Path, env: dict[str, str]
) -> list[Row]:
    """Nearby search on PostgreSQL, and the week page and booking creation served by one
    and by two worker processes on PostgreSQL (the trivial endpoint with as many)."""
    database = f"linli_bench_{os.getpid()}"
    stations = f"{database}_stations"
    try:
        for name in (database, stations):
            asyncio.run(_postgres_database(admin_url, name, create=True))
    except Exception as exc:
        print(f"PostgreSQL benchmarks skipped: {exc}")
        return []
    url = admin_url.rsplit("/", 1)[0] + f"/{database}"
    rows = []
    try:
        rows += nearby_rows("PostgreSQL", admin_url.rsplit("/", 1)[0] + f"/{stations}", seconds)
        pg_env = {**env, "DATABASE_URL": url, "LINLI_BENCH_DAY": str(bench_day)}
        seeded = subprocess.run(
            [sys.executable, "-m", "tests.benchmarks.run", "--seed"],
            cwd=ROOT,
            env=pg_env,
            check=True,
            capture_output=True,
            text=True,
        )
        token, _count = json.loads(seeded.stdout.strip().splitlines()[-1])
        first_start = int(datetime.combine(bench_day, datetime.min.time(), UTC).timestamp())
        for workers, space in ((1, "bench-create"), (2, "bench-create-2")):
            linli_port, trivial_port = free_port(), free_port()
            servers = [
                serve(
                    "app.asgi:create_app", linli_port, pg_env, workdir / f"pg{workers}.log", workers
                ),
                serve(
                    "tests.benchmarks.trivial_app:create_app",
                    trivial_port,
                    pg_env,
                    workdir / f"pgt{workers}.log",
                    workers,
                ),
            ]
            try:
                wait_until_up(f"http://127.0.0.1:{linli_port}/healthz")
                wait_until_up(f"http://127.0.0.1:{trivial_port}/")
                linli = f"http://127.0.0.1:{linli_port}"
                bench = Bench(f"http://127.0.0.1:{trivial_port}/", seconds)
                cookie = {"Cookie": csrf_cookie(f"{linli}/privacy")}
                processes = f"{workers} process{'es' if workers > 1 else ''}"
                rows.append(
                    bench.rate(
                        f"PostgreSQL, {processes}: space page, week view, warm, requests/s "
                        "(16 connections)",
                        f"{linli}/spaces/bench-week?view=week&from={bench_day}",
                        16,
                        headers=cookie,
                    )[0]
                )
                rows.append(
                    bench.rate(
                        f"PostgreSQL, {processes}: booking creation, bookings/s (4 connections)",
                        f"{linli}/api/v1/bookings",
                        4,
                        script=SCRIPTS / "create_booking.lua",
                        env={
                            **pg_env,
                            "LINLI_BENCH_TOKEN": token,
                            "LINLI_BENCH_SPACE": space,
                            "LINLI_BENCH_FIRST_START": str(first_start),
                        },
                        successes_only=True,
                    )[0]
                )
            finally:
                for server in servers:
                    server.terminate()
                    server.wait(timeout=10)
    finally:
        for name in (database, stations):
            asyncio.run(_postgres_database(admin_url, name, create=False))
    return rows


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


if __name__ == "__main__":
    main()
