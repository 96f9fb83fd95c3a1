"""After the browser journeys (this module runs last, see conftest): the session's server
answers `/metrics` only to its token, and shows every series the README's Operations
section names, with requests counted by route template."""

from __future__ import annotations

import re
from urllib.error import HTTPError
from urllib.request import Request, urlopen

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.e2e.servers import METRICS_TOKEN, Server

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-")
FAMILIES = {
    "linli_http_requests",
    "linli_http_request_duration_seconds",
    "linli_bookings_made",
    "linli_bookings_refused",
    "linli_throttled",
    "linli_outbox_backlog",
    "linli_outbox_failed",
    "linli_job_last_run_age_seconds",
    "linli_database_up",
}


def _scrape(server: Server, headers: dict[str, str]) -> str:
    with urlopen(Request(f"{server.url}/metrics", headers=headers), timeout=10) as answer:
        assert answer.headers["Cache-Control"].startswith("no-store")
        return answer.read().decode()


def test_metrics_after_the_journeys(server: Server) -> None:
    for headers in ({}, {"Authorization": "Bearer " + METRICS_TOKEN[:-1]}):
        with pytest.raises(HTTPError) as refused:
            _scrape(server, headers)
        assert refused.value.code == 404

    text = _scrape(server, {"Authorization": f"Bearer {METRICS_TOKEN}"})
    families = {family.name: family for family in text_string_to_metric_families(text)}
    assert set(families) >= FAMILIES
    samples = {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in families.values()
        for sample in family.samples
    }
    # The journeys opened space pages and booked: counted under the route, never the path.
    assert (
        samples[
            (
                "linli_http_requests_total",
                (("method", "GET"), ("route", "/spaces/{slug}"), ("status", "2xx")),
            )
        ]
        >= 1
    )
    routes = {
        sample.labels["route"]
        for sample in families["linli_http_requests"].samples
        if "route" in sample.labels
    }
    # Not one series per space, booking or station the journeys opened.
    assert not [r for r in routes if "caijiaxiang-music-room" in r or UUID.search(r)], routes
    assert samples[("linli_bookings_made_total", ())] >= 1
    assert samples[("linli_database_up", ())] == 1
    assert ("linli_outbox_backlog", ()) in samples
    assert ("linli_outbox_failed", ()) in samples
