"""Query conditions every domain shares, each written once: rows in the actor's staff scope,
and rows whose span overlaps an interval."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from piccolo.columns import Column
from piccolo.columns.combination import WhereRaw
from piccolo.custom_types import Combinable

from app.permissions import Actor


def in_staff_scope(actor: Actor, community: Column) -> Combinable:
    """Rows whose `community` column is one the actor serves as staff: every row for an
    administrator, none for someone who serves no community."""
    if actor.is_admin:
        return WhereRaw("1 = 1")
    if not actor.staff_of:
        return WhereRaw("1 = 0")
    return community.is_in(sorted(actor.staff_of))


def overlapping(starts_at: Column, ends_at: Column, start: datetime, end: datetime) -> Combinable:
    """Rows whose half-open span `[starts_at, ends_at)` overlaps `[start, end)`."""
    condition: Any = (starts_at < end) & (ends_at > start)
    return condition
