"""What every step of the needs loop shares: the need's lock and its re-read inside the
transaction, the status check and the step's row in the timeline (telling the people
concerned is needs.services.need_notices).

Every step runs in `write_transaction(lock_key(need))`, re-reads the need there, checks its
status, sets the step's timestamp, bumps `updated_at` and `sequence`, writes a `NeedEvent`
and the notifications, so a step either happens whole or not at all.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from app import audit
from app.db import engine, is_sqlite, lock_id
from app.errors import Conflict, NotFound
from app.i18n import _, current_locale, set_locale
from app.settings import get_settings
from app.tables import User
from needs.logic import loop
from needs.logic.labels import STATUS_LABELS
from needs.tables import Need, NeedEvent


def lock_key(need_id: Any) -> str:
    return f"need:{need_id}"


def need_uuid(need_id: str) -> uuid.UUID:
    """The id in a web address; anything else is a need that does not exist."""
    try:
        return uuid.UUID(str(need_id))
    except ValueError as exc:
        raise NotFound(_("There is no such need.")) from exc


async def lock_here(need_id: Any) -> None:
    """Inside a transaction another service opened (a booking's): wait for this need's other
    writers too. SQLite already lets one writer at a time in."""
    if is_sqlite():
        return
    tx = engine().current_transaction.get()
    if tx is None:
        raise RuntimeError("lock_here() runs only inside an open transaction")
    await tx.connection.execute("SELECT pg_advisory_xact_lock($1)", lock_id(lock_key(need_id)))


async def locked(need_id: Any) -> Need:
    """The need as it stands, read inside its write transaction."""
    need = await Need.objects().where(Need.id == need_id).first()
    if need is None:
        raise NotFound(_("There is no such need."))
    return need


def require_status(need: Need, allowed: tuple[str, ...], message: str | None = None) -> None:
    """Refuse a step that does not follow from the need's status (409, nothing stored)."""
    if need.status not in allowed:
        raise Conflict(
            message
            or _(
                "This cannot be done any more: the need is now “%(status)s”. Reload the page "
                "to see where it stands.",
                status=_(STATUS_LABELS[need.status]),
            ),
            rule="status",
        )


async def save_step(need_id: Any, values: dict[Any, Any], now: datetime) -> None:
    """Write a step's columns; a new status also sets or clears `closed_at`."""
    if Need.status in values:
        values = {**values, Need.closed_at: now if values[Need.status] in loop.FINAL else None}
    await Need.update({**values, Need.updated_at: now, Need.sequence: Need.sequence + 1}).where(
        Need.id == need_id
    )


def reopening() -> dict[Any, Any]:
    """What reopening a need for staff writes besides its status (after a low rating or a
    dissatisfied 回访): one more reopening, and no helper holds it any more."""
    return {
        Need.times_reopened: Need.times_reopened + 1,
        Need.volunteer: None,
        Need.unit: None,
        Need.branch: None,
    }


async def audit_step(
    actor_id: int,
    action: str,
    need: Need,
    *,
    now: datetime,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """The audit row of a staff step on `need`, in the step's transaction."""
    await audit.record(
        actor_id=actor_id,
        action=action,
        subject_type="need",
        subject_id=str(need.id),
        community_id=need.community,
        before=before,
        after=after,
        now=now,
    )


async def add_event(
    need_id: Any, kind: str, *, actor_id: int | None, now: datetime, detail: str = ""
) -> None:
    await NeedEvent.insert(
        NeedEvent(need=need_id, at=now, actor=actor_id, kind=kind, detail=detail)
    )


@contextmanager
def language_of(user: User | None) -> Iterator[None]:
    """Write text that is stored for `user` (a resolution) in their language."""
    previous = current_locale()
    set_locale((user.locale if user else "") or get_settings().site.default_locale)
    try:
        yield
    finally:
        set_locale(previous)
