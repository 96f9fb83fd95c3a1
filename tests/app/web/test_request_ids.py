"""Request ids: made for every request or kept from a trusted proxy, returned as
X-Request-ID, written on the access line and error lines, shown on error pages and in
problem details; JSON log lines for collectors."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest
from litestar import Litestar, get

from app.asgi import create_app
from app.web.logs import BackgroundHandler, JsonFormatter
from tests.fixtures import text_of

GENERATED = re.compile(r"[0-9a-f]{16}")


class Logged:
    def __init__(self) -> None:
        self.lines: list[dict] = []


@contextmanager
def json_log(capsys: pytest.CaptureFixture[str]) -> Iterator[Logged]:
    """The JSON lines the access and error loggers write inside the block."""
    handler = BackgroundHandler()
    handler.setFormatter(JsonFormatter())
    loggers = [logging.getLogger("linli.access"), logging.getLogger("app.web.problems")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
    capsys.readouterr()
    logged = Logged()
    try:
        yield logged
    finally:
        handler.flush()
        for logger, level in zip(loggers, levels, strict=True):
            logger.removeHandler(handler)
            logger.setLevel(level)
        handler.close()
        logged.lines += [
            json.loads(line)
            for line in capsys.readouterr().err.splitlines()
            if line.startswith("{")
        ]


def http(app: Litestar, address: str) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(address, 50000), raise_app_exceptions=False)
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


async def test_every_answer_carries_a_new_request_id(client: httpx.AsyncClient) -> None:
    ids = []
    for path in ("/", "/no-such-page", "/healthz", "/api/v1/communities"):
        response = await client.get(path)
        assert GENERATED.fullmatch(response.headers["x-request-id"]), path
        ids.append(response.headers["x-request-id"])
    assert len(set(ids)) == 4


async def test_a_404_page_shows_its_request_id_in_the_visitors_language(
    client: httpx.AsyncClient,
) -> None:
    chinese = await client.get("/spaces/no-such-space", headers={"accept-language": "zh-CN"})
    assert chinese.status_code == 404
    assert f"编号 {chinese.headers['x-request-id']}" in text_of(chinese.text)
    english = await client.get("/spaces/no-such-space", headers={"accept-language": "en"})
    assert f"Reference {english.headers['x-request-id']}" in text_of(english.text)


async def test_problem_details_carry_the_request_id(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.json()["request_id"] == response.headers["x-request-id"]


async def test_the_access_line_carries_the_request_id_and_its_fields(
    client: httpx.AsyncClient, capsys: pytest.CaptureFixture[str]
) -> None:
    with json_log(capsys) as log:
        response = await client.get("/spaces/no-such-space")
    assert response.status_code == 404
    (line,) = [entry for entry in log.lines if entry["logger"] == "linli.access"]
    assert isinstance(line["duration_ms"], float)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00", line.pop("time"))
    assert line == {
        "level": "INFO",
        "logger": "linli.access",
        "message": f"203.0.113.7 GET /spaces/no-such-space 404 {line['duration_ms']}ms",
        "request_id": response.headers["x-request-id"],
        "method": "GET",
        "path": "/spaces/no-such-space",
        "route": "/spaces/{slug}",
        "status": 404,
        "duration_ms": line["duration_ms"],
        "client": "203.0.113.7",
    }


async def test_a_500_page_and_its_error_line_share_the_request_id(
    db: None, capsys: pytest.CaptureFixture[str]
) -> None:
    @get("/test-only/boom", sync_to_thread=False)
    def boom() -> str:
        raise RuntimeError("the test broke this on purpose")

    app = create_app()
    app.register(boom)
    with json_log(capsys) as log:
        async with http(app, "203.0.113.7") as client:
            response = await client.get("/test-only/boom", headers={"accept-language": "en"})
    assert response.status_code == 500
    request_id = response.headers["x-request-id"]
    assert f"Reference {request_id}" in text_of(response.text)
    error, access = log.lines
    assert (error["level"], error["message"], error["request_id"]) == (
        "ERROR",
        "unhandled error",
        request_id,
    )
    assert error["exception"].splitlines()[-1] == "RuntimeError: the test broke this on purpose"
    assert (access["status"], access["request_id"]) == (500, request_id)


async def test_a_trusted_proxys_request_id_is_kept_and_anyone_elses_replaced(
    app: Litestar, db: None, frozen_clock: object, capsys: pytest.CaptureFixture[str]
) -> None:
    sent = {"x-request-id": "edge-7f3a.2026:abc", "x-forwarded-for": "198.51.100.9"}
    with json_log(capsys) as log:
        async with http(app, "127.0.0.1") as through_proxy:  # LINLI_TRUSTED_PROXIES' default
            kept = await through_proxy.get("/healthz", headers=sent)
            too_long = await through_proxy.get("/healthz", headers={"x-request-id": "a" * 129})
            unsafe = await through_proxy.get("/healthz", headers={"x-request-id": "a b<c>"})
        async with http(app, "203.0.113.7") as direct:
            spoofed = await direct.get("/healthz", headers=sent)
    assert kept.headers["x-request-id"] == "edge-7f3a.2026:abc"
    for replaced in (too_long, unsafe, spoofed):
        assert GENERATED.fullmatch(replaced.headers["x-request-id"])
    # The proxy's X-Forwarded-For still names the client; a stranger's is ignored.
    assert [(line["client"], line["request_id"]) for line in log.lines] == [
        ("198.51.100.9", "edge-7f3a.2026:abc"),
        ("127.0.0.1", too_long.headers["x-request-id"]),
        ("127.0.0.1", unsafe.headers["x-request-id"]),
        ("203.0.113.7", spoofed.headers["x-request-id"]),
    ]


def test_text_lines_carry_the_request_id(capsys: pytest.CaptureFixture[str]) -> None:
    from app.web.logs import current_request_id

    handler = BackgroundHandler()
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s [%(request_id)s]: %(message)s"))
    logger = logging.getLogger("linli.test-request-ids")
    logger.propagate = False
    logger.addHandler(handler)
    try:
        token = current_request_id.set("0123456789abcdef")
        logger.warning("inside")
        current_request_id.reset(token)
        logger.warning("outside")
        handler.flush()
    finally:
        logger.removeHandler(handler)
        handler.close()
    assert capsys.readouterr().err.splitlines() == [
        "WARNING linli.test-request-ids [0123456789abcdef]: inside",
        "WARNING linli.test-request-ids [-]: outside",
    ]
