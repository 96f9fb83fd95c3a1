"""Who may do what with stations: one named predicate per action, each built on
`app.permissions.can_manage_community` (staff of the station's community, or an
administrator). The services call them and refuse everyone else with `refuse_unless`
(`Forbidden`) or, where saying more would leak that a station or report exists,
`hide_unless` (`NotFound`); the staff pages' route guards only ask for staff in general.
Pure functions."""

from __future__ import annotations

from app.errors import Forbidden, NotFound
from app.i18n import _
from app.permissions import Actor, can_manage_community


def can_manage_station(actor: Actor | None, station_community: int) -> bool:
    """Open a station's staff pages, active or not."""
    return can_manage_community(actor, station_community)


def can_add_station(actor: Actor | None, community_id: int) -> bool:
    """Add a station to a community."""
    return can_manage_community(actor, community_id)


def can_edit_station(actor: Actor | None, station_community: int) -> bool:
    """Change a station's details, hours and photo."""
    return can_manage_community(actor, station_community)


def can_deactivate_station(actor: Actor | None, station_community: int) -> bool:
    """Hide a station from couriers, or show it again."""
    return can_manage_community(actor, station_community)


def can_confirm_station(actor: Actor | None, station_community: int) -> bool:
    """Confirm that a station's details are right as of now."""
    return can_manage_community(actor, station_community)


def can_edit_amenities(actor: Actor | None, station_community: int) -> bool:
    """Say which amenities a station has, with their numbers and notes."""
    return can_manage_community(actor, station_community)


def can_mark_amenity(actor: Actor | None, station_community: int) -> bool:
    """Mark one of a station's amenities out of order, or working again."""
    return can_manage_community(actor, station_community)


def can_edit_station_calendar(actor: Actor | None, station_community: int) -> bool:
    """Add or remove a station's closures and special hours."""
    return can_manage_community(actor, station_community)


def can_edit_dated_services(actor: Actor | None, station_community: int) -> bool:
    """Add, change or cancel a station's dated services (legal-help hours, safety talks)."""
    return can_manage_community(actor, station_community)


def can_mark_integrity_model(actor: Actor | None, station_community: int) -> bool:
    """Mark a station's host shop as an integrity model shop (诚信经营示范点), or unmark it."""
    return can_manage_community(actor, station_community)


def can_resolve_report(actor: Actor | None, station_community: int) -> bool:
    """Resolve a problem report about a station."""
    return can_manage_community(actor, station_community)


def can_see_check_ins(actor: Actor | None, station_community: int) -> bool:
    """See a station's current check-ins (times and whether each counts; nothing personal)."""
    return can_manage_community(actor, station_community)


def can_clear_check_ins(actor: Actor | None, station_community: int) -> bool:
    """End a station's check-ins, one or all, to free the seats they hold."""
    return can_manage_community(actor, station_community)


def refuse_unless(allowed: bool) -> None:
    """Refuse an action on a station the actor may not manage."""
    if not allowed:
        raise Forbidden(_("Only staff of this station's community may manage it."))


def hide_unless(allowed: bool) -> None:
    """Refuse as if the station did not exist, where saying more would leak."""
    if not allowed:
        raise NotFound(_("There is no station at this address."))
