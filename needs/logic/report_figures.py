"""The figures of the needs reports, as plain values: what residents and couriers asked
their communities for over a period, what became of it, how fast and how well
(needs.services.reports loads and scopes them).

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
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from needs.logic.kinds import Category, NeedStatus

CATEGORIES = tuple(category.value for category in Category)
STATUSES = tuple(status.value for status in NeedStatus)
CLOSED = frozenset({NeedStatus.done.value, NeedStatus.rated.value})
SOLVED_RATINGS = range(3, 6)
HOUR = timedelta(hours=1)
TOP_RESOURCES = 10
"""How many of the most used resources the page lists."""


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
