"""Staff page /staff/stations/reports and its CSV export: problem reports per station and
reason for a period, and how quickly they were resolved (see stations.services.reports and
stations.logic.report_figures)."""

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
from stations.logic.labels import REASON_LABELS
from stations.logic.report_figures import REASONS, StationFigures
from stations.services import reports

AnyRequest = Request[Any, Any, Any]

COLUMNS = (
    N_("Reports"),
    N_("Resolved"),
    N_("Still open"),
    N_("Median hours to resolve"),
    N_("Average hours to resolve"),
)
"""The headings of the figures after the one column per reason, in the order of `cells`."""


def cells(figures: StationFigures, empty: str = "—") -> list[str]:
    """Counts per reason (in `ReportReason` order), then the figures of `COLUMNS`."""
    return [
        *(str(figures.by_reason[reason]) for reason in REASONS),
        str(figures.total),
        str(figures.resolved),
        str(figures.still_open),
        app_reports.format_decimal(figures.median_hours, empty),
        app_reports.format_decimal(figures.mean_hours, empty),
    ]


class StationReportsController(Controller):
    path = "/staff/stations"
    guards = [requires_staff]
    include_in_schema = False

    @get("/reports", name="staff:stations.reports")
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
            reasons=[REASON_LABELS[reason] for reason in REASONS],
            columns=COLUMNS,
        )
        period = filters.period
        if period is None:
            return page(request, "stations/staff/reports.html", status_code=400, **context)
        report = await reports.station_report(actor, period, community_slug=community)
        most = max(report.total.by_reason.values(), default=0)
        context.update(
            report=report,
            rows=[(row.station, cells(row.figures)) for row in report.rows],
            total=cells(report.total),
            bars=[
                (_(REASON_LABELS[reason]), count / most if most else 0.0, str(count))
                for reason, count in report.total.by_reason.items()
            ],
            csv_url=filters.csv_url(request, "staff:stations.reports.csv"),
        )
        return page(request, "stations/staff/reports.html", **context)

    @get("/reports.csv", name="staff:stations.reports.csv")
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
        report = await reports.station_report(actor, period, community_slug=community)
        header = [
            _("Community"),
            _("Station"),
            *(_(REASON_LABELS[reason]) for reason in REASONS),
            *(_(label) for label in COLUMNS),
        ]
        rows = [
            [
                localized(row.station.community, "name"),
                localized(row.station, "name"),
                *cells(row.figures, ""),
            ]
            for row in report.rows
        ]
        rows.append([_("Total"), "", *cells(report.total, "")])
        return csv_response("station", period, header, rows)
