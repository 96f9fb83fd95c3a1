"""The restore drill's writer, run in a process of its own (`python -m tests.app.backup_writer
SPACE STOP_FILE`) against DATABASE_URL: the demo's Caijiaxiang staff book one-hour slots of
SPACE for the demo resident through the service the staff pages use (the booking, the space's
version, the resident's notice and the audit entry in one transaction), one after another
from 08:00 on 3 March 2026 (Shanghai), printing each booking's id once it is committed, until
STOP_FILE exists."""

from __future__ import annotations

import asyncio
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

NOW = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
"""Monday 2 March 2026, 09:00 in Shanghai (the drill's `now`, as in tests.factories)."""
FIRST_START = datetime(2026, 3, 3, 0, 0, tzinfo=UTC)
"""Tuesday 3 March 2026, 08:00 in Shanghai."""
SLOTS_A_DAY = 14
"""08:00 to 22:00, the hours of the drill's space."""
MAX_BOOKINGS = SLOTS_A_DAY * 300
"""Inside the space's booking horizon (366 days without one)."""
PAUSE_S = 0.02
"""Between bookings: the writer must not run out of slots while a busy machine starts the
backup (on SQLite a booking takes a few milliseconds)."""


def slot(index: int) -> tuple[datetime, datetime]:
    """The `index`-th one-hour slot the writer books."""
    day, hour = divmod(index, SLOTS_A_DAY)
    start = FIRST_START + timedelta(days=day, hours=hour)
    return start, start + timedelta(hours=1)


async def write(space_slug: str, stop_file: Path) -> None:
    from app.accounts.sessions import load_actor
    from app.db import close_pool, start_pool
    from app.demo import RESIDENT_COMMUNITY, RESIDENT_LOGIN, staff_login
    from app.tables import User
    from spaces.logic.rules import Request
    from spaces.services.decisions import book_on_behalf

    await start_pool(2)
    try:
        staff = await User.objects().where(User.login == staff_login(RESIDENT_COMMUNITY)).first()
        resident = await User.objects().where(User.login == RESIDENT_LOGIN).first()
        assert staff is not None and resident is not None, "load the demo first"
        actor = await load_actor(staff)
        for index in range(MAX_BOOKINGS):
            if stop_file.exists():
                return
            start, end = slot(index)
            booked = await book_on_behalf(
                actor, resident.id, space_slug, Request(start, end), note="", now=NOW
            )
            print(booked.booking.id, flush=True)
            await asyncio.sleep(PAUSE_S)
        raise RuntimeError(f"{MAX_BOOKINGS} bookings and still not told to stop")
    finally:
        await close_pool()


if __name__ == "__main__":
    asyncio.run(write(sys.argv[1], Path(sys.argv[2])))
