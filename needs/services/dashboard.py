"""The needs panel of the staff dashboard (`/staff`): needs waiting for a helper, oldest
first, and those reopened after a low rating, for the actor's communities."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from app.domains import Panel
from app.i18n import N_
from app.permissions import Actor, can_use_staff_console
from app.queries import in_staff_scope
from needs.logic import loop
from needs.logic.labels import CATEGORY_LABELS
from needs.tables import Need

SHOWN = 8


def _scope(actor: Actor) -> Any:
    return (Need.status == loop.OPEN) & in_staff_scope(actor, Need.community)


def _columns() -> list[Any]:
    return [
        Need.id,
        Need.category,
        Need.description,
        Need.created_at,
        Need.updated_at,
        Need.times_reopened,
        Need.rating,
        Need.community.name_zh.as_alias("community_name_zh"),
        Need.community.name_en.as_alias("community_name_en"),
    ]


async def dashboard(actor: Actor, now: datetime) -> Sequence[Panel]:
    if not can_use_staff_console(actor):
        return []
    waiting = await Need.count().where(_scope(actor))
    oldest = (
        await Need.select(*_columns()).where(_scope(actor)).order_by(Need.created_at).limit(SHOWN)
    )
    reopened = (
        await Need.select(*_columns())
        .where(_scope(actor) & (Need.times_reopened > 0))
        .order_by(Need.updated_at, ascending=False)
        .limit(SHOWN)
    )
    return [
        Panel(
            title=N_("Community needs"),
            template="needs/staff/_dashboard.html",
            context={
                "oldest": oldest,
                "reopened": reopened,
                "waiting": waiting,
                "category_labels": CATEGORY_LABELS,
            },
            count=waiting,
            count_label=N_("Waiting: %(n)s"),
        )
    ]
