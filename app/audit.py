"""The audit log: who changed what, when, with the values before and after."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from app.tables import AuditEntry


def changes(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Only the keys whose value differs, as (before, after) for an audit entry."""
    keys = [key for key in after if before.get(key) != after[key]]
    return {key: before.get(key) for key in keys}, {key: after[key] for key in keys}


async def record(
    *,
    actor_id: int | None,
    action: str,
    subject_type: str,
    subject_id: str | int,
    now: datetime,
    community_id: int | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """Write one entry; call it inside the transaction that makes the change."""
    await AuditEntry.insert(
        AuditEntry(
            actor=actor_id,
            action=action,
            subject_type=subject_type,
            subject_id=str(subject_id),
            community=community_id,
            before=before,
            after=after,
            occurred_at=now,
        )
    )


async def entries(*, limit: int, before_id: int | None = None) -> list[dict[str, Any]]:
    """The newest entries first, with the actor's name; `before_id` pages backwards."""
    query = AuditEntry.select(
        *AuditEntry.all_columns(),
        AuditEntry.actor.name.as_alias("actor_name"),
        AuditEntry.community.slug.as_alias("community_slug"),
    ).order_by(AuditEntry.id, ascending=False)
    if before_id is not None:
        query = query.where(AuditEntry.id < before_id)
    return await query.limit(limit).output(load_json=True)
