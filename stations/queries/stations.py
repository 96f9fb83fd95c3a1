"""Reads and writes of a station several services share: its free seats and current
check-ins, its amenities, and the version and working-amenities mask that every change keeps
in step."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app.db import placeholders
from stations.logic.amenities import AMENITIES, BITS
from stations.logic.kinds import AmenityStatus
from stations.logic.seats import SeatCount, seat_count
from stations.queries import open_weeks
from stations.tables import CheckIn, Station, StationAmenity


async def seat_counts(
    seating: Mapping[int, tuple[int, int]], now: datetime
) -> dict[int, SeatCount]:
    """Free and kept seats per station, for stations given as `{id: (seats, walk-in
    reserve)}`, from their active check-ins counted per client address
    (stations.logic.seats)."""
    if not seating:
        return {}
    station_ids = list(seating)
    rows = await CheckIn.raw(
        "SELECT station, address_hash, COUNT(*) AS check_ins FROM check_in "
        f"WHERE station IN ({placeholders(len(station_ids))}) "
        "AND expires_at > {} AND checked_out_at IS NULL GROUP BY station, address_hash",
        *station_ids,
        now,
    )
    per_address: dict[int, list[int]] = {station_id: [] for station_id in station_ids}
    for row in rows:
        per_address[row["station"]].append(row["check_ins"])
    return {
        station_id: seat_count(seats, reserve, per_address[station_id])
        for station_id, (seats, reserve) in seating.items()
    }


def current_at(station_id: Any, now: datetime) -> Any:
    """Where: the station's check-ins that have neither ended nor expired at `now`."""
    return (
        (CheckIn.station == station_id)
        & (CheckIn.expires_at > now)
        & CheckIn.checked_out_at.is_null()
    )


async def active_check_ins(station_id: Any, now: datetime) -> list[CheckIn]:
    """The station's check-ins that have neither ended nor expired, earliest first."""
    return (
        await CheckIn.objects()
        .where(current_at(station_id, now))
        .order_by(CheckIn.checked_in_at)
        .order_by(CheckIn.id)
    )


@dataclass
class AmenityView:
    key: str
    label: str
    """A message id."""
    quantity: int | None
    working: bool
    note: str


async def amenities_of(station: Station) -> list[AmenityView]:
    """The station's amenities, in the order of `AMENITIES`."""
    rows = {
        row.kind: row
        for row in await StationAmenity.objects().where(StationAmenity.station == station.id)
    }
    return [
        AmenityView(key, label, rows[key].quantity, rows[key].status == "working", rows[key].note)
        for key, label in AMENITIES.items()
        if key in rows
    ]


async def touch(station_id: Any) -> None:
    """Mark the station's hours or amenities as changed and rebuild its opening week (call
    inside the transaction)."""
    await Station.update({Station.version: Station.version + 1}).where(Station.id == station_id)
    await open_weeks.rebuild([station_id])


async def refresh_amenity_mask(station_id: Any) -> None:
    """Recompute the station's working-amenities mask and seat count from its amenities."""
    rows = await StationAmenity.select(
        StationAmenity.kind, StationAmenity.status, StationAmenity.quantity
    ).where(StationAmenity.station == station_id)
    mask = 0
    seats = 0
    for row in rows:
        if row["status"] == AmenityStatus.working.value and row["kind"] in BITS:
            mask |= BITS[row["kind"]]
            if row["kind"] == "seats":
                seats = row["quantity"] or 0
    await Station.update({Station.amenities_working: mask, Station.seats_total: seats}).where(
        Station.id == station_id
    )


def community_id_of(station: Station) -> int:
    """The id of the station's community, whether the row has it joined or not."""
    community: Any = station.community
    return int(getattr(community, "id", community))
