"""The needs loop for the person who filed a need (a resident, or a courier without an
account through the secret link): seeing it, rating it (评单) and withdrawing it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app.db import write_transaction
from app.errors import NotFound
from app.formfields import Fields
from app.i18n import _
from app.permissions import Actor
from needs.logic import follow_tokens, loop
from needs.queries.assignees import helper_user_id
from needs.services import need_notices
from needs.services.transitions import (
    add_event,
    lock_key,
    locked,
    need_uuid,
    reopening,
    require_status,
    save_step,
)
from needs.tables import Need


@dataclass(frozen=True)
class ReporterAccess:
    """The need as its reporter reaches it: signed in, or through the secret link."""

    need: Need
    user_id: int | None
    """The signed-in reporter, or None for the holder of the follow link."""


async def reporter_access(actor: Actor, need_id: str) -> ReporterAccess:
    """The actor's own need; anyone else's is a need that does not exist (404)."""
    need = await Need.objects().where(Need.id == need_uuid(need_id)).first()
    if need is None or need.reporter is None or need.reporter != actor.id:
        raise NotFound(_("There is no such need."))
    return ReporterAccess(need, actor.id)


async def follow_access(token: str) -> ReporterAccess:
    """The need the secret link belongs to; the same 404 for a malformed, unknown or foreign
    link."""
    if not follow_tokens.looks_like_token(token):
        raise NotFound(_("This link does not lead to a need. Check that it was copied whole."))
    need = (
        await Need.objects()
        .where(Need.follow_token_hash == follow_tokens.token_hash(token))
        .first()
    )
    if need is None:
        raise NotFound(_("This link does not lead to a need. Check that it was copied whole."))
    return ReporterAccess(need, None)


def _stars(value: str, fields: Fields) -> int | None:
    value = value.strip()
    if value not in ("1", "2", "3", "4", "5"):  # not isdigit(): "²" is a digit to Python
        fields.error("rating", _("Choose from 1 to 5 stars."))
        return None
    return int(value)


async def rate(access: ReporterAccess, *, stars: str, comment: str, now: datetime) -> Need:
    """Rate a done need 1–5 with an optional comment. 3–5 close the loop (`rated`); 1–2
    reopen it for staff (`open`, `times_reopened` + 1, no helper assigned). The helper and,
    on a reopening, the staff are told."""
    fields = Fields()
    rating = _stars(stars, fields)
    comment = fields.text(comment, "comment", max_length=loop.MAX_COMMENT)
    fields.check()
    assert rating is not None
    async with write_transaction(lock_key(access.need.id)):
        need = await locked(access.need.id)
        require_status(
            need,
            loop.MAY_RATE,
            _("It was already rated. Thank you!")
            if need.status == loop.RATED
            else _("You can rate it once it is done."),
        )
        helper = await helper_user_id(need)
        status = loop.status_after_rating(rating)
        values: dict[Any, Any] = {
            Need.status: status,
            Need.rating: rating,
            Need.rating_comment: comment,
            Need.rated_at: now,
        }
        if status == loop.OPEN:
            values.update(reopening())
        await save_step(need.id, values, now)
        await add_event(
            need.id,
            "rated",
            actor_id=access.user_id,
            now=now,
            detail=loop.rating_detail(rating, comment),
        )
        await need_notices.tell_helper(
            helper, need, "rated", need_notices.RATED, now=now, stars=rating
        )
        if status == loop.OPEN:
            await add_event(need.id, "reopened", actor_id=access.user_id, now=now)
            await need_notices.tell_staff(
                need, "reopened", need_notices.REOPENED, now=now, skip=access.user_id, stars=rating
            )
        return await locked(need.id)


async def withdraw_own(access: ReporterAccess, *, now: datetime) -> Need:
    """The reporter takes the need back while nobody has started on it."""
    async with write_transaction(lock_key(access.need.id)):
        need = await locked(access.need.id)
        require_status(
            need,
            loop.MAY_REPORTER_WITHDRAW,
            _("A helper is already on it or it is finished, so it can no longer be withdrawn."),
        )
        helper = await helper_user_id(need)
        await save_step(need.id, {Need.status: loop.WITHDRAWN, Need.withdrawn_at: now}, now)
        await add_event(need.id, "withdrawn", actor_id=access.user_id, now=now)
        await need_notices.tell_staff(
            need, "withdrawn", need_notices.WITHDRAWN_BY_REPORTER, now=now, skip=access.user_id
        )
        await need_notices.tell_helper(
            helper, need, "withdrawn", need_notices.WITHDRAWN_FOR_HELPER, now=now
        )
        return await locked(need.id)


async def needs_of(user_id: int) -> list[Need]:
    """What a resident filed, newest first."""
    return (
        await Need.objects()
        .where(Need.reporter == user_id)
        .order_by(Need.created_at, ascending=False)
        .limit(200)
    )
