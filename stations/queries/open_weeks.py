"""Building each station's precomputed opening week (stations.logic.open_week) and reading
it back. Every writer that bumps `Station.version` rebuilds it in the same transaction,
stamping `open_week_version` with the version it was built for; a row whose stamp differs
from its version is never trusted (nearby search computes the full calendar instead)."""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

from app.cache import VersionedCache
from app.calendar import WeeklyHours
from app.db import batches, placeholders
from stations.logic.open_week import OpenWeek, build
from stations.tables import Station

BATCH = 500
"""Stations per statement: far below either engine's limit on parameters."""


async def rebuild(station_ids: list[int] | None = None) -> int:
    """Rebuild the open week of the stations `station_ids` (every station when None) from
    their weekly hours; call inside the transaction that changed them. Raw SQL on the
    columns it needs only, so that migrations may call it. Returns how many stations were
    rebuilt."""
    where, args = "", []
    if station_ids is not None:
        if not station_ids:
            return 0
        where, args = f" WHERE id IN ({placeholders(len(station_ids))})", list(station_ids)
    stations = await Station.raw(f"SELECT id, weekly_hours FROM station{where}", *args)
    by_text: dict[str, list[int]] = defaultdict(list)
    for row in stations:
        weekly = row["weekly_hours"]
        if isinstance(weekly, str):
            weekly = json.loads(weekly) if weekly else {}
        by_text[build(WeeklyHours.parse(weekly or {})).to_json()].append(row["id"])
    # Stations with the same hours share one statement.
    for text, ids in by_text.items():
        for chunk in batches(ids, BATCH):
            await Station.raw(
                "UPDATE station SET open_week = {}, open_week_version = version "
                f"WHERE id IN ({placeholders(len(chunk))})",
                text,
                *chunk,
            )
    return len(stations)


_weeks: VersionedCache[OpenWeek] = VersionedCache(max_entries=20_000)


def open_week_of(row: dict[str, Any]) -> OpenWeek | None:
    """The row's open week when it was built for the row's version, else None; parsed
    once per process and version."""
    if row["open_week_version"] != row["version"] or not row["open_week"]:
        return None
    key = (row["id"], row["created_at"], row["version"])
    week = _weeks.get(key)
    if week is None:
        week = OpenWeek.from_json(row["open_week"])
        _weeks.put(key, week)
    return week
