"""Fixtures shared by the whole suite: the app, a browser-like client, a fixed clock."""

from __future__ import annotations

import asyncio
import dataclasses
import os
import re
import secrets
import socket
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Sink
from litestar import Litestar

from app import clock, notify, settings, throttle
from app.asgi import CSRF_COOKIE, create_app
from tests.factories import NOW


@pytest.fixture(scope="session")
def app() -> Litestar:
    return create_app()


class Browser:
    """An HTTP client that keeps cookies and fills in the CSRF field like a real form."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return await self.client.get(url, **kwargs)

    async def csrf_token(self) -> str:
        if CSRF_COOKIE not in self.client.cookies:
            await self.client.get("/privacy")
        return self.client.cookies[CSRF_COOKIE]

    async def submit(
        self, url: str, data: dict[str, str] | None = None, **kwargs: Any
    ) -> httpx.Response:
        """POST a form the way a browser would, CSRF field included."""
        fields = {"_csrf_token": await self.csrf_token(), **(data or {})}
        return await self.client.post(url, data=fields, **kwargs)

    async def sign_in(self, login: str, password: str) -> httpx.Response:
        response = await self.submit("/account/signin", {"login": login, "password": password})
        assert response.status_code == 303, response.text
        return response

    def set_language(self, locale: str) -> None:
        self.client.cookies.set("linli_lang", locale)


@pytest.fixture
async def client(
    app: Litestar, db: None, frozen_clock: list[datetime]
) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the app on a clean database, with the clock fixed at NOW."""
    transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 50000))
    async with httpx.AsyncClient(
        transport=transport,
        base_url="http://testserver",
        event_hooks={"response": [_refuse_doubled_stops]},
    ) as http:
        yield http


DOUBLED_STOP = re.compile(r"。。|[^\s.]\.\.(?![.\w/])")
"""A sentence that brought its own stop into another ("坏了。。", "broke.."); not "...". """


async def _refuse_doubled_stops(response: httpx.Response) -> None:
    """Every page any test reads is checked for doubled stops (issue 14)."""
    if not response.headers.get("content-type", "").startswith("text/html"):
        return
    await response.aread()
    text = text_of(response.text)
    doubled = [text[max(0, m.start() - 40) : m.end() + 10] for m in DOUBLED_STOP.finditer(text)]
    assert doubled == [], f"{response.request.url.path}: doubled stops in {doubled}"


@pytest.fixture
def browser(client: httpx.AsyncClient) -> Browser:
    return Browser(client)


@pytest.fixture
def frozen_clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[datetime]]:
    """Fix `clock.utcnow()` at NOW; tests move it by replacing `frozen_clock[0]`."""
    current = [NOW]
    monkeypatch.setattr(clock, "utcnow", lambda: current[0])
    yield current


class SteppingClock:
    """The database's clock (`clock.db_now()`) in a test: it stands still until the test
    steps it, so leases, claims and back-off are checked at exact instants, never by sleeping."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def step(self, delta: timedelta) -> datetime:
        self.now += delta
        return self.now

    async def read(self) -> datetime:
        return self.now


@pytest.fixture
def db_clock(monkeypatch: pytest.MonkeyPatch) -> SteppingClock:
    """Replace the database's clock with a `SteppingClock` that starts at NOW."""
    stepping = SteppingClock(NOW)
    monkeypatch.setattr(clock, "db_now", stepping.read)
    return stepping


def text_of(html: str) -> str:
    """The visible text of a page, whitespace collapsed, for exact assertions."""
    without_tags = re.sub(
        r"<[^>]+>", " ", re.sub(r"<(script|style)[^>]*>.*?</\1>", "", html, flags=re.S)
    )
    return re.sub(r"\s+", " ", without_tags).strip()


class WorkLog:
    """What the app did while a test watched: every SQL statement sent to the engine and
    every calendar expansion (a day's hours, a window's open intervals), in order. Where a
    transaction begins and ends (`app.db`'s transactions) is marked among the statements
    by `BEGIN` and `COMMIT` (or `ROLLBACK`).

    To watch more (a statement kind, another expansion), add it in `work_log` below."""

    def __init__(self) -> None:
        self.statements: list[str] = []
        self.expansions: list[str] = []

    def clear(self) -> None:
        self.statements.clear()
        self.expansions.clear()

    def in_transactions(self) -> list[list[str]]:
        """The statements of each transaction, in order, without the markers."""
        found: list[list[str]] = []
        inside: list[str] | None = None
        for sql in self.statements:
            if sql == "BEGIN":
                inside = []
            elif sql in {"COMMIT", "ROLLBACK"}:
                assert inside is not None, "a transaction ended that did not begin"
                found.append(inside)
                inside = None
            elif inside is not None:
                inside.append(sql)
        return found

    def statements_after(self, marker: str) -> list[str]:
        """The statements sent after the last one containing `marker` (all of them when
        none contains it)."""
        found = [i for i, sql in enumerate(self.statements) if marker in sql]
        return self.statements[found[-1] + 1 :] if found else list(self.statements)


