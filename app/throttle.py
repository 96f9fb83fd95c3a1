"""Sliding-window throttling shared by every process: in the database, or in Redis if set.

An attempt is counted and judged in one atomic step (`reserve`): it is added to its
bucket, and if the bucket then holds more than the limit inside the window, it is taken
out again and refused. Checking first and recording after the work let parallel requests
all pass the check before any was recorded; counting under the bucket's lock (or inside
one Redis script) makes the limit exact however many processes ask at once.

Where only some outcomes should count (failed sign-ins), the caller reserves before the
work and gives the reservation back (`release`) when it succeeds, so honest people sharing
one address are never locked out by each other's successful sign-ins.
Buckets are keyed by a hash of the account or address, never the raw value.
"""

from __future__ import annotations

import asyncio
import hashlib
import math
import uuid
import weakref
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from app import metrics
from app.db import write_transaction
from app.errors import Throttled
from app.settings import get_settings
from app.tables import ThrottleEvent


@dataclass(frozen=True)
class Limit:
    name: str
    max_events: int
    """Attempts allowed inside `window`; the next one is refused. 0 disables the limit."""
    window: timedelta


class Backend(Protocol):
    async def reserve(
        self, bucket: str, limit: int, window: timedelta, now: datetime
    ) -> tuple[str | None, datetime | None]:
        """Count an attempt at `now` in `bucket` atomically: its handle when the bucket
        then holds at most `limit` attempts after `now - window`; otherwise `(None, t)`,
        the attempt not kept, `t` the time of the counted attempt whose leaving the window
        makes room again."""

    async def release(self, bucket: str, handle: str) -> None:
        """Take back one attempt `reserve` kept."""

    async def counted(self, bucket: str, since: datetime) -> int:
        """Attempts in `bucket` after `since`."""

    async def clear(self, bucket: str) -> None: ...


def _room_at(times: list[datetime], limit: int) -> datetime:
    """Of the other attempts counted (oldest first, at least `limit` of them), the one whose
    leaving the window brings them below `limit`."""
    return times[len(times) - limit]


class DatabaseBackend:
    """One row per attempt; attempts of one bucket are counted under the bucket's lock
    (`BEGIN IMMEDIATE` on SQLite, an advisory lock on PostgreSQL)."""

    async def reserve(
        self, bucket: str, limit: int, window: timedelta, now: datetime
    ) -> tuple[str | None, datetime | None]:
        since = now - window
        async with write_transaction(f"throttle:{bucket}"):
            await ThrottleEvent.delete().where(
                (ThrottleEvent.bucket == bucket) & (ThrottleEvent.occurred_at <= since)
            )
            event = ThrottleEvent(bucket=bucket, occurred_at=now)
            await event.save()
            others = await (
                ThrottleEvent.select(ThrottleEvent.occurred_at)
                .where(
                    (ThrottleEvent.bucket == bucket)
                    & (ThrottleEvent.occurred_at > since)
                    & (ThrottleEvent.id != event.id)
                )
                .order_by(ThrottleEvent.occurred_at)
            )
            if len(others) + 1 <= limit:
                return str(event.id), None
            await ThrottleEvent.delete().where(ThrottleEvent.id == event.id)
            return None, _room_at([row["occurred_at"] for row in others], limit)

    async def release(self, bucket: str, handle: str) -> None:
        await ThrottleEvent.delete().where(
            (ThrottleEvent.id == int(handle)) & (ThrottleEvent.bucket == bucket)
        )

    async def counted(self, bucket: str, since: datetime) -> int:
        return await ThrottleEvent.count().where(
            (ThrottleEvent.bucket == bucket) & (ThrottleEvent.occurred_at > since)
        )

    async def clear(self, bucket: str) -> None:
        await ThrottleEvent.delete().where(ThrottleEvent.bucket == bucket)


RESERVE_SCRIPT = """
local since = tonumber(ARGV[1]) - tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', since)
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[4])
local count = redis.call('ZCARD', KEYS[1])
local limit = tonumber(ARGV[3])
local room_at = false
if count > limit then
  redis.call('ZREM', KEYS[1], ARGV[4])
  local index = count - 1 - limit
  room_at = redis.call('ZRANGE', KEYS[1], index, index, 'WITHSCORES')[2]
end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return room_at
"""
"""KEYS[1]: the bucket's sorted set, scored by epoch milliseconds. ARGV: now (ms), window
(ms), limit, the attempt's member. Returns nil when the attempt is kept, else the score of
the counted attempt whose leaving makes room."""


