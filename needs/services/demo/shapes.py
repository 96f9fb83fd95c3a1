"""The shapes of the needs demo: resources, partner units, people, a need's steps, needs,
projects and the community holding them, as plain frozen values."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class R:
    """A resource: key (unique in its community), titles, category, when, what."""

    key: str
    title_zh: str
    title_en: str
    category: str
    availability: str
    description: str = ""


@dataclass(frozen=True)
class Unit:
    key: str
    name_zh: str
    name_en: str
    kind: str
    contact_name: str
    contact_phone: str
    categories: str
    resources: tuple[R, ...]
    signs_in: bool = False
    """Its contact person has an account (`<key>.<community>@linli.example`)."""


@dataclass(frozen=True)
class DemoAgreement:
    """An agreement a unit signed `signed_days_ago` days before the demo's day, for a term of
    `years` years (ending the day before the anniversary)."""

    unit: str
    signed_days_ago: int
    years: int
    scope: str


@dataclass(frozen=True)
class Person:
    login: str
    name: str
    community: str
    volunteer: str = ""
    """`approved:<categories>` or `applied:<categories>`; empty for a plain resident."""
    skills: str = ""


@dataclass(frozen=True)
class Step:
    kind: str
    after_hours: float
    """Hours after the step before it."""
    detail: str = ""
    helper: str = ""
    """For `dispatched`: `unit:<key>`, `volunteer:<login>` or `branch:<key>`; for `accepted`
    of a need sent to a branch: `volunteer:<login>`, the member who takes it."""
    stars: int | None = None
    by_staff: bool = False
    """For `withdrawn`: closed by staff rather than by the reporter."""
    method: str = ""
    """For `followup` (回访): `phone` or `visit`."""
    result: str = ""
    """For `followup`: `satisfied`, `fairly` or `dissatisfied`."""


def dispatch(hours: float, helper: str) -> Step:
    return Step("dispatched", hours, helper=helper)


def accept(hours: float) -> Step:
    return Step("accepted", hours)


def take(hours: float, login: str) -> Step:
    """A member of the party branch the need was sent to accepts it, and so takes it."""
    return Step("accepted", hours, helper=f"volunteer:{login}")


def decline(hours: float, reason: str) -> Step:
    return Step("declined", hours, reason)


def finish(hours: float, resolution: str) -> Step:
    return Step("done", hours, resolution)


def rate(hours: float, stars: int, comment: str) -> Step:
    return Step("rated", hours, comment, stars=stars)


def withdraw(hours: float, reason: str, *, by_staff: bool = False) -> Step:
    return Step("withdrawn", hours, reason, by_staff=by_staff)


def note(hours: float, text: str) -> Step:
    return Step("note", hours, text)


def follow_up(hours: float, method: str, result: str, text: str) -> Step:
    """Staff's 回访 by phone or at home, with what the resident said and a note."""
    return Step("followup", hours, text, method=method, result=result)


def close_unrated(hours: float) -> Step:
    """Done, then neither rated nor followed up in the community's time: closed."""
    return Step("closed_unrated", hours)


@dataclass(frozen=True)
class DemoNeed:
    category: str
    description: str
    place: str
    reporter: str
    """A resident's login, `staff`, `courier:<station slug>`, `walkin:<name>` for a
    walk-in or phone resident staff filed for, or `system:<name>` for a partner system that
    filed it through Open311."""
    days_ago: int
    filed_at: str
    """Local wall time `HH:MM` on the day `days_ago` days before today."""
    steps: tuple[Step, ...] = ()
    resources: tuple[str, ...] = ()
    project: str = ""
    contact: str = ""
    contact_consent: bool = False
    """The reporter agreed that the helper may see how to reach them."""
    notify_consent: bool = False
    """A courier agreed to text messages about it."""
    public_summary: str = ""


@dataclass(frozen=True)
class DemoProject:
    key: str
    title_zh: str
    title_en: str
    description: str
    categories: str
    resources: tuple[str, ...]


@dataclass(frozen=True)
class DemoBranch:
    """A party branch (党支部) and the logins of its party-member volunteers."""

    key: str
    name_zh: str
    name_en: str
    members: tuple[str, ...]


@dataclass(frozen=True)
class DemoCommunity:
    slug: str
    people: tuple[Person, ...]
    """Its demo residents; volunteers sign in with the demo password."""
    units: tuple[Unit, ...]
    projects: tuple[DemoProject, ...]
    needs: tuple[DemoNeed, ...]
    agreements: tuple[DemoAgreement, ...] = ()
    branches: tuple[DemoBranch, ...] = ()
