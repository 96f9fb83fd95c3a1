"""回访: staff call or visit the resident once a need is done and record what they said.

满意 and 基本满意 close the loop (`rated`), as a good rating would; 不满意 reopens the need for
the staff, as a low rating does. A 回访 may come after the resident rated it, or after the
need closed without rating. Every 回访 is written to the audit log in its transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app import audit
from app.db import write_transaction
from app.formfields import Fields
from app.i18n import _
from app.permissions import Actor, staff_service
from needs.logic import loop
from needs.logic.labels import FOLLOWUP_METHOD_LABELS, FOLLOWUP_RESULT_LABELS
from needs.logic.permissions import can_follow_up_need
from needs.services import need_notices
from needs.services.dispatch import need_for
from needs.services.transitions import (
    add_event,
    audit_step,
    lock_key,
    locked,
    reopening,
    require_status,
    save_step,
)
from needs.tables import Need


@dataclass
class FollowUpForm:
    method: str = ""
    """`phone` or `visit` (`FollowUpMethod`)."""
    result: str = ""
    """`satisfied`, `fairly` or `dissatisfied` (`FollowUpResult`)."""
    note: str = ""
    """What the resident said, for the staff; the reporter never reads it."""


def _snapshot(need: Need) -> dict[str, Any]:
    return {
        "status": need.status,
        "followup_method": need.followup_method,
        "followup_result": need.followup_result,
        "followup_note": need.followup_note,
        "times_reopened": need.times_reopened,
    }


def _read(form: FollowUpForm) -> tuple[str, str, str]:
    fields = Fields()
    method, result = form.method.strip(), form.result.strip()
    if method not in FOLLOWUP_METHOD_LABELS:
        fields.error("method", _("Choose how you reached the resident: by phone or a visit."))
    if result not in FOLLOWUP_RESULT_LABELS:
        fields.error("result", _("Choose what the resident said."))
    note = fields.text(form.note, "note", max_length=loop.MAX_NOTE)
    fields.check()
    return method, result, note


@staff_service
async def record_followup(actor: Actor, need_id: str, form: FollowUpForm, *, now: datetime) -> Need:
    """Record a 回访 of a need that is done, closed without rating, or rated.

    Raises `NotFound` for a need of another community, `InputError` for a missing method or
    result or a long note, `Conflict` while the need is not done yet."""
    need = await need_for(actor, need_id, can_follow_up_need)
    method, result, note = _read(form)
    async with write_transaction(lock_key(need.id)):
        current = await locked(need.id)
        require_status(
            current, loop.MAY_FOLLOW_UP, _("A follow-up is recorded once the need is done.")
        )
        status = loop.status_after_followup(result)
        values: dict[Any, Any] = {
            Need.followup_method: method,
            Need.followup_result: result,
            Need.followup_note: note,
            Need.followed_up_at: now,
            Need.followed_up_by: actor.id,
        }
        if status != current.status:  # a rated need stays closed since it was rated
            values[Need.status] = status
        if status == loop.OPEN:
            values.update(reopening())
        await save_step(need.id, values, now)
        await add_event(
            need.id,
            "followup",
            actor_id=actor.id,
            now=now,
            detail=loop.followup_detail(method, result, note),
        )
        if status == loop.OPEN:
            await add_event(need.id, "reopened", actor_id=actor.id, now=now)
            await need_notices.tell_staff(
                current, "reopened", need_notices.REOPENED_AFTER_FOLLOWUP, now=now, skip=actor.id
            )
        updated = await locked(need.id)
        before, after = audit.changes(_snapshot(current), _snapshot(updated))
        await audit_step(actor.id, "need.followed_up", need, now=now, before=before, after=after)
        return updated
