"""Courier pages: /stations (nearest open stations), /stations/map, /stations/{slug} with
check-in, check-out and problem reports. No account is needed for any of it."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated, Any
from urllib.parse import quote, urlencode
from zoneinfo import ZoneInfo

from litestar import Controller, Request, get, post
from litestar.datastructures import Cookie
from litestar.params import FromPath, FromQuery, QueryParameter, URLEncodedBody
from litestar.response import Redirect, Template

from app import clock
from app.errors import DomainError, InputError
from app.i18n import _, format_day, localized
from app.settings import get_settings
from app.web.context import actor_of, client_ip, flash
from app.web.responses import page, redirect
from stations.logic.amenities import AMENITIES, QUANTITY_LABELS
from stations.logic.geo import Point, wgs84_to_gcj02
from stations.logic.hours import week_hours
from stations.logic.labels import HOST_LABELS, REASON_LABELS
from stations.services import catalog, checkins
from stations.tables import Landmark
from stations.web import api

AnyRequest = Request[Any, Any, Any]
DEVICE_COOKIE = "linli_device"
DEVICE_MAX_AGE_S = 365 * 24 * 3600
RADIUS_STEPS = (1000, 2000, 5000, 10_000)
"""How far the page widens its search, in metres, until it finds something."""


@dataclass
class ReportForm:
    reason: str = ""
    text: str = ""


def in_wechat(request: AnyRequest) -> bool:
    """WeChat's built-in browser blocks links into map apps and calendar apps."""
    return "MicroMessenger" in request.headers.get("user-agent", "")


