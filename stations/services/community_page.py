"""The stations' section of a community's public page: its active rest stations."""

from __future__ import annotations

from datetime import datetime

from app.domains import Panel
from app.i18n import N_
from app.tables import Community
from stations.tables import Station

LISTED = 20
"""Stations the community's page lists at most; the rest are a link to the stations near
the community."""


async def community_page(community: Community, now: datetime) -> list[Panel]:
    """One section listing the community's rest stations (the first `LISTED` by slug), or
    none when it has none."""
    active = (Station.community == community.id) & (Station.active == True)  # noqa: E712
    stations = (
        await Station.select(
            Station.slug,
            Station.name_zh,
            Station.name_en,
            Station.address_zh,
            Station.address_en,
        )
        .where(active)
        .order_by(Station.slug)
        .limit(LISTED)
    )
    if not stations:
        return []
    more = await Station.count().where(active) - len(stations)
    context = {"stations": stations, "more": more, "near": f"community:{community.slug}"}
    return [Panel(N_("Rest stations"), "stations/_community.html", context)]
