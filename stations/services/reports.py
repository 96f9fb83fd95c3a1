"""Station reports for staff: the problems couriers reported at each station over a period of
local dates, and how quickly staff resolved them.

Definitions (also explained on the page): a report counts in the period when it was *made*
in it (local dates in the station's zone). Resolved: it has been marked resolved by now,
whenever that was; still open: not yet. Time to resolve runs from the report to its
resolution; the median and the average are over the resolved reports only, in hours.

The top half is pure (plain values in, figures out); `station_report` loads and scopes.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from app.communities.services import managed_community
from app.permissions import Actor
from app.reports import Period
from app.tables import Community
from stations.logic.kinds import ReportReason
from stations.tables import Station, StationReport

REASONS = tuple(reason.value for reason in ReportReason)
HOUR = timedelta(hours=1)


# --- pure figures -------------------------------------------------------------------------


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


# --- loading and scoping --------------------------------------------------------------------


@dataclass
class StationRow:
    station: Station
    """With its community joined."""
    figures: StationFigures


@dataclass
class StationReportData:
    period: Period
    community: Community | None
    """The community chosen, or None for all the viewer's communities."""
    rows: list[StationRow]
    total: StationFigures


async def stations_in_scope(actor: Actor, community: Community | None) -> list[Station]:
    """Active stations of `community`, else of all the actor's communities (all for admins)."""
    query = Station.objects(Station.community).where(Station.active == True)  # noqa: E712
    if community is not None:
        query = query.where(Station.community == community.id)
    elif not actor.is_admin:
        query = query.where(Station.community.is_in(list(actor.staff_of) or [-1]))
    return await query.order_by(Station.community.slug).order_by(Station.slug)


async def _figures_of(station: Station, period: Period) -> StationFigures:
    window = period.window(ZoneInfo(station.timezone))
    rows = await StationReport.select(
        StationReport.reason, StationReport.created_at, StationReport.resolved_at
    ).where(
        (StationReport.station == station.id)
        & (StationReport.created_at >= window.start)
        & (StationReport.created_at < window.end)
    )
    return station_figures(ReportFacts(**row) for row in rows)


async def station_report(
    actor: Actor, period: Period, *, community_slug: str = ""
) -> StationReportData:
    """Figures per station of the actor's communities (or of the one chosen) for `period`.

    Choosing a community the actor does not manage raises `Forbidden` (an unknown one,
    `NotFound`): nothing of another community is ever shown, not even as an empty report.
    """
    community = await managed_community(actor, community_slug) if community_slug else None
    stations = await stations_in_scope(actor, community)
    rows = [StationRow(station, await _figures_of(station, period)) for station in stations]
    return StationReportData(period, community, rows, combined(row.figures for row in rows))
