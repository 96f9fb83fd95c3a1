"""Fixtures of the needs tests: two communities with needs for the reports."""

from __future__ import annotations

from datetime import UTC

import pytest

from app.tables import Community
from needs.tables import PartnerUnit
from tests.factories import NOW, make_community, shanghai
from tests.needs.report_world import add_need, add_resource, at


@pytest.fixture
async def west(db: None) -> Community:
    """广场西社区 with the needs of `test_figures_hand_computed` in `WEEK`, and two outside."""
    home = await make_community(
        "guangchang-xi", name_zh="广场西社区", name_en="Guangchang West Community"
    )
    unit = PartnerUnit(
        community=home.id,
        name_zh="安居物业",
        name_en="Anju Property",
        created_at=NOW,
        updated_at=NOW,
    )
    await unit.save()
    lights = await add_resource(home, unit, "楼道灯具维修", "Stairwell light repairs")
    legal = await add_resource(home, unit, "免费法律咨询", "Free legal advice")
    escort = await add_resource(home, unit, "助老陪诊", "Escort to the doctor")

    await add_need(
        home,
        "repairs",
        "rated",
        at(9, 10),
        dispatched_at=at(9, 12),
        done_at=at(10, 10),
        rating=5,
        resources=[lights],
    )
    await add_need(
        home,
        "repairs",
        "rated",
        at(10, 8),
        dispatched_at=at(10, 9),
        done_at=at(11, 20),
        rating=4,
        resources=[lights, legal],
    )
    await add_need(
        home,
        "neighbours",
        "rated",
        at(11, 9),
        dispatched_at=at(11, 13),
        done_at=at(12, 9),
        rating=3,
        times_reopened=1,
        resources=[legal],
    )
    await add_need(
        home,
        "parking",
        "done",
        at(12, 10),
        dispatched_at=at(12, 10, 30),
        done_at=at(12, 16),
        resources=[lights],
    )
    await add_need(
        home,
        "elderly_care",
        "open",
        at(9, 14),
        dispatched_at=at(9, 20),
        done_at=at(10, 14),
        rating=2,
        times_reopened=1,
        resources=[escort],
    )
    await add_need(home, "environment", "accepted", at(13, 9), dispatched_at=at(13, 17))
    await add_need(home, "other", "dispatched", at(14, 10), dispatched_at=at(14, 22))
    await add_need(home, "repairs", "open", at(15, 23, 59))  # the last minute: in
    await add_need(home, "space_or_tool", "withdrawn", at(13, 11))
    # Outside the week (local dates): the minute before and the midnight after.
    await add_need(
        home,
        "repairs",
        "rated",
        at(8, 23, 59),
        dispatched_at=at(9, 9),
        done_at=at(9, 10),
        rating=1,
        times_reopened=3,
        resources=[escort],
    )
    await add_need(home, "parking", "open", shanghai(16, 0).astimezone(UTC))
    return home


@pytest.fixture
async def east(db: None) -> Community:
    """广场东社区 with one solved need in `WEEK` (1 h to dispatch, 3 h to close, 5 stars)."""
    home = await make_community(
        "guangchang-dong", name_zh="广场东社区", name_en="Guangchang East Community"
    )
    unit = PartnerUnit(community=home.id, name_zh="和顺物业", created_at=NOW, updated_at=NOW)
    await unit.save()
    paint = await add_resource(home, unit, "车位划线", "Parking bay marking")
    await add_need(
        home,
        "parking",
        "rated",
        at(9, 9),
        dispatched_at=at(9, 10),
        done_at=at(9, 12),
        rating=5,
        resources=[paint],
    )
    return home
