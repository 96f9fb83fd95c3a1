"""Who may do what with a community's spaces and bookings: one named predicate per action.

Each is built on `app.permissions.can_manage_community` (staff of the community, or an
administrator) and called by the service doing the action, which refuses everyone else with
the domain's error: `Forbidden` for a space (`space_refused()`), `NotFound` for a booking or
a resident, whose existence must not leak. Pure functions.
"""

from __future__ import annotations

from app.errors import Forbidden
from app.i18n import _
from app.permissions import Actor, can_manage_community


def can_manage_space(actor: Actor, community_id: int) -> bool:
    """Open a space's staff pages: its bookings ahead, closures, series and door sign."""
    return can_manage_community(actor, community_id)


def can_edit_space(actor: Actor, community_id: int) -> bool:
    """Add a space to the community, edit its details, hours and rules, deactivate it, and
    set the hours of single dates."""
    return can_manage_community(actor, community_id)


def can_close_space(actor: Actor, community_id: int) -> bool:
    """Close a space or block some of its units, by hand or from a calendar file, and
    decide what happens to the bookings that hits."""
    return can_manage_community(actor, community_id)


def can_approve_booking(actor: Actor, community_id: int) -> bool:
    """Approve or reject a request for a space of the community."""
    return can_manage_community(actor, community_id)


def can_book_on_behalf(actor: Actor, community_id: int) -> bool:
    """Book a space of the community for one of its residents, at the counter (代约)."""
    return can_manage_community(actor, community_id)


def can_manage_series(actor: Actor, community_id: int) -> bool:
    """Book, change and end standing weekly slots (group series) of a space."""
    return can_manage_community(actor, community_id)


def can_hide_rating(actor: Actor, community_id: int) -> bool:
    """Hide an abusive rating comment on a space of the community."""
    return can_manage_community(actor, community_id)


def can_see_no_shows(actor: Actor, community_id: int) -> bool:
    """See which residents of the community missed bookings without checking in."""
    return can_manage_community(actor, community_id)


def can_see_booking(actor: Actor, owner_id: int | None, community_id: int) -> bool:
    """Its resident, and the staff of its space's community."""
    return owner_id == actor.id or can_manage_community(actor, community_id)


def can_cancel_for_resident(actor: Actor, community_id: int) -> bool:
    """Cancel someone else's booking (with a reason, at any time before its end)."""
    return can_manage_community(actor, community_id)


def can_undo_cancel(actor: Actor, owner_id: int | None, cancelled_by: int | None) -> bool:
    """Take a cancellation back: only the resident who cancelled their own booking (what
    staff cancelled stays cancelled; they book again at the counter)."""
    return owner_id == actor.id and cancelled_by == actor.id


def can_book_space(actor: Actor, community_id: int, *, open_to_all: bool) -> bool:
    """Book a space at all: anyone when it is open to all communities, else residents of its
    community and its staff."""
    return (
        open_to_all
        or actor.user.community == community_id
        or can_manage_community(actor, community_id)
    )


def space_refused() -> Forbidden:
    """The refusal of a space's staff action to anyone else."""
    return Forbidden(_("Only staff of this space's community may manage it."))
