"""Fixtures of the staff's station pages: photos in a temporary folder, the 八一 community
with its station, and a browser signed in as its staff (in English)."""

from pathlib import Path

import pytest

from app import photos
from app.tables import Community
from stations.tables import Station
from tests.factories import make_community, make_station
from tests.fixtures import Browser
from tests.stations.web.staff.world import signed_in


@pytest.fixture(autouse=True)
def media(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(photos, "media_dir", lambda: tmp_path)
    return tmp_path


@pytest.fixture
async def home(db: None) -> Community:
    return await make_community("bayi", name_zh="八一社区", name_en="Bayi Community")


@pytest.fixture
async def station(home: Community) -> Station:
    return await make_station(home, "rider-home", name_zh="骑手之家", name_en="Riders' Home")


@pytest.fixture
async def staff(browser: Browser, home: Community) -> Browser:
    await signed_in(browser, home, "staff@bayi.example")
    return browser
