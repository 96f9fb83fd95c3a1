"""The needs domain's HTTP edge: the pages of the person who files a need, of helpers and
volunteers, and the staff's pages (`staff/`), with the links to them. Handlers parse input,
call one of needs.services and render."""

from __future__ import annotations

from app.i18n import N_
from app.web.domains import Link, WebDomain
from needs.web import open311
from needs.web.helper_tasks import HelperTasksController
from needs.web.photos import followed_need_photo, need_photo
from needs.web.public import community_needs
from needs.web.reporter import NeedsController
from needs.web.staff.agreements import StaffAgreementsController
from needs.web.staff.branches import StaffBranchesController
from needs.web.staff.dispatch import StaffNeedsController
from needs.web.staff.followups import StaffFollowUpsController
from needs.web.staff.lists import StaffListsController
from needs.web.staff.open311_keys import StaffOpen311KeysController
from needs.web.staff.public_summary import PublicSummaryController
from needs.web.staff.reports import NeedReportsController
from needs.web.staff.volunteers import StaffVolunteersController
from needs.web.staff.walk_ins import StaffWalkInsController
from needs.web.volunteer import VolunteerController

WEB = WebDomain(
    name="needs",
    route_handlers=[
        NeedReportsController,
        StaffListsController,
        StaffAgreementsController,
        StaffVolunteersController,
        StaffBranchesController,
        VolunteerController,
        NeedsController,
        HelperTasksController,
        StaffWalkInsController,
        StaffNeedsController,
        StaffFollowUpsController,
        PublicSummaryController,
        StaffOpen311KeysController,
        need_photo,
        followed_need_photo,
        community_needs,
        *open311.HANDLERS,
    ],
    error_answers=[("/open311/", open311.error_answer)],
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
        Link("staff:open311.keys", N_("Keys of partner systems"), audience="admin"),
    ],
)
