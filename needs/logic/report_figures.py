"""The figures of the needs reports, as plain values: what residents and couriers asked
their communities for over a period, what became of it, how fast and how well
(needs.services.reports loads and scopes them).

Definitions (also explained on the page):

- A need counts in the period when it was *filed* in it; its status is the one it has now.
- Hours to dispatch: from filing to `dispatched_at` (its latest sending to a helper), over
  the needs sent to a helper at least once. Hours to close: from filing to `done_at`, over
  the needs that are done, rated or closed without rating now. Medians and averages are in
  hours.
- The latest outcome of a need: its rating or its 回访 (follow-up), whichever was recorded
  later (`rated_at` / `followed_up_at`; one without a time counts as the earlier).
- Solved: the loop is over (not still open) and the latest outcome is a rating of 3 to 5
  stars or a 回访 of 满意 or 基本满意. A need reopened and still open is not solved.
- Solved rate: solved / (filed − withdrawn − still open and filed less than `RECENT` before
  the report's `now`); none when that is zero. Still open: not in `loop.FINAL`.
- Satisfaction: needs whose latest outcome is 4 or 5 stars or 满意, over the needs with an
  outcome (rated or 回访'd) plus those closed without rating; each need counts once, by its
  latest outcome. Closed without rating: status `closed` with no outcome since it was last
  done (none at all, or one from before, which reopened it); it is in both denominators and
  in no numerator.
- Problems reported by couriers: needs a courier filed.
- Partner units and resources offered: those active now that had joined by the end of the
  period (loaded by the service, not from the needs).
- Ratings: the latest rating of each need that has one (a 2-star rating that reopened a need
  stays until the need is rated again). Average rating: their mean.
- Times reopened: the sum of `times_reopened`.
- Resources used: distinct resource ids named in `resources` of the needs; each resource's
  uses are the number of those needs that name it.
- Taken by party members: needs a party-member volunteer (党员志愿者) accepted, sent to them
  or through their branch, and still holds (done, rated or closed included; not once they
  gave it back or it reopened). Where the figure may become public it is shown only when at
  least `needs.logic.party.MIN_PUBLIC_COUNT` members took them (`party_public`).
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from app.i18n import N_
from needs.logic.kinds import Category, FollowUpResult, NeedStatus, ReporterKind
from needs.logic.loop import FINAL
from needs.logic.party import public_count

CATEGORIES = tuple(category.value for category in Category)
STATUSES = tuple(status.value for status in NeedStatus)
FINISHED = frozenset({NeedStatus.done.value, NeedStatus.rated.value, NeedStatus.closed.value})
"""Statuses whose `done_at` counts for the hours to close: done, solved, or closed without
rating (done, and never rated)."""
SOLVED_RATINGS = range(3, 6)
SATISFIED_RATINGS = range(4, 6)
SOLVED_FOLLOWUPS = frozenset(
    {FollowUpResult.satisfied.value, FollowUpResult.fairly_satisfied.value}
)
SATISFIED_FOLLOWUPS = frozenset({FollowUpResult.satisfied.value})
RECENT = timedelta(days=14)
"""A need still open and filed less than this long before the report's `now` is left out of
the solved rate: it has not had its chance yet."""
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
    rated_at: datetime | None = None
    followup_result: str = ""
    followed_up_at: datetime | None = None
    reporter_kind: str = ReporterKind.resident.value
    party_taker: int | None = None
    """The volunteer id of the party member who took it, if one did."""


@dataclass(frozen=True)
class Outcome:
    """The latest word on a need: a rating (`stars`) or a 回访 (`followup`, a
    `FollowUpResult` value)."""

    stars: int | None = None
    followup: str = ""

    @property
    def solved(self) -> bool:
        if self.followup:
            return self.followup in SOLVED_FOLLOWUPS
        return self.stars in SOLVED_RATINGS

    @property
    def satisfied(self) -> bool:
        if self.followup:
            return self.followup in SATISFIED_FOLLOWUPS
        return self.stars in SATISFIED_RATINGS


FIGURE_DEFINITIONS = (
    N_(
        "Needs filed: the needs residents, couriers or staff filed during the period, with "
        "the status they have now."
    ),
    N_(
        "Solved: the latest word on a need — the resident's rating or the community's "
        "follow-up call or visit (回访), whichever came later — is 3 to 5 stars, “satisfied” "
        "or “fairly satisfied”, and the need has not been opened again."
    ),
    N_(
        "Solved rate: the solved needs divided by the needs filed, leaving out those "
        "withdrawn and those still open that were filed less than %(age)s ago."
    ),
    N_(
        "Satisfaction: the needs whose latest word is 4 or 5 stars or “satisfied”, divided "
        "by the needs rated or followed up plus those closed without rating; each need "
        "counts once, by its latest word."
    ),
    N_(
        "Closed without rating: a finished need that nobody rated or followed up in time "
        "closes by itself; it counts in both divisions and as neither solved nor satisfied."
    ),
    N_("Problems reported by couriers: the needs couriers filed, mostly at rest stations."),
    N_(
        "Partner units and resources offered: the partner units working with the community "
        "and the resources they and volunteers offer, counting those active now that had "
        "joined by the end of the period."
    ),
    N_("“—” means there is nothing to divide by yet."),
)
"""What each figure means, in the words every page that shows them uses (translated when
shown, with `age` = `RECENT` in words: "14 days")."""
STAFF_FIGURE_DEFINITIONS = (
    *FIGURE_DEFINITIONS[:-1],
    N_(
        "Taken by party members: the needs a party-member volunteer accepted, sent to them or "
        "through their party branch, and has not given back. Only staff see it; their CSV "
        "file shows it only when at least five party members took them. Public pages never "
        "show it: a count that grows the day a helper accepts would tell who is a party "
        "member."
    ),
    FIGURE_DEFINITIONS[-1],
)
"""The definitions on the staff's reports: the public ones and the figure only staff see."""


