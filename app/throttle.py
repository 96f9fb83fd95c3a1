"""Sliding-window throttling shared by every process: in the database, or in Redis if set.

Only the events callers record count (failed sign-ins, registrations, codes sent), so honest
people sharing one address are never locked out by each other's successful sign-ins.
Buckets are keyed by a hash of the account or address, never the raw value.
"""

from __future__ import annotations

import asyncio
import hashlib
import math
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

from app.errors import Throttled
from app.settings import get_settings
from app.tables import ThrottleEvent


@dataclass(frozen=True)
class Limit:
    name: str
    max_events: int
    """Events allowed inside `window`; the next attempt is refused. 0 disables the limit."""
    window: timedelta


class Backend(Protocol):
    async def window(self, bucket: str, since: datetime) -> tuple[int, datetime | None]:
        """Events in `bucket` after `since`, and the oldest of them."""

    async def record(self, bucket: str, at: datetime, window: timedelta) -> None: ...

    async def clear(self, bucket: str) -> None: ...


class DatabaseBackend:
    async def window(self, bucket: str, since: datetime) -> tuple[int, datetime | None]:
        rows = (
            await ThrottleEvent.select(ThrottleEvent.occurred_at)
            .where((ThrottleEvent.bucket == bucket) & (ThrottleEvent.occurred_at > since))
            .order_by(ThrottleEvent.occurred_at)
        )
        return len(rows), (rows[0]["occurred_at"] if rows else None)

    async def record(self, bucket: str, at: datetime, window: timedelta) -> None:
        await ThrottleEvent.delete().where(
            (ThrottleEvent.bucket == bucket) & (ThrottleEvent.occurred_at <= at - window)
        )
        await ThrottleEvent.insert(ThrottleEvent(bucket=bucket, occurred_at=at))

    async def clear(self, bucket: str) -> None:
        await ThrottleEvent.delete().where(ThrottleEvent.bucket == bucket)


class RedisBackend:
    """A sorted set per bucket scored by epoch seconds; keys expire with their window."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, object] = (
            weakref.WeakKeyDictionary()
        )

    def _client(self):
        from redis.asyncio import Redis

        loop = asyncio.get_running_loop()
        client = self._clients.get(loop)
        if client is None:
            client = self._clients[loop] = Redis.from_url(self.url)
        return client

    @staticmethod
    def _key(bucket: str) -> str:
        return f"linli:throttle:{bucket}"

    async def window(self, bucket: str, since: datetime) -> tuple[int, datetime | None]:
        client = self._client()
        key = self._key(bucket)
        await client.zremrangebyscore(key, "-inf", since.timestamp())
        oldest = await client.zrange(key, 0, 0, withscores=True)
        count = await client.zcard(key)
        return count, (datetime.fromtimestamp(oldest[0][1], UTC) if oldest else None)

    async def record(self, bucket: str, at: datetime, window: timedelta) -> None:
        client = self._client()
        key = self._key(bucket)
        member = f"{at.timestamp()}:{id(object())}"
        async with client.pipeline(transaction=True) as pipe:
            pipe.zadd(key, {member: at.timestamp()})
            pipe.expire(key, int(window.total_seconds()) + 1)
            await pipe.execute()

    async def clear(self, bucket: str) -> None:
        await self._client().delete(self._key(bucket))


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


async def check(limit: Limit, key: str, now: datetime, detail: Callable[[int], str]) -> None:
    """Raise `Throttled` when `key` already used up `limit`; `detail(minutes)` explains it."""
    if limit.max_events <= 0:
        return
    count, oldest = await backend().window(bucket_for(limit, key), now - limit.window)
    if count < limit.max_events:
        return
    retry_after_s = limit.window.total_seconds()
    if oldest is not None:
        retry_after_s = (oldest + limit.window - now).total_seconds()
    retry_after_s = max(1, math.ceil(retry_after_s))
    raise Throttled(detail(max(1, math.ceil(retry_after_s / 60))), retry_after_s)


async def record(limit: Limit, key: str, now: datetime) -> None:
    if limit.max_events > 0:
        await backend().record(bucket_for(limit, key), now, limit.window)


async def clear(limit: Limit, key: str) -> None:
    await backend().clear(bucket_for(limit, key))


async def prune(now: datetime) -> None:
    """Housekeeping job: counted events older than any window (a day) are no longer needed."""
    await ThrottleEvent.delete().where(ThrottleEvent.occurred_at < now - timedelta(days=1))
