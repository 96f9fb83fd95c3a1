"""The staff station list: the actor's communities' stations with their open state now and
their open problem reports, narrowed by the list's filters (stations.logic.station_filters),
with how many stations each choice would keep."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from app.communities.services import managed_communities
from app.permissions import Actor
from app.queries import in_staff_scope
from app.tables import Community
from stations.logic.station_filters import StationFacts, StationFilters, keeps
from stations.queries.calendars import calendar_data, state_of
from stations.services.problem_reports import open_reports
from stations.tables import Station, StationReport


@dataclass
class StationRow:
    station: Station
    is_open: bool
    open_reports: int


@dataclass
class StationList:
    rows: list[StationRow]
    """The stations every filter keeps, by slug."""
    total: int
    """All the actor's stations, deactivated ones included."""
    communities: list[Community]
    counts: Counter[str] = field(default_factory=Counter)
    """Of all the actor's stations: `open`, `closed`, `reports` (with open reports) and
    `community:<slug>` for each community."""
    reports: list[StationReport] = field(default_factory=list)
    """The open reports themselves, oldest first."""


def _facts(station: Station, is_open: bool, reports: int) -> StationFacts:
    texts = (
        station.slug,
        station.name_zh,
        station.name_en,
        station.host_name_zh,
        station.host_name_en,
        station.address_zh,
        station.address_en,
    )
    return StationFacts(
        texts=texts,
        community=station.community.slug,
        is_open=is_open,
        open_reports=reports,
    )


async def station_list(actor: Actor, filters: StationFilters, *, now: datetime) -> StationList:
    """The actor's stations that `filters` keep, each with whether it is open at `now`."""
    stations = (
        await Station.objects(Station.community)
        .where(in_staff_scope(actor, Station.community))
        .order_by(Station.slug)
    )
    reports = await open_reports(actor)
    by_station: Counter[Any] = Counter(report.station.id for report in reports)
    data = await calendar_data([station.id for station in stations], now)
    counts: Counter[str] = Counter()
    rows = []
    for station in stations:
        is_open = state_of(station, data, now).state == "open"
        counts["open" if is_open else "closed"] += 1
        counts["reports"] += 1 if by_station[station.id] else 0
        counts[f"community:{station.community.slug}"] += 1
        if keeps(_facts(station, is_open, by_station[station.id]), filters):
            rows.append(StationRow(station, is_open, by_station[station.id]))
    return StationList(
        rows=rows,
        total=len(stations),
        communities=await managed_communities(actor),
        counts=counts,
        reports=reports,
    )
