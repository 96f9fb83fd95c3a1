"""The couriers' page's searches and its list of places, kept in the process and keyed by
the stations' generation: one statement a request while nothing changes.

Fresh by construction, on one process or eight:
- **Changes.** Triggers move `station_generation` in the same transaction as every change
  to what a search or the list of places reads (stations with their amenities, hours,
  closures and dated hours; check-ins; public holidays; landmarks; communities: see the
  migration `stations_2026_12_07t09_55_00_000000`). Every request reads the generation
  first, so a kept answer is only ever used under the generation it was computed under.
- **Time.** A kept search also holds until when it stays true at the same generation
  (`unchanged_until`): the next whole minute (opening hours and a time's day change only
  there), the next moment any state it evaluated changes or any count of minutes to such a
  change ticks, and the next expiry of a check-in it counted.

A kept search carries no dated services (`NearbyStation.services_next` stays empty): the
page does not list them, and the triggers do not watch them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from app.cache import VersionedCache
from app.db import fetch_by_key
from app.i18n import current_locale
from stations.logic.nearby import NearbyQuery
from stations.services import catalog, nearby
from stations.tables import CheckIn

MINUTE = timedelta(minutes=1)


async def generation() -> int:
    """The stations' generation (one statement, the table's one row, read by key)."""
    rows = await fetch_by_key("SELECT generation FROM station_generation")
    return int(rows[0]["generation"])


_places: VersionedCache[list[catalog.Place]] = VersionedCache(max_entries=64)


async def places(generation: int) -> list[catalog.Place]:
    """`catalog.places()` in the viewer's language, read once per generation."""
    key = (generation, current_locale())
    found = _places.get(key)
    if found is None:
        found = await catalog.places()
        _places.put(key, found)
    return found


@dataclass(frozen=True)
class _Kept:
    result: nearby.NearbyResult
    since: datetime
    until: datetime


_searches: VersionedCache[_Kept] = VersionedCache(max_entries=256)
"""Kept searches, at most about 90 KB each (25 stations' rows): at most about 25 MB a
process however many positions are searched from."""


def next_tick(moment: datetime, now: datetime) -> datetime:
    """The first instant after `now` at which a whole number of minutes passes before
    `moment` (`moment` itself at the latest): where "in N minutes" until it changes."""
    left = (moment - now) % MINUTE
    return now + (left if left else MINUTE)


def unchanged_until(
    changes: Iterable[datetime], expiries: Iterable[datetime], now: datetime
) -> datetime:
    """Until when a search computed at `now` stays true while its generation does not move:
    the next whole minute, the next tick of any of its `changes`, the first check-in
    expiry it counted."""
    whole = now.replace(second=0, microsecond=0) + MINUTE
    ticks = [next_tick(moment, now) for moment in changes if moment > now]
    return min([whole, *ticks, *(moment for moment in expiries if moment > now)])


async def next_expiries(station_ids: list[int], now: datetime) -> list[datetime]:
    """When the first running check-in of these stations expires (empty when none runs)."""
    if not station_ids:
        return []
    rows = (
        await CheckIn.select(CheckIn.expires_at)
        .where(
            CheckIn.station.is_in(station_ids)
            & (CheckIn.expires_at > now)
            & CheckIn.checked_out_at.is_null()
        )
        .order_by(CheckIn.expires_at)
        .limit(1)
    )
    return [row["expires_at"] for row in rows]


async def search(
    query: NearbyQuery, *, now: datetime, generation: int, widen: bool = False
) -> nearby.NearbyResult:
    """`nearby.search(query, now=now, widen=widen)` without dated services, computed once
    per generation and while its answer holds (`unchanged_until`)."""
    if query.at is not None:
        return await nearby.search(query, now=now, widen=widen, services=False)
    key = (generation, query, widen)
    kept = _searches.get(key)
    if kept is not None and kept.since <= now < kept.until:
        return replace(kept.result, at=now)
    result = await nearby.search(query, now=now, widen=widen, services=False)
    counted = [
        found.row["id"] for found in [*result.stations, *result.later] if found.row["checked_in"]
    ]
    until = unchanged_until(result.changes, await next_expiries(counted, now), now)
    _searches.put(key, _Kept(result, now, until))
    return result