@pytest.fixture
def work_log(monkeypatch: pytest.MonkeyPatch) -> WorkLog:
    """Record the engine's statements and the calendar expansions of this test."""
    from app import db as database
    from app.calendar import Calendar
    from app.tables import SiteSetting

    log = WorkLog()
    engine_class = type(SiteSetting._meta.db)
    for method in ("run_querystring", "run_ddl"):
        original = getattr(engine_class, method)

        def recording(
            self: Any, query: Any, *args: Any, _original: Any = original, **kw: Any
        ) -> Any:
            log.statements.append(str(query))
            return _original(self, query, *args, **kw)

        monkeypatch.setattr(engine_class, method, recording)
    original_together = database.KeptConnection.execute_all

    def together(self: Any, statements: Any, _original: Any = original_together) -> Any:
        log.statements.extend(query for query, _args, _tuples in statements)
        return _original(self, statements)

    monkeypatch.setattr(database.KeptConnection, "execute_all", together)
    original_at_once = database.LinliSQLiteEngine.read_at_once

    def at_once(
        self: Any, query: str, args: Any, tuples: bool = False, _original: Any = original_at_once
    ) -> Any:
        log.statements.append(query)
        return _original(self, query, args, tuples)

    monkeypatch.setattr(database.LinliSQLiteEngine, "read_at_once", at_once)
    original_transaction = database._transaction

    @asynccontextmanager
    async def marked(*args: Any, **kw: Any) -> AsyncIterator[Any]:
        log.statements.append("BEGIN")
        try:
            async with original_transaction(*args, **kw) as tx:
                yield tx
        except BaseException:
            log.statements.append("ROLLBACK")
            raise
        log.statements.append("COMMIT")

    monkeypatch.setattr(database, "_transaction", marked)
    for method in ("ranges_on", "open_intervals"):
        original = getattr(Calendar, method)

        def expanding(self: Any, *args: Any, _original: Any = original, _name: str = method) -> Any:
            log.expansions.append(_name)
            return _original(self, *args)

        monkeypatch.setattr(Calendar, method, expanding)
    return log


class SmtpRecorder(Sink):
    """An SMTP server's handler that records what it is sent. When `held`, each message
    waits, unanswered, until the test calls `release()`; `arrived` is set once one waits."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], str]] = []
        self.held = False
        self.arrived = threading.Event()
        self._gate = asyncio.Event()
        self._loop: asyncio.AbstractEventLoop | None = None

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.held:
            self._loop = asyncio.get_running_loop()
            self.arrived.set()
            await self._gate.wait()
        self.messages.append((envelope.mail_from, envelope.rcpt_tos, envelope.content.decode()))
        return "250 OK"

    def release(self) -> None:
        """Let the held message through (from the test's thread into the server's loop)."""
        assert self._loop is not None, "no message is held"
        self._loop.call_soon_threadsafe(self._gate.set)


@pytest.fixture
def smtp_sink(monkeypatch: pytest.MonkeyPatch) -> Iterator[SmtpRecorder]:
    """A local SMTP server that records what it is sent, and Linli set up to use it."""
    from app import notifications, outbox

    recorder = SmtpRecorder()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(recorder, hostname="127.0.0.1", port=port)
    controller.start()
    current = settings.get_settings()
    mail = dataclasses.replace(
        current.mail,
        smtp_host="127.0.0.1",
        smtp_port=port,
        mail_from="linli@example.com",
        smtp_tls="none",
    )
    patched = dataclasses.replace(current, mail=mail)
    for module in (settings, notifications, notify, outbox):
        monkeypatch.setattr(module, "get_settings", lambda: patched)
    notify._sender.cache_clear()
    yield recorder
    if recorder.held and not recorder._gate.is_set() and recorder._loop is not None:
        recorder.release()
    controller.stop()
    notify._sender.cache_clear()


REDIS_URL = os.environ.get("LINLI_TEST_REDIS_URL", "")
"""Redis for the throttle tests (.ci/run sets it); unset, they skip, except under CI."""


async def _redis_for_tests() -> throttle.RedisBackend:
    """A Redis backend whose keys are this test's alone (a random prefix under
    `linli:test:`, deleted afterwards), so runs and tests never share counts."""
    if not REDIS_URL:
        if os.environ.get("CI"):
            pytest.fail("CI runs the Redis throttle tests: set LINLI_TEST_REDIS_URL (.ci/run does)")
        pytest.skip("LINLI_TEST_REDIS_URL is not set")
    store = throttle.RedisBackend(REDIS_URL, prefix=f"linli:test:{secrets.token_hex(6)}:")
    try:
        await store._client()[0].ping()
    except Exception as exc:
        await store.aclose()
        pytest.fail(f"no Redis answers at LINLI_TEST_REDIS_URL={REDIS_URL}: {exc!r}")
    return store


@pytest.fixture(params=["database", "redis"])
async def throttle_backend(
    request: pytest.FixtureRequest, db: None, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[throttle.Backend]:
    """Every limit counted in the database, then in Redis: the test runs once with each."""
    if request.param == "database":
        monkeypatch.setattr(throttle, "backend", throttle.DatabaseBackend)
        yield throttle.DatabaseBackend()
        return
    store = await _redis_for_tests()
    monkeypatch.setattr(throttle, "backend", lambda: store)
    try:
        yield store
    finally:
        client = store._client()[0]
        keys = [key async for key in client.scan_iter(match=f"{store.prefix}*")]
        if keys:
            await client.delete(*keys)
        await store.aclose()