_EARLIEST = datetime.min.replace(tzinfo=UTC)


def latest_outcome(need: NeedFacts) -> Outcome | None:
    """The rating or the 回访, whichever came later; None when the need has neither."""
    rated = need.rating is not None
    followed = bool(need.followup_result)
    if rated and followed:
        followup_later = (need.followed_up_at or _EARLIEST) >= (need.rated_at or _EARLIEST)
        rated = not followup_later
        followed = followup_later
    if followed:
        return Outcome(followup=need.followup_result)
    if rated:
        return Outcome(stars=need.rating)
    return None


def still_open(need: NeedFacts) -> bool:
    return need.status not in FINAL


def is_solved(need: NeedFacts) -> bool:
    outcome = latest_outcome(need)
    return not still_open(need) and outcome is not None and outcome.solved


def _outcome_at(need: NeedFacts) -> datetime | None:
    """When the latest outcome was recorded, if it was and its time is known."""
    outcome = latest_outcome(need)
    if outcome is None:
        return None
    return need.followed_up_at if outcome.followup else need.rated_at


def closed_without_rating(need: NeedFacts) -> bool:
    """Closed, and nobody rated or followed up the work since it was last done: no outcome,
    or only one from before, which reopened the need (the work was done again after it)."""
    if need.status != NeedStatus.closed.value:
        return False
    if latest_outcome(need) is None:
        return True
    outcome_at = _outcome_at(need)
    return outcome_at is not None and need.done_at is not None and outcome_at < need.done_at


def counts_for_solved_rate(need: NeedFacts, now: datetime) -> bool:
    """In the solved rate's denominator: not withdrawn, and not a need still open that was
    filed less than `RECENT` before `now`."""
    if need.status == NeedStatus.withdrawn.value:
        return False
    return not (still_open(need) and now - need.created_at < RECENT)


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
    counted: int = 0
    """The solved rate's denominator (see `counts_for_solved_rate`)."""
    satisfied: int = 0
    """Latest outcome 4 or 5 stars or 满意."""
    judged: int = 0
    """The satisfaction's denominator: needs with an outcome or closed without rating."""
    closed_unrated: int = 0
    courier_reports: int = 0
    partner_units: int = 0
    resources_offered: int = 0
    dispatch_times: tuple[timedelta, ...] = ()
    """From filing to dispatch, shortest first."""
    close_times: tuple[timedelta, ...] = ()
    """From filing to done, shortest first."""
    ratings: tuple[int, ...] = ()
    times_reopened: int = 0
    resource_uses: Counter[int] = field(default_factory=Counter)
    """Resource id → how many of the needs name it."""
    party_taken: Counter[int] = field(default_factory=Counter)
    """Party member's volunteer id → how many of the needs they took."""

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
        """Solved / counted, from 0 to 1; None when nothing counts yet."""
        return self.solved / self.counted if self.counted else None

    @property
    def satisfaction(self) -> float | None:
        """Satisfied / judged, from 0 to 1; None when no need has an outcome yet."""
        return self.satisfied / self.judged if self.judged else None

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

    @property
    def taken_by_party_members(self) -> int:
        return sum(self.party_taken.values())

    @property
    def party_public(self) -> int | None:
        """`taken_by_party_members` where it may become public: None unless at least
        `MIN_PUBLIC_COUNT` party members took them."""
        return public_count(self.taken_by_party_members, len(self.party_taken))


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


