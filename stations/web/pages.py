"""Courier pages: /stations (nearest open stations), /stations/map, /stations/{slug} with
check-in, check-out and problem reports. No account is needed for any of it."""

from __future__ import annotations

import math
import secrets
from collections.abc import Hashable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import Cookie
from litestar.params import FromPath, QueryParameter, URLEncodedBody
from litestar.response import Redirect, Template
from markupsafe import Markup

from app.cache import VersionedCache
from app.errors import DomainError, FieldError, MalformedRequest
from app.i18n import _, current_locale, format_day, format_time, ngettext
from app.settings import get_settings
from app.web.context import CurrentViewer, RequestNow, client_ip, flash
from app.web.responses import (
    RenderedPage,
    for_any_visitor,
    html_page,
    large_text,
    page,
    redirect,
    render_block,
    render_for_visitors,
)
from app.web.templating import release
from stations.logic.amenities import AMENITIES, GROUPS, QUANTITY_LABELS, mask_of
from stations.logic.devices import is_device_token
from stations.logic.geo import Point, distance_m
from stations.logic.labels import HOST_LABELS, REASON_LABELS
from stations.logic.nearby import DEFAULT_LIMIT, DEFAULT_RADIUS_M, NearbyQuery
from stations.services import catalog, checkins, nearby, problem_reports, search_cache
from stations.web.offline import courier_page, wants_copy
from stations.web.presentation import (
    closure_when,
    directions,
    distance_label,
    in_wechat,
    minutes_between,
    moment_label,
)

AnyRequest = Request[Any, Any, Any]
DEVICE_COOKIE = "linli_device"
DEVICE_MAX_AGE_S = 365 * 24 * 3600


@dataclass
class ReportForm:
    reason: str = ""
    text: str = ""


def device_token(request: AnyRequest) -> tuple[str, Cookie | None]:
    """The anonymous device token, and the cookie to set when the device is new."""
    token = request.cookies.get(DEVICE_COOKIE)
    if token is not None and is_device_token(token):
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


OPEN_ENOUGH = 5
"""With "open now" on, fewer open stations than this within the radius are followed by
the nearest closed ones, up to this many in all."""
_OPEN_NOW_OFF = frozenset({"0", "false", "off"})


def _open_now(values: list[str] | None) -> bool:
    """Whether the search form asked for open stations first. The form sends a hidden
    `open_now=0` before the checkbox's `open_now=1`, so a ticked box arrives as both and
    an unticked one as `0` alone; without JavaScript there is no other way to say "off".
    An absent `open_now` (a shared link, a place link) means on."""
    if not values:
        return True
    return any(value not in _OPEN_NOW_OFF for value in values)


def _position(lat: str | None, lon: str | None) -> Point | None:
    """The position the search form sent; None when either coordinate is empty. A value
    that is not a coordinate is refused (400), naming the place list as the way out."""
    if not (lat or "").strip() or not (lon or "").strip():
        return None
    values = []
    for name, text, bound in (("lat", lat or "", 90.0), ("lon", lon or "", 180.0)):
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        if not math.isfinite(value) or abs(value) > bound:
            message = _("Your position could not be read. Choose a place from the list instead.")
            raise MalformedRequest([FieldError(name, message)], message)
        values.append(value)
    return Point(values[0], values[1])


def _from_query(origin: Point | None) -> str:
    """`?from=lat,lon` to carry where the courier searched from to the next page, or ""."""
    return f"?from={origin.lat:.6f},{origin.lon:.6f}" if origin else ""


FromQuery = Annotated[str | None, QueryParameter(name="from")]
"""Where the courier searched from, `lat,lon` (see `_origin`). No `max_length`: a longer
value would refuse the page or the check-in, where `_origin` drops it."""
ORIGIN_MAX_CHARS = 64
"""Longer than any `from` the list writes (`%.6f,%.6f`); a longer one is dropped unread."""


def _origin(text: str | None) -> Point | None:
    """The `lat,lon` a list link carried, or None. Only a distance hangs on it, so a
    damaged, hand-edited or too long value is dropped rather than refusing the whole page."""
    if text is None or len(text) > ORIGIN_MAX_CHARS:
        return None
    lat, _sep, lon = text.partition(",")
    try:
        return _position(lat, lon)
    except MalformedRequest:
        return None


_results: VersionedCache[Markup | RenderedPage] = VersionedCache(max_entries=2_000)
"""The rendered results of a search, keyed by everything they show (`_results_key`), and
visitors' whole pages around them."""


def _results_key(result: nearby.NearbyResult, centre: Point | None) -> Hashable:
    """Everything the results section shows: per station its row's version and the columns
    shown, the distance as written, its open state, the minutes until it closes, the day it
    is where it is (for "tomorrow 08:00") and its seats; a new minute or check-in is a new
    key."""

    def card(found: nearby.NearbyStation) -> Hashable:
        soon = minutes_between(result.at, found.open.closes_at) if found.open.closes_at else None
        row = found.row
        return (
            row["id"],
            row["version"],
            row["slug"],
            row["name_zh"],
            row["name_en"],
            row["amenities_working"],
            row["integrity_model_since"],
            distance_label(found.distance_m),
            found.open,
            soon,
            result.at.astimezone(found.zone).date(),
            found.seats_free,
            found.seats_kept,
        )

    return (
        current_locale(),
        f"{centre.lat:.6f},{centre.lon:.6f}" if centre else "",
        result.radius_m,
        result.truncated,
        tuple(card(found) for found in result.stations),
        tuple(card(found) for found in result.later),
    )


