"""Reading the staff's station forms: the station's details and its amenities (dated closures
and special hours are read by app.calendar_exceptions). Pure functions: text in, checked
values or `InputError`. `StationForm` is also the body the staff's pages receive."""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from app.formfields import Fields, checked, is_zone
from app.hours_form import read_day_hours, read_weekly_hours, weekly_form_values
from app.i18n import _
from stations.logic.amenities import AMENITIES, MEALS_OFFER_MAX_LENGTH
from stations.logic.geo import Point, gcj02_to_wgs84
from stations.logic.kinds import HolidayPolicy, HostType

MAX_SEATS = 500
MAX_QUANTITY = 999
RESERVED_SLUGS = frozenset({"new", "map", "nearby", "offline"})
"""Slugs that would collide with fixed addresses under /stations and /staff/stations."""
COORDINATE_DECIMALS = 6
"""About 0.1 m: converted coordinates are rounded to this."""

_PHONE = re.compile(r"^[0-9+\-() ]{3,30}$")


@dataclass
class StationForm:
    """The station form as typed: every field is text, so nothing fails before validation."""

    community: str = ""
    slug: str = ""
    name_zh: str = ""
    name_en: str = ""
    host_name_zh: str = ""
    host_name_en: str = ""
    host_type: str = HostType.shop.value
    address_zh: str = ""
    address_en: str = ""
    latitude: str = ""
    longitude: str = ""
    coordsys: str = "wgs84"
    access_notes_zh: str = ""
    access_notes_en: str = ""
    phone: str = ""
    timezone: str = ""
    hours_mon: str = ""
    hours_tue: str = ""
    hours_wed: str = ""
    hours_thu: str = ""
    hours_fri: str = ""
    hours_sat: str = ""
    hours_sun: str = ""
    holiday_policy: str = HolidayPolicy.normal.value
    holiday_hours: str = ""
    makeup_days_as_workdays: str = ""
    seats: str = ""
    walk_in_reserve: str = ""


@dataclass(frozen=True)
class StationValues:
    """Checked station details, in the units of the `Station` columns."""

    name_zh: str
    name_en: str
    host_name_zh: str
    host_name_en: str
    host_type: str
    address_zh: str
    address_en: str
    latitude: float
    longitude: float
    access_notes_zh: str
    access_notes_en: str
    phone: str
    timezone: str
    weekly_hours: dict[str, str]
    holiday_policy: str
    holiday_hours: str
    makeup_days_as_workdays: bool
    seats: int
    """Seats for couriers: the quantity of the `seats` amenity (0: none)."""
    walk_in_reserve: int
    """Seats online check-ins may not take, kept for couriers who walk in (0..seats)."""

    def columns(self) -> dict[str, Any]:
        """The values of the `Station` columns (seats live on the amenity)."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "seats"}


def form_of(station: Any, seats: int) -> StationForm:
    """The form pre-filled with a station's stored details."""
    weekly = station.weekly_hours
    weekly = json.loads(weekly) if isinstance(weekly, str) else (weekly or {})
    texts = {name: getattr(station, name) or "" for name in _TEXT_COLUMNS}
    return StationForm(
        **texts,
        **weekly_form_values(weekly),
        latitude=repr(station.latitude),
        longitude=repr(station.longitude),
        makeup_days_as_workdays="1" if station.makeup_days_as_workdays else "",
        seats=str(seats) if seats else "",
        # The seats may have been lowered on the amenities page since the reserve was set.
        walk_in_reserve=str(min(station.walk_in_reserve, seats)) if station.walk_in_reserve else "",
    )


_TEXT_COLUMNS = (
    "name_zh",
    "name_en",
    "host_name_zh",
    "host_name_en",
    "host_type",
    "address_zh",
    "address_en",
    "access_notes_zh",
    "access_notes_en",
    "phone",
    "timezone",
    "holiday_policy",
    "holiday_hours",
)


def _text(fields: Fields, form: StationForm, name: str, max_length: int) -> str:
    return fields.text(getattr(form, name), name, max_length=max_length)


