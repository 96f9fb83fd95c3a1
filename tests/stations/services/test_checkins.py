"""A courier's anonymous check-in holds a seat until it ends or the courier leaves; one
client address holds at most a third of a station's seats; online check-ins leave the
walk-in reserve alone; check-ins are throttled per device."""

import asyncio
import hashlib
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from app import throttle
from stations.logic.devices import device_hash
from stations.logic.seats import SeatCount
from stations.queries.stations import seat_counts
from stations.services import checkins
from stations.tables import CheckIn, Station
from tests.factories import make_community, make_station
from tests.parallel import at_once

ZONE = ZoneInfo("Asia/Shanghai")
SQUARE_LAT = 36.1950
MONDAY_NOON = datetime(2026, 3, 2, 12, 0, tzinfo=ZONE)


async def free_seats(station: Station, at: datetime) -> SeatCount:
    current = await Station.objects().where(Station.id == station.id).first()
    seating = {current.id: (current.seats_total, current.walk_in_reserve)}
    return (await seat_counts(seating, at))[current.id]


def device(n: int) -> str:
    return f"device-{n:02d}-" + "x" * 20


async def test_check_ins_fill_seats_and_expire(db: None) -> None:
    home = await make_community()
    one = await make_station(home, "one")
    two = await make_station(home, "two", lat=SQUARE_LAT + 0.001)

    async def seats(station: Station, at: datetime) -> int:
        return (await free_seats(station, at)).free

    await checkins.check_in(one, "device-a" * 3, client_ip="198.51.100.1", now=MONDAY_NOON)
    await checkins.check_in(one, "device-b" * 3, client_ip="198.51.100.2", now=MONDAY_NOON)
    assert await seats(one, MONDAY_NOON) == 2
    # Checking in again at the same station extends; elsewhere, it moves.
    await checkins.check_in(
        one, "device-a" * 3, client_ip="198.51.100.1", now=MONDAY_NOON + timedelta(minutes=30)
    )
    assert await seats(one, MONDAY_NOON + timedelta(minutes=30)) == 2
    await checkins.check_in(
        two, "device-b" * 3, client_ip="198.51.100.2", now=MONDAY_NOON + timedelta(minutes=31)
    )
    assert (
        await seats(one, MONDAY_NOON + timedelta(minutes=31)),
        await seats(two, MONDAY_NOON + timedelta(minutes=31)),
    ) == (3, 3)
    # Device a's check-in was extended to 14:00; after that it frees itself.
    assert await seats(one, MONDAY_NOON + timedelta(minutes=119)) == 3
    assert await seats(one, MONDAY_NOON + timedelta(minutes=120)) == 4
    assert await checkins.check_out("device-b" * 3, now=MONDAY_NOON + timedelta(minutes=40)) is True
    assert await seats(two, MONDAY_NOON + timedelta(minutes=40)) == 4
    assert (
        await checkins.check_out("device-b" * 3, now=MONDAY_NOON + timedelta(minutes=41)) is False
    )


async def test_a_check_in_ends_exactly_ninety_minutes_later(db: None) -> None:
    station = await make_station(await make_community(), "one")
    made = await checkins.check_in(station, device(1), client_ip="198.51.100.1", now=MONDAY_NOON)
    assert made.expires_at == datetime(2026, 3, 2, 13, 30, tzinfo=ZONE)
    last_moment = MONDAY_NOON + timedelta(minutes=90) - timedelta(microseconds=1)
    assert (await free_seats(station, last_moment)).free == 3
    assert await checkins.active_check_in(made.device_hash, last_moment) is not None
    ended = MONDAY_NOON + timedelta(minutes=90)
    assert (await free_seats(station, ended)).free == 4
    assert await checkins.active_check_in(made.device_hash, ended) is None


async def test_a_new_device_for_each_check_in_takes_a_third_of_the_seats(db: None) -> None:
    """The break: one person dropping the device cookie before each check-in took a station
    from 8 free seats to 0. Now the address holds ⌈8/3⌉ = 3; the rest are recorded only."""
    station = await make_station(await make_community(), "eight", amenities={"seats": 8})
    for n in range(8):
        await checkins.check_in(station, device(n), client_ip="198.51.100.1", now=MONDAY_NOON)
    assert await CheckIn.count() == 8
    assert await free_seats(station, MONDAY_NOON) == SeatCount(free=5, kept=0)
    # Others from other addresses still fill the seats left, one each.
    for n in range(5):
        await checkins.check_in(
            station, device(10 + n), client_ip=f"198.51.100.{10 + n}", now=MONDAY_NOON
        )
    assert await free_seats(station, MONDAY_NOON) == SeatCount(free=0, kept=0)


