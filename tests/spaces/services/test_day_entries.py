"""A space's day in words: times carry their date and zone when needed."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from app.i18n import set_locale
from spaces.services.day_entries import span_text
from tests.factories import shanghai


def test_times_carry_their_date_and_zone_when_needed() -> None:
    set_locale("en")
    shanghai_zone, tokyo = ZoneInfo("Asia/Shanghai"), ZoneInfo("Asia/Tokyo")
    monday, today = date(2026, 3, 2), date(2026, 3, 2)
    span = (shanghai(2, 10), shanghai(2, 11))
    assert span_text(*span, shanghai_zone, shanghai_zone, day=monday, today=today) == (
        "10:00–11:00"
    )
    assert span_text(*span, tokyo, shanghai_zone, day=monday, today=today) == (
        "11:00 (UTC+09:00)–12:00 (UTC+09:00)"
    )
    overnight = (shanghai(2, 22), shanghai(3, 2))
    assert span_text(*overnight, shanghai_zone, shanghai_zone, day=monday, today=today) == (
        "22:00–Tue, Mar 3 02:00"
    )
    to_midnight = (shanghai(2, 22), shanghai(3, 0))
    assert span_text(*to_midnight, shanghai_zone, shanghai_zone, day=monday, today=today) == (
        "22:00–00:00"
    )
    assert span_text(*span, shanghai_zone, shanghai_zone, day=None, today=today) == (
        "Mon, Mar 2 10:00–11:00"
    )
