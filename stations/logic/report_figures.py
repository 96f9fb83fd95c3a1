"""Figures of the problem reports made at stations over a period: counts per reason, how
many were resolved, and how quickly. Pure: plain values in, figures out
(stations.services.reports loads them).

Definitions (also explained on the page): a report counts in the period when it was *made*
in it (local dates in the station's zone). Resolved: it has been marked resolved by now,
whenever that was; still open: not yet. Time to resolve runs from the report to its
resolution; the median and the average are over the resolved reports only, in hours.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from stations.logic.kinds import ReportReason

REASONS = tuple(reason.value for reason in ReportReason)
HOUR = timedelta(hours=1)


@dataclass(frozen=True)
class ReportFacts:
    """What the figures need of one problem report."""

    reason: str
    created_at: datetime
    resolved_at: datetime | None = None


@dataclass(frozen=True)
class StationFigures:
    by_reason: dict[str, int] = field(default_factory=lambda: dict.fromkeys(REASONS, 0))
    """Reports per `ReportReason` value, every reason present."""
    resolved: int = 0
    still_open: int = 0
    resolve_times: tuple[timedelta, ...] = ()
    """How long each resolved report took, shortest first."""

    @property
    def total(self) -> int:
        return self.resolved + self.still_open

    @property
    def median_hours(self) -> float | None:
        return (
            statistics.median(t / HOUR for t in self.resolve_times) if self.resolve_times else None
        )

    @property
    def mean_hours(self) -> float | None:
        if not self.resolve_times:
            return None
        return sum(self.resolve_times, timedelta(0)) / len(self.resolve_times) / HOUR


def station_figures(reports: Iterable[ReportFacts]) -> StationFigures:
    """Figures of the reports made at one station in the period."""
    by_reason = dict.fromkeys(REASONS, 0)
    times: list[timedelta] = []
    still_open = 0
    for report in reports:
        key = report.reason if report.reason in by_reason else ReportReason.other.value
        by_reason[key] += 1
        if report.resolved_at is None:
            still_open += 1
        else:
            times.append(report.resolved_at - report.created_at)
    return StationFigures(by_reason, len(times), still_open, tuple(sorted(times)))


def combined(figures: Iterable[StationFigures]) -> StationFigures:
    """The totals row: its median and average are over every resolved report, not averages
    of the stations' figures."""
    by_reason = dict.fromkeys(REASONS, 0)
    times: list[timedelta] = []
    resolved = still_open = 0
    for item in figures:
        for reason, count in item.by_reason.items():
            by_reason[reason] += count
        times.extend(item.resolve_times)
        resolved += item.resolved
        still_open += item.still_open
    return StationFigures(by_reason, resolved, still_open, tuple(sorted(times)))
