"""What the spaces domain contributes to the application: pages, API, links, demo data and
its part of a person's data export and account deletion."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from app.domains import Domain
from app.i18n import N_
from app.tables import User
from app.web.domains import Link, WebDomain
from spaces import api, dashboard, demo
from spaces.attendance import JOBS
from spaces.catalog import touch
from spaces.controllers import BookingsController, CheckInController, SpacesController
from spaces.feed_pages import BookingCalendarController, SpaceFeedController
from spaces.feeds import PERSONAL_FEED, STAFF_FEED
from spaces.staff import StaffSeriesController, StaffSpacesController
from spaces.staff_reports import SpaceReportsController
from spaces.staff_timeline import StaffTimelineController
from spaces.tables import Booking, BookingStatus, Space
from spaces.waitlist import JOBS as WAITLIST_JOBS
from spaces.waitlist import export_of as export_waitlist
from spaces.waitlist_pages import WaitlistController


async def export_account(user: User, now: datetime) -> dict[str, Any]:
    rows = await Booking.select(
        Booking.id,
        Booking.space.slug.as_alias("space"),
        Booking.starts_at,
        Booking.ends_at,
        Booking.units,
        Booking.status,
        Booking.note,
        Booking.rating,
        Booking.rating_comment,
        Booking.created_at,
    ).where(Booking.user == user.id)
    return {
        "bookings": [
            {
                key: value.isoformat() if isinstance(value, datetime) else value
                for key, value in {**row, "id": str(row["id"])}.items()
            }
            for row in rows
        ],
        "waitlist": await export_waitlist(user.id),
    }


async def before_account_deleted(user: User, now: datetime) -> None:
    """Free what the person still holds; past bookings stay, no longer linked to anyone."""
    held = (
        await Booking.select(Booking.space)
        .where(
            (Booking.user == user.id)
            & (Booking.ends_at > now)
            & (Booking.status == BookingStatus.confirmed.value)
        )
        .distinct()
    )
    for row in held:
        await touch(row["space"])
    await Booking.update(
        {
            Booking.status: BookingStatus.cancelled.value,
            Booking.cancelled_at: now,
            Booking.cancel_reason: "account deleted",
            Booking.updated_at: now,
            Booking.sequence: Booking.sequence + 1,
        }
    ).where(
        (Booking.user == user.id)
        & (Booking.ends_at > now)
        & Booking.status.is_in([BookingStatus.pending.value, BookingStatus.confirmed.value])
    )
    await Booking.update({Booking.note: "", Booking.rating_comment: ""}).where(
        Booking.user == user.id
    )


async def after_holidays_changed() -> None:
    await Space.update({Space.version: Space.version + 1}).where(
        Space.closed_on_holidays == True  # noqa: E712
    )


DOMAIN = Domain(
    name="spaces",
    dashboard=dashboard.dashboard,
    load_demo=demo.load,
    export_account=export_account,
    before_account_deleted=before_account_deleted,
    after_holidays_changed=after_holidays_changed,
    jobs=[*JOBS, *WAITLIST_JOBS],
    personal_feed=PERSONAL_FEED,
    staff_feed=STAFF_FEED,
)


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
