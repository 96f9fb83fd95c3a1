"""The spaces demo: whatever the day it is loaded, the demo resident can still book."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app import demo
from app.tables import User
from spaces.logic.statuses import HOLDING
from spaces.services import demo as spaces_demo
from spaces.tables import Booking, Space

MONDAY_EARLY = datetime(2026, 12, 6, 16, 30, tzinfo=UTC)  # Monday 00:30 in Shanghai


@pytest.mark.parametrize("days_later", range(7))
async def test_the_demo_resident_holds_fewer_bookings_than_the_music_room_allows(
    db: None, days_later: int
) -> None:
    now = MONDAY_EARLY + timedelta(days=days_later)
    await demo.load(now)
    await spaces_demo.load(now)
    resident = await User.objects().where(User.login == demo.RESIDENT_LOGIN).first()
    room = await Space.objects().where(Space.slug == "caijiaxiang-music-room").first()
    assert resident is not None and room is not None
    upcoming = await Booking.count().where(
        (Booking.user == resident.id)
        & (Booking.space == room.id)
        & (Booking.ends_at > now)
        & Booking.status.is_in(list(HOLDING))
    )
    assert upcoming < room.max_active_bookings


async def test_caijiaxiang_has_four_kinds_of_shared_space(db: None) -> None:
    await demo.load(MONDAY_EARLY)
    await spaces_demo.load(MONDAY_EARLY)
    rows = await Space.select(Space.kind).where(Space.community.slug == "caijiaxiang")
    assert {row["kind"] for row in rows} == {
        "music_room",
        "tool",
        "activity_room",
        "childrens_corner",
    }
    assert await Space.count().where(Space.community.slug == "caijiaxiang") == 7
