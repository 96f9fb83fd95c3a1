"""The stations' section of a community's public page: its active rest stations."""

from __future__ import annotations

from datetime import datetime

from app.domains import Panel
from app.i18n import N_
from app.tables import Community
from stations.tables import Station


async def community_page(community: Community, now: datetime) -> list[Panel]:
    """One section listing the community's rest stations, or none when it has none."""
    stations = (
        await Station.select(
            Station.slug,
            Station.name_zh,
            Station.name_en,
            Station.address_zh,
            Station.address_en,
        )
        .where((Station.community == community.id) & (Station.active == True))  # noqa: E712
        .order_by(Station.slug)
    )
    if not stations:
        return []
    return [Panel(N_("Rest stations"), "stations/_community.html", {"stations": stations})]