@pytest.mark.parametrize(("seats", "cap"), [(1, 1), (3, 1), (4, 2), (6, 2), (7, 3), (10, 4)])
async def test_one_address_holds_exactly_its_cap(db: None, seats: int, cap: int) -> None:
    station = await make_station(await make_community(), "s", amenities={"seats": seats})
    for n in range(cap):
        await checkins.check_in(station, device(n), client_ip="2001:db8::1", now=MONDAY_NOON)
    assert (await free_seats(station, MONDAY_NOON)).free == seats - cap
    # Another address of the same IPv6 /64 is the same subscriber: not counted.
    await checkins.check_in(station, device(cap), client_ip="2001:db8::2", now=MONDAY_NOON)
    assert (await free_seats(station, MONDAY_NOON)).free == seats - cap


async def test_when_a_counted_check_in_ends_the_next_from_its_address_counts(db: None) -> None:
    station = await make_station(await make_community(), "three", amenities={"seats": 3})
    for n in range(2):
        await checkins.check_in(
            station,
            device(n),
            client_ip="198.51.100.1",
            now=MONDAY_NOON + timedelta(minutes=n),
        )
    assert (await free_seats(station, MONDAY_NOON + timedelta(minutes=5))).free == 2
    await checkins.check_out(device(0), now=MONDAY_NOON + timedelta(minutes=5))
    assert (await free_seats(station, MONDAY_NOON + timedelta(minutes=5))).free == 2
    await checkins.check_out(device(1), now=MONDAY_NOON + timedelta(minutes=6))
    assert (await free_seats(station, MONDAY_NOON + timedelta(minutes=6))).free == 3


async def test_check_ins_from_one_address_at_once_count_no_more_than_its_cap(
    db: None,
) -> None:
    station = await make_station(await make_community(), "six", amenities={"seats": 6})
    await asyncio.gather(
        *[
            checkins.check_in(station, device(n), client_ip="198.51.100.1", now=MONDAY_NOON)
            for n in range(12)
        ]
    )
    assert await CheckIn.count() == 12
    assert (await free_seats(station, MONDAY_NOON)).free == 4


async def test_online_check_ins_leave_the_walk_in_reserve(db: None) -> None:
    station = await make_station(
        await make_community(), "four", amenities={"seats": 4}, walk_in_reserve=1
    )
    assert await free_seats(station, MONDAY_NOON) == SeatCount(free=3, kept=1)
    for n in range(4):
        await checkins.check_in(station, device(n), client_ip=f"198.51.100.{n}", now=MONDAY_NOON)
    assert await free_seats(station, MONDAY_NOON) == SeatCount(free=0, kept=1)
    # Seats lowered below the reserve (on the amenities page): all of them are kept.
    await Station.update({Station.seats_total: 0, Station.walk_in_reserve: 5}).where(
        Station.id == station.id
    )
    assert await free_seats(station, MONDAY_NOON) == SeatCount(free=0, kept=0)


async def test_the_address_is_kept_only_as_a_keyed_hash(db: None) -> None:
    station = await make_station(await make_community(), "one")
    await checkins.check_in(station, device(1), client_ip="198.51.100.1", now=MONDAY_NOON)
    await checkins.check_in(station, device(2), client_ip="::ffff:198.51.100.1", now=MONDAY_NOON)
    await checkins.check_in(station, device(3), client_ip="198.51.100.2", now=MONDAY_NOON)
    rows = await CheckIn.select().order_by(CheckIn.id)
    hashes = [row["address_hash"] for row in rows]
    assert hashes[0] == hashes[1] != hashes[2]
    assert len(hashes[0]) == 64
    assert hashes[0] != hashlib.sha256(b"198.51.100.1").hexdigest()
    assert all("198.51.100" not in str(value) for row in rows for value in row.values())


async def test_check_ins_are_throttled_per_device(db: None) -> None:
    from app.errors import Throttled

    home = await make_community()
    stations = [await make_station(home, f"s-{n}", lat=SQUARE_LAT + n * 0.001) for n in range(2)]
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


async def test_check_ins_that_ended_over_a_day_ago_are_deleted_with_their_hashes(
    db: None,
) -> None:
    station = await make_station(await make_community(), "one")
    expired = await checkins.check_in(
        station, device(1), client_ip="198.51.100.1", now=MONDAY_NOON
    )  # ends by itself at 13:30
    left = await checkins.check_in(station, device(2), client_ip="198.51.100.2", now=MONDAY_NOON)
    await checkins.check_out(device(2), now=MONDAY_NOON + timedelta(minutes=10))  # 12:10
    later = MONDAY_NOON + timedelta(hours=25)
    current = await checkins.check_in(station, device(3), client_ip="198.51.100.3", now=later)
    await checkins.prune(MONDAY_NOON + timedelta(days=1, minutes=11))
    assert {row.id for row in await CheckIn.objects()} == {expired.id, current.id}
    await checkins.prune(MONDAY_NOON + timedelta(days=1, minutes=91))
    assert {row.id for row in await CheckIn.objects()} == {current.id}
    assert left.id not in {row.id for row in await CheckIn.objects()}
