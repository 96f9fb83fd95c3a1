from datetime import datetime, timedelta

import pytest

from app import throttle
from app.errors import Throttled
from tests.factories import NOW

LIMIT = throttle.Limit("test-limit", 3, timedelta(minutes=15))


def _wait(minutes: int) -> str:
    return f"wait {minutes} min"


async def window(limit: throttle.Limit, key: str, now: datetime) -> tuple[int, datetime | None]:
    """The events of `key` that `limit` counts at `now`, and the oldest of them."""
    return await throttle.backend().window(throttle.bucket_for(limit, key), now - limit.window)


async def test_limit_refuses_only_after_max_events(db: None) -> None:
    for offset in range(3):
        await throttle.check(LIMIT, "13800000001", NOW, _wait)
        await throttle.record(LIMIT, "13800000001", NOW + timedelta(minutes=offset))
    with pytest.raises(Throttled) as refused:
        await throttle.check(LIMIT, "13800000001", NOW + timedelta(minutes=5), _wait)
    # The oldest event (at NOW) leaves the window at NOW+15min: 10 minutes from NOW+5.
    assert refused.value.retry_after_s == 600
    assert refused.value.detail == "wait 10 min"


async def test_events_leave_the_window(db: None) -> None:
    for _ in range(3):
        await throttle.record(LIMIT, "key", NOW)
    # One second before the window ends the three events still count; one second after, none.
    with pytest.raises(Throttled) as refused:
        await throttle.check(LIMIT, "key", NOW + timedelta(minutes=14, seconds=59), _wait)
    assert refused.value.retry_after_s == 1
    later = NOW + timedelta(minutes=15, seconds=1)
    await throttle.check(LIMIT, "key", later, _wait)
    assert await window(LIMIT, "key", later) == (0, None)


async def test_buckets_are_separate_per_key(db: None) -> None:
    for _ in range(3):
        await throttle.record(LIMIT, "one", NOW)
    with pytest.raises(Throttled):
        await throttle.check(LIMIT, "one", NOW, _wait)
    await throttle.check(LIMIT, "two", NOW, _wait)
    assert await window(LIMIT, "one", NOW) == (3, NOW)
    assert await window(LIMIT, "two", NOW) == (0, None)


async def test_clear_empties_the_bucket(db: None) -> None:
    for _ in range(3):
        await throttle.record(LIMIT, "key", NOW)
    assert await window(LIMIT, "key", NOW) == (3, NOW)
    await throttle.clear(LIMIT, "key")
    assert await window(LIMIT, "key", NOW) == (0, None)
    await throttle.check(LIMIT, "key", NOW, _wait)


async def test_zero_means_no_limit(db: None) -> None:
    unlimited = throttle.Limit("unlimited", 0, timedelta(hours=1))
    for _ in range(5):
        await throttle.record(unlimited, "key", NOW)
        await throttle.check(unlimited, "key", NOW, _wait)  # never Throttled
    # A disabled limit keeps no events at all.
    assert await window(unlimited, "key", NOW) == (0, None)


def test_bucket_does_not_contain_the_raw_key() -> None:
    bucket = throttle.bucket_for(LIMIT, "13812345678")
    assert "13812345678" not in bucket
    assert bucket.startswith("test-limit:")


async def test_redis_backend_counts_a_sliding_window() -> None:
    redis = pytest.importorskip("redis.asyncio")
    client = redis.Redis.from_url("redis://127.0.0.1:6379/15")
    try:
        await client.ping()
    except OSError:
        pytest.skip("no Redis server on 127.0.0.1:6379")
    finally:
        await client.aclose()
    backend = throttle.RedisBackend("redis://127.0.0.1:6379/15")
    bucket = f"test:{id(backend)}"
    await backend.clear(bucket)
    for minute in range(3):
        await backend.record(bucket, NOW + timedelta(minutes=minute), timedelta(minutes=15))
    count, oldest = await backend.window(bucket, NOW - timedelta(minutes=15))
    assert (count, oldest) == (3, NOW)
    count, oldest = await backend.window(bucket, NOW + timedelta(seconds=30))
    assert (count, oldest) == (2, NOW + timedelta(minutes=1))
    await backend.clear(bucket)
    assert await backend.window(bucket, NOW - timedelta(hours=1)) == (0, None)
