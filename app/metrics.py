"""What the running site counts for `/metrics`: Prometheus series kept by prometheus-client.

Counters are counted where the thing happens (a booking made or refused, a throttled
attempt); with PROMETHEUS_MULTIPROC_DIR set (`linli serve` sets it) each process writes its
counts to files there and a scrape adds them up, so several workers answer as one site.
What the database knows (the outbox's backlog, each job's last run, whether it answers) is
read once per scrape instead (`site_state`), never kept in a process.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field

from piccolo.querystring import QueryString
from prometheus_client import CollectorRegistry, Counter, disable_created_metrics, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector, mark_process_dead
from prometheus_client.registry import REGISTRY, Collector

from app import clock, db
from app.tables import JobLease

disable_created_metrics()  # a `_created` series beside each counter only doubles the page
MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
PREFIX = "linli"

BOOKINGS_MADE = Counter(
    f"{PREFIX}_bookings_made", "Bookings made (confirmed, or requested where staff approve)."
)
BOOKINGS_REFUSED = Counter(
    f"{PREFIX}_bookings_refused",
    "Booking attempts refused, by the rule that refused them (its code).",
    ["rule"],
)
THROTTLED = Counter(
    f"{PREFIX}_throttled", "Attempts refused by a throttling limit, by limit.", ["limit"]
)


def booking_made() -> None:
    BOOKINGS_MADE.inc()


def booking_refused(rule: str) -> None:
    BOOKINGS_REFUSED.labels(rule).inc()


def throttled(limit: str) -> None:
    THROTTLED.labels(limit).inc()


@dataclass(frozen=True)
class SiteState:
    """What one scrape read from the database."""

    database_up: bool
    outbox_backlog: int | None = None
    """Messages waiting to be sent (neither sent nor given up on); None when unread."""
    outbox_failed: int | None = None
    """Messages given up on, kept for `app.outbox.KEEP_FOR`."""
    job_age_s: dict[str, float] = field(default_factory=dict)
    """Seconds since each scheduled job's last run started (database time)."""


_OUTBOX_COUNTS = (
    "SELECT "
    "COALESCE(SUM(CASE WHEN sent_at IS NULL AND failed_at IS NULL THEN 1 ELSE 0 END), 0) "
    "AS backlog, "
    "COALESCE(SUM(CASE WHEN failed_at IS NOT NULL THEN 1 ELSE 0 END), 0) AS failed "
    "FROM outbox_message"
)


async def site_state() -> SiteState:
    """Read at scrape time: database reachability (`db.ping`), then, if it answers, the
    outbox counts in one query and the job leases' last runs."""
    if not await db.ping():
        return SiteState(database_up=False)
    (counts,) = await db.engine().run_querystring(QueryString(_OUTBOX_COUNTS))
    now = await clock.db_now()
    runs = await JobLease.select(JobLease.name, JobLease.last_run_at).where(
        JobLease.last_run_at.is_not_null()
    )
    return SiteState(
        database_up=True,
        outbox_backlog=int(counts["backlog"]),
        outbox_failed=int(counts["failed"]),
        job_age_s={
            row["name"]: max(0.0, (now - row["last_run_at"]).total_seconds()) for row in runs
        },
    )


class SiteStateCollector(Collector):
    """Gauges of one `SiteState`, for one scrape's registry."""

    def __init__(self, state: SiteState) -> None:
        self.state = state

    def collect(self) -> Iterator[GaugeMetricFamily]:
        state = self.state
        yield GaugeMetricFamily(
            f"{PREFIX}_database_up",
            "1 when the database answered a trivial query at scrape time, else 0.",
            value=1 if state.database_up else 0,
        )
        if state.outbox_backlog is not None:
            yield GaugeMetricFamily(
                f"{PREFIX}_outbox_backlog",
                "Outbox messages waiting to be sent (neither sent nor given up on).",
                value=state.outbox_backlog,
            )
        if state.outbox_failed is not None:
            yield GaugeMetricFamily(
                f"{PREFIX}_outbox_failed",
                "Outbox messages given up on (kept 30 days).",
                value=state.outbox_failed,
            )
        ages = GaugeMetricFamily(
            f"{PREFIX}_job_last_run_age_seconds",
            "Seconds since each scheduled job's last run started.",
            labels=["job"],
        )
        for name in sorted(state.job_age_s):
            ages.add_metric([name], state.job_age_s[name])
        yield ages


def exposition(state: SiteState) -> bytes:
    """The Prometheus text of this process's counters (every worker's, in multiprocess
    mode) followed by the scrape-time gauges of `state`."""
    directory = os.environ.get(MULTIPROC_ENV)
    if directory:
        counted = CollectorRegistry()
        MultiProcessCollector(counted, path=directory)
    else:
        counted = REGISTRY
    scraped = CollectorRegistry(auto_describe=False)
    scraped.register(SiteStateCollector(state))
    return generate_latest(counted) + generate_latest(scraped)


def worker_stopped() -> None:
    """A worker stops: its live gauges' files no longer count (counters' stay, summed)."""
    if os.environ.get(MULTIPROC_ENV):
        mark_process_dead(os.getpid())
