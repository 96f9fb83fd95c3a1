"""Needs figures: for staff, those of needs.logic.report_figures for the needs filed in the
actor's communities (or the one chosen) over a period of local dates in the site's zone; for
everyone, one community's figures for this month, this year and all time (its public page).
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from piccolo.query.functions.aggregate import Count

from app.calendar import wall_to_utc
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
from needs.tables import Need, PartnerUnit, Resource


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


async def _facts_of(
    community_ids: list[int], start: datetime | None, end: datetime
) -> dict[int, list[NeedFacts]]:
    """The facts of the needs filed in [start, end) (from the first one when `start` is
    None), per community id."""
    where = Need.community.is_in(community_ids or [-1]) & (Need.created_at < end)
    if start is not None:
        where &= Need.created_at >= start
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
            Need.rated_at,
            Need.followup_result,
            Need.followed_up_at,
            Need.reporter_kind,
            Need.branch,
            Need.volunteer,
        )
        .where(where)
        .output(load_json=True)
    )
    facts: dict[int, list[NeedFacts]] = {}
    for row in rows:
        resources = resource_ids(row.pop("resources"))
        branch, volunteer = row.pop("branch"), row.pop("volunteer")
        taker = volunteer if branch is not None else None
        facts.setdefault(row.pop("community"), []).append(
            NeedFacts(**row, resources=resources, party_taker=taker)
        )
    return facts


async def _active_counts(table: type[Any], community_ids: list[int], end: datetime) -> Counter[int]:
    """Active rows of `table` (partner units or resources) per community id, of those
    created before `end`."""
    rows = (
        await table.select(table.community, Count(alias="n"))
        .where(
            table.community.is_in(community_ids or [-1])
            & (table.active == True)  # noqa: E712
            & (table.created_at < end)
        )
        .group_by(table.community)
    )
    return Counter({row["community"]: row["n"] for row in rows})


async def _figures_of(
    community_ids: list[int], start: datetime | None, end: datetime, now: datetime
) -> dict[int, NeedFigures]:
    """Every figure of each community, for the needs filed in [start, end), as at `now`."""
    facts = await _facts_of(community_ids, start, end)
    units = await _active_counts(PartnerUnit, community_ids, end)
    resources = await _active_counts(Resource, community_ids, end)
    return {
        community_id: dataclasses.replace(
            need_figures(facts.get(community_id, []), now),
            partner_units=units[community_id],
            resources_offered=resources[community_id],
        )
        for community_id in community_ids
    }


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
async def need_report(
    actor: Actor, period: Period, now: datetime, *, community_slug: str = ""
) -> NeedReportData:
    """Figures per community of the actor's (or of the one chosen) for `period`, as they
    stand at `now`.

    Choosing a community the actor does not manage raises `Forbidden` (an unknown one,
    `NotFound`): nothing of another community is ever shown, not even as an empty report.
    """
    community = await managed_community(actor, community_slug) if community_slug else None
    communities = [community] if community is not None else await managed_communities(actor)
    window = period.window(report_zone())
    figures = await _figures_of([item.id for item in communities], window.start, window.end, now)
    rows = [CommunityRow(item, figures[item.id]) for item in communities]
    total = combined(row.figures for row in rows)
    return NeedReportData(period, community, rows, total, await _resource_uses(total.resource_uses))


PUBLIC_SPANS = ("month", "year", "all")
"""The spans of a community's public figures: this month, this year, all time."""


def span_start(span: str, now: datetime) -> datetime | None:
    """Local midnight of the first day of this month or year in the site's zone (None for all
    time), in UTC."""
    zone = report_zone()
    today = now.astimezone(zone).date()
    first = {"month": today.replace(day=1), "year": date(today.year, 1, 1)}.get(span)
    return None if first is None else wall_to_utc(datetime.combine(first, time()), zone)


async def community_figures(community: Community, now: datetime) -> dict[str, NeedFigures]:
    """The community's figures for each of `PUBLIC_SPANS`, for its public page: the needs
    filed from the start of the span until `now`, as they stand at `now`. Anyone may ask
    for it, so the needs are read once, and each span is the part of them filed since its
    start."""
    facts = (await _facts_of([community.id], None, now)).get(community.id, [])
    units = (await _active_counts(PartnerUnit, [community.id], now))[community.id]
    resources = (await _active_counts(Resource, [community.id], now))[community.id]
    result = {}
    for span in PUBLIC_SPANS:
        start = span_start(span, now)
        filed = [need for need in facts if start is None or need.created_at >= start]
        result[span] = dataclasses.replace(
            need_figures(filed, now), partner_units=units, resources_offered=resources
        )
    return result
