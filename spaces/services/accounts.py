"""The spaces domain's part of the kernel's account services: what a person's data export
holds of their bookings and waits, what deleting their account frees, and what a change of
public holidays invalidates."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from app.tables import User
from spaces.logic.statuses import BookingStatus
from spaces.queries.spaces import touch
from spaces.services import feed_texts
from spaces.tables import Booking, Space, WaitlistEntry


async def export_account(user: User, now: datetime) -> dict[str, Any]:
    """The person's bookings and waits, for their data export."""
    rows = await Booking.select(
        Booking.id,
        Booking.space.slug.as_alias("space"),
        Booking.starts_at,
        Booking.ends_at,
        Booking.units,
        Booking.status,
        Booking.note,
        Booking.rating,
        Booking.rating_comment,
        Booking.created_at,
    ).where(Booking.user == user.id)
    return {
        "bookings": [
            {
                key: value.isoformat() if isinstance(value, datetime) else value
                for key, value in {**row, "id": str(row["id"])}.items()
            }
            for row in rows
        ],
        "waitlist": await _waitlist_export(user.id),
    }


async def before_account_deleted(user: User, now: datetime) -> None:
    """Free what the person still holds; past bookings stay, no longer linked to anyone."""
    held = (
        await Booking.select(Booking.space)
        .where(
            (Booking.user == user.id)
            & (Booking.ends_at > now)
            & (Booking.status == BookingStatus.confirmed.value)
        )
        .distinct()
    )
    for row in held:
        await touch(row["space"])
    await Booking.update(
        {
            Booking.status: BookingStatus.cancelled.value,
            Booking.cancelled_at: now,
            Booking.cancel_reason: "account deleted",
            Booking.updated_at: now,
            Booking.sequence: Booking.sequence + 1,
        }
    ).where(
        (Booking.user == user.id)
        & (Booking.ends_at > now)
        & Booking.status.is_in([BookingStatus.pending.value, BookingStatus.confirmed.value])
    )
    await Booking.update({Booking.note: "", Booking.rating_comment: ""}).where(
        Booking.user == user.id
    )
    await feed_texts.forget_person(user.id)


async def after_holidays_changed() -> None:
    """Spaces closed on public holidays have another calendar: their caches go stale."""
    await Space.update({Space.version: Space.version + 1}).where(
        Space.closed_on_holidays == True  # noqa: E712
    )


async def _waitlist_export(user_id: int) -> list[dict[str, Any]]:
    """The person's waitlist entries, for their data export."""
    rows = await WaitlistEntry.select(
        WaitlistEntry.id,
        WaitlistEntry.space.slug.as_alias("space"),
        WaitlistEntry.starts_at,
        WaitlistEntry.ends_at,
        WaitlistEntry.units,
        WaitlistEntry.status,
        WaitlistEntry.created_at,
        WaitlistEntry.offer_expires_at,
    ).where(WaitlistEntry.user == user_id)
    return [
        {
            key: value.isoformat() if isinstance(value, datetime) else value
            for key, value in {**row, "id": str(row["id"])}.items()
        }
        for row in rows
    ]
