"""A nearby search as a plain value, its bounds (DESIGN.md: `radius_m` default 1000, at most
10000; `limit` default 20, at most 100), how far a search widens when nothing is near, and
reading the search typed into the API's query string."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from app.errors import FieldError, InputError
from app.i18n import _
from stations.logic.amenities import UnknownAmenity, mask_of
from stations.logic.geo import Point, gcj02_to_wgs84

DEFAULT_RADIUS_M = 1000
MAX_RADIUS_M = 10_000
DEFAULT_LIMIT = 20
MAX_LIMIT = 100
WIDER_RADII_M = (2000, 5000, MAX_RADIUS_M)
"""Where a widening search looks next, in metres, when nothing lies within its radius."""


@dataclass(frozen=True)
class NearbyQuery:
    centre: Point
    """WGS-84."""
    radius_m: int
    limit: int
    amenity_mask: int = 0
    """Every amenity of the mask present and working (stations.logic.amenities.BITS)."""
    at: datetime | None = None
    """Evaluate opening at this moment (open_at); None means now."""
    open_only: bool = False
    closed_after: int = 0
    """With `open_only`, when fewer than this many stations are open within the radius,
    the nearest closed ones follow (`NearbyResult.later`) up to this many in all; 0 lists
    open stations only. Stations whose hours are unknown never follow: nothing says they
    open later."""


def radii_to_try(radius_m: int, *, widen: bool) -> list[int]:
    """`radius_m`, then (when widening) each larger radius of `WIDER_RADII_M`."""
    if not widen:
        return [radius_m]
    return [radius_m, *(wider for wider in WIDER_RADII_M if wider > radius_m)]


def read_amenities(text: str | None) -> int:
    """The mask of a comma list of amenity keys (spaces around them and empty items
    ignored), or an `InputError` on `amenities`."""
    # Spaces only, as the API schema's pattern says; a tab or newline is not a key.
    keys = [key.strip(" ") for key in (text or "").split(",") if key.strip(" ")]
    try:
        return mask_of(keys)
    except UnknownAmenity as exc:
        raise InputError(
            [FieldError("amenities", _("Unknown amenity %(key)s.", key=exc.key[:40]))]
        ) from exc


def read_moment(text: str | None) -> datetime | None:
    """An ISO 8601 time with its offset (`open_at`), or None when empty; `InputError`
    otherwise."""
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise InputError(
            [FieldError("open_at", _("Give a time like 2026-03-02T21:30:00+08:00."))]
        ) from exc
    if moment.tzinfo is None:
        raise InputError(
            [FieldError("open_at", _("Give the time with its UTC offset, like +08:00."))]
        )
    if not 2000 <= moment.year <= 2099:
        raise InputError([FieldError("open_at", _("Give a time between the years 2000 and 2099."))])
    return moment


def read_query(
    lat: float,
    lon: float,
    *,
    radius_m: int,
    limit: int,
    amenities: str | None,
    open_now: bool,
    open_at: str | None,
    coordsys: str,
) -> NearbyQuery:
    """The search the API's parameters describe: the centre in WGS-84 (converted from
    GCJ-02 when `coordsys` says so), the amenities' mask, and the moment to be open at."""
    centre = Point(lat, lon)
    if coordsys == "gcj02":
        centre = gcj02_to_wgs84(centre)
    moment = read_moment(open_at)
    return NearbyQuery(
        centre=centre,
        radius_m=radius_m,
        limit=limit,
        amenity_mask=read_amenities(amenities),
        at=moment,
        open_only=open_now or moment is not None,
    )
