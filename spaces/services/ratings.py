"""Ratings (评单): residents rate a booking once it has ended, the space page shows what
they thought (never who), and staff hide abusive comments."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app import audit
from app.cache import VersionedCache
from app.db import existing, gather, write_transaction
from app.errors import FieldError, InputError, NotFound, RuleViolation
from app.i18n import _, ngettext
from app.permissions import Actor, staff_service
from app.queries import in_staff_scope
from spaces.logic.permissions import can_hide_rating
from spaces.logic.statuses import BookingStatus, effective_status
from spaces.queries.spaces import lock_key, touch
from spaces.services.bookings import load_booking, staff_booking
from spaces.services.catalog import community_id
from spaces.tables import Booking, Space


@dataclass(frozen=True)
class RatingSummary:
    average: float | None
    count: int
    recent: list[dict[str, Any]]
    """The newest comments staff have not hidden: `stars`, `comment`, `rated_at`; never who."""


RECENT_COMMENTS = 5


_ratings_cache: VersionedCache[RatingSummary] = VersionedCache(256)


async def ratings_of(space: Space) -> RatingSummary:
    """What residents thought of the space, for its public page; cached by the space's
    version, which rating and hiding a comment bump."""
    key = (space.id, space.created_at, space.version)
    summary = _ratings_cache.get(key)
    if summary is None:
        summary = await _ratings_from_database(space)
        _ratings_cache.put(key, summary)
    return summary


async def _ratings_from_database(space: Space) -> RatingSummary:
    totals, recent = await gather(
        Booking.raw(
            "SELECT AVG(rating) AS average, COUNT(rating) AS count FROM booking "
            "WHERE space = {} AND rating IS NOT NULL",
            space.id,
        ).run(),
        Booking.select(
            Booking.rating.as_alias("stars"),
            Booking.rating_comment.as_alias("comment"),
            Booking.rated_at,
        )
        .where(
            (Booking.space == space.id)
            & Booking.rating.is_not_null()
            & (Booking.rating_comment != "")
            & (Booking.rating_hidden == False)  # noqa: E712
        )
        .order_by(Booking.rated_at, ascending=False)
        .limit(RECENT_COMMENTS)
        .run(),
    )
    average = totals[0]["average"]
    return RatingSummary(
        round(float(average), 1) if average is not None else None, totals[0]["count"], recent
    )


async def rate(
    actor: Actor, booking_id: str, *, stars: int, comment: str, now: datetime
) -> Booking:
    """The resident's rating (评单) of a booking that has ended; it may be changed later."""
    booking, space, is_owner = await load_booking(actor, booking_id)
    if not is_owner:
        raise NotFound(_("There is no such booking."))
    if effective_status(booking, now) != BookingStatus.completed.value:
        raise RuleViolation("not_ended", _("You can rate a booking once it has ended."))
    errors = []
    if not 1 <= stars <= 5:
        errors.append(FieldError("rating", _("Choose 1 to 5 stars.")))
    if len(comment.strip()) > 500:
        errors.append(
            FieldError(
                "comment",
                ngettext(
                    "Use at most %(n)s character.", "Use at most %(n)s characters.", 500, n=500
                ),
            )
        )
    if errors:
        raise InputError(errors)
    comment = comment.strip()
    async with write_transaction(lock_key(space)):
        await Booking.update(
            {
                Booking.rating: stars,
                Booking.rating_comment: comment,
                Booking.rated_at: now,
                # A new comment is shown again until staff hide it; the audit log keeps
                # the hidden one.
                Booking.rating_hidden: booking.rating_hidden and comment == booking.rating_comment,
            }
        ).where(Booking.id == booking.id)
        await touch(space.id)  # the space page's ratings are cached by its version
    return existing(await Booking.objects().where(Booking.id == booking.id).first())


@staff_service
async def hide_rating(actor: Actor, booking_id: str, *, now: datetime) -> None:
    """Hide an abusive rating comment from everyone; the audit log keeps its text."""
    booking, space = await staff_booking(actor, booking_id, can_hide_rating)
    async with write_transaction(lock_key(space)):
        booking = existing(await Booking.objects().where(Booking.id == booking.id).first())
        if booking.rating_hidden or not booking.rating_comment:
            return
        await Booking.update({Booking.rating_hidden: True}).where(Booking.id == booking.id)
        await touch(space.id)
        await audit.record(
            actor_id=actor.id,
            action="rating.hidden",
            subject_type="booking",
            subject_id=str(booking.id),
            community_id=community_id(space),
            before={"comment": booking.rating_comment, "stars": booking.rating},
            after={"hidden": True},
            now=now,
        )


async def ratings_to_review(actor: Actor, *, limit: int = 100) -> list[Booking]:
    """The newest ratings with a comment on the actor's spaces, hidden ones included."""
    query = Booking.objects(Booking.space, Booking.user).where(
        Booking.rating.is_not_null() & (Booking.rating_comment != "")
    )
    query = query.where(in_staff_scope(actor, Booking.space.community))
    return await query.order_by(Booking.rated_at, ascending=False).limit(limit)
