"""The space feed from stored event texts, beside icalendar writing the same events bare.

`feed_figures` runs inside the bench process after its seed (space "bench-feed" with
FEED_BOOKINGS bookings in the window). Alone: `python -m tests.benchmarks.feeds` seeds a
temporary SQLite database the same way and prints the figures as JSON.
"""

from __future__ import annotations

import asyncio
import gc
import json
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000


def _start() -> float:
    """The clock, from a collected heap: the process holds millions of objects here (the
    bare writer's events among them), and a full collection falling inside one build
    adds 50–90 ms to it, in one build of three."""
    gc.collect()
    return time.perf_counter()


async def feed_figures(space_slug: str, repeats: int) -> dict[str, float | int]:
    """Medians in ms of: the feed's first build after one booking changed (caches of the
    process empty but the day's time-zone block, as any server has it after its first feed
    of the day; texts stored, the changed one stale), the cold build (nothing stored,
    nothing cached: what the backfill or the job does once), and icalendar writing the
    same events bare (a Calendar of ready-read rows, `to_ical()`), timed just before each
    of the others (the machine's speed drifts); and the feed's size."""
    from icalendar import Calendar

    from app import feeds, i18n
    from app.accounts.sessions import load_actor
    from app.cache import clear_all
    from app.feeds import Context, Window
    from app.tables import User
    from spaces.services import cancellation, catalog
    from spaces.services.feed_events import PUBLIC, booking_event
    from spaces.services.feeds import ROW_COLUMNS, public_events
    from spaces.tables import Booking, FeedEventText

    i18n.set_locale("zh_CN")
    space = await catalog.get_space(space_slug)
    now = datetime.now(UTC)
    window = Window.around(now)

    async def build() -> bytes:
        events = await public_events(space, Context(window, "", now))
        return await feeds.finish(feeds.calendar("bench"), events, window)

    rows = await Booking.select(*ROW_COLUMNS).where(Booking.space == space.id)
    plain = [SimpleNamespace(**r) for r in rows]
    bare: list[float] = []

    def build_bare() -> None:
        started = _start()
        calendar = Calendar()
        for booking in plain:
            calendar.add_component(booking_event(booking, space, PUBLIC))
        calendar.to_ical()
        bare.append(_ms(started))

    cold: list[float] = []
    for _ in range(repeats):
        build_bare()
        clear_all()
        feeds.timezone_of.cache_clear()
        await FeedEventText.delete().where(FeedEventText.space == space.id)
        started = _start()
        body = await build()
        cold.append(_ms(started))

    # One change at a time, through the service, as the resident's cancel would be.
    ahead = (
        await Booking.select(Booking.id, Booking.user)
        .where(
            (Booking.space == space.id)
            & (Booking.starts_at > now + timedelta(days=3))
            & (Booking.status == "confirmed")
        )
        .order_by(Booking.starts_at)
        .limit(repeats)
    )
    changed: list[float] = []
    for row in ahead:
        user = await User.objects().where(User.id == row["user"]).first()
        await cancellation.cancel(await load_actor(user), str(row["id"]), now=now)
        build_bare()
        clear_all()
        started = _start()
        body = await build()
        changed.append(_ms(started))
    clear_all()
    await FeedEventText.delete().where(FeedEventText.space == space.id)
    identical = int(await build() == body)
    return {
        "first_build_after_change_ms": round(statistics.median(changed), 2),
        "bare_icalendar_ms": round(statistics.median(bare), 2),
        "cold_build_ms": round(statistics.median(cold), 2),
        "bytes": len(body),
        "events": len(plain),
        "identical_to_fresh_build": identical,
    }


def main() -> None:
    root = Path(__file__).resolve().parents[2]
    workdir = Path(tempfile.mkdtemp(prefix="linli-feeds-"))
    os.environ.update(
        {
            "DATABASE_URL": f"sqlite:///{workdir / 'bench.sqlite'}",
            "LINLI_SECRET_KEY": "bench-" + "k" * 40,
            "LINLI_PASSWORD_HASH_PROFILE": "cheapest",
        }
    )
    sys.path.insert(0, str(root))
    from app.asgi import install_domains
    from tests.benchmarks.run import seed

    install_domains()
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 5

    async def run() -> dict[str, float | int]:
        await seed(date.today() + timedelta(days=30))
        return await feed_figures("bench-feed", repeats)

    print(json.dumps(asyncio.run(run()), indent=2))


if __name__ == "__main__":
    main()
