"""Agreements with partner units (共建协议), as plain values: the form as typed, reading it,
whether an agreement is in force on a day, and which earlier agreement new dates would
overlap. Pure: no database, no HTTP.

An agreement's term runs from `signed_on` to `ends_on`, both days included. It is in force
on each day of its term before `ended_on` (the day staff ended it early, or the day its
renewal was signed), so it has ended without anyone acting once its term is over. Its status
is derived, never stored: `active` on the days it is in force, `ended` after. Two agreements
of one unit may not be in force on the same day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

from app.bounds import FIRST_DAY
from app.formfields import Fields
from app.i18n import _

SCOPE_MAX = 200
"""Characters of the scope sentence at most (its column's length)."""
TERM_YEARS_MAX = 10
"""A term lasts at most this many years."""
SOON_DAYS = 30
"""The dashboard names agreements ending within this many days, and those whose term ended
this many days ago or less without a renewal."""


class AgreementStatus(StrEnum):
    active = "active"
    ended = "ended"


class EndKind(StrEnum):
    """Why an agreement stopped before the end of its term."""

    ended = "ended"
    renewed = "renewed"


@dataclass
class AgreementForm:
    signed_on: str = ""
    ends_on: str = ""
    """The last day of the term."""
    scope: str = ""


@dataclass(frozen=True)
class Span:
    """The days an agreement is in force, `first` to `last` included (empty when `last` is
    before `first`: ended on the day it was signed)."""

    first: date
    last: date

    def overlaps(self, other: Span) -> bool:
        return (
            self.first <= other.last
            and other.first <= self.last
            and not (self.empty or other.empty)
        )

    @property
    def empty(self) -> bool:
        return self.last < self.first


def last_day(row: dict[str, Any]) -> date:
    """The last day the agreement `row` is (or was) in force."""
    if row["ended_on"] is not None:
        return min(row["ends_on"], row["ended_on"] - timedelta(days=1))
    return row["ends_on"]


def span_of(row: dict[str, Any]) -> Span:
    return Span(row["signed_on"], last_day(row))


def in_force(row: dict[str, Any], day: date) -> bool:
    return row["signed_on"] <= day <= last_day(row)


def status(row: dict[str, Any], day: date) -> AgreementStatus:
    """`active` while in force on `day`, else `ended` (an agreement is never recorded before
    it is signed, so there is no "not yet")."""
    return AgreementStatus.active if in_force(row, day) else AgreementStatus.ended


def anniversary(day: date, years: int) -> date:
    """The same day `years` years later (28 February for a 29 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def term_end(signed_on: date, years: int) -> date:
    """The last day of a term of `years` years signed on `signed_on`: the day before the
    anniversary."""
    return anniversary(signed_on, years) - timedelta(days=1)


def latest_end(signed_on: date) -> date:
    """The last day a term signed on `signed_on` may end on."""
    return anniversary(signed_on, TERM_YEARS_MAX)


def agreement_values(fields: Fields, form: AgreementForm, today: date) -> dict[str, Any]:
    """The checked `signed_on`, `ends_on` and `scope` of a form, every problem noted: the
    signing day from 2000 up to `today` (an agreement is recorded once signed), an end after
    it and at most `TERM_YEARS_MAX` years later, a scope of one sentence."""
    signed_on = fields.day(form.signed_on, "signed_on", first=FIRST_DAY, last=today)
    ends_on = fields.day(form.ends_on, "ends_on")
    if signed_on is not None and ends_on is not None:
        if ends_on <= signed_on:
            fields.error("ends_on", _("The term must end after the day it was signed."))
        elif ends_on > latest_end(signed_on):
            fields.error(
                "ends_on",
                _("A term lasts at most %(years)s years.", years=TERM_YEARS_MAX),
            )
    scope = fields.text(
        form.scope,
        "scope",
        max_length=SCOPE_MAX,
        required=_("Say in one sentence what the unit and the community agreed to do."),
        single_line=True,
    )
    return {"signed_on": signed_on, "ends_on": ends_on, "scope": scope}


def first_overlap(rows: list[dict[str, Any]], new: Span) -> dict[str, Any] | None:
    """The earliest of `rows` (a unit's agreements) in force on a day of `new`, or None."""
    for row in sorted(rows, key=lambda row: row["signed_on"]):
        if span_of(row).overlaps(new):
            return row
    return None


def needs_attention(row: dict[str, Any], today: date, renewed: bool) -> str | None:
    """`ending` for an agreement in force whose term ends within `SOON_DAYS` days, `lapsed`
    for one whose term ran out (not ended by staff) within the last `SOON_DAYS` days while
    its unit has no agreement in force (`renewed` False); else None."""
    if in_force(row, today) and row["ends_on"] <= today + timedelta(days=SOON_DAYS):
        return "ending"
    if (
        row["ended_on"] is None
        and today - timedelta(days=SOON_DAYS) <= row["ends_on"] < today
        and not renewed
    ):
        return "lapsed"
    return None
