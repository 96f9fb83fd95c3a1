from datetime import timedelta

import pytest

from app import throttle
from app.errors import Throttled
from tests.factories import NOW
from tests.parallel import at_once

LIMIT = throttle.Limit("test-limit", 3, timedelta(minutes=15))


def _wait(minutes: int) -> str:
    return f"wait {minutes} min"


async def test_the_attempt_over_the_limit_is_refused_and_not_counted(
    throttle_backend: throttle.Backend,
) -> None:
    for minute in range(3):
        await throttle.reserve(LIMIT, "13800000001", NOW + timedelta(minutes=minute), _wait)
    assert await throttle.counted(LIMIT, "13800000001", NOW + timedelta(minutes=5)) == 3
    with pytest.raises(Throttled) as refused:
        await throttle.reserve(LIMIT, "13800000001", NOW + timedelta(minutes=5), _wait)
    # The oldest attempt (at NOW) leaves the window at NOW+15min: 10 minutes from NOW+5.
    assert refused.value.retry_after_s == 600
    assert refused.value.detail == "wait 10 min"
    assert await throttle.counted(LIMIT, "13800000001", NOW + timedelta(minutes=5)) == 3


async def test_retry_after_waits_until_there_is_room_again(
    throttle_backend: throttle.Backend,
) -> None:
    for seconds in (0, 30, 90):
        await throttle.reserve(LIMIT, "key", NOW + timedelta(seconds=seconds), _wait)
    # At NOW+15min the attempt at NOW has left: room for exactly one, then the next one
    # waits for the attempt at NOW+30s to leave, 30 seconds later.
    await throttle.reserve(LIMIT, "key", NOW + timedelta(minutes=15), _wait)
    with pytest.raises(Throttled) as refused:
        await throttle.reserve(LIMIT, "key", NOW + timedelta(minutes=15), _wait)
    assert refused.value.retry_after_s == 30
    assert refused.value.detail == "wait 1 min"


async def test_attempts_leave_the_window(throttle_backend: throttle.Backend) -> None:
    for _ in range(3):
        await throttle.reserve(LIMIT, "key", NOW, _wait)
    # One second before the window ends the three attempts still count; at its end, none.
    with pytest.raises(Throttled) as refused:
        await throttle.reserve(LIMIT, "key", NOW + timedelta(minutes=14, seconds=59), _wait)
    assert refused.value.retry_after_s == 1
    later = NOW + timedelta(minutes=15)
    assert await throttle.counted(LIMIT, "key", later) == 0
    await throttle.reserve(LIMIT, "key", later, _wait)
    assert await throttle.counted(LIMIT, "key", later) == 1


async def test_release_gives_the_attempt_back(throttle_backend: throttle.Backend) -> None:
    held = [await throttle.reserve(LIMIT, "key", NOW, _wait) for _ in range(3)]
    await throttle.release(held[1])
    await throttle.release(held[1])  # twice changes nothing
    assert await throttle.counted(LIMIT, "key", NOW) == 2
    await throttle.reserve(LIMIT, "key", NOW, _wait)
    with pytest.raises(Throttled):
        await throttle.reserve(LIMIT, "key", NOW, _wait)


async def test_a_refusal_by_one_limit_costs_nothing_against_another(
    throttle_backend: throttle.Backend,
) -> None:
    other = throttle.Limit("test-other", 10, timedelta(minutes=15))
    for _ in range(3):
        await throttle.reserve_all([(other, "address"), (LIMIT, "account")], NOW, _wait)
    with pytest.raises(Throttled):
        await throttle.reserve_all([(other, "address"), (LIMIT, "account")], NOW, _wait)
    assert await throttle.counted(other, "address", NOW) == 3
    held = await throttle.reserve_all([(other, "address"), (LIMIT, "elsewhere")], NOW, _wait)
    assert await throttle.counted(other, "address", NOW) == 4
    await throttle.release(held)
    assert await throttle.counted(other, "address", NOW) == 3
    assert await throttle.counted(LIMIT, "elsewhere", NOW) == 0


async def test_buckets_are_separate_per_key(throttle_backend: throttle.Backend) -> None:
    for _ in range(3):
        await throttle.reserve(LIMIT, "one", NOW, _wait)
    with pytest.raises(Throttled):
        await throttle.reserve(LIMIT, "one", NOW, _wait)
    await throttle.reserve(LIMIT, "two", NOW, _wait)
    assert await throttle.counted(LIMIT, "one", NOW) == 3
    assert await throttle.counted(LIMIT, "two", NOW) == 1


async def test_clear_empties_the_bucket(throttle_backend: throttle.Backend) -> None:
    for _ in range(3):
        await throttle.reserve(LIMIT, "key", NOW, _wait)
    await throttle.clear(LIMIT, "key")
    assert await throttle.counted(LIMIT, "key", NOW) == 0
    await throttle.reserve(LIMIT, "key", NOW, _wait)


async def test_zero_means_no_limit(throttle_backend: throttle.Backend) -> None:
    unlimited = throttle.Limit("unlimited", 0, timedelta(hours=1))
    for _ in range(5):
        held = await throttle.reserve(unlimited, "key", NOW, _wait)  # never Throttled
        assert held == throttle.Reservation()
    # A disabled limit keeps no attempts at all.
    assert await throttle.counted(unlimited, "key", NOW) == 0


def test_bucket_does_not_contain_the_raw_key() -> None:
    bucket = throttle.bucket_for(LIMIT, "13812345678")
    assert "13812345678" not in bucket
    assert bucket.startswith("test-limit:")


async def test_fifty_attempts_from_three_processes_pass_exactly_the_limit(
    throttle_backend: throttle.Backend,
) -> None:
    limit = throttle.Limit("test-parallel", 7, timedelta(minutes=15))

    async def attempt(index: int) -> None:
        await throttle.reserve(limit, "key", NOW, _wait)

    assert at_once(attempt) == {"ok": 7, "Throttled": 43}
    assert await throttle.counted(limit, "key", NOW) == 7
