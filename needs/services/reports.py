"""Needs reports for staff: the figures of needs.logic.report_figures for the needs filed in
the actor's communities (or the one chosen) over a period of local dates in the site's zone.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from app.communities.services import managed_communities, managed_community
from app.permissions import Actor, staff_service
from app.reports import Period
from app.settings import get_settings
from app.tables import Community
from needs.logic.report_figures import (
    NeedFacts,
    NeedFigures,
    combined,
    need_figures,
    resource_ids,
    top_resources,
)
from needs.tables import Need, Resource


@dataclass
class CommunityRow:
    community: Community
    figures: NeedFigures


@dataclass
class ResourceUse:
    resource_id: int
    uses: int
    resource: dict[str, Any] | None
    """`title_zh`, `title_en`, `unit_name_zh`, `unit_name_en`, `volunteer_name`,
    `community_name_zh`, `community_name_en`; None when the resource has been deleted."""


@dataclass
class NeedReportData:
    period: Period
    community: Community | None
    """The community chosen, or None for all the viewer's communities."""
    rows: list[CommunityRow]
    total: NeedFigures
    top: list[ResourceUse]


def report_zone() -> ZoneInfo:
    """Needs belong to communities, not to a place with a zone: the site's zone counts."""
    return ZoneInfo(get_settings().site.timezone)


async def _facts_of(community_ids: list[int], period: Period) -> dict[int, list[NeedFacts]]:
    window = period.window(report_zone())
    rows = (
        await Need.select(
            Need.community,
            Need.category,
            Need.status,
            Need.created_at,
            Need.dispatched_at,
            Need.done_at,
            Need.rating,
            Need.times_reopened,
            Need.resources,
        )
        .where(
            Need.community.is_in(community_ids or [-1])
            & (Need.created_at >= window.start)
            & (Need.created_at < window.end)
        )
        .output(load_json=True)
    )
    facts: dict[int, list[NeedFacts]] = {}
    for row in rows:
        resources = resource_ids(row.pop("resources"))
        facts.setdefault(row.pop("community"), []).append(NeedFacts(**row, resources=resources))
    return facts


async def _resource_uses(uses: Counter[int]) -> list[ResourceUse]:
    top = top_resources(uses)
    rows = await Resource.select(
        Resource.id,
        Resource.title_zh,
        Resource.title_en,
        Resource.unit.name_zh.as_alias("unit_name_zh"),
        Resource.unit.name_en.as_alias("unit_name_en"),
        Resource.volunteer._.user._.name.as_alias("volunteer_name"),
        Resource.community.name_zh.as_alias("community_name_zh"),
        Resource.community.name_en.as_alias("community_name_en"),
    ).where(Resource.id.is_in([resource_id for resource_id, _uses in top] or [-1]))
    found = {row["id"]: row for row in rows}
    return [ResourceUse(rid, count, found.get(rid)) for rid, count in top]


@staff_service
async def need_report(actor: Actor, period: Period, *, community_slug: str = "") -> NeedReportData:
    """Figures per community of the actor's (or of the one chosen) for `period`.

    Choosing a community the actor does not manage raises `Forbidden` (an unknown one,
    `NotFound`): nothing of another community is ever shown, not even as an empty report.
    """
    community = await managed_community(actor, community_slug) if community_slug else None
    communities = [community] if community is not None else await managed_communities(actor)
    facts = await _facts_of([item.id for item in communities], period)
    rows = [CommunityRow(item, need_figures(facts.get(item.id, []))) for item in communities]
    total = combined(row.figures for row in rows)
    return NeedReportData(period, community, rows, total, await _resource_uses(total.resource_uses))