class RedisBackend:
    """A sorted set per bucket, scored by epoch milliseconds, changed only by one script
    (Redis runs a script alone, so adding, counting and taking back cannot interleave);
    keys expire with their window."""

    def __init__(self, url: str, prefix: str = "linli:throttle:") -> None:
        self.url = url
        self.prefix = prefix
        self._clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, tuple[Any, Any]] = (
            weakref.WeakKeyDictionary()
        )

    def _client(self) -> tuple[Any, Any]:
        """The client of the running event loop (a connection serves only the loop that
        opened it) and the reserve script registered on it."""
        from redis.asyncio import Redis

        loop = asyncio.get_running_loop()
        pair = self._clients.get(loop)
        if pair is None:
            client = Redis.from_url(self.url)
            pair = self._clients[loop] = (client, client.register_script(RESERVE_SCRIPT))
        return pair

    def _key(self, bucket: str) -> str:
        return f"{self.prefix}{bucket}"

    async def reserve(
        self, bucket: str, limit: int, window: timedelta, now: datetime
    ) -> tuple[str | None, datetime | None]:
        _, script = self._client()
        member = uuid.uuid4().hex
        now_ms = _ms(now)
        room_at = await script(
            keys=[self._key(bucket)],
            args=[now_ms, int(window / timedelta(milliseconds=1)), limit, member],
        )
        if room_at is None:
            return member, None
        return None, now + timedelta(milliseconds=int(float(room_at)) - now_ms)

    async def release(self, bucket: str, handle: str) -> None:
        await self._client()[0].zrem(self._key(bucket), handle)

    async def counted(self, bucket: str, since: datetime) -> int:
        return int(await self._client()[0].zcount(self._key(bucket), f"({_ms(since)}", "+inf"))

    async def clear(self, bucket: str) -> None:
        await self._client()[0].delete(self._key(bucket))

    async def aclose(self) -> None:
        """Close the running loop's client (tests, whose loops end with each test)."""
        pair = self._clients.pop(asyncio.get_running_loop(), None)
        if pair is not None:
            await pair[0].aclose()


def _ms(moment: datetime) -> int:
    return round(moment.timestamp() * 1000)


_redis_backends: dict[str, RedisBackend] = {}


def backend() -> Backend:
    url = get_settings().site.redis_url
    if not url:
        return DatabaseBackend()
    if url not in _redis_backends:
        _redis_backends[url] = RedisBackend(url)
    return _redis_backends[url]


def bucket_for(limit: Limit, key: str) -> str:
    return f"{limit.name}:{hashlib.sha256(key.encode()).hexdigest()[:40]}"


@dataclass(frozen=True)
class Reservation:
    """Attempts `reserve` counted, to give back with `release` when they should not count."""

    held: tuple[tuple[Backend, str, str], ...] = ()
    """(backend, bucket, handle) of each attempt kept."""

    def __add__(self, other: Reservation) -> Reservation:
        return Reservation(self.held + other.held)


async def reserve(
    limit: Limit, key: str, now: datetime, detail: Callable[[int], str]
) -> Reservation:
    """Count this attempt against `limit` for `key`, or raise `Throttled` (the attempt not
    counted) when it would be one too many; `detail(minutes)` explains the wait."""
    if limit.max_events <= 0:
        return Reservation()
    store = backend()
    bucket = bucket_for(limit, key)
    handle, room_at = await store.reserve(bucket, limit.max_events, limit.window, now)
    if handle is not None:
        return Reservation(((store, bucket, handle),))
    assert room_at is not None
    metrics.throttled(limit.name)
    retry_after_s = max(1, math.ceil((room_at + limit.window - now).total_seconds()))
    raise Throttled(detail(max(1, math.ceil(retry_after_s / 60))), retry_after_s)


async def reserve_all(
    limits: Iterable[tuple[Limit, str]], now: datetime, detail: Callable[[int], str]
) -> Reservation:
    """`reserve` each (limit, key) in turn; when one refuses, those already counted are
    given back, so an attempt one limit refuses costs nothing against the others."""
    taken = Reservation()
    try:
        for limit, key in limits:
            taken += await reserve(limit, key, now, detail)
    except BaseException:
        await release(taken)
        raise
    return taken


async def release(reservation: Reservation) -> None:
    """Give back the attempts of `reservation` (releasing twice changes nothing)."""
    for store, bucket, handle in reservation.held:
        await store.release(bucket, handle)


async def counted(limit: Limit, key: str, now: datetime) -> int:
    """The attempts `limit` counts for `key` at `now`."""
    return await backend().counted(bucket_for(limit, key), now - limit.window)


async def clear(limit: Limit, key: str) -> None:
    await backend().clear(bucket_for(limit, key))


async def prune(now: datetime) -> None:
    """Housekeeping job: counted events older than any window (a day) are no longer needed."""
    await ThrottleEvent.delete().where(ThrottleEvent.occurred_at < now - timedelta(days=1))
