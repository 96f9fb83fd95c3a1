"""A courier's pages without a connection: the service worker keeps a copy of each station
page and search visited, and shows it, stamped with its age and without forms, once the
server is gone (stopped, not merely a browser's offline switch, which would not stop the
worker's own fetches) or answers 5xx."""

from __future__ import annotations

import re

import asyncpg
import pytest
from playwright.sync_api import expect

from tests.e2e.servers import Server, live_server, run_async, scratch_postgres

pytestmark = pytest.mark.e2e

PLACE = "landmark:chenghuangmiao"


def test_a_courier_reopens_saved_pages_after_the_server_has_stopped(viewer) -> None:
    saved = "Saved on this phone" if viewer.english else "已存到这部手机"
    stamp = re.compile(
        "Saved copy · Information from .*minute ago"
        if viewer.english
        else "离线副本 · .*分钟前的信息"
    )
    page = viewer.context().new_page()
    with live_server() as server:
        page.goto(f"{server.url}/stations?near={PLACE}")
        expect(page.locator("#offline-status")).to_contain_text(saved)
        page.wait_for_function("() => navigator.serviceWorker.controller !== null")
        list_url = page.url
        first = page.locator(".station-card h3 a").first
        name = first.inner_text()
        first.click()
        expect(page.locator("h1")).to_have_text(name)
        expect(page.locator("#offline-status")).to_contain_text(saved)
        expect(page.locator("form[action*='/checkin']")).to_be_visible()
        viewer.screen(page, "offline-station-online")

    # The server process has stopped: nothing answers on its port any more.

    page.reload()
    expect(page.locator("h1")).to_have_text(name)
    expect(page.locator(".offline-stamp")).to_contain_text(stamp)
    expect(page.locator("form")).to_have_count(0)
    expect(page.locator(".needs-connection").first).to_have_text(
        "Checking in needs a connection." if viewer.english else "签到需要联网。"
    )
    viewer.screen(page, "offline-station-copy")

    page.goto(list_url)
    expect(page.locator(".offline-stamp")).to_be_visible()
    expect(page.locator("form")).to_have_count(0)
    expect(page.locator(".station-card h3 a", has_text=name)).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= viewer.viewport["width"]
    viewer.screen(page, "offline-list-copy")

    # The installed app starts at /stations: it shows the latest search.
    page.goto(list_url.split("?")[0])
    expect(page.locator(".offline-stamp")).to_contain_text(stamp)
    expect(page.locator(".station-card h3 a", has_text=name)).to_be_visible()

    # A page never opened before says there is no connection, instead of the browser's error.
    page.goto(list_url.split("/stations")[0] + "/stations/never-opened-here")
    expect(page.locator("h1")).to_have_text("No connection" if viewer.english else "没有网络连接")


def test_inside_wechat_the_install_offer_says_open_in_browser(viewer, server: Server) -> None:
    wechat = (
        "Mozilla/5.0 (Linux; Android 13) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/116.0 Mobile Safari/537.36 MicroMessenger/8.0.50"
    )
    page = viewer.context(user_agent=wechat).new_page()
    page.goto(f"{server.url}/stations?near={PLACE}")
    hint = page.locator("#install-wechat")
    expect(hint).to_be_visible()
    expect(hint).to_contain_text("Open in browser" if viewer.english else "在浏览器打开")
    expect(page.locator("#install-offer")).to_be_hidden()
    hint.scroll_into_view_if_needed()
    viewer.screen(page, "offline-wechat-hint")


async def refuse_connections(database_url: str) -> None:
    """Make the database refuse new connections and end the server's open ones."""
    base, name = database_url.rsplit("/", 1)
    connection = await asyncpg.connect(f"{base}/postgres")
    try:
        await connection.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
        await connection.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", name
        )
    finally:
        await connection.close()


def test_a_server_error_shows_the_saved_copy(new_context) -> None:
    """A 5xx is no better than no answer: the database refuses connections (the server
    answers 503), and the worker shows the copy it kept."""
    page = new_context().new_page()
    with scratch_postgres() as database_url, live_server(database_url) as server:
        page.goto(f"{server.url}/stations?near={PLACE}")
        expect(page.locator("#offline-status")).to_contain_text("已存到这部手机")
        page.locator(".station-card h3 a").first.click()
        expect(page.locator("#offline-status")).to_contain_text("已存到这部手机")
        run_async(refuse_connections(database_url))
        assert page.request.get(page.url).status >= 500
        page.reload()
        expect(page.locator(".offline-stamp")).to_contain_text(
            re.compile("离线副本 · .*分钟前的信息")
        )
        expect(page.locator("form")).to_have_count(0)