def parse_station(form: StationForm) -> StationValues:
    """The checked details of a station form; raises `InputError` listing every problem."""
    fields = Fields()
    name_zh = fields.text(
        form.name_zh,
        "name_zh",
        max_length=100,
        required=_("Enter the name in Chinese."),
        single_line=True,
    )
    name_en = fields.text(
        form.name_en,
        "name_en",
        max_length=100,
        required=_("Enter the name in English or pinyin."),
        single_line=True,
    )
    if form.host_type not in HostType.__members__:
        fields.error("host_type", _("Choose what kind of place hosts the station."))
    latitude = fields.degrees(form.latitude, "latitude", bound=90)
    longitude = fields.degrees(form.longitude, "longitude", bound=180)
    if form.coordsys not in {"wgs84", "gcj02"}:
        fields.error("coordsys", _("Choose where the coordinates come from."))
    elif form.coordsys == "gcj02" and latitude is not None and longitude is not None:
        converted = gcj02_to_wgs84(Point(latitude, longitude))
        latitude = round(converted.lat, COORDINATE_DECIMALS)
        longitude = round(converted.lon, COORDINATE_DECIMALS)
    phone = " ".join(unicodedata.normalize("NFKC", form.phone).split())
    if phone and not _PHONE.match(phone):
        fields.error(
            "phone", _("Use digits, spaces, +, - and brackets only, such as 0355-1234567.")
        )
    zone = form.timezone.strip()
    if not is_zone(zone):
        fields.error("timezone", _("Enter a time zone name such as Asia/Shanghai."))
    weekly, hour_errors = read_weekly_hours(vars(form))
    fields.errors += hour_errors
    if form.holiday_policy not in HolidayPolicy.__members__:
        fields.error("holiday_policy", _("Choose what happens on public holidays."))
    holiday_hours, holiday_errors = read_day_hours(form.holiday_hours, "holiday_hours")
    fields.errors += holiday_errors
    if form.holiday_policy == HolidayPolicy.special.value and not form.holiday_hours.strip():
        fields.error(
            "holiday_hours",
            _("Enter the hours on public holidays, or choose “Closed on public holidays”."),
        )
    seats = fields.whole(form.seats, "seats", low=0, high=MAX_SEATS, default=0)
    reserve = fields.whole(
        form.walk_in_reserve, "walk_in_reserve", low=0, high=MAX_SEATS, default=0
    )
    if seats is not None and reserve is not None and reserve > seats:
        fields.error(
            "walk_in_reserve",
            _(
                "Keep at most as many seats for walk-ins as the station has (%(seats)s).",
                seats=seats,
            ),
        )
    texts = {name: _text(fields, form, name, limit) for name, limit in _OPTIONAL_TEXTS}
    fields.check()
    assert latitude is not None and longitude is not None
    assert seats is not None and reserve is not None
    return StationValues(
        name_zh=name_zh,
        name_en=name_en,
        host_type=form.host_type,
        latitude=latitude,
        longitude=longitude,
        phone=phone,
        timezone=zone,
        weekly_hours=weekly,
        holiday_policy=form.holiday_policy,
        holiday_hours=holiday_hours,
        makeup_days_as_workdays=checked(form.makeup_days_as_workdays),
        seats=seats,
        walk_in_reserve=reserve,
        **texts,
    )


_OPTIONAL_TEXTS = (
    ("host_name_zh", 100),
    ("host_name_en", 100),
    ("address_zh", 200),
    ("address_en", 200),
    ("access_notes_zh", 200),
    ("access_notes_en", 200),
)


# --- amenities ----------------------------------------------------------------------------


@dataclass(frozen=True)
class AmenityValues:
    quantity: int | None
    note: str
    offer: str = ""
    """What the amenity offers couriers; only `meals` has one (`offer_meals`)."""


def parse_amenities(form: Mapping[str, str]) -> dict[str, AmenityValues]:
    """Which amenities a station has, from `has_<key>`, `quantity_<key>` and `note_<key>`
    fields, and the meals' offer from `offer_meals`; raises `InputError`. Seats need their
    number; an offer is kept only with meals."""
    fields = Fields()
    chosen: dict[str, AmenityValues] = {}
    for key in AMENITIES:
        present = checked(form.get(f"has_{key}") or "")
        quantity = fields.whole(
            form.get(f"quantity_{key}") or "",
            f"quantity_{key}",
            low=1,
            high=MAX_QUANTITY,
            required=present and key == "seats",
        )
        note = fields.text(form.get(f"note_{key}") or "", f"note_{key}", max_length=200)
        offer = ""
        if key == "meals":
            offer = fields.text(
                form.get("offer_meals") or "",
                "offer_meals",
                max_length=MEALS_OFFER_MAX_LENGTH,
                single_line=True,
            )
        if present:
            chosen[key] = AmenityValues(quantity, note, offer)
    fields.check()
    return chosen
