"""Staff page /staff/spaces/reports and its CSV export: utilisation and booking figures per
space for a period (see spaces.reports for what each figure means)."""

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
        context: dict[str, Any] = {
            "communities": await managed_communities(actor),
            "chosen_community": community,
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
            return page(request, "spaces/staff/reports.html", status_code=400, **context)
        report = await reports.space_report(actor, period, community_slug=community, now=now)
        query = {"from": period.first.isoformat(), "to": period.last.isoformat()}
        if community:
            query["community"] = community
        context.update(
            first=query["from"],
            last=query["to"],
            report=report,
            period_label=_(
                "%(first)s to %(last)s",
                first=format_date(period.first),
                last=format_date(period.last),
            ),
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
            csv_url=request.app.route_reverse("staff:spaces.reports.csv") + "?" + urlencode(query),
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
        try:
            period = app_reports.read_period(first, last, site_date(now))
        except InputError as exc:
            raise DomainError(exc.errors[0].message) from exc
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
