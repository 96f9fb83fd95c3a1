"""Staff page of their communities' volunteers, `/staff/needs/volunteers`: offers to approve
or decline (with a reason the applicant reads), volunteers to retire."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Redirect, Template

from app.errors import InputError, RuleViolation
from app.i18n import _
from app.permissions import Actor
from app.web.context import CurrentActor, RequestNow, flash
from app.web.guards import requires_staff
from app.web.responses import redirect
from needs.logic.labels import VOLUNTEER_STATUS_LABELS, categories_of
from needs.services import volunteers
from needs.web.staff import list_pages

AnyRequest = Request[Any, Any, Any]


@dataclass
class ReasonForm:
    reason: str = ""


class StaffVolunteersController(Controller):
    path = "/staff/needs"
    guards = [requires_staff]
    include_in_schema = False

    async def _volunteers_page(
        self,
        request: AnyRequest,
        actor: Actor,
        slug: str,
        *,
        errors: dict[int, str] | None = None,
        reasons: dict[int, str] | None = None,
    ) -> Template:
        chosen = await list_pages.chosen_community(actor, slug)
        return await list_pages.list_page(
            request,
            actor,
            "volunteers.html",
            chosen,
            status_code=400 if errors else 200,
            volunteers=await volunteers.volunteers_of(actor, chosen.id if chosen else None),
            status_labels=VOLUNTEER_STATUS_LABELS,
            categories_of=categories_of,
            errors=errors or {},
            reasons=reasons or {},
        )

    @get("/volunteers", name="staff:needs.volunteers")
    async def volunteers(
        self,
        request: AnyRequest,
        actor: CurrentActor,
        community: FromQuery[str] = "",
    ) -> Template:
        return await self._volunteers_page(request, actor, community)

    async def _decide(
        self,
        request: AnyRequest,
        actor: Actor,
        now: datetime,
        volunteer_id: int,
        decision: str,
        reason: str,
        slug: str,
    ) -> Template | Redirect:
        try:
            if decision == "approve":
                await volunteers.approve(actor, volunteer_id, now=now)
            elif decision == "decline":
                await volunteers.decline(actor, volunteer_id, reason, now=now)
            else:
                await volunteers.retire(actor, volunteer_id, reason, now=now)
        except InputError as exc:
            return await self._volunteers_page(
                request,
                actor,
                slug,
                errors={volunteer_id: exc.detail_of("reason")},
                reasons={volunteer_id: reason},
            )
        except RuleViolation as exc:
            flash(request, exc.detail, "error")
        else:
            flash(
                request,
                {
                    "approve": _("The volunteer was approved and told so."),
                    "decline": _("The offer was declined; the applicant was told why."),
                    "retire": _("The volunteer was retired and told so."),
                }[decision],
            )
        url = request.app.route_reverse("staff:needs.volunteers")
        return redirect(f"{url}?community={slug}" if slug else url)

    @post("/volunteers/{volunteer_id:int}/approve", name="staff:needs.volunteer.approve")
    async def approve(
        self,
        request: AnyRequest,
        actor: CurrentActor,
        now: RequestNow,
        volunteer_id: FromPath[int],
        community: FromQuery[str] = "",
    ) -> Template | Redirect:
        return await self._decide(request, actor, now, volunteer_id, "approve", "", community)

    @post("/volunteers/{volunteer_id:int}/decline", name="staff:needs.volunteer.decline")
    async def decline(
        self,
        request: AnyRequest,
        actor: CurrentActor,
        now: RequestNow,
        volunteer_id: FromPath[int],
        data: URLEncodedBody[ReasonForm],
        community: FromQuery[str] = "",
    ) -> Template | Redirect:
        return await self._decide(
            request, actor, now, volunteer_id, "decline", data.reason, community
        )

    @post("/volunteers/{volunteer_id:int}/retire", name="staff:needs.volunteer.retire")
    async def retire(
        self,
        request: AnyRequest,
        actor: CurrentActor,
        now: RequestNow,
        volunteer_id: FromPath[int],
        data: URLEncodedBody[ReasonForm],
        community: FromQuery[str] = "",
    ) -> Template | Redirect:
        return await self._decide(
            request, actor, now, volunteer_id, "retire", data.reason, community
        )
