"""The resident's volunteering page, `/needs/volunteer`: offer to help one's own community
with some categories of needs, change them, or stop (needs.services.volunteers)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import URLEncodedBody
from litestar.response import Redirect, Template

from app.errors import InputError
from app.i18n import _
from app.permissions import Actor
from app.web.context import CurrentActor, RequestNow, flash
from app.web.guards import requires_signed_in
from app.web.responses import page, redirect
from needs.logic.labels import CATEGORY_LABELS, VOLUNTEER_STATUS_LABELS, categories_of
from needs.logic.list_forms import as_list
from needs.services import branches, volunteers

AnyRequest = Request[Any, Any, Any]


class VolunteerController(Controller):
    path = "/needs/volunteer"
    guards = [requires_signed_in]
    include_in_schema = False

    async def _page(
        self,
        request: AnyRequest,
        actor: Actor,
        *,
        form: volunteers.VolunteerForm | None = None,
        errors: dict[str, str] | None = None,
    ) -> Template:
        community, found = await volunteers.own_standing(actor)
        volunteer = found.volunteer
        if form is None:
            form = volunteers.VolunteerForm(
                community=community.slug if community else "",
                categories=categories_of(volunteer.categories) if volunteer else [],
                skills=volunteer.skills if volunteer else "",
            )
        return page(
            request,
            "needs/volunteer.html",
            status_code=400 if errors else 200,
            community=community,
            volunteer=volunteer,
            reason=found.reason,
            form=form,
            chosen=categories_of(",".join(as_list(form.categories))),
            errors=errors or {},
            category_labels=CATEGORY_LABELS,
            status_labels=VOLUNTEER_STATUS_LABELS,
            # Their own party membership, on their own signed-in page (see needs.services.branches).
            party_branch=(
                await branches.own_branch(actor.id, community.id)
                if volunteer is not None and community is not None
                else None
            ),
        )

    @get("", name="needs:volunteer")
    async def show(self, request: AnyRequest, actor: CurrentActor) -> Template:
        return await self._page(request, actor)

    @post("", name="needs:volunteer.save")
    async def save(
        self,
        request: AnyRequest,
        actor: CurrentActor,
        now: RequestNow,
        data: URLEncodedBody[volunteers.VolunteerForm],
    ) -> Template | Redirect:
        try:
            outcome = await volunteers.offer(actor, data.community, data, now=now)
        except InputError as exc:
            return await self._page(request, actor, form=data, errors=exc.by_field())
        flash(
            request,
            _("Thank you. Staff of your community will confirm your offer.")
            if outcome == "applied"
            else _("Your categories and skills were saved."),
        )
        return redirect(request.app.route_reverse("needs:volunteer"))

    @post("/retire", name="needs:volunteer.retire")
    async def retire(
        self,
        request: AnyRequest,
        actor: CurrentActor,
        now: RequestNow,
    ) -> Redirect:
        if actor.user.community:
            await volunteers.retire_self(actor, actor.user.community, now=now)
        flash(request, _("You are no longer a volunteer. You can offer again at any time."))
        return redirect(request.app.route_reverse("needs:volunteer"))
