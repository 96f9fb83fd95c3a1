"""Fixtures of the needs services' tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app import photos
from app.i18n import set_locale
from tests.needs.world import World, make_world


@pytest.fixture
def media(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Photos go to this test's own folder; messages are read in English (the loop's tests
    use it for every test)."""
    monkeypatch.setattr(photos, "media_dir", lambda: tmp_path)
    set_locale("en")
    yield tmp_path
    set_locale("zh_CN")


@pytest.fixture
async def world(db: None) -> World:
    return await make_world()
