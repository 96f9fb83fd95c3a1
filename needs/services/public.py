"""What anyone may read of a community's needs work, for its public page: partner units (name
and kind, how many are under an agreement in force today and until when; never its scope),
resources offered (title and who offers them), standing projects, the figures of
needs.logic.report_figures for this month, this year and all time, and the list of its
needs with a staff-written public summary.

Nothing personal leaves this module: no description, place, position, photo, reporter,
phone, rating comment, 回访 note, nor a volunteer's name (only that a volunteer helped).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app.domains import Panel
from app.errors import NotFound
from app.i18n import N_, _
from app.tables import Community
from needs.logic.labels import CATEGORY_LABELS, PUBLIC_STATUS_LABELS
from needs.logic.report_figures import FIGURE_DEFINITIONS, RECENT, NeedFigures
from needs.services.agreements import in_force_until, today_at
from needs.services.branches import public_party_members
from needs.services.reports import PUBLIC_SPANS, community_figures, span_start
from needs.tables import Need, PartnerAgreement, PartnerUnit, Project, Resource

PUBLIC_PAGE_SIZE = 20
"""Needs per page of the public list (the community page shows the first page)."""
MAX_PUBLIC_PAGES = 50
"""The public list goes back this many pages at most (1,000 needs)."""
LISTED = 200
"""Partner units, resources or projects the page lists at most (the figures count them all)."""
DONE_STATUSES = ("done", "rated", "closed")
"""Statuses whose `done_at` is shown as the date the work was done."""


LIST_LABELS = {"category_labels": CATEGORY_LABELS, "status_labels": PUBLIC_STATUS_LABELS}
"""What a template of the public list needs to name categories and statuses."""


@dataclass(frozen=True)
class PublicNeed:
    category: str
    status: str
    unit: dict[str, str] | None
    """The partner unit sent (`name_zh`, `name_en`), if any."""
    volunteer: bool
    """A volunteer was sent (never who)."""
    filed_at: datetime
    done_at: datetime | None
    public_summary: str


@dataclass(frozen=True)
class PublicNeedsPage:
    community: Community
    needs: list[PublicNeed]
    page: int
    pages: int
    total: int


async def _units(community: Community) -> list[dict[str, Any]]:
    return (
        await PartnerUnit.select(
            PartnerUnit.id, PartnerUnit.name_zh, PartnerUnit.name_en, PartnerUnit.kind
        )
        .where((PartnerUnit.community == community.id) & (PartnerUnit.active == True))  # noqa: E712
        .order_by(PartnerUnit.name_zh)
        .limit(LISTED)
    )


async def units_under_agreement(community: Community, now: datetime) -> int:
    """The community's active partner units with an agreement in force today (all of them,
    not only the `LISTED` first)."""
    today = today_at(now)
    rows = await PartnerAgreement.select(
        PartnerAgreement.unit, PartnerAgreement.ends_on, PartnerAgreement.ended_on
    ).where(
        (PartnerAgreement.unit._.community == community.id)
        & (PartnerAgreement.unit._.active == True)  # noqa: E712
        & (PartnerAgreement.signed_on <= today)
        & (PartnerAgreement.ends_on >= today)
        & (PartnerAgreement.ended_on.is_null() | (PartnerAgreement.ended_on > today))
    )
    return len({row["unit"] for row in rows})


async def _resources(community: Community) -> list[dict[str, Any]]:
    """Active resources with their unit's name; a volunteer's resource names no one."""
    return (
        await Resource.select(
            Resource.title_zh,
            Resource.title_en,
            Resource.unit.name_zh.as_alias("unit_name_zh"),
            Resource.unit.name_en.as_alias("unit_name_en"),
        )
        .where((Resource.community == community.id) & (Resource.active == True))  # noqa: E712
        .order_by(Resource.title_zh)
        .limit(LISTED)
    )


async def _projects(community: Community) -> list[dict[str, Any]]:
    return (
        await Project.select(Project.title_zh, Project.title_en, Project.description)
        .where((Project.community == community.id) & (Project.active == True))  # noqa: E712
        .order_by(Project.title_zh)
        .limit(LISTED)
    )


async def public_needs(community: Community, page: int = 1) -> PublicNeedsPage:
    """One page of the community's needs, most recently filed first, with only what anyone
    may see. A page past the last answers `NotFound` (page 1 of none is an empty page)."""
    where = Need.community == community.id
    total = await Need.count().where(where)
    pages = max(1, math.ceil(total / PUBLIC_PAGE_SIZE))
    if page < 1 or page > min(pages, MAX_PUBLIC_PAGES):
        raise NotFound(_("There is no such page of this community's needs."))
    rows = (
        await Need.select(
            Need.category,
            Need.status,
            Need.unit,
            Need.unit.name_zh.as_alias("unit_name_zh"),
            Need.unit.name_en.as_alias("unit_name_en"),
            Need.volunteer,
            Need.created_at,
            Need.done_at,
            Need.public_summary,
        )
        .where(where)
        .order_by(Need.created_at, ascending=False)
        .order_by(Need.id)
        .offset((page - 1) * PUBLIC_PAGE_SIZE)
        .limit(PUBLIC_PAGE_SIZE)
    )
    needs = [
        PublicNeed(
            category=row["category"],
            status=row["status"],
            unit=(
                {"name_zh": row["unit_name_zh"], "name_en": row["unit_name_en"]}
                if row["unit"] is not None
                else None
            ),
            volunteer=row["unit"] is None and row["volunteer"] is not None,
            filed_at=row["created_at"],
            done_at=row["done_at"] if row["status"] in DONE_STATUSES else None,
            public_summary=row["public_summary"],
        )
        for row in rows
    ]
    return PublicNeedsPage(community, needs, page, min(pages, MAX_PUBLIC_PAGES), total)


@dataclass(frozen=True)
class FigureSpan:
    span: str
    """`month`, `year` or `all` (needs.services.reports.PUBLIC_SPANS)."""
    start: datetime | None
    figures: NeedFigures


async def community_page(community: Community, now: datetime) -> list[Panel]:
    """The needs domain's sections of the community's public page: partner units, resources
    offered, standing projects (each only when there are some), the figures, and the latest
    needs."""
    panels = []
    units = await _units(community)
    if units:
        until = await in_force_until([unit["id"] for unit in units], now)
        listed = [
            {**{k: v for k, v in unit.items() if k != "id"}, "agreed_until": until.get(unit["id"])}
            for unit in units
        ]
        panels.append(
            Panel(
                N_("Partner units"),
                "needs/public/_units.html",
                {"units": listed, "under_agreement": await units_under_agreement(community, now)},
            )
        )
    resources = await _resources(community)
    if resources:
        panels.append(
            Panel(N_("Resources offered"), "needs/public/_resources.html", {"resources": resources})
        )
    projects = await _projects(community)
    if projects:
        panels.append(
            Panel(N_("Standing projects"), "needs/public/_projects.html", {"projects": projects})
        )
    figures = await community_figures(community, now)
    spans = [FigureSpan(span, span_start(span, now), figures[span]) for span in PUBLIC_SPANS]
    panels.append(
        Panel(
            N_("Figures"),
            "needs/public/_figures.html",
            {
                "spans": spans,
                "now": now,
                "definitions": FIGURE_DEFINITIONS,
                "days": RECENT.days,
                # Counts of party members only, and only of five or more (needs.logic.party).
                "party_members": await public_party_members(community.id),
            },
        )
    )
    panels.append(
        Panel(
            N_("Residents' needs"),
            "needs/public/_needs.html",
            {"listing": await public_needs(community), **LIST_LABELS},
        )
    )
    return panels
