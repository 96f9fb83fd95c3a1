"""Who may do what in the needs domain: one named predicate per action, built on
`app.permissions.can_manage_community`. The services call them and refuse everyone else
(a need of another community is a need that does not exist: `NotFound`; the lists and
volunteers of another community are `Forbidden`); the pages' route guards only ask for
staff in general."""

from __future__ import annotations

from app.permissions import Actor, can_manage_community


def can_see_need_as_staff(actor: Actor | None, need_community: int) -> bool:
    """The staff's page of a need: who filed it, its timeline, who could take it."""
    return can_manage_community(actor, need_community)


def can_dispatch_need(actor: Actor | None, need_community: int) -> bool:
    """Send a need to a volunteer or a partner unit (派单)."""
    return can_manage_community(actor, need_community)


def can_close_need(actor: Actor | None, need_community: int) -> bool:
    """Close a need as not one, with a reason for the person who filed it."""
    return can_manage_community(actor, need_community)


def can_follow_up_need(actor: Actor | None, need_community: int) -> bool:
    """Record a 回访: what the resident said when staff called or visited afterwards."""
    return can_manage_community(actor, need_community)


def can_file_for_resident(actor: Actor | None, community_id: int) -> bool:
    """File a need on behalf of a walk-in or phone resident of the community."""
    return can_manage_community(actor, community_id)


def can_write_public_summary(actor: Actor | None, need_community: int) -> bool:
    """Write what the community's public page says was done about a need."""
    return can_manage_community(actor, need_community)


def can_book_for_need(actor: Actor | None, need_community: int) -> bool:
    """Turn a need into a booking or a group series for the person who filed it."""
    return can_manage_community(actor, need_community)


def can_see_lists(actor: Actor | None, community_id: int) -> bool:
    """Read a community's partner units, resources and projects."""
    return can_manage_community(actor, community_id)


def can_edit_lists(actor: Actor | None, community_id: int) -> bool:
    """Add, change, deactivate a community's partner units, resources and projects."""
    return can_manage_community(actor, community_id)


def can_see_volunteers(actor: Actor | None, community_id: int) -> bool:
    """Read a community's volunteers and the offers waiting for a decision."""
    return can_manage_community(actor, community_id)


def can_decide_volunteer(actor: Actor | None, volunteer_community: int) -> bool:
    """Approve or decline an offer to volunteer, or retire a volunteer."""
    return can_manage_community(actor, volunteer_community)


def can_volunteer_in(actor: Actor, community_id: int) -> bool:
    """A resident offers to help in their own community only."""
    return actor.user.community == community_id


def can_see_need_photo(
    actor: Actor, need_community: int, *, reporter_id: int | None, helper_id: int | None
) -> bool:
    """The photo sent with a need: its filer, the staff of its community, and the helper it
    is sent to now (the volunteer, or the partner unit's contact person)."""
    is_filer_or_helper = actor.id in (reporter_id, helper_id)
    return is_filer_or_helper or can_manage_community(actor, need_community)


def can_manage_branches(actor: Actor | None, community_id: int) -> bool:
    """Create, rename and retire a community's party branches, mark its volunteers as party
    members, and see who is one."""
    return can_manage_community(actor, community_id)
