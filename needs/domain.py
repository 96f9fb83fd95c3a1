"""What the needs domain contributes: the resident's, courier's, helper's and staff pages of
the community-needs loop, its links, demo data and its part of a person's data export."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from app.domains import Domain
from app.i18n import N_
from app.tables import User
from app.web.domains import Link, WebDomain
from needs import dashboard, demo
from needs.controllers import NeedsController
from needs.helpers import HelperTasksController
from needs.staff import StaffNeedsController
from needs.staff_lists import StaffListsController
from needs.staff_reports import NeedReportsController
from needs.tables import Need, Volunteer
from needs.volunteers import VolunteerController


async def export_account(user: User, now: datetime) -> dict[str, Any]:
    """The needs a person filed (with what was done and their rating) and their volunteer
    records."""
    needs = await Need.select(
        Need.id,
        Need.community.slug.as_alias("community"),
        Need.category,
        Need.description,
        Need.place,
        Need.status,
        Need.resolution,
        Need.rating,
        Need.rating_comment,
        Need.created_at,
        Need.done_at,
    ).where(Need.reporter == user.id)
    volunteering = await Volunteer.select(
        Volunteer.community.slug.as_alias("community"),
        Volunteer.categories,
        Volunteer.skills,
        Volunteer.status,
        Volunteer.applied_at,
    ).where(Volunteer.user == user.id)
    return {
        "needs": [_plain(row) for row in needs],
        "volunteering": [_plain(row) for row in volunteering],
    }


def _plain(row: dict[str, Any]) -> dict[str, Any]:
    return {
        key: value.isoformat()
        if isinstance(value, datetime)
        else str(value)
        if key == "id"
        else value
        for key, value in row.items()
    }


DOMAIN = Domain(
    name="needs",
    dashboard=dashboard.dashboard,
    load_demo=demo.load,
    export_account=export_account,
)


WEB = WebDomain(
    name="needs",
    route_handlers=[
        NeedReportsController,
        StaffListsController,
        VolunteerController,
        NeedsController,
        HelperTasksController,
        StaffNeedsController,
    ],
    nav=[Link("needs:index", N_("My needs"), audience="signed_in")],
    home=[
        Link(
            "needs:new",
            N_("Report a problem in the neighbourhood"),
            N_("A broken light, rubbish, parking, a room for your group: the community helps."),
        ),
    ],
    staff=[
        Link("staff:needs", N_("Community needs")),
        Link("staff:needs.reports", N_("Needs reports")),
        Link("staff:needs.volunteers", N_("Helpers and resources")),
    ],
)
