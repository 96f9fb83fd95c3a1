"""The kinds and statuses of the stations domain, as plain enums; the tables store their
values and import them from here."""

from __future__ import annotations

from enum import StrEnum


class HostType(StrEnum):
    shop = "shop"
    restaurant = "restaurant"
    bank = "bank"
    post_office = "post_office"
    petrol_station = "petrol_station"
    pharmacy = "pharmacy"
    union = "union"
    community_centre = "community_centre"
    courier_hub = "courier_hub"
    other = "other"


class HolidayPolicy(StrEnum):
    normal = "normal"
    """Public holidays change nothing."""
    closed = "closed"
    special = "special"
    """Public holidays have their own hours (`holiday_hours`)."""


class AmenityStatus(StrEnum):
    working = "working"
    out_of_order = "out_of_order"


class ReportReason(StrEnum):
    no_water = "no_water"
    charging_broken = "charging_broken"
    closed_in_hours = "closed_in_hours"
    toilet_unavailable = "toilet_unavailable"
    wrong_location = "wrong_location"
    other = "other"


REASON_AMENITY = {
    ReportReason.no_water.value: "water",
    ReportReason.charging_broken.value: "charging",
    ReportReason.toilet_unavailable.value: "toilet",
}
"""The amenity a report is about, which staff may mark out of order as they resolve it."""
