"""How a domain (spaces, stations, needs) plugs into the shared kernel's services.

Each domain describes what it contributes in one `Domain` value (demo data, its part of a
person's data export and account deletion, scheduled jobs, calendar feeds, staff-dashboard
panels); what it contributes over HTTP is its `app.web.domains.WebDomain`. `app.asgi`
installs both when the application is assembled, so the rest of `app/` never imports a
domain. Labels are message ids marked with `app.i18n.N_` and translated when shown.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from app.feeds import FeedSource
    from app.permissions import Actor
    from app.scheduler import Job
    from app.tables import User


@dataclass(frozen=True)
class Panel:
    """One box of the staff dashboard (`/staff`): a template rendered with `context`."""

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
    jobs: Sequence[Job] = ()
    """Scheduled jobs (app.scheduler); exactly one process runs each turn."""
    personal_feed: FeedSource | None = None
    """The domain's events in a person's private calendar feed."""
    staff_feed: FeedSource | None = None
    """The domain's events in a staff member's feed of their communities."""
    dashboard: Callable[[Actor, datetime], Awaitable[Sequence[Panel]]] | None = None
    """The domain's panels on the staff dashboard, scoped to the actor's communities."""


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
