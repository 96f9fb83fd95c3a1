"""Reading the staff's space form: details, weekly hours and rules. Pure functions: text in,
checked values or an `InputError` naming every field that needs attention."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, fields
from typing import Any

from app.formfields import Fields, checked, is_zone
from app.hours_form import read_weekly_hours, weekly_form_values
from app.i18n import _, ngettext
from spaces.logic.kinds import SpaceKind

MAX_CAPACITY = 500
SLOT_CHOICES = (10, 15, 20, 30, 60, 120)
RESERVED_SLUGS = frozenset({"new", "requests", "no-shows", "ratings", "reports", "timeline"})
"""Slugs that would collide with fixed addresses under /spaces and /staff/spaces."""
WEEK_MINUTES = 7 * 24 * 60


@dataclass
class SpaceForm:
    """The space form as typed: every field is text, so nothing fails before validation."""

    community: str = ""
    slug: str = ""
    kind: str = SpaceKind.activity_room.value
    name_zh: str = ""
    name_en: str = ""
    description_zh: str = ""
    description_en: str = ""
    location_zh: str = ""
    location_en: str = ""
    capacity: str = "1"
    max_party_size: str = ""
    timezone: str = "Asia/Shanghai"
    hours_mon: str = ""
    hours_tue: str = ""
    hours_wed: str = ""
    hours_thu: str = ""
    hours_fri: str = ""
    hours_sat: str = ""
    hours_sun: str = ""
    closed_on_holidays: str = ""
    open_to_all_communities: str = ""
    requires_approval: str = ""
    slot_minutes: str = "30"
    min_duration_minutes: str = ""
    max_duration_minutes: str = ""
    lead_time_minutes: str = ""
    horizon_days: str = ""
    cancel_cutoff_minutes: str = ""
    buffer_minutes: str = ""
    quota_day_minutes: str = ""
    quota_day_count: str = ""
    quota_week_minutes: str = ""
    quota_week_count: str = ""
    max_active_bookings: str = ""
    checkin_grace_minutes: str = ""
    waitlist_offer_minutes: str = "30"
    edited_from: str = ""
    """The `edited_fingerprint` of the space when its edit form was rendered (empty for a
    new space): a save from a form older than the stored values is refused."""


@dataclass(frozen=True)
class SpaceValues:
    """Checked details, in the units of the `Space` columns."""

    kind: str
    name_zh: str
    name_en: str
    description_zh: str
    description_en: str
    location_zh: str
    location_en: str
    capacity: int
    max_party_size: int | None
    timezone: str
    weekly_hours: dict[str, str]
    closed_on_holidays: bool
    open_to_all_communities: bool
    requires_approval: bool
    slot_minutes: int
    min_duration_minutes: int | None
    max_duration_minutes: int | None
    lead_time_minutes: int | None
    horizon_days: int | None
    cancel_cutoff_minutes: int | None
    buffer_minutes: int
    quota_day_minutes: int | None
    quota_day_count: int | None
    quota_week_minutes: int | None
    quota_week_count: int | None
    max_active_bookings: int | None
    checkin_grace_minutes: int | None
    waitlist_offer_minutes: int

    def columns(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


_TEXTS = (
    ("description_zh", 2000),
    ("description_en", 2000),
    ("location_zh", 200),
    ("location_en", 200),
)
_FLAGS = ("closed_on_holidays", "open_to_all_communities", "requires_approval")
# Optional limits in minutes (or days, or counts): name, lowest, highest.
_LIMITS = (
    ("max_party_size", 1, 1000),
    ("min_duration_minutes", 5, 24 * 60),
    ("max_duration_minutes", 5, 7 * 24 * 60),
    ("lead_time_minutes", 1, 30 * 24 * 60),
    ("horizon_days", 1, 366),
    ("cancel_cutoff_minutes", 1, 30 * 24 * 60),
    ("quota_day_minutes", 5, 24 * 60),
    ("quota_day_count", 1, 100),
    ("quota_week_minutes", 5, WEEK_MINUTES),
    ("quota_week_count", 1, 100),
    ("max_active_bookings", 1, 100),
    ("checkin_grace_minutes", 5, 240),
)


def parse_space(form: SpaceForm) -> SpaceValues:
    """The checked values of a space form; raises `InputError` listing every problem."""
    f = Fields()
    name_zh = f.text(
        form.name_zh,
        "name_zh",
        max_length=100,
        required=_("Enter the name in Chinese."),
        single_line=True,
    )
    name_en = f.text(
        form.name_en,
        "name_en",
        max_length=100,
        required=_("Enter the name in English or pinyin."),
        single_line=True,
    )
    if form.kind not in SpaceKind.__members__:
        f.error("kind", _("Choose what kind of space it is."))
    texts = {name: f.text(getattr(form, name), name, max_length=limit) for name, limit in _TEXTS}
    capacity = f.whole(form.capacity, "capacity", low=1, high=MAX_CAPACITY, required=True)
    zone = form.timezone.strip()
    if not is_zone(zone):
        f.error("timezone", _("Enter a time zone name such as Asia/Shanghai."))
    weekly, hour_errors = read_weekly_hours(vars(form))
    f.errors += hour_errors
    slot = f.whole(form.slot_minutes, "slot_minutes", low=5, high=240, required=True)
    if slot is not None and slot not in SLOT_CHOICES:
        f.error("slot_minutes", _("Choose one of the slot lengths offered."))
    limits = {
        name: f.whole(getattr(form, name), name, low=low, high=high) for name, low, high in _LIMITS
    }
    buffer = f.whole(form.buffer_minutes, "buffer_minutes", low=0, high=240, default=0)
    offer = f.whole(
        form.waitlist_offer_minutes, "waitlist_offer_minutes", low=5, high=24 * 60, required=True
    )
    if slot in SLOT_CHOICES:
        for name in ("min_duration_minutes", "max_duration_minutes"):
            limit = limits[name]
            if limit is not None and limit % slot:
                f.error(
                    name,
                    ngettext(
                        "Use a multiple of the slot length (%(n)s minute).",
                        "Use a multiple of the slot length (%(n)s minutes).",
                        slot,
                        n=slot,
                    ),
                )
    shortest, longest = limits["min_duration_minutes"], limits["max_duration_minutes"]
    if shortest is not None and longest is not None and shortest > longest:
        f.error(
            "max_duration_minutes", _("The longest booking must not be shorter than the shortest.")
        )
    if not weekly and not f.has_error("hours_mon"):
        f.error("hours_mon", _("Give the hours of at least one day, or residents can never book."))
    f.check()
    assert capacity is not None and slot is not None and buffer is not None and offer is not None
    # Read by name from the tables above: texts, flags and limits, each of its field's type.
    by_name: dict[str, Any] = {
        **texts,
        **{flag: checked(getattr(form, flag)) for flag in _FLAGS},
        **limits,
    }
    return SpaceValues(
        kind=form.kind,
        name_zh=name_zh,
        name_en=name_en,
        capacity=capacity,
        timezone=zone,
        weekly_hours=weekly,
        slot_minutes=slot,
        buffer_minutes=buffer,
        waitlist_offer_minutes=offer,
        **by_name,
    )


def stored_values(space: Any) -> dict[str, Any]:
    """What the edit form changes, as stored: the `SpaceValues` columns and the photo."""
    values = {name: getattr(space, name) for name in SpaceValues.__dataclass_fields__}
    weekly = values["weekly_hours"]
    values["weekly_hours"] = json.loads(weekly) if isinstance(weekly, str) else weekly
    return {**values, "photo": space.photo}


def edited_fingerprint(space: Any) -> str:
    """A SHA-256 (hex, 32 characters) of `stored_values`: it changes when someone saves the
    edit form, and not when a booking bumps `Space.version`."""
    text = json.dumps(stored_values(space), sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def form_of(space: Any) -> SpaceForm:
    """The form pre-filled with a space's stored values."""
    weekly = space.weekly_hours
    weekly = json.loads(weekly) if isinstance(weekly, str) else (weekly or {})
    values: dict[str, str] = {}
    for field in fields(SpaceForm):
        if field.name in {"community", "slug", "edited_from"} or field.name.startswith("hours_"):
            continue
        value = getattr(space, field.name)
        if field.name in _FLAGS:
            values[field.name] = "1" if value else ""
        else:
            values[field.name] = "" if value is None else str(value)
    return SpaceForm(
        slug=space.slug,
        edited_from=edited_fingerprint(space),
        **values,
        **weekly_form_values(weekly),
    )
