"""Fixtures of the needs pages' tests: a community, another one, and its staff signed in."""

from __future__ import annotations

import pytest

from app.tables import Community
from tests.factories import PASSWORD, make_community, make_user
from tests.fixtures import Browser


@pytest.fixture
async def home(db: None) -> Community:
    return await make_community(
        "guangchang-xi", name_zh="广场西社区", name_en="Guangchang West Community"
    )


@pytest.fixture
async def other(db: None) -> Community:
    return await make_community("bayi", name_zh="八一社区", name_en="Bayi Community")


@pytest.fixture
async def staff(browser: Browser, home: Community) -> Browser:
    await make_user("staff@west.example", staff_of=[home], locale="en")
    await browser.sign_in("staff@west.example", PASSWORD)
    return browser
