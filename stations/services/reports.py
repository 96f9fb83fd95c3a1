"""Station reports for staff: the problems couriers reported at each station over a period of
local dates, and how quickly staff resolved them (the figures: stations.logic.report_figures),
for the actor's communities or the one chosen."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from app.communities.services import managed_community
from app.permissions import Actor, staff_service
from app.queries import in_staff_scope
from app.reports import Period
from app.tables import Community
from stations.logic.report_figures import ReportFacts, StationFigures, combined, station_figures
from stations.tables import Station, StationReport


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
    else:
        query = query.where(in_staff_scope(actor, Station.community))
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


@staff_service
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
