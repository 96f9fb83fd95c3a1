"""The spaces domain over HTTP: resident pages, the staff console's space pages, the JSON API
and the calendar feeds, with the links to them."""

from __future__ import annotations

from app.i18n import N_
from app.web.domains import Link, WebDomain
from spaces.web import api
from spaces.web.bookings import BookingsController
from spaces.web.checkin import CheckInController
from spaces.web.feeds import BookingCalendarController, SpaceFeedController
from spaces.web.spaces import SpacesController
from spaces.web.staff.attendance import StaffAttendanceController
from spaces.web.staff.closure_import import StaffClosureImportController
from spaces.web.staff.closures import StaffClosuresController
from spaces.web.staff.counter import StaffCounterController
from spaces.web.staff.ratings import StaffRatingsController
from spaces.web.staff.reports import SpaceReportsController
from spaces.web.staff.requests import StaffRequestsController
from spaces.web.staff.series import StaffSeriesController
from spaces.web.staff.spaces import StaffSpacesController
from spaces.web.staff.timeline import StaffTimelineController
from spaces.web.waitlist import WaitlistController

WEB = WebDomain(
    name="spaces",
    route_handlers=[
        SpacesController,
        CheckInController,
        BookingsController,
        BookingCalendarController,
        SpaceFeedController,
        WaitlistController,
        StaffTimelineController,
        StaffSpacesController,
        StaffRequestsController,
        StaffRatingsController,
        StaffAttendanceController,
        StaffCounterController,
        StaffClosuresController,
        StaffClosureImportController,
        StaffSeriesController,
        SpaceReportsController,
        *api.ROUTES,
    ],
    nav=[
        Link("spaces:index", N_("Spaces")),
        Link("bookings:index", N_("My bookings"), audience="signed_in"),
    ],
    home=[
        Link(
            "spaces:index",
            N_("Book a shared space"),
            N_("Music rooms, tools, courts, activity rooms and children's corners."),
        ),
    ],
    staff=[
        Link("staff:spaces", N_("Spaces and bookings")),
        Link("staff:requests", N_("Requests to decide")),
        Link("staff:no-shows", N_("No-shows")),
        Link("staff:ratings", N_("Ratings and comments")),
        Link("staff:timeline", N_("Timeline")),
        Link("staff:spaces.reports", N_("Space reports")),
    ],
)
