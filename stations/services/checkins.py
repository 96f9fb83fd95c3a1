"""A courier's anonymous check-in at a station (one tap, no account) and check-out: it
holds a seat until it ends by itself or the courier leaves.

Each check-in keeps a keyed hash of the client's address, never the address: one address
holds at most a third of a station's seats, whatever devices it checks in as, and further
check-ins from it are recorded without being counted (stations.logic.seats decides which
count, when seats are counted)."""

from __future__ import annotations

from datetime import datetime, timedelta

from app import throttle
from app.db import stored_secret_key, write_transaction
from app.scheduler import Job
from app.settings import get_settings
from stations.logic.devices import address_hash, device_hash
from stations.logic.labels import try_again_in
from stations.tables import CheckIn, Station

CHECK_IN_LIFETIME = timedelta(minutes=90)
"""A check-in ends by itself after this long, so a forgotten one frees its seat."""
KEEP_ENDED_FOR = timedelta(days=1)
"""An ended check-in (with its device and address hashes) is deleted after this long:
nothing reads it once it holds no seat."""
LIFETIME_MINUTES = int(CHECK_IN_LIFETIME.total_seconds() // 60)
"""The same, as couriers are told it."""
CHECK_INS_PER_DEVICE = throttle.Limit("checkin-device", 20, timedelta(hours=1))
CHECK_INS_PER_ADDRESS = throttle.Limit("checkin-address", 120, timedelta(hours=1))


async def active_check_in(device: str, now: datetime) -> CheckIn | None:
    """The device's current check-in anywhere, if any."""
    return (
        await CheckIn.objects()
        .where(
            (CheckIn.device_hash == device)
            & (CheckIn.expires_at > now)
            & CheckIn.checked_out_at.is_null()
        )
        .first()
    )


async def _address_hash(client_ip: str) -> str:
    """The client address as a check-in keeps it, keyed with the site's secret key."""
    key = get_settings().site.secret_key or await stored_secret_key() or ""
    return address_hash(client_ip, key)


async def check_in(
    station: Station, device_token: str, *, client_ip: str, now: datetime
) -> CheckIn:
    """Take a seat: one tap, no account. Checking in elsewhere ends the earlier check-in;
    checking in again here extends it."""
    device = device_hash(device_token)
    held = await throttle.reserve_all(
        [(CHECK_INS_PER_DEVICE, device), (CHECK_INS_PER_ADDRESS, client_ip)], now, try_again_in
    )
    try:
        return await _take_seat(station, device, await _address_hash(client_ip), now)
    except BaseException:
        await throttle.release(held)
        raise


async def _take_seat(station: Station, device: str, address: str, now: datetime) -> CheckIn:
    async with write_transaction(f"checkin:{device}"):
        current = await active_check_in(device, now)
        if current is not None and current.station == station.id:
            await CheckIn.update({CheckIn.expires_at: now + CHECK_IN_LIFETIME}).where(
                CheckIn.id == current.id
            )
            current.expires_at = now + CHECK_IN_LIFETIME
            return current
        if current is not None:
            await CheckIn.update({CheckIn.checked_out_at: now}).where(CheckIn.id == current.id)
        row = CheckIn(
            station=station.id,
            device_hash=device,
            address_hash=address,
            checked_in_at=now,
            expires_at=now + CHECK_IN_LIFETIME,
        )
        await row.save()
    return row


async def check_out(device_token: str, *, now: datetime) -> bool:
    """End the device's check-in; False when there was none."""
    device = device_hash(device_token)
    current = await active_check_in(device, now)
    if current is None:
        return False
    await CheckIn.update({CheckIn.checked_out_at: now}).where(CheckIn.id == current.id)
    return True


async def prune(now: datetime) -> None:
    """Scheduled: delete check-ins that ended, by themselves or by leaving, over a day ago."""
    cutoff = now - KEEP_ENDED_FOR
    await CheckIn.delete().where(
        (CheckIn.expires_at < cutoff)
        | (CheckIn.checked_out_at.is_not_null() & (CheckIn.checked_out_at < cutoff))
    )


JOBS = [Job("stations.checkins_prune", timedelta(hours=6), prune)]
