"""STAND-IN until the spaces/stations restructure lands; on merge keep the stations
branch's `stations/services/catalog.py` (which defines the same `station_ref`).

Reads of stations that other domains may use."""

from __future__ import annotations

from stations.logic.refs import StationRef
from stations.tables import Station


async def station_ref(slug: str) -> StationRef | None:
    """The active station at `slug` as a plain value, or None when there is none."""
    row = (
        await Station.select(
            Station.slug,
            Station.name_zh,
            Station.name_en,
            Station.community,
            Station.community.slug.as_alias("community_slug"),
        )
        .where((Station.slug == slug) & (Station.active == True))  # noqa: E712
        .first()
    )
    if row is None:
        return None
    return StationRef(
        slug=row["slug"],
        name_zh=row["name_zh"],
        name_en=row["name_en"],
        community_id=row["community"],
        community_slug=row["community_slug"],
    )
