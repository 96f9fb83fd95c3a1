"""Staff page of a community's party branches (党支部) and party-member volunteers,
`/staff/needs/branches?community=<slug>`: create, rename, retire and bring back branches, and
mark an approved volunteer as a party member of one (or not). Only the community's staff see
it; another community's page is 403, a branch or volunteer id of another community 404."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Redirect, Template

from app.communities.services import managed_communities
from app.errors import InputError, RuleViolation
from app.i18n import _, localized
from app.permissions import Actor
from app.tables import Community
from app.web.context import CurrentActor, RequestNow, flash
from app.web.guards import requires_staff
from app.web.responses import page, redirect
from needs.services import branches, volunteers
from needs.web.staff import list_pages

AnyRequest = Request[Any, Any, Any]


@dataclass
class Typed:
    """What was typed into the form that failed, and why."""

    form: str = ""
    """`new`, `rename-<id>` or `member-<volunteer id>`."""
    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


class StaffBranchesController(Controller):
    path = "/staff/needs/branches"
    guards = [requires_staff]
    include_in_schema = False

    async def _community(self, actor: Actor, slug: str) -> Community | None:
        """The community named (403 if not the actor's), or the actor's only one."""
        chosen = await list_pages.chosen_community(actor, slug)
        if chosen is None:
            mine = await managed_communities(actor)
            chosen = mine[0] if len(mine) == 1 else None
        return chosen

    async def _page(
        self, request: AnyRequest, actor: Actor, community: Community | None, typed: Typed
    ) -> Template:
        rows = await branches.branches_of(actor, community) if community else []
        people = (
            [
                row
                for row in await volunteers.volunteers_of(actor, community.id)
                if row["status"] == "approved"
            ]
            if community
            else []
        )
        names = {row["id"]: localized(row, "name") for row in rows}
        active = [(str(row["id"]), localized(row, "name")) for row in rows if row["active"]]
        return page(
            request,
            "needs/staff/lists/branches.html",
            status_code=400 if typed.errors else 200,
            community=community,
            communities=await managed_communities(actor),
            branches=rows,
            volunteers=people,
            branch_names=names,
            branch_options=[("", _("Not a party member")), *active],
            typed=typed,
        )

    def _back(self, request: AnyRequest, community: Community) -> Redirect:
        url = request.app.route_reverse("staff:needs.branches")
        return redirect(f"{url}?community={community.slug}")

    @get("", name="staff:needs.branches")
    async def index(
        self, request: AnyRequest, actor: CurrentActor, community: FromQuery[str] = ""
    ) -> Template:
        return await self._page(request, actor, await self._community(actor, community), Typed())

    @post("", name="staff:needs.branch.create")
    async def create(
        self,
        request: AnyRequest,
        actor: CurrentActor,
        now: RequestNow,
        data: URLEncodedBody[branches.BranchForm],
        community: FromQuery[str] = "",
    ) -> Template | Redirect:
        chosen = await self._community(actor, community)
        if chosen is None:
            return await self._page(request, actor, None, Typed())
        try:
            await branches.create_branch(actor, chosen, data, now=now)
        except InputError as exc:
            typed = Typed("new", {"name_zh": data.name_zh, "name_en": data.name_en}, exc.by_field())
            return await self._page(request, actor, chosen, typed)
        flash(request, _("The party branch was added."))
        return self._back(request, chosen)

    @post("/{branch_id:int}/rename", name="staff:needs.branch.rename")
    async def rename(
        self,
        request: AnyRequest,
        actor: CurrentActor,
        now: RequestNow,
        branch_id: FromPath[int],
        data: URLEncodedBody[branches.BranchForm],
    ) -> Template | Redirect:
        try:
            changed = await branches.rename_branch(actor, branch_id, data, now=now)
        except InputError as exc:
            chosen = await branches.community_of_branch(
                await branches.managed_branch(actor, branch_id)
            )
            values = {"name_zh": data.name_zh, "name_en": data.name_en}
            typed = Typed(f"rename-{branch_id}", values, exc.by_field())
            return await self._page(request, actor, chosen, typed)
        flash(request, _("Saved.") if changed else _("Nothing was changed."))
        chosen = await branches.community_of_branch(await branches.managed_branch(actor, branch_id))
        return self._back(request, chosen)

    async def _toggle(
        self, request: AnyRequest, actor: Actor, now: datetime, branch_id: int, active: bool
    ) -> Redirect:
        try:
            branch = await branches.set_branch_active(actor, branch_id, active, now=now)
        except RuleViolation as exc:
            flash(request, exc.detail, "error")
            branch = await branches.managed_branch(actor, branch_id)
        else:
            flash(
                request,
                _("The branch is active again.")
                if active
                else _("The branch was retired: it gets no more needs."),
            )
        return self._back(request, await branches.community_of_branch(branch))

    @post("/{branch_id:int}/retire", name="staff:needs.branch.retire")
    async def retire(
        self, request: AnyRequest, actor: CurrentActor, now: RequestNow, branch_id: FromPath[int]
    ) -> Redirect:
        return await self._toggle(request, actor, now, branch_id, False)

    @post("/{branch_id:int}/reactivate", name="staff:needs.branch.reactivate")
    async def reactivate(
        self, request: AnyRequest, actor: CurrentActor, now: RequestNow, branch_id: FromPath[int]
    ) -> Redirect:
        return await self._toggle(request, actor, now, branch_id, True)

    @post("/members/{volunteer_id:int}", name="staff:needs.branch.member")
    async def member(
        self,
        request: AnyRequest,
        actor: CurrentActor,
        now: RequestNow,
        volunteer_id: FromPath[int],
        data: URLEncodedBody[branches.MembershipForm],
    ) -> Template | Redirect:
        try:
            volunteer = await branches.set_membership(actor, volunteer_id, data, now=now)
        except InputError as exc:
            chosen = await branches.community_of_volunteer(actor, volunteer_id)
            typed = Typed(f"member-{volunteer_id}", {"branch": data.branch}, exc.by_field())
            return await self._page(request, actor, chosen, typed)
        flash(
            request,
            _("Marked as a party member of the branch.")
            if volunteer.branch
            else _("No longer marked as a party member."),
        )
        return self._back(request, await branches.community_of_volunteer(actor, volunteer_id))
