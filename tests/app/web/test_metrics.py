"""/metrics: who may read it, every series it shows, route templates as labels, and several
processes' counts added up."""

from __future__ import annotations

import dataclasses
import ipaddress
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from litestar import Litestar
from prometheus_client.parser import text_string_to_metric_families

from app import metrics, outbox, scheduler, throttle
from app.asgi import create_app
from app.errors import Throttled
from app.settings import MetricsSettings, get_settings
from app.tables import OutboxMessage
from app.web import metrics as metrics_web
from tests.factories import NOW, make_community, make_space, make_user

TOKEN = "scrape-" + "s" * 24
LISTED = "192.0.2.0/28"


@pytest.fixture(scope="module")
def metrics_app() -> Litestar:
    settings = dataclasses.replace(
        get_settings(),
        metrics=MetricsSettings(token=TOKEN, addresses=(ipaddress.ip_network(LISTED),)),
    )
    return create_app(settings)


def http(app: Litestar, address: str = "203.0.113.7") -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(address, 50000))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


@pytest.fixture
async def scraper(
    metrics_app: Litestar, db: None, frozen_clock: object
) -> AsyncIterator[httpx.AsyncClient]:
    async with http(metrics_app) as client:
        yield client


async def scrape(client: httpx.AsyncClient) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of /metrics read with the token: (name, sorted labels) → value."""
    response = await client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def grown(before: dict, after: dict) -> dict:
    """The samples that changed between two scrapes, by how much (histogram buckets left out)."""
    return {
        key: round(value - before.get(key, 0.0), 6)
        for key, value in after.items()
        if value != before.get(key, 0.0) and not key[0].endswith(("_bucket", "_sum"))
    }


async def test_metrics_answer_only_the_token_or_a_listed_address(
    metrics_app: Litestar, db: None
) -> None:
    async with http(metrics_app) as stranger:
        assert (await stranger.get("/metrics")).status_code == 404
        wrong = await stranger.get("/metrics", headers={"Authorization": "Bearer " + "x" * 30})
        assert wrong.status_code == 404
        basic = await stranger.get("/metrics", headers={"Authorization": f"Basic {TOKEN}"})
        assert basic.status_code == 404
        allowed = await stranger.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
        assert allowed.status_code == 200
        assert allowed.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8"
        assert allowed.headers["cache-control"] == "no-store"
    async with http(metrics_app, "192.0.2.9") as listed:
        assert (await listed.get("/metrics")).status_code == 200
    async with http(metrics_app, "192.0.2.16") as next_door:
        assert (await next_door.get("/metrics")).status_code == 404


async def test_metrics_are_closed_by_default(client: httpx.AsyncClient) -> None:
    response = await client.get("/metrics", headers={"Authorization": "Bearer "})
    assert response.status_code == 404


def test_may_scrape_compares_the_whole_token() -> None:
    settings = MetricsSettings(token=TOKEN, addresses=())
    assert metrics_web.may_scrape(settings, "203.0.113.7", f"Bearer {TOKEN}")
    assert metrics_web.may_scrape(settings, "203.0.113.7", f"bearer {TOKEN}")
    assert not metrics_web.may_scrape(settings, "203.0.113.7", f"Bearer {TOKEN[:-1]}")
    assert not metrics_web.may_scrape(settings, "203.0.113.7", f"Bearer {TOKEN}x")
    assert not metrics_web.may_scrape(MetricsSettings(token="", addresses=()), None, "Bearer ")


async def test_requests_are_counted_by_route_template_never_by_path(
    scraper: httpx.AsyncClient,
) -> None:
    before = await scrape(scraper)
    assert (await scraper.get("/spaces/a")).status_code == 404
    assert (await scraper.get("/spaces/b")).status_code == 404
    assert (await scraper.get("/healthz")).status_code == 200
    changed = grown(before, await scrape(scraper))
    requests = {k: v for k, v in changed.items() if k[0] == "linli_http_requests_total"}
    assert requests == {
        (
            "linli_http_requests_total",
            (("method", "GET"), ("route", "/healthz"), ("status", "2xx")),
        ): 1.0,
        (
            "linli_http_requests_total",
            (("method", "GET"), ("route", "/metrics"), ("status", "2xx")),
        ): 1.0,
        (
            "linli_http_requests_total",
            (("method", "GET"), ("route", "/spaces/{slug}"), ("status", "4xx")),
        ): 2.0,
    }
    assert (
        changed[
            (
                "linli_http_request_duration_seconds_count",
                (("method", "GET"), ("route", "/spaces/{slug}"), ("status", "4xx")),
            )
        ]
        == 2.0
    )


async def noop(now: object) -> None:
    return None


async def test_metrics_show_bookings_throttling_outbox_jobs_and_the_database(
    scraper: httpx.AsyncClient, db_clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = await make_community("caijiaxiang")
    await make_space(home, "music-room", weekly_hours={"mon": "09:00-12:00"}, slot_minutes=60)
    headers = {}
    from app.accounts import sessions

    for login in ("13800000001", "13800000002"):
        _row, token = await sessions.create_api_token(
            await make_user(login, community=home), "test", NOW
        )
        headers[login] = {"authorization": f"Bearer {token}"}
    before = await scrape(scraper)
    slot = {
        "space": "music-room",
        "start": "2026-03-02T10:00:00+08:00",
        "end": "2026-03-02T11:00:00+08:00",
    }
    made = await scraper.post("/api/v1/bookings", json=slot, headers=headers["13800000001"])
    assert made.status_code == 201
    taken = await scraper.post("/api/v1/bookings", json=slot, headers=headers["13800000002"])
    assert taken.status_code == 409
    limit = throttle.Limit("metrics-test", 1, timedelta(hours=1))
    await throttle.reserve(limit, "someone", NOW, str)
    with pytest.raises(Throttled):
        await throttle.reserve(limit, "someone", NOW, str)
    waiting = await outbox.enqueue("email", "a@example.org", "hello", subject="Linli", now=NOW)
    given_up = await outbox.enqueue("email", "b@example.org", "hello", subject="Linli", now=NOW)
    assert waiting is not None and given_up is not None
    await OutboxMessage.update({OutboxMessage.failed_at: NOW}).where(
        OutboxMessage.id == given_up.id
    )
    assert await scheduler.run_due(
        [scheduler.Job("metrics.test", timedelta(hours=1), noop)], NOW
    ) == ["metrics.test"]
    db_clock.step(timedelta(seconds=90))
    after = await scrape(scraper)
    changed = grown(before, after)
    assert changed[("linli_bookings_made_total", ())] == 1.0
    assert changed[("linli_bookings_refused_total", (("rule", "capacity"),))] == 1.0
    assert changed[("linli_throttled_total", (("limit", "metrics-test"),))] == 1.0
    assert after[("linli_outbox_backlog", ())] == 1.0
    assert after[("linli_outbox_failed", ())] == 1.0
    assert after[("linli_job_last_run_age_seconds", (("job", "metrics.test"),))] == 90.0
    assert after[("linli_database_up", ())] == 1.0

    async def unreachable(timeout_s: float = 3.0) -> bool:
        return False

    monkeypatch.setattr(metrics.db, "ping", unreachable)
    down = await scrape(scraper)
    assert down[("linli_database_up", ())] == 0.0
    assert ("linli_outbox_backlog", ()) not in down


WRITER = """
import sys
from app import metrics
for _ in range(int(sys.argv[1])):
    metrics.booking_made()
metrics.booking_refused("quota_week")
"""


def test_two_processes_counts_add_up(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    env_dir = tmp_path / "prometheus"
    env_dir.mkdir()
    for count in (3, 4):
        subprocess.run(
            [sys.executable, "-c", WRITER, str(count)],
            check=True,
            env={**os.environ, metrics.MULTIPROC_ENV: str(env_dir)},
        )
    assert len(list(env_dir.glob("counter_*.db"))) == 2
    monkeypatch.setenv(metrics.MULTIPROC_ENV, str(env_dir))
    text = metrics.exposition(metrics.SiteState(database_up=True)).decode()
    samples = {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }
    assert samples[("linli_bookings_made_total", ())] == 7.0
    assert samples[("linli_bookings_refused_total", (("rule", "quota_week"),))] == 2.0
    assert samples[("linli_database_up", ())] == 1.0
