"""The test set-up itself: each test starts from the freshly migrated database, whatever the
previous one did, and queries from any event loop reach it (see tests/conftest.py)."""

import asyncio
import sqlite3
from datetime import date

import pytest

from app.tables import Community, PublicHoliday, SiteSetting, User
from spaces.tables import Booking
from tests import postgres
from tests.conftest import ENGINE
from tests.factories import NOW, make_community, make_space, make_user, shanghai


@pytest.mark.skipif(ENGINE != "postgres", reason="SQLite tests copy the migrated file")
async def test_the_reset_brings_back_the_migrated_database(
    db: None, migrated_database: postgres.Resetter
) -> None:
    engine = SiteSetting._meta.db
    migrated = await postgres.fingerprint(engine)
    community = await make_community("bayi")
    user = await make_user(community=community, staff_of=[community])
    space = await make_space(community)
    await Booking.insert(
        Booking(
            space=space.id,
            user=user.id,
            starts_at=shanghai(3, 10),
            ends_at=shanghai(3, 11),
            status="confirmed",
            created_at=NOW,
            updated_at=NOW,
        )
    )
    await PublicHoliday.delete().where(PublicHoliday.on_date == date(2026, 10, 1))
    await SiteSetting.update({SiteSetting.value: "changed"}).where(SiteSetting.key == "secret_key")
    assert await postgres.fingerprint(engine) != migrated

    await migrated_database.reset()

    assert await postgres.fingerprint(engine) == migrated
    # Sequences included: the next row gets the id it would get in a new database.
    again = await make_community("bayi")
    assert again.id == community.id


async def test_queries_from_another_event_loop_reach_the_same_database(db: None) -> None:
    """The app under a separate loop (a thread, `asyncio.run`) and the test's own loop both
    see the test's database, each through connections of its own loop."""
    await make_community("bayi")

    async def count() -> int:
        return await Community.count()

    from_another_loop = await asyncio.to_thread(asyncio.run, count())
    assert (from_another_loop, await Community.count()) == (1, 1)


@pytest.mark.skipif(ENGINE != "sqlite", reason="the guard is SQLite's (see tests/conftest.py)")
async def test_there_is_no_database_outside_the_db_fixture(migrated_database: None) -> None:
    """Even once the template is migrated: a fixture that forgets `db` cannot write into it."""
    with pytest.raises(sqlite3.OperationalError, match="unable to open database file"):
        await User.count()