def _results_html(request: AnyRequest, key: Hashable | None, context: dict[str, Any]) -> Markup:
    """The page's results section (the `results` block of stations/index.html), rendered
    once for each different thing it shows (`key`, from `_results_key`; None: no search)."""
    if key is None:
        return Markup("")
    html = _results.get(key)
    if not isinstance(html, Markup):
        html = Markup(render_block(request, "stations/index.html", "results", **context))
        _results.put(key, html)
    return html


class StationsController(Controller):
    path = "/stations"
    include_in_schema = False

    @get("", name="stations:index")
    async def index(
        self,
        request: AnyRequest,
        now: RequestNow,
        lat: Annotated[str | None, QueryParameter(max_length=32)] = None,
        lon: Annotated[str | None, QueryParameter(max_length=32)] = None,
        near: Annotated[str | None, QueryParameter(max_length=80)] = None,
        amenity: Annotated[list[str] | None, QueryParameter(max_items=len(AMENITIES))] = None,
        open_now: Annotated[list[str] | None, QueryParameter(max_items=2)] = None,
        offline: Annotated[str | None, QueryParameter(max_length=8)] = None,
    ) -> Template | Response[bytes]:
        """The stations nearest a chosen place or else the phone's position, searching wider
        when none is within a kilometre.

        The form always sends `lat` and `lon`, empty when the browser gave no position
        (refused, no JavaScript, a desktop): empty means "no position". A place chosen in
        the list wins over a position sent with it, since choosing one is how a courier
        changes where to search after the phone located them (the position button empties
        the list's choice).

        With `open_now` on (the default) open stations come first and, when fewer than
        `OPEN_ENOUGH` are open, the nearest closed ones follow with their opening time;
        `open_now=0` lists all by distance. `offline=1` answers the copy the service
        worker keeps for this search."""
        generation = await search_cache.generation()
        places = await search_cache.places(generation)
        wanted = [key for key in amenity or [] if key in AMENITIES]
        position = _position(lat, lon)
        open_first = _open_now(open_now)
        centre = None
        place_name = None
        chosen = next((place for place in places if place.slug == near), None) if near else None
        if chosen is not None:
            centre = Point(chosen.lat, chosen.lon)
            place_name = chosen.name
        elif position is not None:
            centre = position
        result = None
        if centre is not None:
            query = NearbyQuery(
                centre=centre,
                radius_m=DEFAULT_RADIUS_M,
                limit=DEFAULT_LIMIT,
                amenity_mask=mask_of(wanted),
                open_only=open_first,
                closed_after=OPEN_ENOUGH if open_first else 0,
            )
            result = await search_cache.search(query, now=now, generation=generation, widen=True)
        at = result.at if result else now
        results_key = _results_key(result, centre) if result else None
        shown: dict[str, Any] = {
            "centre": centre,
            "result": result,
            "radius": result.radius_m if result else DEFAULT_RADIUS_M,
            "amenity_labels": AMENITIES,
            "minutes_until": lambda moment: minutes_between(at, moment),
            "when": lambda moment, zone: moment_label(moment, zone, at),
            "distance": distance_label,
        }
        context = {
            "places": places,
            "near": near or "",
            "place_name": place_name,
            "wanted": wanted,
            "open_now": open_first,
            "results_html": _results_html(request, results_key, shown),
            **shown,
        }
        copy = wants_copy(offline)
        if copy or not for_any_visitor(request):
            return courier_page(request, "stations/index.html", copy=copy, saved_at=now, **context)
        # A visitor's page is the same for every visitor asking the same: rendered once.
        key = (
            "page",
            results_key if result else current_locale(),
            tuple(places),
            near or "",
            tuple(wanted),
            open_first,
            f"{centre.lat:.6f},{centre.lon:.6f}" if centre else "",
            place_name,
            large_text(request),
            release(),
        )
        rendered = _results.get(key)
        if not isinstance(rendered, RenderedPage):
            rendered = render_for_visitors(
                request, "stations/index.html", offline_copy=False, **context
            )
            _results.put(key, rendered)
        return html_page(request, rendered)

    @get("/map", name="stations:map")
    async def map(self, request: AnyRequest) -> Template:
        return page(
            request,
            "stations/map.html",
            places=await catalog.places(),
            tiles=get_settings().map,
        )

    async def _detail(
        self,
        request: AnyRequest,
        slug: str,
        now: datetime,
        *,
        origin: Point | None = None,
        copy: bool = False,
        status_code: int = 200,
        errors: dict[str, str] | None = None,
        form: ReportForm | None = None,
    ) -> Template:
        # A copy is the same for every device: it knows of no check-in.
        shown = await catalog.station_page(
            slug, now, device_token=None if copy else request.cookies.get(DEVICE_COOKIE)
        )
        details = shown.details
        station, zone = details.station, details.zone
        return courier_page(
            request,
            "stations/detail.html",
            copy=copy,
            saved_at=now,
            status_code=status_code,
            station=station,
            state=details.state,
            zone=zone,
            today=now.astimezone(zone).date(),
            week=shown.week,
            closures=shown.closures,
            amenities=details.amenities,
            amenity_groups=GROUPS,
            services=details.services,
            service_when=lambda start, end: closure_when(start, end, False, zone),
            quantity_labels=QUANTITY_LABELS,
            seats_free=details.seats_free or 0,
            seats_kept=details.seats_kept,
            check_in_minutes=checkins.LIFETIME_MINUTES,
            checked_in_here=shown.checked_in_here,
            check_in_ends=shown.check_in.expires_at if shown.check_in else None,
            directions=directions(station),
            distance=(
                distance_label(distance_m(origin, Point(station.latitude, station.longitude)))
                if origin
                else None
            ),
            from_query=_from_query(origin),
            wechat=in_wechat(request.headers.get("user-agent", "")),
            reasons=REASON_LABELS,
            host_label=HOST_LABELS.get(station.host_type, HOST_LABELS["other"]),
            errors=errors or {},
            form=form or ReportForm(),
            now=now,
            minutes_until=lambda moment: minutes_between(now, moment),
            when=lambda moment: moment_label(moment, zone, now),
            day_label=format_day,
            local_time=lambda moment: format_time(moment, zone),
            end_time=lambda moment, day: (
                "24:00" if moment.astimezone(zone).date() > day else format_time(moment, zone)
            ),
            stale=shown.stale,
        )

    @get("/{slug:str}", name="stations:detail")
    async def detail(
        self,
        request: AnyRequest,
        slug: FromPath[str],
        now: RequestNow,
        origin: FromQuery = None,
        offline: Annotated[str | None, QueryParameter(max_length=8)] = None,
    ) -> Template:
        """The station; `from=lat,lon` (WGS-84, put there by the list's links) adds how far
        it is from where the courier searched; `offline=1` answers the worker's copy."""
        return await self._detail(
            request, slug, now, origin=_origin(origin), copy=wants_copy(offline)
        )

    @post("/{slug:str}/checkin", name="stations:checkin")
    async def check_in(
        self, request: AnyRequest, slug: FromPath[str], now: RequestNow, origin: FromQuery = None
    ) -> Redirect | Template:
        """Check this device in; back on the station's page, still `from` where the courier
        searched, so the distance stays."""
        station = await catalog.get_station(slug)
        token, cookie = device_token(request)
        try:
            await checkins.check_in(station, token, client_ip=client_ip(request), now=now)
        except DomainError as exc:
            return await self._detail(
                request,
                slug,
                now,
                origin=_origin(origin),
                status_code=exc.status_code,
                errors={"": exc.detail},
            )
        flash(
            request,
            ngettext(
                "You are checked in. Your seat is kept for %(minutes)s minute; check out when you "
                "leave.",
                "You are checked in. Your seat is kept for %(minutes)s minutes; check out when "
                "you leave.",
                checkins.LIFETIME_MINUTES,
                minutes=checkins.LIFETIME_MINUTES,
            ),
        )
        return redirect(
            request.app.route_reverse("stations:detail", slug=slug) + _from_query(_origin(origin)),
            cookies=[cookie] if cookie else None,
        )

    @post("/{slug:str}/checkout", name="stations:checkout")
    async def check_out(
        self, request: AnyRequest, slug: FromPath[str], now: RequestNow, origin: FromQuery = None
    ) -> Redirect:
        token = request.cookies.get(DEVICE_COOKIE)
        if token and await checkins.check_out(token, now=now):
            flash(request, _("Checked out. Ride safe!"))
        return redirect(
            request.app.route_reverse("stations:detail", slug=slug) + _from_query(_origin(origin))
        )

    @post("/{slug:str}/report", name="stations:report")
    async def report(
        self,
        request: AnyRequest,
        slug: FromPath[str],
        data: URLEncodedBody[ReportForm],
        viewer: CurrentViewer,
        now: RequestNow,
    ) -> Redirect | Template:
        station = await catalog.get_station(slug)
        token, cookie = device_token(request)
        try:
            await problem_reports.report_problem(
                station,
                data.reason,
                data.text,
                device_token=token,
                client_ip=client_ip(request),
                user_id=viewer.id if viewer else None,
                now=now,
            )
        except DomainError as exc:
            errors = exc.by_field()
            return await self._detail(
                request, slug, now, status_code=exc.status_code, errors=errors, form=data
            )
        flash(request, _("Thank you. The community's staff have your report."))
        return redirect(
            request.app.route_reverse("stations:detail", slug=slug),
            cookies=[cookie] if cookie else None,
        )
