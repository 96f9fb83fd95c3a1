"""What the needs domain keeps about a person: their data export, and what goes with their
account."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from app.tables import User
from needs.logic import loop
from needs.tables import Need, NeedEvent, Volunteer


async def export_account(user: User, now: datetime) -> dict[str, Any]:
    """The needs a person filed (with what was done, their rating, the phone and consents they
    gave, and what staff heard at the latest 回访) and their volunteer records (with the
    party branch staff marked them a member of, if any)."""
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
        Need.reporter_name,
        Need.reporter_contact,
        Need.language,
        Need.contact_consent,
        Need.notify_consent,
        Need.followup_method,
        Need.followup_result,
        Need.followup_note,
        Need.followed_up_at,
        Need.created_at,
        Need.done_at,
        Need.closed_at,
    ).where(Need.reporter == user.id)
    volunteering = await Volunteer.select(
        Volunteer.community.slug.as_alias("community"),
        Volunteer.categories,
        Volunteer.skills,
        Volunteer.status,
        Volunteer.applied_at,
        # The party branch staff marked them a member of: theirs to see, like the rest.
        Volunteer.branch.name_zh.as_alias("party_branch"),
    ).where(Volunteer.user == user.id)
    return {
        "needs": [_plain(row) for row in needs],
        "volunteering": [_plain(row) for row in volunteering],
    }


async def before_account_deleted(user: User, now: datetime) -> None:
    """The person's needs stay for the community's figures, without how to reach them or
    what they said at a 回访; the database unlinks the reporter when the account goes."""
    await Need.update(
        {Need.reporter_contact: "", Need.reporter_name: "", Need.followup_note: ""}
    ).where(Need.reporter == user.id)
    await _forget_followup_notes(user)


async def _forget_followup_notes(user: User) -> None:
    """Each 回访 event of the person's needs keeps its method and result, not the note: the
    timeline holds a copy of every note, not only the latest one on the need."""
    events = await NeedEvent.select(NeedEvent.id, NeedEvent.detail).where(
        (NeedEvent.kind == "followup")
        & NeedEvent.need.is_in(Need.select(Need.id).where(Need.reporter == user.id))
    )
    for event in events:
        method, result, note = loop.read_followup_detail(event["detail"])
        if note:
            await NeedEvent.update(
                {NeedEvent.detail: loop.followup_detail(method, result, "")}
            ).where(NeedEvent.id == event["id"])


def _plain(row: dict[str, Any]) -> dict[str, Any]:
    return {
        key: value.isoformat()
        if isinstance(value, datetime)
        else str(value)
        if key == "id"
        else value
        for key, value in row.items()
    }
