"""Times of a space in words, for a viewer in the site's zone."""

from __future__ import annotations

from tests.factories import (
    shanghai,
)


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
