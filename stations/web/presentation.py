"""How the couriers' pages say things: directions into each map app, distances, "closes in
12 min", times relative to today, and closures in the staff's words."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote, urlencode
from zoneinfo import ZoneInfo

from app.i18n import _, format_day, format_day_time, format_time, localized
from stations.logic.geo import Point, wgs84_to_gcj02


def in_wechat(user_agent: str) -> bool:
    """WeChat's built-in browser blocks links into map apps and calendar apps."""
    return "MicroMessenger" in user_agent


def directions(station: Any) -> list[tuple[str, str]]:
    """(label, URL) of a riding route to the station in each map, the destination in that
    map's coordinate system: Amap's `navigation` URI in GCJ-02 (`coordinate=gaode`), Baidu's
    `direction` URI in WGS-84 (`coord_type=wgs84`), OpenStreetMap's bicycle directions and
    the phone's own map app (`geo:`, WGS-84). Each starts from where the phone is."""
    name = localized(station, "name")
    gcj = wgs84_to_gcj02(Point(station.latitude, station.longitude))
    lat, lon = station.latitude, station.longitude
    return [
        (
            _("Amap (Gaode)"),
            "https://uri.amap.com/navigation?"
            + urlencode(
                {
                    "to": f"{gcj.lon:.6f},{gcj.lat:.6f},{name}",
                    "mode": "ride",
                    "coordinate": "gaode",
                    "callnative": "1",
                    "src": "linli",
                }
            ),
        ),
        (
            _("Baidu Maps"),
            "https://api.map.baidu.com/direction?"
            + urlencode(
                {
                    "destination": f"latlng:{lat:.6f},{lon:.6f}|name:{name}",
                    "mode": "riding",
                    "coord_type": "wgs84",
                    "output": "html",
                    "src": "linli",
                }
            ),
        ),
        (
            _("OpenStreetMap"),
            "https://www.openstreetmap.org/directions?"
            + urlencode({"engine": "fossgis_osrm_bike", "route": f";{lat:.6f},{lon:.6f}"}),
        ),
        (
            _("Map app on this phone"),
            f"geo:{lat:.6f},{lon:.6f}?q={lat:.6f},{lon:.6f}({quote(name)})",
        ),
    ]


def minutes_between(now: datetime, moment: datetime) -> int:
    """Whole minutes from `now` until `moment`, rounded up so "closes in 1 min" is never 0."""
    return max(0, -int((now - moment).total_seconds() // 60))


def moment_label(moment: datetime, zone: ZoneInfo, now: datetime) -> str:
    """ "21:30" today, "明天 08:30" / "tomorrow 08:30", else "3月2日周一 08:30"."""
    local = moment.astimezone(zone)
    today = now.astimezone(zone).date()
    clock_text = format_time(local, zone)
    if local.date() == today:
        return clock_text
    if local.date() == today + timedelta(days=1):
        return _("tomorrow %(time)s", time=clock_text)
    return format_day_time(local, zone=zone)


def distance_label(metres: float) -> str:
    """ "850 m" or "1.2 km"."""
    if metres < 1000:
        return _("%(n)s m", n=int(round(metres, -1)))
    return _("%(n)s km", n=f"{metres / 1000:.1f}")


def closure_when(starts_at: datetime, ends_at: datetime, all_day: bool, zone: ZoneInfo) -> str:
    """ "3月10日周二", "3月10日周二 – 3月12日周四" or "3月10日周二 14:00 – 18:00", in `zone`."""
    start, end = starts_at.astimezone(zone), ends_at.astimezone(zone)
    if all_day:
        last = (end - timedelta(days=1)).date()
        first_label = format_day(start.date())
        return first_label if last == start.date() else f"{first_label} – {format_day(last)}"
    end_label = (
        format_time(end, zone) if end.date() == start.date() else format_day_time(end, zone=zone)
    )
    return f"{format_day_time(start, zone=zone)} – {end_label}"
