"""Until when a kept search stays true: the next whole minute, the next tick of the minutes
left until any change it evaluated, the first expiry of a check-in it counted."""

from datetime import UTC, datetime, timedelta

from stations.services.search_cache import next_tick, unchanged_until

NOW = datetime(2026, 3, 2, 11, 40, 10, tzinfo=UTC)


def test_next_tick_of_a_moment_on_the_minute_is_the_next_minute() -> None:
    assert next_tick(datetime(2026, 3, 2, 12, 0, tzinfo=UTC), NOW) == datetime(
        2026, 3, 2, 11, 41, tzinfo=UTC
    )


def test_next_tick_of_a_moment_within_a_minute_is_that_many_seconds_in() -> None:
    moment = datetime(2026, 3, 2, 11, 50, 30, tzinfo=UTC)
    assert next_tick(moment, NOW) == datetime(2026, 3, 2, 11, 40, 30, tzinfo=UTC)
    assert next_tick(moment, NOW + timedelta(seconds=20)) == datetime(
        2026, 3, 2, 11, 41, 30, tzinfo=UTC
    )
    assert next_tick(NOW + timedelta(seconds=5), NOW) == NOW + timedelta(seconds=5)


def test_unchanged_until_takes_the_first_of_minute_ticks_and_expiries() -> None:
    minute = datetime(2026, 3, 2, 11, 41, tzinfo=UTC)
    assert unchanged_until([], [], NOW) == minute
    assert unchanged_until([datetime(2026, 3, 2, 20, 0, tzinfo=UTC)], [], NOW) == minute
    closing = datetime(2026, 3, 2, 12, 0, 45, tzinfo=UTC)
    assert unchanged_until([closing], [], NOW) == datetime(2026, 3, 2, 11, 40, 45, tzinfo=UTC)
    expiry = datetime(2026, 3, 2, 11, 40, 20, tzinfo=UTC)
    assert unchanged_until([closing], [expiry], NOW) == expiry
    # What already passed changes nothing ahead.
    assert unchanged_until([NOW - timedelta(minutes=3)], [NOW], NOW) == minute
