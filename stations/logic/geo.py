"""Geometry for nearby search: great-circle distance, bounding boxes, and China's GCJ-02.

Coordinates are stored as WGS-84. Chinese map apps (Amap, Tencent) use GCJ-02, an offset
of a few hundred metres inside mainland China; points from them are converted at the edge.
The GCJ-02 formulas are the widely published reference ones; the inverse is found by
iterating the forward transform, which converges to well under a metre.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

EARTH_RADIUS_M = 6_371_008.8
"""Mean Earth radius (IUGG)."""


@dataclass(frozen=True)
class Point:
    lat: float
    lon: float


def distance_m(a: Point, b: Point) -> float:
    """Great-circle distance in metres (haversine)."""
    lat1, lat2 = math.radians(a.lat), math.radians(b.lat)
    dlat = lat2 - lat1
    dlon = math.radians(b.lon - a.lon)
    h = math.sin(dlat / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(dlon / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


@dataclass(frozen=True)
class Box:
    south: float
    north: float
    west: float
    east: float


def bounding_box(centre: Point, radius_m: float) -> Box:
    """A box containing every point within `radius_m` of `centre` (padded slightly)."""
    radius_m *= 1.001  # float rounding in the index must never drop a point on the edge
    dlat = math.degrees(radius_m / EARTH_RADIUS_M)
    south, north = max(-90.0, centre.lat - dlat), min(90.0, centre.lat + dlat)
    if south <= -90.0 or north >= 90.0:
        return Box(south, north, -180.0, 180.0)
    # The widest longitude span is at the latitude of the box nearest a pole.
    widest = max(abs(south), abs(north))
    dlon = math.degrees(radius_m / (EARTH_RADIUS_M * math.cos(math.radians(widest))))
    if dlon >= 180:
        return Box(south, north, -180.0, 180.0)
    return Box(south, north, centre.lon - dlon, centre.lon + dlon)


# --- GCJ-02 ------------------------------------------------------------------------------

_A = 6378245.0
_EE = 0.00669342162296594323


def in_mainland_china(point: Point) -> bool:
    """The rough box where GCJ-02 applies (outside it the offset is zero)."""
    return 72.004 <= point.lon <= 137.8347 and 0.8293 <= point.lat <= 55.8271


def _transform_lat(x: float, y: float) -> float:
    result = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    result += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2 / 3
    result += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2 / 3
    result += (160.0 * math.sin(y / 12.0 * math.pi) + 320 * math.sin(y * math.pi / 30.0)) * 2 / 3
    return result


def _transform_lon(x: float, y: float) -> float:
    result = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    result += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2 / 3
    result += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2 / 3
    result += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2 / 3
    return result


def wgs84_to_gcj02(point: Point) -> Point:
    if not in_mainland_china(point):
        return point
    dlat = _transform_lat(point.lon - 105.0, point.lat - 35.0)
    dlon = _transform_lon(point.lon - 105.0, point.lat - 35.0)
    rad_lat = math.radians(point.lat)
    magic = 1 - _EE * math.sin(rad_lat) ** 2
    sqrt_magic = math.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrt_magic) * math.pi)
    dlon = (dlon * 180.0) / (_A / sqrt_magic * math.cos(rad_lat) * math.pi)
    return Point(point.lat + dlat, point.lon + dlon)


def gcj02_to_wgs84(point: Point, iterations: int = 6) -> Point:
    """The WGS-84 point whose GCJ-02 image is `point` (iterated to well under a metre)."""
    if not in_mainland_china(point):
        return point
    guess = point
    for _ in range(iterations):
        image = wgs84_to_gcj02(guess)
        guess = Point(guess.lat + point.lat - image.lat, guess.lon + point.lon - image.lon)
    return guess
