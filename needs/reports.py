"""Needs reports for staff: what residents and couriers asked their communities for over a
period of local dates (the site's zone), what became of it, how fast and how well.

Definitions (also explained on the page):

- A need counts in the period when it was *filed* in it; its status is the one it has now.
- Hours to dispatch: from filing to `dispatched_at` (its latest sending to a helper), over
  the needs sent to a helper at least once. Hours to close: from filing to `done_at`, over
  the needs that are done or solved now. Medians and averages are in hours.
- Solved: status `rated` with 3 to 5 stars. Solved rate: solved / (filed − withdrawn); none
  when that is zero.
- Ratings: the latest rating of each need that has one (a 2-star rating that reopened a need
  stays until the need is rated again). Average rating: their mean.
- Times reopened: the sum of `times_reopened`.
- Resources used: distinct resource ids named in `resources` of the needs; each resource's
  uses are the number of those needs that name it.

The top half is pure (plain values in, figures out); `need_report` loads and scopes.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from app.communities.services import managed_communities, managed_community
from app.permissions import Actor
from app.reports import Period
from app.settings import get_settings
from app.tables import Community
from needs.tables import Category, Need, NeedStatus, Resource

CATEGORIES = tuple(category.value for category in Category)
STATUSES = tuple(status.value for status in NeedStatus)
CLOSED = frozenset({NeedStatus.done.value, NeedStatus.rated.value})
SOLVED_RATINGS = range(3, 6)
HOUR = timedelta(hours=1)
TOP_RESOURCES = 10
"""How many of the most used resources the page lists."""


# --- pure figures -------------------------------------------------------------------------


@dataclass(frozen=True)
class NeedFacts:
    """What the figures need of one need (the names match `Need`'s columns)."""

    category: str
    status: str
    created_at: datetime
    dispatched_at: datetime | None = None
    done_at: datetime | None = None
    rating: int | None = None
    times_reopened: int = 0
    resources: tuple[int, ...] = ()


def _hours(times: tuple[timedelta, ...], how: str) -> float | None:
    if not times:
        return None
    if how == "median":
        return statistics.median(elapsed / HOUR for elapsed in times)
    return sum(times, timedelta(0)) / len(times) / HOUR


@dataclass(frozen=True)
class NeedFigures:
    counts: Counter[tuple[str, str]] = field(default_factory=Counter)
    """Needs per (category, status)."""
    solved: int = 0
    dispatch_times: tuple[timedelta, ...] = ()
    """From filing to dispatch, shortest first."""
    close_times: tuple[timedelta, ...] = ()
    """From filing to done, shortest first."""
    ratings: tuple[int, ...] = ()
    times_reopened: int = 0
    resource_uses: Counter[int] = field(default_factory=Counter)
    """Resource id → how many of the needs name it."""

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def by_status(self) -> dict[str, int]:
        """Needs per `NeedStatus` value, every status present, in the order of the enum."""
        result = dict.fromkeys(STATUSES, 0)
        for (_category, status), count in self.counts.items():
            if status in result:
                result[status] += count
        return result

    @property
    def by_category(self) -> dict[str, int]:
        """Needs per `Category` value, every category present, in the order of the enum."""
        result = dict.fromkeys(CATEGORIES, 0)
        for (category, _status), count in self.counts.items():
            result[category] += count
        return result

    @property
    def withdrawn(self) -> int:
        return self.by_status[NeedStatus.withdrawn.value]

    @property
    def solved_rate(self) -> float | None:
        """Solved / (filed − withdrawn), from 0 to 1; None when nothing is left to solve."""
        counted = self.total - self.withdrawn
        return self.solved / counted if counted else None

    @property
    def median_hours_to_dispatch(self) -> float | None:
        return _hours(self.dispatch_times, "median")

    @property
    def mean_hours_to_dispatch(self) -> float | None:
        return _hours(self.dispatch_times, "mean")

    @property
    def median_hours_to_close(self) -> float | None:
        return _hours(self.close_times, "median")

    @property
    def mean_hours_to_close(self) -> float | None:
        return _hours(self.close_times, "mean")

    @property
    def average_rating(self) -> float | None:
        return sum(self.ratings) / len(self.ratings) if self.ratings else None

    @property
    def resources_used(self) -> int:
        return len(self.resource_uses)


def resource_ids(value: Any) -> tuple[int, ...]:
    """The distinct resource ids of a `Need.resources` value, in their first order; anything
    that is not an id is left out."""
    ids: list[int] = []
    for item in value if isinstance(value, list) else []:
        if isinstance(item, bool):
            continue
        if isinstance(item, int) or (isinstance(item, str) and item.strip().isdigit()):
            number = int(item)
            if number not in ids:
                ids.append(number)
    return tuple(ids)


def need_figures(needs: Iterable[NeedFacts]) -> NeedFigures:
    """Figures of the needs filed in one community in the period."""
    counts: Counter[tuple[str, str]] = Counter()
    dispatch: list[timedelta] = []
    close: list[timedelta] = []
    ratings: list[int] = []
    uses: Counter[int] = Counter()
    solved = reopened = 0
    for need in needs:
        category = need.category if need.category in CATEGORIES else Category.other.value
        counts[(category, need.status)] += 1
        if need.dispatched_at is not None:
            dispatch.append(need.dispatched_at - need.created_at)
        if need.status in CLOSED and need.done_at is not None:
            close.append(need.done_at - need.created_at)
        if need.rating is not None:
            ratings.append(need.rating)
        if need.status == NeedStatus.rated.value and need.rating in SOLVED_RATINGS:
            solved += 1
        reopened += need.times_reopened
        uses.update(need.resources)
    return NeedFigures(
        counts=counts,
        solved=solved,
        dispatch_times=tuple(sorted(dispatch)),
        close_times=tuple(sorted(close)),
        ratings=tuple(ratings),
        times_reopened=reopened,
        resource_uses=uses,
    )


def combined(figures: Iterable[NeedFigures]) -> NeedFigures:
    """The totals row: medians and averages over every need, not of the communities'
    figures."""
    counts: Counter[tuple[str, str]] = Counter()
    dispatch: list[timedelta] = []
    close: list[timedelta] = []
    ratings: list[int] = []
    uses: Counter[int] = Counter()
    solved = reopened = 0
    for item in figures:
        counts.update(item.counts)
        dispatch.extend(item.dispatch_times)
        close.extend(item.close_times)
        ratings.extend(item.ratings)
        uses.update(item.resource_uses)
        solved += item.solved
        reopened += item.times_reopened
    return NeedFigures(
        counts=counts,
        solved=solved,
        dispatch_times=tuple(sorted(dispatch)),
        close_times=tuple(sorted(close)),
        ratings=tuple(ratings),
        times_reopened=reopened,
        resource_uses=uses,
    )


def top_resources(uses: Counter[int], limit: int = TOP_RESOURCES) -> list[tuple[int, int]]:
    """(resource id, uses), most used first, ties by id."""
    return sorted(uses.items(), key=lambda item: (-item[1], item[0]))[:limit]


# --- loading and scoping --------------------------------------------------------------------


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
