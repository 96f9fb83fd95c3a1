"""How a domain (spaces, stations, needs) plugs into the shared kernel's services.

Each domain describes what it contributes in one `Domain` value (demo data, its part of a
person's data export and account deletion, scheduled jobs, calendar feeds, staff-dashboard
panels, sections of a community's public page, what a new public holiday hits); what it
contributes over HTTP is its `app.web.domains.WebDomain`. `app.asgi` installs both when the
application is assembled, so the rest of `app/` never imports a domain. Labels are message
ids marked with `app.i18n.N_` and translated when shown.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from app.calendar_exceptions import Consequence, Impact
    from app.feeds import FeedSource
    from app.permissions import Actor
    from app.scheduler import Job
    from app.tables import Community, PublicHoliday, User


@dataclass(frozen=True)
class Panel:
    """One box of the staff dashboard (`/staff`), or one section of a community's public page
    (`/communities/{slug}`): a template rendered with `context`."""

    title: str
    """A message id; translated when shown."""
    template: str
    context: dict[str, Any] = field(default_factory=dict)
    """What the template reads, as `panel.context`."""
    count: int | None = None
    """A number shown beside the title (things waiting for staff), or None for no badge."""
    count_label: str = ""
    """A message id with `%(n)s` saying what `count` counts, for the badge."""


@dataclass(frozen=True)
class DayHit:
    """A booking or request that closing a whole date would hit, as its domain describes it
    for the kernel's impact step (`app.holidays`)."""

    id: Any
    """The booking's id (opaque), as the step's fingerprint carries it."""
    status: str
    """`confirmed` or `pending`."""
    place: str
    """What the rows are grouped by (a space's slug)."""
    place_zh: str
    place_en: str
    starts_at: datetime
    ends_at: datetime
    zone: str
    """The IANA zone of the place, in which its times are shown."""
    units: int
    resident: str
    """The resident's name; empty for a group's booking or a deleted account."""
    resident_login: str
    group: str | None
    """The group's name for a group's standing booking (may be empty), else None."""
    subject: Any = field(default=None, compare=False, repr=False)
    """The domain's own objects, for its `settle`."""


@dataclass(frozen=True)
class DayClosing:
    """What a domain does when a whole date closes everywhere (a new public holiday): the
    kernel takes `lock_keys` with its own lock, asks `impact` before writing the date,
    checks that it is what the administrator confirmed, writes the date, then calls
    `settle`, all in one transaction."""

    lock_keys: Callable[[], Awaitable[Sequence[str]]]
    """The write locks of everything that closes on public holidays."""
    impact: Callable[[date, datetime], Awaitable[Impact]]
    """What closing the date hits from `now` on that is open now: `DayHit`s of confirmed
    bookings (`outside`) and pending requests (`requests`), grouped by place."""
    settle: Callable[[Actor, Impact, Consequence, PublicHoliday, datetime], Awaitable[Any]]
    """Keep or cancel the confirmed bookings as chosen, refuse the requests with the reason,
    tell each resident; returns what was done, for the audit."""


@dataclass(frozen=True)
class Domain:
    name: str
    load_demo: Callable[[datetime], Awaitable[list[str]]] | None = None
    """Adds the domain's demo data (idempotently); returns lines to print."""
    export_account: Callable[[User, datetime], Awaitable[dict[str, Any]]] | None = None
    """What the domain keeps about a person, for their data export."""
    before_account_deleted: Callable[[User, datetime], Awaitable[None]] | None = None
    """Called inside the deletion's transaction, before the account row goes."""
    after_holidays_changed: Callable[[], Awaitable[None]] | None = None
    """Called inside the transaction that edits the public-holiday table."""
    day_closing: DayClosing | None = None
    """What a new public holiday hits in the domain, and the administrator's answer to it."""
    jobs: Sequence[Job] = ()
    """Scheduled jobs (app.scheduler); exactly one process runs each turn."""
    personal_feed: FeedSource | None = None
    """The domain's events in a person's private calendar feed."""
    staff_feed: FeedSource | None = None
    """The domain's events in a staff member's feed of their communities."""
    dashboard: Callable[[Actor, datetime], Awaitable[Sequence[Panel]]] | None = None
    """The domain's panels on the staff dashboard, scoped to the actor's communities."""
    community_page: Callable[[Community, datetime], Awaitable[Sequence[Panel]]] | None = None
    """The domain's sections of the community's public page at `now`: only what anyone may
    see (never a person's name, phone or words)."""
    private_photos: Callable[[Sequence[str]], Awaitable[set[str]]] | None = None
    """Which of these photo names belong to something only some people may see (a need's
    photo); `linli migrate` imports those from the media folder as private."""
    after_migrations: Callable[[datetime], Awaitable[None]] | None = None
    """Called by `linli migrate` once the schema is up to date: data the domain derives
    from its tables and keeps (written idempotently)."""


@dataclass
class _Installed:
    domains: list[Domain] = field(default_factory=list)


_installed = _Installed()


def install(domains: Sequence[Domain]) -> None:
    """Make `domains` known to the kernel's services (idempotent)."""
    _installed.domains = list(domains)


def installed() -> list[Domain]:
    return list(_installed.domains)


async def dashboard_panels(actor: Actor, now: datetime) -> list[Panel]:
    """Every installed domain's dashboard panels, in the order the domains were installed."""
    panels: list[Panel] = []
    for domain in _installed.domains:
        if domain.dashboard is not None:
            panels.extend(await domain.dashboard(actor, now))
    return panels


async def community_sections(community: Community, now: datetime) -> list[Panel]:
    """Every installed domain's sections of a community's public page, in the order the
    domains were installed."""
    sections: list[Panel] = []
    for domain in _installed.domains:
        if domain.community_page is not None:
            sections.extend(await domain.community_page(community, now))
    return sections
