"""POST /staff/needs/{id}/public-summary: staff write the line the community's public page
shows for a need. A refused summary comes back on a page of its own with what was typed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar import Controller, Request, post
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect, Template

from app.errors import InputError
from app.i18n import _
from app.web.context import CurrentActor, RequestNow, flash
from app.web.guards import requires_staff
from app.web.responses import page, redirect
from needs.logic.labels import CATEGORY_LABELS
from needs.services import dispatch
from needs.services.public_summary import write_public_summary

AnyRequest = Request[Any, Any, Any]


@dataclass
class PublicSummaryForm:
    public_summary: str = ""


class PublicSummaryController(Controller):
    path = "/staff/needs"
    guards = [requires_staff]
    include_in_schema = False

    @post("/{need_id:str}/public-summary", name="staff:need.public_summary")
    async def save(
        self,
        request: AnyRequest,
        actor: CurrentActor,
        now: RequestNow,
        need_id: FromPath[str],
        data: URLEncodedBody[PublicSummaryForm],
    ) -> Template | Redirect:
        try:
            await write_public_summary(actor, need_id, data.public_summary, now=now)
        except InputError as exc:
            return page(
                request,
                "needs/staff/public_summary.html",
                status_code=400,
                need=await dispatch.managed_need(actor, need_id),
                public_summary_text=data.public_summary,
                public_summary_errors=exc.by_field(),
                category_labels=CATEGORY_LABELS,
            )
        flash(request, _("The public summary was saved."))
        return redirect(request.app.route_reverse("staff:need", need_id=need_id))
