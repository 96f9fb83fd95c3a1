"""A resident opens their community's public page from the home page and reads its figures,
in a real browser: once as a 390 px phone in Chinese and once as a 1280 px desktop in
English (the `viewer`). Nothing is wider than the screen, and the folded lists open from the
keyboard."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import Viewer
from tests.e2e.servers import Server

pytestmark = pytest.mark.e2e


def words(viewer: Viewer, zh: str, en: str) -> str:
    return en if viewer.english else zh


def test_a_community_page_from_the_home_page(viewer: Viewer, server: Server) -> None:
    page = viewer.context().new_page()
    page.goto(f"{server.url}/")
    page.get_by_role("link", name=words(viewer, "广场西社区", "Guangchang West Community")).click()
    page.wait_for_url(f"{server.url}/communities/guangchang-xi")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        words(viewer, "广场西社区", "Guangchang West Community")
    )
    figures = page.locator("#community-figures")
    expect(figures).to_contain_text(words(viewer, "解决率", "Solved rate"))
    expect(figures).to_contain_text(words(viewer, "满意率", "Satisfaction"))
    expect(page.locator("#chart-solved-rate")).to_be_visible()
    # Nothing wider than the screen: the page never scrolls sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= viewer.viewport["width"]
    viewer.screen(page, "community-page")

    # The resources beyond the first eight open from the keyboard.
    more = page.locator("summary").filter(has_text=words(viewer, "再显示", "Show"))
    more.first.focus()
    page.keyboard.press("Enter")
    expect(page.locator("details[open]").first).to_be_visible()

    page.get_by_role("link", name=words(viewer, "居民需求", "Residents' needs")).click()
    expect(page.locator(".public-needs")).to_be_visible()
