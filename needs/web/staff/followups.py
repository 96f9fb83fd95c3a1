"""The 回访 form of a staff need page: `POST /staff/needs/{id}/followup` records what the
resident said when staff called or visited; bad input re-renders the need's page."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, post
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect, Template

from app.errors import DomainError
from app.i18n import _
from app.web.context import CurrentActor, RequestNow, flash
from app.web.guards import requires_staff
from app.web.responses import redirect
from needs.logic import loop
from needs.services import followups
from needs.web.staff.dispatch import Forms, need_page, status_of

AnyRequest = Request[Any, Any, Any]


class StaffFollowUpsController(Controller):
    path = "/staff/needs"
    guards = [requires_staff]
    include_in_schema = False

    @post("/{need_id:str}/followup", name="staff:need.followup")
    async def follow_up(
        self,
        request: AnyRequest,
        actor: CurrentActor,
        now: RequestNow,
        need_id: FromPath[str],
        data: URLEncodedBody[followups.FollowUpForm],
    ) -> Template | Redirect:
        try:
            need = await followups.record_followup(actor, need_id, data, now=now)
        except DomainError as exc:
            forms = Forms(followup=data, sent="followup", errors=exc.by_field())
            return await need_page(request, actor, now, need_id, forms, status_code=status_of(exc))
        flash(
            request,
            _("The follow-up was recorded. The need is solved.")
            if need.status == loop.RATED
            else _("The follow-up was recorded. The need is open again for the staff."),
        )
        return redirect(request.app.route_reverse("staff:need", need_id=need_id))
