"""Times of a space in words, for a viewer in the site's zone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from app.i18n import set_locale
from spaces.logic.wording import local_time, local_times
from tests.factories import (
    shanghai,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_spans_read_naturally() -> None:
    from zoneinfo import ZoneInfo

    from app.i18n import set_locale
    from spaces.logic.wording import span_text

    zone = ZoneInfo("Asia/Shanghai")
    today = shanghai(2, 9).date()
    set_locale("zh_CN")
    assert span_text(shanghai(3, 9), shanghai(3, 12), zone, zone, today) == "3月3日周二 09:00–12:00"
    assert (
        span_text(shanghai(3, 0), shanghai(5, 0), zone, zone, today, all_day=True)
        == "3月3日周二 – 3月4日周三（全天）"
    )
    assert (
        span_text(shanghai(3, 22), shanghai(4, 6), zone, zone, today)
        == "3月3日周二 22:00 – 3月4日周三 06:00"
    )


def half_hours(first: datetime, count: int) -> list[datetime]:
    return [first + timedelta(minutes=30 * i) for i in range(count)]


def test_local_times_name_the_offset_of_a_wall_time_that_happens_twice_in_berlin() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    set_locale("en")
    # Sunday 25 October 2026: at 03:00 summer time the clocks go back to 02:00.
    moments = half_hours(datetime(2026, 10, 24, 23, 30, tzinfo=UTC), 5)
    assert local_times(moments, berlin, berlin) == [
        "01:30",
        "02:00 (UTC+02:00)",
        "02:30 (UTC+02:00)",
        "02:00 (UTC+01:00)",
        "02:30 (UTC+01:00)",
    ]
    assert local_times(moments, berlin, berlin) == [local_time(m, berlin, berlin) for m in moments]


def test_local_times_skip_the_hour_that_never_happens_in_berlin() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    set_locale("en")
    # Sunday 29 March 2026: at 02:00 the clocks go forward to 03:00.
    moments = half_hours(datetime(2026, 3, 29, 0, 30, tzinfo=UTC), 3)
    assert local_times(moments, berlin, berlin) == ["01:30", "03:00", "03:30"]


def test_local_times_name_the_offset_when_shanghai_clocks_went_back() -> None:
    set_locale("zh_CN")
    # Sunday 15 September 1991: China's last summer time ended at 02:00, back to 01:00.
    moments = half_hours(datetime(1991, 9, 14, 16, 0, tzinfo=UTC), 5)
    assert local_times(moments, SHANGHAI, SHANGHAI) == [
        "01:00 (UTC+09:00)",
        "01:30 (UTC+09:00)",
        "01:00 (UTC+08:00)",
        "01:30 (UTC+08:00)",
        "02:00",
    ]
    assert local_times(moments, SHANGHAI, SHANGHAI) == [
        local_time(m, SHANGHAI, SHANGHAI) for m in moments
    ]


def test_local_times_name_every_offset_for_a_viewer_in_another_zone() -> None:
    set_locale("en")
    moments = half_hours(datetime(2026, 3, 3, 1, 0, tzinfo=UTC), 2)
    assert local_times(moments, SHANGHAI, ZoneInfo("Asia/Tokyo")) == [
        "09:00 (UTC+08:00)",
        "09:30 (UTC+08:00)",
    ]
    assert local_times(moments, SHANGHAI, SHANGHAI) == ["09:00", "09:30"]
