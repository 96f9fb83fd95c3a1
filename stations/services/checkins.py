"""A courier's anonymous check-in at a station (one tap, no account) and check-out: it
holds a seat until it ends by itself or the courier leaves."""

from __future__ import annotations

from datetime import datetime, timedelta

from app import throttle
from app.db import write_transaction
from stations.logic.devices import device_hash
from stations.logic.labels import try_again_in
from stations.tables import CheckIn, Station

CHECK_IN_LIFETIME = timedelta(minutes=60)
"""A check-in ends by itself after this long, so a forgotten one frees its seat."""
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
        return await _take_seat(station, device, now)
    except BaseException:
        await throttle.release(held)
        raise


async def _take_seat(station: Station, device: str, now: datetime) -> CheckIn:
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
