"""What the needs domain keeps about a person, for their data export."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from app.tables import User
from needs.tables import Need, Volunteer


async def export_account(user: User, now: datetime) -> dict[str, Any]:
    """The needs a person filed (with what was done and their rating) and their volunteer
    records."""
    needs = await Need.select(
        Need.id,
        Need.community.slug.as_alias("community"),
        Need.category,
        Need.description,
        Need.place,
        Need.status,
        Need.resolution,
        Need.rating,
        Need.rating_comment,
        Need.created_at,
        Need.done_at,
    ).where(Need.reporter == user.id)
    volunteering = await Volunteer.select(
        Volunteer.community.slug.as_alias("community"),
        Volunteer.categories,
        Volunteer.skills,
        Volunteer.status,
        Volunteer.applied_at,
    ).where(Volunteer.user == user.id)
    return {
        "needs": [_plain(row) for row in needs],
        "volunteering": [_plain(row) for row in volunteering],
    }


def _plain(row: dict[str, Any]) -> dict[str, Any]:
    return {
        key: value.isoformat()
        if isinstance(value, datetime)
        else str(value)
        if key == "id"
        else value
        for key, value in row.items()
    }
