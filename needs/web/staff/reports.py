"""Staff page /staff/needs/reports and its CSV export: needs per community for a period, by
category and status, the solved rate and satisfaction, couriers' reports, partner units and
resources, how fast needs were dispatched and closed, ratings and the resources used (see
needs.logic.report_figures for what each figure means, in the words the page shows)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar import Controller, Request, Response, get
from litestar.params import FromQuery
from litestar.response import Template

from app import reports as app_reports
from app.i18n import N_, _, localized, ngettext
from app.web.context import CurrentActor, RequestNow
from app.web.guards import requires_staff
from app.web.reports import FromDate, ReportFilters, ToDate, csv_period, csv_response
from app.web.responses import page
from needs.logic import report_figures
from needs.logic.kinds import NeedStatus
from needs.logic.labels import CATEGORY_LABELS
from needs.services import reports

AnyRequest = Request[Any, Any, Any]

STATUS_LABELS = {
    NeedStatus.open.value: N_("Waiting for dispatch"),
    NeedStatus.dispatched.value: N_("Dispatched, not yet taken"),
    NeedStatus.accepted.value: N_("Taken by a helper"),
    NeedStatus.done.value: N_("Done, not yet rated"),
    NeedStatus.rated.value: N_("Rated (solved)"),
    NeedStatus.withdrawn.value: N_("Withdrawn"),
    NeedStatus.closed.value: N_("Closed without rating"),
}
"""Short column headings for the statuses (the residents' wording is in needs.logic.labels)."""

FIGURE_COLUMNS = (
    N_("Needs filed"),
    N_("Withdrawn"),
    N_("Solved"),
    N_("Solved rate"),
    N_("Satisfaction"),
    N_("Closed without rating"),
    N_("Reported by couriers"),
    N_("Taken by party members"),
    N_("Partner units"),
    N_("Resources offered"),
    N_("Median hours to dispatch"),
    N_("Average hours to dispatch"),
    N_("Median hours to close"),
    N_("Average hours to close"),
    N_("Average rating"),
    N_("Ratings"),
    N_("Times reopened"),
    N_("Resources used"),
)
"""The headings of `figure_cells`, in order."""

CHART_WIDTH = 250
"""Length in SVG units of the longest bar of the chart."""


def status_cells(figures: report_figures.NeedFigures) -> list[str]:
    """Needs per status (in `NeedStatus` order), then all of them."""
    return [*(str(count) for count in figures.by_status.values()), str(figures.total)]


def category_cells(figures: report_figures.NeedFigures) -> list[str]:
    """Needs per category, in `Category` order."""
    return [str(count) for count in figures.by_category.values()]


def figure_cells(
    figures: report_figures.NeedFigures, empty: str = "—", *, public: bool = False
) -> list[str]:
    """The figures of `FIGURE_COLUMNS` as text; `empty` stands for "no value". `public`: for
    a file that may be passed on, the needs taken by party members only where at least five
    members took them (`empty` otherwise)."""
    party = figures.party_public if public else figures.taken_by_party_members
    return [
        str(figures.total),
        str(figures.withdrawn),
        str(figures.solved),
        app_reports.format_percent(figures.solved_rate, empty),
        app_reports.format_percent(figures.satisfaction, empty),
        str(figures.closed_unrated),
        str(figures.courier_reports),
        empty if party is None else str(party),
        str(figures.partner_units),
        str(figures.resources_offered),
        app_reports.format_decimal(figures.median_hours_to_dispatch, empty),
        app_reports.format_decimal(figures.mean_hours_to_dispatch, empty),
        app_reports.format_decimal(figures.median_hours_to_close, empty),
        app_reports.format_decimal(figures.mean_hours_to_close, empty),
        app_reports.format_decimal(figures.average_rating, empty),
        str(len(figures.ratings)),
        str(figures.times_reopened),
        str(figures.resources_used),
    ]


@dataclass(frozen=True)
class Segment:
    status: str
    label: str
    count: int
    x: float
    width: float


@dataclass(frozen=True)
class Bar:
    label: str
    total: int
    segments: list[Segment]
    described: str
    """The bar in words: "Repairs 3 (Waiting for dispatch 1, Rated (solved) 2)"."""

    @property
    def end(self) -> float:
        return self.segments[-1].x + self.segments[-1].width if self.segments else 0.0


def chart_bars(figures: report_figures.NeedFigures) -> list[Bar]:
    """One bar per category, split by status, scaled to the largest category."""
    most = max(figures.by_category.values(), default=0)
    bars = []
    for category in report_figures.CATEGORIES:
        x = 0.0
        segments = []
        for status in report_figures.STATUSES:
            count = figures.counts[(category, status)]
            if count:
                width = round(count / most * CHART_WIDTH, 1)
                segments.append(Segment(status, _(STATUS_LABELS[status]), count, x, width))
                x = round(x + width, 1)
        label = _(CATEGORY_LABELS[category])
        total = sum(segment.count for segment in segments)
        parts = ", ".join(f"{segment.label} {segment.count}" for segment in segments)
        bars.append(
            Bar(label, total, segments, f"{label} {total}" + (f" ({parts})" if parts else ""))
        )
    return bars


def figure_definitions() -> list[str]:
    """What each figure means, translated: the same words on the staff reports and on each
    community's public page."""
    days = report_figures.RECENT.days
    age = ngettext("%(num)s day", "%(num)s days", days, num=days)
    return [_(text, age=age) for text in report_figures.STAFF_FIGURE_DEFINITIONS]


def resource_name(use: reports.ResourceUse) -> tuple[str, str]:
    """The resource's title and who offers it, for the current language."""
    if use.resource is None:
        return _("Resource no. %(id)s (deleted)", id=use.resource_id), ""
    offered_by = localized(use.resource, "unit_name") or use.resource["volunteer_name"] or ""
    return localized(use.resource, "title"), offered_by


class NeedReportsController(Controller):
    path = "/staff/needs"
    guards = [requires_staff]
    include_in_schema = False

    @get("/reports", name="staff:needs.reports")
    async def report_page(
        self,
        request: AnyRequest,
        actor: CurrentActor,
        now: RequestNow,
        first: FromDate = "",
        last: ToDate = "",
        community: FromQuery[str] = "",
    ) -> Template:
        filters = ReportFilters.read(first, last, community, now)
        context = await filters.context(actor)
        context.update(
            status_labels=[STATUS_LABELS[status] for status in report_figures.STATUSES],
            category_labels=[CATEGORY_LABELS[category] for category in report_figures.CATEGORIES],
            figure_columns=FIGURE_COLUMNS,
            definitions=figure_definitions(),
        )
        period = filters.period
        if period is None:
            return page(request, "needs/staff/reports.html", status_code=400, **context)
        report = await reports.need_report(actor, period, now, community_slug=community)
        context.update(
            report=report,
            statuses=report_figures.STATUSES,
            status_rows=[(row.community, status_cells(row.figures)) for row in report.rows],
            status_total=status_cells(report.total),
            category_rows=[(row.community, category_cells(row.figures)) for row in report.rows],
            category_total=category_cells(report.total),
            figure_rows=[(row.community, figure_cells(row.figures)) for row in report.rows],
            figure_total=figure_cells(report.total),
            bars=chart_bars(report.total),
            chart_width=CHART_WIDTH,
            top=[(*resource_name(use), use.uses) for use in report.top],
            csv_url=filters.csv_url(request, "staff:needs.reports.csv"),
        )
        return page(request, "needs/staff/reports.html", **context)

    @get("/reports.csv", name="staff:needs.reports.csv")
    async def report_csv(
        self,
        request: AnyRequest,
        actor: CurrentActor,
        now: RequestNow,
        first: FromDate = "",
        last: ToDate = "",
        community: FromQuery[str] = "",
    ) -> Response[bytes]:
        period = csv_period(first, last, now)
        report = await reports.need_report(actor, period, now, community_slug=community)
        header = [
            _("Community"),
            *(_(label) for label in FIGURE_COLUMNS),
            *(_(STATUS_LABELS[status]) for status in report_figures.STATUSES),
            *(_(CATEGORY_LABELS[category]) for category in report_figures.CATEGORIES),
        ]

        def line(label: str, figures: report_figures.NeedFigures) -> list[str]:
            statuses = status_cells(figures)[:-1]  # the total is the first figure already
            # A CSV file is passed on: party members' figure only as a count of five or more.
            cells = figure_cells(figures, "", public=True)
            return [label, *cells, *statuses, *category_cells(figures)]

        rows = [line(localized(row.community, "name"), row.figures) for row in report.rows]
        rows.append(line(_("Total"), report.total))
        return csv_response("needs", period, header, rows)
