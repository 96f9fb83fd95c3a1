"""Times in words: a space's times shown to a viewer in the site's zone (with the offset
when the zones differ), days and spans. Pure functions, and the site's zone."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from app.calendar import wall_time_is_ambiguous
from app.i18n import _, format_day, format_time
from app.settings import get_settings
from spaces.logic.availability import Shortfall


def local_time(moment: datetime, zone: ZoneInfo, viewer_zone: ZoneInfo) -> str:
    """`09:30`, with the UTC offset when the space's zone differs from the viewer's or when
    the same wall time happens twice that day."""
    wall = moment.astimezone(zone)
    text = format_time(wall, zone)
    if zone.key != viewer_zone.key or wall_time_is_ambiguous(wall.replace(tzinfo=None), zone):
        offset = wall.strftime("%z")
        text += f" (UTC{offset[:3]}:{offset[3:]})"
    return text


def local_times(moments: Iterable[datetime], zone: ZoneInfo, viewer_zone: ZoneInfo) -> list[str]:
    """What `local_time` says of each of `moments`, worded in one pass (a day's chips word
    dozens; moments already in `zone` are taken as they are). A wall time read from an instant
    always exists, so it happens twice exactly when its other fold has another offset: one
    look instead of `wall_time_is_ambiguous`'s two."""
    other_zone = zone.key != viewer_zone.key
    texts = []
    for moment in moments:
        wall = moment.astimezone(zone)
        text = format_time(wall, zone)
        if other_zone or wall.replace(fold=1 - wall.fold).utcoffset() != wall.utcoffset():
            offset = wall.strftime("%z")
            text += f" (UTC{offset[:3]}:{offset[3:]})"
        texts.append(text)
    return texts


def day_label(day: date, today: date) -> str:
    """ "3月2日周一", with the year when it is not this year."""
    return format_day(day, with_year=day.year != today.year)


def span_text(
    start: datetime,
    end: datetime,
    zone: ZoneInfo,
    viewer_zone: ZoneInfo,
    today: date,
    *,
    all_day: bool = False,
) -> str:
    """ "3月2日周一 09:00–11:00", "3月2日周一 – 3月4日周三（全天）" or across midnight
    "3月2日周一 22:00 – 3月3日周二 06:00"."""
    first = start.astimezone(zone)
    last = end.astimezone(zone)
    if all_day:
        final = (last - timedelta(days=1)).date()
        days = day_label(first.date(), today)
        if final != first.date():
            days = f"{days} – {day_label(final, today)}"
        return _("%(days)s, all day", days=days)
    begins = f"{day_label(first.date(), today)} {local_time(start, zone, viewer_zone)}"
    if last.date() == first.date():
        return f"{begins}–{local_time(end, zone, viewer_zone)}"
    return f"{begins} – {day_label(last.date(), today)} {local_time(end, zone, viewer_zone)}"


def site_zone() -> ZoneInfo:
    """The zone of the site (LINLI_TIMEZONE): the zone people see times in, and where "today"
    on the staff pages is a date."""
    return ZoneInfo(get_settings().site.timezone)


def shortfall_reason(short: Shortfall, buffer_minutes: int, zone: ZoneInfo) -> str | None:
    """Why a booking does not fit when it is not simply taken over its own span: its
    turnaround runs into the next booking or a block, or a block holds the units. None when
    other bookings hold the span itself (the caller says so in its own words)."""
    at = local_time(short.at, zone, site_zone())
    if short.in_buffer and short.maintenance:
        return _(
            "This space needs %(n)s min of turnaround after each booking, and units are out "
            "of use for maintenance from %(time)s.",
            n=buffer_minutes,
            time=at,
        )
    if short.in_buffer:
        return _(
            "This space needs %(n)s min of turnaround after each booking, and the next "
            "booking starts at %(time)s.",
            n=buffer_minutes,
            time=at,
        )
    if short.maintenance:
        return _("The units are out of use for maintenance at %(time)s.", time=at)
    return None
