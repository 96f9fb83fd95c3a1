"""Fixtures of the end-to-end tests: one live server with the demo district for the browser
journeys and the fuzzing, Debian's Chromium driven by Playwright on a phone-sized screen,
a screenshot plus the page's HTML saved when a journey fails, and each journey's key screens
saved under test-artifacts/screens/ in both languages (`viewer` runs a journey twice: a
390 px phone in Chinese and a 1280 px desktop in English)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.servers import ROOT, Server, live_server, server_errors

ARTEFACTS = ROOT / "test-artifacts"
SCREENS = ARTEFACTS / "screens"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome")


def chromium_path() -> str | None:
    found = os.environ.get("LINLI_CHROMIUM") or next(
        (path for name in CHROMIUM_NAMES if (path := shutil.which(name))), None
    )
    return found


@pytest.fixture(scope="session")
def server() -> Iterator[Server]:
    with live_server() as running:
        yield running
        errors = server_errors(running.log)
        assert errors == [], f"the server logged errors: {errors[:5]}"


@pytest.fixture(scope="session")
def playwright_browser():
    path = chromium_path()
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("CI needs Chromium: apt-get install chromium fonts-noto-cjk")
        pytest.skip("No Chromium is installed (apt-get install chromium fonts-noto-cjk)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=path, args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]
        )
        yield browser
        browser.close()


@pytest.fixture
def new_context(playwright_browser, request):
    """Make browser contexts (a phone each, Chinese unless told); pages opened in them are
    saved as artefacts when the test fails."""
    contexts = []

    def make(locale: str = "zh-CN", viewport: dict[str, int] = PHONE, **options):
        context = playwright_browser.new_context(
            viewport=viewport,
            locale=locale,
            extra_http_headers={"Accept-Language": locale},
            **options,
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context

    yield make
    failed = getattr(request.node, "failed_call", False)
    for number, context in enumerate(contexts):
        for index, page in enumerate(context.pages):
            if failed:
                ARTEFACTS.mkdir(exist_ok=True)
                stem = ARTEFACTS / f"{request.node.name}-{number}-{index}"
                try:
                    page.screenshot(path=f"{stem}.png", full_page=True)
                    Path(f"{stem}.html").write_text(page.content(), encoding="utf-8")
                except Exception as exc:  # a crashed page still lets the others be saved
                    Path(f"{stem}.txt").write_text(repr(exc), encoding="utf-8")
        context.close()


@dataclass(frozen=True)
class Viewer:
    """Who looks: a language and a screen. `context()` opens a browser context for them;
    `screen(page, name)` saves what the page shows as test-artifacts/screens/NAME-KEY.png."""

    key: str
    locale: str
    viewport: dict[str, int]
    make: Callable[..., Any]

    @property
    def english(self) -> bool:
        return self.locale == "en"

    def context(self, **options: Any) -> Any:
        return self.make(self.locale, self.viewport, **options)

    def screen(self, page: Any, name: str) -> Path:
        SCREENS.mkdir(parents=True, exist_ok=True)
        path = SCREENS / f"{name}-{self.key}.png"
        page.screenshot(path=str(path), full_page=False)
        return path


VIEWERS = {"phone-zh": ("zh-CN", PHONE), "desktop-en": ("en", DESKTOP)}


@pytest.fixture(params=list(VIEWERS))
def viewer(request, new_context) -> Viewer:
    """Runs the test once per viewer: a 390 px phone in Chinese, a 1280 px desktop in
    English."""
    locale, viewport = VIEWERS[request.param]
    return Viewer(request.param, locale, viewport, new_context)


def save_screen(page: Any, name: str) -> Path:
    """A key screen of a journey that runs in one language only."""
    SCREENS.mkdir(parents=True, exist_ok=True)
    path = SCREENS / f"{name}.png"
    page.screenshot(path=str(path), full_page=False)
    return path


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call" and report.failed:
        item.failed_call = True
    return report


LAST = "test_metrics_after_journeys.py"
"""Runs after every other test of the session's server: it reads what they left in /metrics."""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=lambda item: item.path.name == LAST)  # stable: the rest keep their order