def need_figures(needs: Iterable[NeedFacts], now: datetime) -> NeedFigures:
    """Figures of the needs filed in one community in the period, as they stand at `now`."""
    counts: Counter[tuple[str, str]] = Counter()
    dispatch: list[timedelta] = []
    close: list[timedelta] = []
    ratings: list[int] = []
    uses: Counter[int] = Counter()
    party: Counter[int] = Counter()
    solved = reopened = counted = satisfied = judged = unrated = couriers = 0
    for need in needs:
        outcome = latest_outcome(need)
        solved += is_solved(need)
        counted += counts_for_solved_rate(need, now)
        satisfied += outcome is not None and outcome.satisfied
        unrated += closed_without_rating(need)
        judged += outcome is not None or closed_without_rating(need)
        couriers += need.reporter_kind == ReporterKind.courier.value
        category = need.category if need.category in CATEGORIES else Category.other.value
        counts[(category, need.status)] += 1
        if need.dispatched_at is not None:
            dispatch.append(need.dispatched_at - need.created_at)
        if need.status in FINISHED and need.done_at is not None:
            close.append(need.done_at - need.created_at)
        if need.rating is not None:
            ratings.append(need.rating)
        reopened += need.times_reopened
        uses.update(need.resources)
        if need.party_taker is not None:
            party[need.party_taker] += 1
    return NeedFigures(
        counts=counts,
        solved=solved,
        counted=counted,
        satisfied=satisfied,
        judged=judged,
        closed_unrated=unrated,
        courier_reports=couriers,
        dispatch_times=tuple(sorted(dispatch)),
        close_times=tuple(sorted(close)),
        ratings=tuple(ratings),
        times_reopened=reopened,
        resource_uses=uses,
        party_taken=party,
    )


def combined(figures: Iterable[NeedFigures]) -> NeedFigures:
    """The totals row: medians and averages over every need, not of the communities'
    figures."""
    counts: Counter[tuple[str, str]] = Counter()
    dispatch: list[timedelta] = []
    close: list[timedelta] = []
    ratings: list[int] = []
    uses: Counter[int] = Counter()
    party: Counter[int] = Counter()
    sums = dict.fromkeys(SUMMED, 0)
    for item in figures:
        for name in SUMMED:
            sums[name] += getattr(item, name)
        counts.update(item.counts)
        dispatch.extend(item.dispatch_times)
        close.extend(item.close_times)
        ratings.extend(item.ratings)
        uses.update(item.resource_uses)
        party.update(item.party_taken)
    return NeedFigures(
        counts=counts,
        dispatch_times=tuple(sorted(dispatch)),
        close_times=tuple(sorted(close)),
        ratings=tuple(ratings),
        resource_uses=uses,
        party_taken=party,
        **sums,
    )


SUMMED = (
    "solved",
    "counted",
    "satisfied",
    "judged",
    "closed_unrated",
    "courier_reports",
    "partner_units",
    "resources_offered",
    "times_reopened",
)
"""The counts a totals row adds up."""


def top_resources(uses: Counter[int], limit: int = TOP_RESOURCES) -> list[tuple[int, int]]:
    """(resource id, uses), most used first, ties by id."""
    return sorted(uses.items(), key=lambda item: (-item[1], item[0]))[:limit]
