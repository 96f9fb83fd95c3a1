"""Tables of the `stations` Piccolo app: rest stations, their amenities, hours, check-ins
and problem reports.

`id: Serial` annotates Piccolo's implicit primary key (see app/tables.py).
"""

from __future__ import annotations

from piccolo.columns import (
    JSON,
    UUID,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Integer,
    OnDelete,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table

from app.tables import Community, User
from stations.logic.kinds import AmenityStatus, HolidayPolicy, HostType, ReportReason


class Station(Table):
    """A rest station for couriers and outdoor workers, hosted by a shop or unit."""

    id: Serial
    slug = Varchar(length=64, unique=True)
    community = ForeignKey(references=Community, on_delete=OnDelete.restrict, null=False)
    name_zh = Varchar(length=100)
    name_en = Varchar(length=100)
    host_name_zh = Varchar(length=100, default="")
    host_name_en = Varchar(length=100, default="")
    host_type = Varchar(length=20, choices=HostType, default=HostType.other.value)
    address_zh = Varchar(length=200, default="")
    address_en = Varchar(length=200, default="")
    latitude = Float()
    """WGS-84 degrees."""
    longitude = Float()
    access_notes_zh = Varchar(length=200, default="")
    access_notes_en = Varchar(length=200, default="")
    phone = Varchar(length=30, default="")
    photo = Varchar(length=200, default="")
    timezone = Varchar(length=64, default="Asia/Shanghai")
    weekly_hours = JSON(default={})
    """`{"mon": "08:00-22:00", …}`; all seven days `00:00-24:00` is 24/7; empty is unknown."""
    holiday_policy = Varchar(length=10, choices=HolidayPolicy, default=HolidayPolicy.normal.value)
    holiday_hours = Varchar(length=100, default="")
    """Hours on public holidays when the policy is `special`."""
    makeup_days_as_workdays = Boolean(default=False)
    """On a make-up working day (调休), open with Monday's hours."""
    amenities_working = Integer(default=0)
    """Bit mask (stations.logic.amenities.BITS) of amenities present and working, kept in step
    with `StationAmenity` so nearby search can filter in the database."""
    seats_total = Integer(default=0)
    walk_in_reserve = Integer(default=0)
    """Seats kept for couriers who walk in without checking in (0..seats): online check-ins
    take at most `seats_total - walk_in_reserve` (stations.logic.seats)."""
    active = Boolean(default=True)
    last_verified_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz()
    updated_at = Timestamptz()
    version = Integer(default=0)
    """Grows with every change of hours, closures, amenities or dated services; keys caches."""
    meals_offer = Varchar(length=60, default="")
    """What the `meals` amenity offers couriers ("骑手凭工牌 8 折"), as staff typed it; empty
    without the amenity."""
    integrity_model_since = Date(null=True, default=None)
    """The day the host shop was named an integrity model shop (诚信经营示范点); None: not one."""
    open_week = Text(default="")
    """Hours precomputed for nearby search (stations.logic.open_week.OpenWeek as JSON)."""
    open_week_version = Integer(default=-1)
    """The `version` `open_week` was built for; any other value: not to be trusted."""


class StationAmenity(Table):
    id: Serial
    station = ForeignKey(references=Station, on_delete=OnDelete.cascade, null=False)
    kind = Varchar(length=20)
    quantity = Integer(null=True, default=None)
    """Charging ports, seats; empty where a count means nothing."""
    status = Varchar(length=12, choices=AmenityStatus, default=AmenityStatus.working.value)
    note = Varchar(length=200, default="")
    updated_at = Timestamptz()


class StationEvent(Table):
    """A dated service at a station (legal-help hours, a safety talk, a free health check):
    `[starts_at, ends_at)`, kept when cancelled so calendar feeds can say so."""

    id: Serial
    station = ForeignKey(references=Station, on_delete=OnDelete.cascade, null=False)
    starts_at = Timestamptz(index=True)
    ends_at = Timestamptz()
    title = Varchar(length=60)
    description = Varchar(length=300, default="")
    cancelled_at = Timestamptz(null=True, default=None)
    sequence = Integer(default=0)
    """RFC 5545 SEQUENCE: grows with every change calendar apps must notice."""
    created_at = Timestamptz()
    updated_at = Timestamptz()


class StationClosure(Table):
    id: Serial
    station = ForeignKey(references=Station, on_delete=OnDelete.cascade, null=False)
    starts_at = Timestamptz()
    ends_at = Timestamptz()
    all_day = Boolean(default=False)
    reason = Varchar(length=200, default="")
    created_at = Timestamptz()


class StationSpecialHours(Table):
    id: Serial
    station = ForeignKey(references=Station, on_delete=OnDelete.cascade, null=False)
    on_date = Date()
    hours = Varchar(length=200, default="")
    """Replaces the weekly hours on that date; empty: closed that day."""
    note = Varchar(length=200, default="")


class CheckIn(Table):
    """A courier resting at a station; it ends by itself at `expires_at`."""

    id: Serial
    station = ForeignKey(references=Station, on_delete=OnDelete.cascade, null=False)
    device_hash = Varchar(length=64)
    """SHA-256 of the anonymous device cookie: no account and nothing personal."""
    address_hash = Varchar(length=64, default="")
    """Keyed hash of the client's address (stations.logic.devices.address_hash), never the
    address itself: seats are counted per address."""
    checked_in_at = Timestamptz()
    expires_at = Timestamptz()
    checked_out_at = Timestamptz(null=True, default=None)


class StationReport(Table):
    id = UUID(primary_key=True)
    station = ForeignKey(references=Station, on_delete=OnDelete.cascade, null=False)
    reason = Varchar(length=20, choices=ReportReason)
    text = Varchar(length=300, default="")
    device_hash = Varchar(length=64, default="")
    user = ForeignKey(references=User, on_delete=OnDelete.set_null, null=True)
    created_at = Timestamptz()
    resolved_at = Timestamptz(null=True, default=None)
    resolved_by = ForeignKey(references=User, on_delete=OnDelete.set_null, null=True)
    resolution = Varchar(length=300, default="")


class Landmark(Table):
    """A well-known place to search from when the browser gives no position."""

    id: Serial
    slug = Varchar(length=64, unique=True)
    name_zh = Varchar(length=100)
    name_en = Varchar(length=100)
    latitude = Float()
    longitude = Float()
