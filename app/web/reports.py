"""What every domain's report pages share over HTTP: the filters (period and community) as
asked in the query, the period read from them, the link to the same report as CSV, and the
CSV download itself."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Any
from urllib.parse import urlencode

from litestar import Request, Response
from litestar.params import QueryParameter

from app.clock import site_date
from app.communities.services import managed_communities
from app.errors import DomainError, InputError
from app.i18n import _, format_day
from app.permissions import Actor
from app.reports import Period, csv_body, read_period

FromDate = Annotated[str, QueryParameter(name="from")]
"""The `from` query parameter of a report page (a Python keyword, so renamed)."""
ToDate = Annotated[str, QueryParameter(name="to")]


@dataclass
class ReportFilters:
    """A report page's query: the dates as typed, the community, and the period read from
    them (None while a date needs correcting, with `errors` saying why)."""

    first: str
    last: str
    community: str
    period: Period | None
    errors: dict[str, str] = field(default_factory=dict)

    @classmethod
    def read(cls, first: str, last: str, community: str, now: datetime) -> ReportFilters:
        """The filters; empty dates give the last full month before the site's today."""
        try:
            period = read_period(first, last, site_date(now))
        except InputError as exc:
            return cls(first, last, community, None, exc.by_field())
        return cls(period.first.isoformat(), period.last.isoformat(), community, period)

    async def context(self, actor: Actor) -> dict[str, Any]:
        """What the filter form and the page's heading need (`macros/forms.html`)."""
        return {
            "communities": await managed_communities(actor),
            "chosen_community": self.community,
            "first": self.first,
            "last": self.last,
            "errors": self.errors,
            "report": None,
            "period_label": _(
                "%(first)s to %(last)s",
                first=format_day(self.period.first, with_year=True),
                last=format_day(self.period.last, with_year=True),
            )
            if self.period
            else "",
        }

    def csv_url(self, request: Request[Any, Any, Any], route_name: str) -> str:
        """The same report as a CSV download."""
        query = {"from": self.first, "to": self.last}
        if self.community:
            query["community"] = self.community
        return request.app.route_reverse(route_name) + "?" + urlencode(query)


def csv_period(first: str, last: str, now: datetime) -> Period:
    """The period of a CSV download; a wrong date answers 400 with the reason."""
    filters = ReportFilters.read(first, last, "", now)
    if filters.period is None:
        raise DomainError(next(iter(filters.errors.values())))
    return filters.period


def csv_response(
    kind: str, period: Period, header: list[str], rows: list[list[str]]
) -> Response[bytes]:
    """A report as a CSV download named after its kind and period."""
    filename = f"{kind}-report-{period.first.isoformat()}-{period.last.isoformat()}.csv"
    return Response(
        csv_body(header, rows),
        media_type="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
