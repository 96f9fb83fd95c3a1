"""Staff's view of a station's seats: its current check-ins, which of them count, and
clearing them (one that is wrong, or all after a day of abuse). Staff see times only, never
a device or an address.

Clearing ends a check-in as a check-out would, in one transaction with its audit entry, so
its seat is free at once and the row stays for the station's figures. Staff reach only their
own communities' stations; anyone else gets `Forbidden` and nothing changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from app import audit
from app.db import write_transaction
from app.errors import NotFound
from app.i18n import _
from app.permissions import Actor, staff_service
from stations.logic.permissions import can_clear_check_ins, can_see_check_ins, refuse_unless
from stations.logic.seats import ActiveCheckIn, SeatCount, counted_check_ins, seat_count
from stations.queries.stations import active_check_ins, community_id_of, current_at
from stations.tables import CheckIn, Station


@dataclass(frozen=True)
class CheckInView:
    """One current check-in as staff see it."""

    id: int
    checked_in_at: datetime
    expires_at: datetime
    counted: bool
    """Whether it holds one of the seats couriers are shown as taken."""


@dataclass(frozen=True)
class StationSeats:
    """A station's seats and current check-ins, earliest first."""

    seats: int
    seats_count: SeatCount
    check_ins: list[CheckInView]


@staff_service
async def station_seats(actor: Actor, station: Station, *, now: datetime) -> StationSeats:
    """The station's current check-ins, each marked counted or not, and its free seats."""
    refuse_unless(can_see_check_ins(actor, community_id_of(station)))
    seats, reserve = station.seats_total, station.walk_in_reserve
    rows = await active_check_ins(station.id, now)
    counted = counted_check_ins(
        [ActiveCheckIn(row.id, row.address_hash, row.checked_in_at) for row in rows],
        seats,
        reserve,
    )
    per_address: dict[str, int] = {}
    for row in rows:
        per_address[row.address_hash] = per_address.get(row.address_hash, 0) + 1
    return StationSeats(
        seats=seats,
        seats_count=seat_count(seats, reserve, per_address.values()),
        check_ins=[
            CheckInView(row.id, row.checked_in_at, row.expires_at, row.id in counted)
            for row in rows
        ],
    )


@staff_service
async def clear_check_in(
    actor: Actor, station: Station, check_in_id: int, *, now: datetime
) -> bool:
    """End one check-in at the station; False when it had already ended. `NotFound` when
    the station has no check-in with this id."""
    refuse_unless(can_clear_check_ins(actor, community_id_of(station)))
    async with write_transaction(f"station:{station.id}"):
        row = (
            await CheckIn.objects()
            .where((CheckIn.id == check_in_id) & (CheckIn.station == station.id))
            .first()
        )
        if row is None:
            raise NotFound(_("There is no such check-in at this station."))
        if row.checked_out_at is not None or row.expires_at <= now:
            return False
        await CheckIn.update({CheckIn.checked_out_at: now}).where(CheckIn.id == row.id)
        await audit.record(
            actor_id=actor.id,
            action="station.checkin_clear",
            subject_type="station",
            subject_id=station.slug,
            community_id=community_id_of(station),
            before={
                "check_in": row.id,
                "checked_in_at": row.checked_in_at.isoformat(),
                "expires_at": row.expires_at.isoformat(),
            },
            after={"check_in": row.id, "ended_at": now.isoformat()},
            now=now,
        )
    return True


@staff_service
async def clear_check_ins(actor: Actor, station: Station, *, now: datetime) -> int:
    """End every current check-in at the station; returns how many ended."""
    refuse_unless(can_clear_check_ins(actor, community_id_of(station)))
    async with write_transaction(f"station:{station.id}"):
        ended = (
            await CheckIn.update({CheckIn.checked_out_at: now})
            .where(current_at(station.id, now))
            .returning(CheckIn.id)
        )
        cleared = len(ended)
        if not cleared:
            return 0
        await audit.record(
            actor_id=actor.id,
            action="station.checkins_clear",
            subject_type="station",
            subject_id=station.slug,
            community_id=community_id_of(station),
            before={"check_ins": cleared},
            after={"check_ins": 0},
            now=now,
        )
    return cleared
