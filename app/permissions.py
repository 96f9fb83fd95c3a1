"""Who may do what: one named predicate per action; `app.web.guards` builds route guards on them.

Predicates are plain functions over an `Actor` (the signed-in user and the communities they
serve as staff); services and controllers call the same predicate, so a rule lives once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from app.tables import User

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class Actor:
    """The person making a request."""

    user: User
    staff_of: frozenset[int]
    """Ids of the communities this user serves as staff."""
    unread_notifications: int = 0

    @property
    def id(self) -> int:
        return self.user.id

    @property
    def is_admin(self) -> bool:
        return bool(self.user.is_admin)

    @property
    def is_staff(self) -> bool:
        return self.is_admin or bool(self.staff_of)

    @property
    def role(self) -> str:
        if self.is_admin:
            return "admin"
        return "staff" if self.staff_of else "resident"


def can_manage_community(actor: Actor | None, community_id: int | None) -> bool:
    """Staff of that community, or an administrator."""
    if actor is None or community_id is None:
        return actor is not None and actor.is_admin
    return actor.is_admin or community_id in actor.staff_of


def can_use_staff_console(actor: Actor | None) -> bool:
    return actor is not None and actor.is_staff


def can_administer(actor: Actor | None) -> bool:
    """District-wide settings, communities and staff accounts."""
    return actor is not None and actor.is_admin


def can_manage_resident(actor: Actor | None, resident: User) -> bool:
    """Staff of the resident's community may approve them; nobody else but administrators."""
    return can_manage_community(actor, resident.community)


def booking_block_reason(user: User, community: Any) -> str | None:
    """Why `user` may not book yet, as a code, or None when nothing stands in the way.

    `contact_unverified`: their community asks residents to confirm their phone or email.
    `awaiting_approval`: their community's staff confirm each new resident first.
    """
    if community is None:
        return None
    if community.contact_verification and user.contact_verified_at is None:
        return "contact_unverified"
    if community.residents_need_approval and user.resident_approved_at is None:
        return "awaiting_approval"
    return None


_staff_services: dict[str, Callable[..., Any]] = {}


def staff_service(function: F) -> F:
    """Mark a service only staff of the community concerned (or an administrator) may call.

    The service checks that itself, through a named predicate, and refuses everyone else
    with a domain error (`Forbidden`, or `NotFound` where saying more would leak). The test
    suite calls every marked service as a resident and as staff of another community, and
    fails on a marked service it has no call for."""
    _staff_services[f"{function.__module__}.{function.__qualname__}"] = function
    return function


def staff_services() -> dict[str, Callable[..., Any]]:
    """Every service marked with `staff_service`, by dotted name (of the modules imported)."""
    return dict(_staff_services)
