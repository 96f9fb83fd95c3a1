"""Staff page /staff/spaces/reports and its CSV export: utilisation and booking figures per
space for a period (see spaces.reports for what each figure means)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get
from litestar.params import FromQuery
from litestar.response import Template

from app import reports as app_reports
from app.i18n import N_, _, localized
from app.web.context import CurrentActor, RequestNow
from app.web.guards import requires_staff
from app.web.reports import FromDate, ReportFilters, ToDate, csv_period, csv_response
from app.web.responses import page
from spaces.logic import report_figures
from spaces.services import reports

AnyRequest = Request[Any, Any, Any]

COLUMNS = (
    N_("Open unit-minutes"),
    N_("Used unit-minutes"),
    N_("Utilisation"),
    N_("Bookings"),
    N_("Held"),
    N_("Cancelled"),
    N_("Rejected"),
    N_("No-shows"),
    N_("Still pending"),
    N_("Average rating"),
    N_("Ratings"),
)
"""The figures' column headings, in the order of `cells`."""


def cells(figures: report_figures.SpaceFigures, empty: str = "—") -> list[str]:
    """The figures as text, in the order of `COLUMNS`; `empty` stands for "no value"."""
    return [
        str(figures.open_unit_minutes),
        str(figures.used_unit_minutes),
        app_reports.format_percent(figures.utilisation, empty),
        str(figures.total),
        str(figures.held),
        str(figures.cancelled),
        str(figures.rejected),
        str(figures.no_shows),
        str(figures.pending),
        app_reports.format_decimal(figures.average_rating, empty),
        str(figures.ratings),
    ]


class SpaceReportsController(Controller):
    path = "/staff/spaces"
    guards = [requires_staff]
    include_in_schema = False

    @get("/reports", name="staff:spaces.reports")
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
            columns=COLUMNS,
        )
        period = filters.period
        if period is None:
            return page(request, "spaces/staff/reports.html", status_code=400, **context)
        report = await reports.space_report(actor, period, community_slug=community, now=now)
        context.update(
            report=report,
            rows=[(row.space, cells(row.figures)) for row in report.rows],
            total=cells(report.total),
            bars=[
                (
                    localized(row.space, "name"),
                    row.figures.utilisation or 0.0,
                    app_reports.format_percent(row.figures.utilisation),
                )
                for row in report.rows
            ],
            csv_url=filters.csv_url(request, "staff:spaces.reports.csv"),
        )
        return page(request, "spaces/staff/reports.html", **context)

    @get("/reports.csv", name="staff:spaces.reports.csv")
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
        report = await reports.space_report(actor, period, community_slug=community, now=now)
        header = [_("Community"), _("Space"), _("Capacity"), *(_(label) for label in COLUMNS)]
        rows = [
            [
                localized(row.space.community, "name"),
                localized(row.space, "name"),
                str(row.space.capacity),
                *cells(row.figures, ""),
            ]
            for row in report.rows
        ]
        rows.append([_("Total"), "", "", *cells(report.total, "")])
        return csv_response("space", period, header, rows)
