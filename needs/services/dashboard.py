"""The needs panels of the staff dashboard (`/staff`), for the actor's communities: needs
waiting for a helper, oldest first, and those reopened after a low rating; needs waiting
for a 回访 (待回访), done but unrated for the community's `followup_after_days`; and, only
when there are some, agreements with partner units ending within 30 days or lapsed that
recently without a renewal."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from functools import reduce
from operator import or_
from typing import Any

from app.communities.services import managed_communities
from app.domains import Panel
from app.i18n import N_
from app.permissions import Actor, can_use_staff_console
from app.queries import in_staff_scope
from needs.logic import loop
from needs.logic.labels import CATEGORY_LABELS
from needs.services.agreements import needing_attention, today_at
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
        Need.followup_result,
        Need.done_at,
        Need.community.name_zh.as_alias("community_name_zh"),
        Need.community.name_en.as_alias("community_name_en"),
    ]


async def followup_scope(actor: Actor, now: datetime) -> Any | None:
    """Needs waiting for a 回访 in the actor's communities: done (so neither rated nor followed
    up since), at least the community's `followup_after_days` ago; None without communities."""
    communities = await managed_communities(actor)
    if not communities:
        return None
    return (Need.status == loop.DONE) & reduce(
        or_,
        [
            (Need.community == community.id)
            & (Need.done_at <= now - timedelta(days=community.followup_after_days))
            for community in communities
        ],
    )


async def _followup_panel(actor: Actor, now: datetime) -> Panel | None:
    scope = await followup_scope(actor, now)
    if scope is None:
        return None
    waiting = await Need.count().where(scope)
    oldest = await Need.select(*_columns()).where(scope).order_by(Need.done_at).limit(SHOWN)
    return Panel(
        title=N_("Waiting for a follow-up"),
        template="needs/staff/_followups.html",
        context={"oldest": oldest, "waiting": waiting, "category_labels": CATEGORY_LABELS},
        count=waiting,
        count_label=N_("To follow up: %(n)s"),
    )


async def _agreements_panel(actor: Actor, now: datetime) -> Panel | None:
    rows = await needing_attention(actor, now)
    if not rows:
        return None
    return Panel(
        title=N_("Partner agreements"),
        template="needs/staff/_agreements.html",
        context={
            "ending": [row for row in rows if row["attention"] == "ending"],
            "lapsed": [row for row in rows if row["attention"] == "lapsed"],
            "today": today_at(now),
            "several": len(actor.staff_of) > 1 or actor.is_admin,
        },
        count=len(rows),
        count_label=N_("Ending or lapsed: %(n)s"),
    )


async def dashboard(actor: Actor, now: datetime) -> Sequence[Panel]:
    if not can_use_staff_console(actor):
        return []
    followups = await _followup_panel(actor, now)
    agreements = await _agreements_panel(actor, now)
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
        ),
        *([followups] if followups is not None else []),
        *([agreements] if agreements is not None else []),
    ]
