"""A courier's anonymous check-in holds a seat until it ends or the courier leaves; check-ins
are throttled per device."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from app import throttle
from stations.logic.devices import device_hash
from stations.logic.geo import Point
from stations.queries.stations import seats_taken
from stations.services import checkins
from stations.tables import Station
from tests.factories import make_community, make_station
from tests.parallel import at_once

ZONE = ZoneInfo("Asia/Shanghai")
SQUARE = Point(36.1950, 113.1160)
MONDAY_NOON = datetime(2026, 3, 2, 12, 0, tzinfo=ZONE)


async def test_check_ins_fill_seats_and_expire(db: None) -> None:
    home = await make_community()
    one = await make_station(home, "one")
    two = await make_station(home, "two", lat=SQUARE.lat + 0.001)

    async def seats(station: Station, at: datetime) -> int:
        return station.seats_total - (await seats_taken([station.id], at)).get(station.id, 0)

    await checkins.check_in(one, "device-a" * 3, client_ip="198.51.100.1", now=MONDAY_NOON)
    await checkins.check_in(one, "device-b" * 3, client_ip="198.51.100.1", now=MONDAY_NOON)
    assert await seats(one, MONDAY_NOON) == 2
    # Checking in again at the same station extends; elsewhere, it moves.
    await checkins.check_in(
        one, "device-a" * 3, client_ip="198.51.100.1", now=MONDAY_NOON + timedelta(minutes=30)
    )
    assert await seats(one, MONDAY_NOON + timedelta(minutes=30)) == 2
    await checkins.check_in(
        two, "device-b" * 3, client_ip="198.51.100.1", now=MONDAY_NOON + timedelta(minutes=31)
    )
    assert (
        await seats(one, MONDAY_NOON + timedelta(minutes=31)),
        await seats(two, MONDAY_NOON + timedelta(minutes=31)),
    ) == (3, 3)
    # Device a's check-in was extended to 13:30; after that it frees itself.
    assert await seats(one, MONDAY_NOON + timedelta(minutes=89)) == 3
    assert await seats(one, MONDAY_NOON + timedelta(minutes=91)) == 4
    assert await checkins.check_out("device-b" * 3, now=MONDAY_NOON + timedelta(minutes=40)) is True
    assert await seats(two, MONDAY_NOON + timedelta(minutes=40)) == 4
    assert (
        await checkins.check_out("device-b" * 3, now=MONDAY_NOON + timedelta(minutes=41)) is False
    )


async def test_check_ins_are_throttled_per_device(db: None) -> None:
    from app.errors import Throttled

    home = await make_community()
    stations = [await make_station(home, f"s-{n}", lat=SQUARE.lat + n * 0.001) for n in range(2)]
    for n in range(20):
        await checkins.check_in(
            stations[n % 2], "device-z" * 3, client_ip="198.51.100.9", now=MONDAY_NOON
        )
    with pytest.raises(Throttled):
        await checkins.check_in(
            stations[0], "device-z" * 3, client_ip="198.51.100.9", now=MONDAY_NOON
        )


async def test_fifty_check_ins_at_once_from_one_device_pass_exactly_twenty(
    throttle_backend: object,
) -> None:
    home = await make_community()
    station = await make_station(home, "s")

    async def attempt(index: int) -> None:
        await checkins.check_in(
            station, "device-z" * 3, client_ip=f"198.51.100.{index}", now=MONDAY_NOON
        )

    assert at_once(attempt) == {"ok": 20, "Throttled": 30}


async def test_fifty_check_ins_at_once_from_one_address_pass_exactly_its_limit(
    throttle_backend: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    limit = checkins.CHECK_INS_PER_ADDRESS
    monkeypatch.setattr(
        checkins, "CHECK_INS_PER_ADDRESS", throttle.Limit(limit.name, 7, limit.window)
    )
    home = await make_community()
    station = await make_station(home, "s")

    async def attempt(index: int) -> None:
        await checkins.check_in(
            station, f"device-{index:04d}" * 2, client_ip="198.51.100.9", now=MONDAY_NOON
        )

    assert at_once(attempt) == {"ok": 7, "Throttled": 43}
    # Those refused by the address's limit cost their devices nothing.
    per_device = [
        await throttle.counted(
            checkins.CHECK_INS_PER_DEVICE, device_hash(f"device-{index:04d}" * 2), MONDAY_NOON
        )
        for index in range(50)
    ]
    assert sum(per_device) == 7
