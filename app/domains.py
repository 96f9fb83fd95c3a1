"""How a domain (spaces, stations, needs) plugs into the shared kernel.

Each domain describes what it contributes in one `Domain` value; `app.asgi` installs the
domains when the application is assembled, so `app/` itself never imports them. Labels are
message ids marked with `N_` and translated when shown.
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


def N_(message: str) -> str:
    """Mark `message` for translation without translating it now."""
    return message


@dataclass(frozen=True)
class Link:
    route_name: str
    label: str
    """A message id; translated when shown."""
    description: str = ""
    audience: str = "everyone"
    """`everyone`, `signed_in` or `staff`."""


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
    route_handlers: Sequence[Any] = ()
    nav: Sequence[Link] = ()
    """Links in the site header."""
    home: Sequence[Link] = ()
    """Entries on the home page, with a description."""
    staff: Sequence[Link] = ()
    """Links in the staff console's menu."""
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


def links(kind: str) -> list[Link]:
    """All installed domains' links of one kind: `nav`, `home` or `staff`."""
    return [link for domain in _installed.domains for link in getattr(domain, kind)]


async def dashboard_panels(actor: Actor, now: datetime) -> list[Panel]:
    """Every installed domain's dashboard panels, in the order the domains were installed."""
    panels: list[Panel] = []
    for domain in _installed.domains:
        if domain.dashboard is not None:
            panels.extend(await domain.dashboard(actor, now))
    return panels
