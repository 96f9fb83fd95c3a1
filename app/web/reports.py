"""What every domain's report pages share over HTTP: the period's query parameters and the
CSV download."""

from __future__ import annotations

from typing import Annotated

from litestar import Response
from litestar.params import QueryParameter

from app.reports import Period, csv_body

FromDate = Annotated[str, QueryParameter(name="from")]
"""The `from` query parameter of a report page (a Python keyword, so renamed)."""
ToDate = Annotated[str, QueryParameter(name="to")]


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
