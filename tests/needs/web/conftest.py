"""Fixtures of the needs pages' tests: a community, another one, and its staff signed in."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable

import httpx
import pytest
from litestar import Litestar

from app.tables import Community
from tests.factories import PASSWORD, make_community, make_user
from tests.fixtures import Browser
from tests.needs.world import World, make_world

OpenBrowser = Callable[..., Awaitable[Browser]]
"""`open_browser(login=None, address="203.0.113.7")`: a browser of its own."""


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


@pytest.fixture
async def world(db: None) -> World:
    return await make_world()


@pytest.fixture
async def open_browser(app: Litestar, db: None, frozen_clock: object) -> AsyncIterator[OpenBrowser]:
    """Browsers of their own (cookies, address), signed in as someone or not, in English."""
    clients: list[httpx.AsyncClient] = []

    async def opened(login: str | None = None, address: str = "203.0.113.7") -> Browser:
        transport = httpx.ASGITransport(app=app, client=(address, 50000))
        client = httpx.AsyncClient(transport=transport, base_url="http://testserver")
        clients.append(client)
        browser = Browser(client)
        browser.set_language("en")
        if login:
            await browser.sign_in(login, PASSWORD)
        return browser

    yield opened
    for client in clients:
        await client.aclose()
