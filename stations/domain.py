"""What the stations domain contributes: pages, API, links, demo data, and its part of a
person's data export (their problem reports)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from app.domains import Domain
from app.i18n import N_
from app.tables import User
from app.web.domains import Link, WebDomain
from stations import api, dashboard, demo
from stations.controllers import StationsController
from stations.feeds import StationFeedController
from stations.staff import StaffStationsController
from stations.staff_reports import StationReportsController
from stations.tables import Station, StationReport


async def export_account(user: User, now: datetime) -> dict[str, Any]:
    rows = await StationReport.select(
        StationReport.station.slug.as_alias("station"),
        StationReport.reason,
        StationReport.text,
        StationReport.created_at,
        StationReport.resolved_at,
    ).where(StationReport.user == user.id)
    return {
        "reports": [
            {k: v.isoformat() if isinstance(v, datetime) else v for k, v in row.items()}
            for row in rows
        ]
    }


async def after_holidays_changed() -> None:
    """Opening hours of every station may follow the holidays: their feeds must rebuild."""
    await Station.update({Station.version: Station.version + 1}).where(Station.id > 0)


DOMAIN = Domain(
    name="stations",
    dashboard=dashboard.dashboard,
    load_demo=demo.load,
    export_account=export_account,
    after_holidays_changed=after_holidays_changed,
)


WEB = WebDomain(
    name="stations",
    route_handlers=[
        StationsController,
        StaffStationsController,
        StationReportsController,
        StationFeedController,
        *api.ROUTES,
    ],
    nav=[Link("stations:index", N_("Rest stations"))],
    home=[
        Link(
            "stations:index",
            N_("Find a rest station"),
            N_("For couriers: water, charging, a toilet and a seat nearby, open now."),
        ),
    ],
    staff=[
        Link("staff:stations", N_("Rest stations and reports")),
        Link("staff:stations.reports", N_("Station reports")),
    ],
)
