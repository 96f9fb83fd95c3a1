"""Staff page /staff/stations/reports and its CSV export: problem reports per station and
reason for a period, and how quickly they were resolved (see stations.services.reports and
stations.logic.report_figures)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from litestar import Controller, Request, Response, get
from litestar.params import FromQuery
from litestar.response import Template

from app import reports as app_reports
from app.clock import site_date
from app.communities.services import managed_communities
from app.errors import DomainError, InputError
from app.i18n import N_, _, format_date, localized
from app.web.context import CurrentActor, RequestNow
from app.web.guards import requires_staff
from app.web.reports import FromDate, ToDate, csv_response
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
        context: dict[str, Any] = {
            "communities": await managed_communities(actor),
            "chosen_community": community,
            "reasons": [REASON_LABELS[reason] for reason in REASONS],
            "columns": COLUMNS,
            "first": first,
            "last": last,
            "errors": {},
            "report": None,
        }
        try:
            period = app_reports.read_period(first, last, site_date(now))
        except InputError as exc:
            context["errors"] = exc.by_field()
            return page(request, "stations/staff/reports.html", status_code=400, **context)
        report = await reports.station_report(actor, period, community_slug=community)
        query = {"from": period.first.isoformat(), "to": period.last.isoformat()}
        if community:
            query["community"] = community
        most = max(report.total.by_reason.values(), default=0)
        context.update(
            first=query["from"],
            last=query["to"],
            report=report,
            period_label=_(
                "%(first)s to %(last)s",
                first=format_date(period.first),
                last=format_date(period.last),
            ),
            rows=[(row.station, cells(row.figures)) for row in report.rows],
            total=cells(report.total),
            bars=[
                (_(REASON_LABELS[reason]), count / most if most else 0.0, str(count))
                for reason, count in report.total.by_reason.items()
            ],
            csv_url=request.app.route_reverse("staff:stations.reports.csv")
            + "?"
            + urlencode(query),
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
        try:
            period = app_reports.read_period(first, last, site_date(now))
        except InputError as exc:
            raise DomainError(exc.errors[0].message) from exc
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