def directions(station: Any) -> list[tuple[str, str]]:
    """(label, URL) of each way to get directions, with each map's coordinate system."""
    name = localized(station, "name")
    gcj = wgs84_to_gcj02(Point(station.latitude, station.longitude))
    lat, lon = station.latitude, station.longitude
    return [
        (
            _("Amap (Gaode)"),
            "https://uri.amap.com/marker?"
            + urlencode(
                {
                    "position": f"{gcj.lon:.6f},{gcj.lat:.6f}",
                    "name": name,
                    "coordinate": "gaode",
                    "callnative": "1",
                }
            ),
        ),
        (
            _("Baidu Maps"),
            "https://api.map.baidu.com/marker?"
            + urlencode(
                {
                    "location": f"{lat:.6f},{lon:.6f}",
                    "title": name,
                    "content": name,
                    "coord_type": "wgs84",
                    "output": "html",
                    "src": "linli",
                }
            ),
        ),
        (
            _("OpenStreetMap"),
            f"https://www.openstreetmap.org/?mlat={lat:.6f}&mlon={lon:.6f}#map=18/{lat:.6f}/{lon:.6f}",
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
    clock_text = local.strftime("%H:%M")
    if local.date() == today:
        return clock_text
    if local.date() == today + timedelta(days=1):
        return _("tomorrow %(time)s", time=clock_text)
    return f"{format_day(local.date())} {clock_text}"


def distance_label(metres: float) -> str:
    """ "850 m" or "1.2 km"."""
    if metres < 1000:
        return _("%(n)s m", n=int(round(metres, -1)))
    return _("%(n)s km", n=f"{metres / 1000:.1f}")


def device_token(request: AnyRequest) -> tuple[str, Cookie | None]:
    """The anonymous device token, and the cookie to set when the device is new."""
    token = request.cookies.get(DEVICE_COOKIE)
    if token and 20 <= len(token) <= 64:
        return token, None
    token = secrets.token_urlsafe(24)
    return token, Cookie(
        key=DEVICE_COOKIE,
        value=token,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        max_age=DEVICE_MAX_AGE_S,
        path="/",
    )


async def _places() -> list[dict[str, Any]]:
    """Where to search from without a position: landmarks, then communities' centres."""
    places = [
        {
            "slug": f"landmark:{row.slug}",
            "name": localized(row, "name"),
            "lat": row.latitude,
            "lon": row.longitude,
        }
        for row in await Landmark.objects().order_by(Landmark.slug)
    ]
    centres = await catalog.community_centres()
    places += [
        {"slug": f"community:{slug}", "name": name, "lat": lat, "lon": lon}
        for slug, name, lat, lon in centres
    ]
    return places


class StationsController(Controller):
    path = "/stations"
    include_in_schema = False

    @get("", name="stations:index")
    async def index(
        self,
        request: AnyRequest,
        lat: Annotated[float | None, QueryParameter(ge=-90, le=90)] = None,
        lon: Annotated[float | None, QueryParameter(ge=-180, le=180)] = None,
        near: Annotated[str | None, QueryParameter(max_length=80)] = None,
        amenity: Annotated[list[str] | None, QueryParameter(max_items=len(AMENITIES))] = None,
        open_now: FromQuery[bool] = False,
    ) -> Template:
        now = clock.utcnow()
        places = await _places()
        wanted = [key for key in amenity or [] if key in AMENITIES]
        centre = None
        place_name = None
        if lat is not None and lon is not None:
            centre = Point(lat, lon)
        elif near:
            chosen = next((p for p in places if p["slug"] == near), None)
            if chosen:
                centre = Point(chosen["lat"], chosen["lon"])
                place_name = chosen["name"]
        result = None
        radius = RADIUS_STEPS[0]
        if centre is not None:
            for radius in RADIUS_STEPS:
                result = await api.search(
                    centre.lat,
                    centre.lon,
                    radius_m=radius,
                    limit=api.DEFAULT_LIMIT,
                    amenities=",".join(wanted),
                    open_now=open_now,
                    open_at=None,
                    coordsys="wgs84",
                )
                if result.stations:
                    break
        return page(
            request,
            "stations/index.html",
            places=places,
            near=near or "",
            place_name=place_name,
            centre=centre,
            wanted=wanted,
            open_now=open_now,
            result=result,
            radius=radius,
            amenity_labels=AMENITIES,
            minutes_until=lambda moment: minutes_between(result.at if result else now, moment),
            when=lambda moment, zone: moment_label(moment, zone, result.at if result else now),
            distance=distance_label,
            zone_of=lambda row: catalog.hours_spec(row).zone,
        )

    @get("/map", name="stations:map")
    async def map(self, request: AnyRequest) -> Template:
        map_settings = get_settings().map
        return page(
            request,
            "stations/map.html",
            places=await _places(),
            tiles=map_settings,
        )

    async def _detail(
        self,
        request: AnyRequest,
        slug: str,
        *,
        status_code: int = 200,
        errors: dict[str, str] | None = None,
        form: ReportForm | None = None,
    ) -> Template:
        now = clock.utcnow()
        station = await catalog.get_station(slug)
        data = await catalog.calendar_data([station.id], now)
        spec = catalog.hours_spec(station)
        calendar_ = catalog.station_calendar_of(station, data)
        zone: ZoneInfo = spec.zone
        today = now.astimezone(zone).date()
        taken = await catalog.seats_taken([station.id], now)
        token = request.cookies.get(DEVICE_COOKIE)
        current = (
            await checkins.active_check_in(checkins.device_hash(token), now) if token else None
        )
        return page(
            request,
            "stations/detail.html",
            status_code=status_code,
            station=station,
            state=catalog.state_of(station, data, now),
            zone=zone,
            today=today,
            week=week_hours(calendar_, today) if calendar_ else [],
            closures=await catalog.upcoming_closures(station, now),
            amenities=await catalog.amenities_of(station),
            quantity_labels=QUANTITY_LABELS,
            seats_free=max(0, station.seats_total - taken.get(station.id, 0)),
            checked_in_here=current is not None and current.station == station.id,
            check_in_ends=current.expires_at if current else None,
            directions=directions(station),
            wechat=in_wechat(request),
            reasons=REASON_LABELS,
            host_label=HOST_LABELS.get(station.host_type, HOST_LABELS["other"]),
            errors=errors or {},
            form=form or ReportForm(),
            now=now,
            minutes_until=lambda moment: minutes_between(now, moment),
            when=lambda moment: moment_label(moment, zone, now),
            day_label=format_day,
            local_time=lambda moment: moment.astimezone(zone).strftime("%H:%M"),
            end_time=lambda moment, day: (
                "24:00"
                if moment.astimezone(zone).date() > day
                else moment.astimezone(zone).strftime("%H:%M")
            ),
            stale=station.last_verified_at is None
            or now - station.last_verified_at > timedelta(days=180),
        )

    @get("/{slug:str}", name="stations:detail")
    async def detail(self, request: AnyRequest, slug: FromPath[str]) -> Template:
        return await self._detail(request, slug)

    @post("/{slug:str}/checkin", name="stations:checkin")
    async def check_in(self, request: AnyRequest, slug: FromPath[str]) -> Redirect | Template:
        station = await catalog.get_station(slug)
        token, cookie = device_token(request)
        try:
            await checkins.check_in(
                station, token, client_ip=client_ip(request), now=clock.utcnow()
            )
        except DomainError as exc:
            return await self._detail(
                request, slug, status_code=exc.status_code, errors={"": exc.detail}
            )
        flash(
            request,
            _("You are checked in. Your seat is kept for an hour; check out when you leave."),
        )
        return redirect(
            request.app.route_reverse("stations:detail", slug=slug),
            cookies=[cookie] if cookie else None,
        )

    @post("/{slug:str}/checkout", name="stations:checkout")
    async def check_out(self, request: AnyRequest, slug: FromPath[str]) -> Redirect:
        token = request.cookies.get(DEVICE_COOKIE)
        if token and await checkins.check_out(token, now=clock.utcnow()):
            flash(request, _("Checked out. Ride safe!"))
        return redirect(request.app.route_reverse("stations:detail", slug=slug))

    @post("/{slug:str}/report", name="stations:report")
    async def report(
        self, request: AnyRequest, slug: FromPath[str], data: URLEncodedBody[ReportForm]
    ) -> Redirect | Template:
        station = await catalog.get_station(slug)
        token, cookie = device_token(request)
        actor = actor_of(request)
        try:
            await checkins.report_problem(
                station,
                data.reason,
                data.text,
                device_token=token,
                client_ip=client_ip(request),
                user_id=actor.id if actor else None,
                now=clock.utcnow(),
            )
        except DomainError as exc:
            errors = exc.by_field() if isinstance(exc, InputError) else {"": exc.detail}
            return await self._detail(
                request, slug, status_code=exc.status_code, errors=errors, form=data
            )
        flash(request, _("Thank you. The community's staff have your report."))
        return redirect(
            request.app.route_reverse("stations:detail", slug=slug),
            cookies=[cookie] if cookie else None,
        )
