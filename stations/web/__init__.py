"""The stations domain's HTTP edge: the couriers' pages, the JSON API and the calendar feed,
the staff's pages (`staff/`), and the links to them. Handlers parse input, call one of
`stations.services` and render."""

from __future__ import annotations

from app.i18n import N_
from app.web.domains import Link, WebDomain
from stations.web import api
from stations.web.feeds import StationFeedController
from stations.web.offline import OfflineController
from stations.web.pages import StationsController
from stations.web.staff.amenities import StaffAmenitiesController
from stations.web.staff.checkins import StaffCheckInsController
from stations.web.staff.dates import StaffStationDatesController
from stations.web.staff.reports import StationReportsController
from stations.web.staff.services import StaffStationServicesController
from stations.web.staff.stations import StaffStationsController

WEB = WebDomain(
    name="stations",
    route_handlers=[
        OfflineController,
        StationsController,
        StaffStationsController,
        StaffAmenitiesController,
        StaffCheckInsController,
        StaffStationDatesController,
        StaffStationServicesController,
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
