"""The kinds and statuses of the needs domain, as enums: the tables store their values, and
the pure rules and labels read them."""

from __future__ import annotations

from enum import StrEnum


class Category(StrEnum):
    repairs = "repairs"
    environment = "environment"
    parking = "parking"
    neighbours = "neighbours"
    space_or_tool = "space_or_tool"
    elderly_care = "elderly_care"
    other = "other"


class NeedStatus(StrEnum):
    open = "open"
    """Filed (or reopened, or declined by whoever had it): waiting for staff to dispatch."""
    dispatched = "dispatched"
    """Sent to a volunteer or a partner unit, who has not yet accepted."""
    accepted = "accepted"
    """Being worked on."""
    done = "done"
    """Finished; waiting for the resident's rating."""
    rated = "rated"
    """Rated well: the loop is closed."""
    withdrawn = "withdrawn"
    """Taken back by the resident, or closed by staff as not a need (with a reason)."""
    closed = "closed"
    """Done, but neither rated nor followed up (回访) in the community's time: closed without
    rating."""


class ReporterKind(StrEnum):
    resident = "resident"
    courier = "courier"
    """Filed without an account (a courier on their round): followed through a secret link."""
    staff = "staff"
    system = "system"
    """Filed by a partner system through Open311 with its API key (`needs.tables.Open311Key`):
    the system follows it through the public GeoReport answers."""


class FollowUpMethod(StrEnum):
    """How staff heard back from the resident (回访)."""

    phone = "phone"
    visit = "visit"


class FollowUpResult(StrEnum):
    """What the resident said at a 回访."""

    satisfied = "satisfied"
    fairly_satisfied = "fairly"
    dissatisfied = "dissatisfied"


class VolunteerStatus(StrEnum):
    applied = "applied"
    approved = "approved"
    declined = "declined"
    retired = "retired"
