"""Who may book a space at all: residents of its community (unless it is open to all), with
a confirmed contact and account where their community asks for them, and not held back by
too many no-shows."""

from __future__ import annotations

from datetime import datetime, timedelta

from app.errors import RuleViolation
from app.i18n import _, format_day_time, localized, ngettext
from app.permissions import Actor, booking_block_reason
from app.tables import Community, User
from spaces.logic.permissions import can_book_space
from spaces.queries.bookings import no_shows_since
from spaces.services.catalog import community_id
from spaces.tables import Space


async def no_show_block(user: User, community: Community | None, now: datetime) -> str | None:
    """Why the person may not book because of no-shows, or None."""
    if community is None or not community.no_show_limit:
        return None
    window = timedelta(days=community.no_show_window_days)
    missed = await no_shows_since(user.id, now - window)
    if len(missed) < community.no_show_limit:
        return None
    until = missed[len(missed) - community.no_show_limit] + window
    return ngettext(
        "You missed %(n)s booking without checking in within %(days)s days, so you cannot book "
        "until %(date)s.",
        "You missed %(n)s bookings without checking in within %(days)s days, so you cannot book "
        "until %(date)s.",
        len(missed),
        n=len(missed),
        days=community.no_show_window_days,
        date=format_day_time(until, with_year=True),
    )


async def _home_of(actor: Actor, space: Space) -> Community | None:
    """The actor's own community: the space's, read with it, for most bookings."""
    home_id = actor.user.community
    if home_id is None:
        return None
    if isinstance(space.community, Community) and space.community.id == home_id:
        return space.community
    return await Community.objects().where(Community.id == home_id).first()


async def check_eligibility(actor: Actor, space: Space, now: datetime) -> None:
    """Refuse people who may not book this space at all (community, verification)."""
    if not can_book_space(actor, community_id(space), open_to_all=space.open_to_all_communities):
        name = localized(space.community, "name") if isinstance(space.community, Community) else ""
        raise RuleViolation(
            "community", _("Only residents of %(community)s may book this space.", community=name)
        )
    home = await _home_of(actor, space)
    reason = booking_block_reason(actor.user, home)
    if reason == "contact_unverified":
        raise RuleViolation(
            "verification", _("Please confirm your mobile number or email before booking.")
        )
    if reason == "awaiting_approval":
        raise RuleViolation(
            "verification",
            _("Your community's staff have not yet confirmed your account, so you cannot book."),
        )
    if blocked := await no_show_block(actor.user, home, now):
        raise RuleViolation("no_show_limit", blocked)
