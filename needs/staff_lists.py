"""Staff pages for the lists of their communities: partner units, resources, projects and
volunteers, under `/staff/needs/units`, `…/resources`, `…/projects` and `…/volunteers`.

Each list can be narrowed to one community (`?community=<slug>`); staff reaching into another
community's list or entry get 403 (or 404 for an entry that does not exist).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Redirect, Template

from app.communities.services import managed_communities, managed_community
from app.db import existing
from app.errors import InputError, RuleViolation
from app.i18n import _, localized
from app.permissions import Actor
from app.tables import Community
from app.web.context import CurrentActor, RequestNow, flash
from app.web.guards import requires_staff
from app.web.responses import page, redirect
from needs import lists, volunteers
from needs.list_forms import ProjectForm, ResourceForm, UnitForm, as_list
from needs.views import CATEGORY_LABELS, categories_of
from needs.volunteers import ReasonForm

AnyRequest = Request[Any, Any, Any]
FORMS = {"unit": UnitForm, "resource": ResourceForm, "project": ProjectForm}
SAVERS: dict[
    str, tuple[Callable[..., Awaitable[lists.ListEntry]], Callable[..., Awaitable[list[str]]]]
] = {
    "unit": (lists.create_unit, lists.update_unit),
    "resource": (lists.create_resource, lists.update_resource),
    "project": (lists.create_project, lists.update_project),
}
LIST_ROUTES = {
    "unit": "staff:needs.units",
    "resource": "staff:needs.resources",
    "project": "staff:needs.projects",
}


async def _chosen_community(actor: Actor, slug: str) -> Community | None:
    """The community named in the address (if the actor manages it), else None."""
    return await managed_community(actor, slug) if slug else None


async def _community_of(row: lists.ListEntry) -> Community:
    return existing(await Community.objects().where(Community.id == row.community).first())


def _category_options() -> list[tuple[str, str]]:
    return [(key, _(label)) for key, label in CATEGORY_LABELS.items()]


def _offer_value(resource: Any) -> str:
    if resource.unit is not None:
        return f"unit:{resource.unit}"
    return f"volunteer:{resource.volunteer}" if resource.volunteer is not None else ""


async def _form_of(kind: str, row: Any, community: Community) -> Any:
    """The form pre-filled with a stored unit, resource or project."""
    if kind == "unit":
        return UnitForm(
            community=community.slug,
            name_zh=row.name_zh,
            name_en=row.name_en,
            kind=row.kind,
            contact_name=row.contact_name,
            contact_phone=row.contact_phone,
            contact_login=await lists.contact_login_of(row),
            categories=categories_of(row.categories),
        )
    if kind == "resource":
        return ResourceForm(
            community=community.slug,
            title_zh=row.title_zh,
            title_en=row.title_en,
            description=row.description,
            category=row.category,
            availability=row.availability,
            offered_by=_offer_value(row),
        )
    bundle = (await lists.bundled([row.id]))[row.id]
    return ProjectForm(
        community=community.slug,
        title_zh=row.title_zh,
        title_en=row.title_en,
        description=row.description,
        categories=categories_of(row.categories),
        resources=[str(resource["id"]) for resource in bundle],
    )


class StaffListsController(Controller):
    path = "/staff/needs"
    guards = [requires_staff]
    include_in_schema = False

    async def _list_page(
        self,
        request: AnyRequest,
        actor: Actor,
        template: str,
        community: Community | None,
        *,
        status_code: int = 200,
        **context: Any,
    ) -> Template:
        return page(
            request,
            f"needs/staff/lists/{template}",
            status_code=status_code,
            communities=await managed_communities(actor),
            community=community,
            category_labels=CATEGORY_LABELS,
            category_options=_category_options(),
            **context,
        )

    # --- the lists ------------------------------------------------------------------------

    @get("/units", name="staff:needs.units")
    async def units(
        self,
        request: AnyRequest,
        actor: CurrentActor,
        community: FromQuery[str] = "",
    ) -> Template:
        chosen = await _chosen_community(actor, community)
        scope = chosen.id if chosen else None
        by_unit: dict[int, list[dict[str, Any]]] = {}
        for resource in await lists.resources_of(actor, scope):
            if resource["unit"] is not None:
                by_unit.setdefault(resource["unit"], []).append(resource)
        return await self._list_page(
            request,
            actor,
            "units.html",
            chosen,
            units=await lists.units_of(actor, scope),
            resources_by_unit=by_unit,
        )

    @get("/resources", name="staff:needs.resources")
    async def resources(
        self,
        request: AnyRequest,
        actor: CurrentActor,
        community: FromQuery[str] = "",
        category: FromQuery[str] = "",
        offered_by: FromQuery[str] = "",
    ) -> Template:
        chosen = await _chosen_community(actor, community)
        scope = chosen.id if chosen else None
        several = chosen is None and len(await managed_communities(actor)) > 1
        offer_options = [("", _("Anyone")), ("own", _("The community itself"))]
        for unit in await lists.units_of(actor, scope):
            label = localized(unit, "name")
            if several:
                label = f"{label} · {localized(unit, 'community_name')}"
            offer_options.append((f"unit:{unit['id']}", label))
        for person in await volunteers.volunteers_of(actor, scope):
            if person["status"] == "approved":
                label = _("Volunteer %(name)s", name=person["name"])
                if several:
                    label = f"{label} · {localized(person, 'community_name')}"
                offer_options.append((f"volunteer:{person['id']}", label))
        return await self._list_page(
            request,
            actor,
            "resources.html",
            chosen,
            resources=await lists.resources_of(
                actor, scope, category=category, offered_by=offered_by
            ),
            category=category if category in CATEGORY_LABELS else "",
            offered_by=offered_by,
            offer_options=offer_options,
        )

    @get("/projects", name="staff:needs.projects")
    async def projects(
        self,
        request: AnyRequest,
        actor: CurrentActor,
        community: FromQuery[str] = "",
    ) -> Template:
        chosen = await _chosen_community(actor, community)
        rows = await lists.projects_of(actor, chosen.id if chosen else None)
        return await self._list_page(
            request,
            actor,
            "projects.html",
            chosen,
            projects=rows,
            bundles=await lists.bundled([row["id"] for row in rows]),
        )

    # --- adding and editing ---------------------------------------------------------------

    async def _form_page(
        self,
        request: AnyRequest,
        actor: Actor,
        kind: str,
        form: Any,
        community: Community | None,
        *,
        row: Any = None,
        errors: dict[str, str] | None = None,
    ) -> Template:
        context: dict[str, Any] = {}
        if community is not None and kind == "resource":
            choices = await lists.offered_by_choices(community.id)
            context["offer_choices"] = choices
            context["offered_values"] = [f"unit:{unit['id']}" for unit in choices["units"]] + [
                f"volunteer:{person['id']}" for person in choices["volunteers"]
            ]
        if community is not None and kind == "project":
            current = {int(value) for value in as_list(form.resources) if value.isdigit()}
            context["resource_choices"] = [
                resource
                for resource in await lists.resources_of(actor, community.id)
                if resource["active"] or resource["id"] in current
            ]
        return page(
            request,
            f"needs/staff/lists/{kind}_form.html",
            status_code=400 if errors else 200,
            kind=kind,
            form=form,
            row=row,
            community=community,
            communities=[] if community else await managed_communities(actor),
            errors=errors or {},
            category_labels=CATEGORY_LABELS,
            category_options=_category_options(),
            **context,
        )

    async def _new(self, request: AnyRequest, actor: Actor, kind: str, slug: str) -> Template:
        community = await _chosen_community(actor, slug)
        if community is None:
            mine = await managed_communities(actor)
            community = mine[0] if len(mine) == 1 else None
        form = FORMS[kind](community=community.slug if community else "")
        return await self._form_page(request, actor, kind, form, community)

    async def _create(
        self, request: AnyRequest, actor: Actor, now: datetime, kind: str, form: Any
    ) -> Template | Redirect:
        try:
            row = await SAVERS[kind][0](actor, form, now=now)
        except InputError as exc:
            community = await Community.objects().where(Community.slug == form.community).first()
            return await self._form_page(
                request, actor, kind, form, community, errors=exc.by_field()
            )
        flash(request, _("Added to the list."))
        community = await _community_of(row)
        url = request.app.route_reverse(LIST_ROUTES[kind])
        return redirect(f"{url}?community={community.slug}")

    async def _edit(self, request: AnyRequest, actor: Actor, kind: str, row_id: int) -> Template:
        row = await lists.managed(actor, kind, row_id)
        community = await _community_of(row)
        return await self._form_page(
            request, actor, kind, await _form_of(kind, row, community), community, row=row
        )

    async def _update(
        self, request: AnyRequest, actor: Actor, now: datetime, kind: str, row_id: int, form: Any
    ) -> Template | Redirect:
        row = await lists.managed(actor, kind, row_id)
        community = await _community_of(row)
        form.community = community.slug
        try:
            changed = await SAVERS[kind][1](actor, row_id, form, now=now)
        except InputError as exc:
            return await self._form_page(
                request, actor, kind, form, community, row=row, errors=exc.by_field()
            )
        flash(request, _("Saved.") if changed else _("Nothing was changed."))
        url = request.app.route_reverse(LIST_ROUTES[kind])
        return redirect(f"{url}?community={community.slug}")

    async def _toggle(
        self, request: AnyRequest, actor: Actor, now: datetime, kind: str, row_id: int, active: bool
    ) -> Redirect:
        community = await _community_of(await lists.managed(actor, kind, row_id))
        await lists.set_active(actor, kind, row_id, active, now=now)
        flash(
            request,
            _("It is offered again.")
            if active
            else _("It is kept on the list but no longer offered."),
        )
        url = request.app.route_reverse(LIST_ROUTES[kind])
        return redirect(f"{url}?community={community.slug}")

    @get("/units/new", name="staff:needs.unit.new")
    async def new_unit(
        self,
        request: AnyRequest,
        actor: CurrentActor,
        community: FromQuery[str] = "",
    ) -> Template:
        return await self._new(request, actor, "unit", community)

    @post("/units/new", name="staff:needs.unit.create")
    async def create_unit(
        self,
        request: AnyRequest,
        actor: CurrentActor,
        now: RequestNow,
        data: URLEncodedBody[UnitForm],
    ) -> Template | Redirect:
        return await self._create(request, actor, now, "unit", data)

    @get("/units/{unit_id:int}/edit", name="staff:needs.unit.edit")
    async def edit_unit(
        self,
        request: AnyRequest,
        actor: CurrentActor,
        unit_id: FromPath[int],
    ) -> Template:
        return await self._edit(request, actor, "unit", unit_id)

    @post("/units/{unit_id:int}/edit", name="staff:needs.unit.update")
    async def update_unit(
        self,
        request: AnyRequest,
        actor: CurrentActor,
        now: RequestNow,
        unit_id: FromPath[int],
        data: URLEncodedBody[UnitForm],
    ) -> Template | Redirect:
        return await self._update(request, actor, now, "unit", unit_id, data)

    @post("/units/{unit_id:int}/deactivate", name="staff:needs.unit.deactivate")
    async def deactivate_unit(
        self,
        request: AnyRequest,
        actor: CurrentActor,
        now: RequestNow,
        unit_id: FromPath[int],
    ) -> Redirect:
        return await self._toggle(request, actor, now, "unit", unit_id, False)

    @post("/units/{unit_id:int}/reactivate", name="staff:needs.unit.reactivate")
    async def reactivate_unit(
        self,
        request: AnyRequest,
        actor: CurrentActor,
        now: RequestNow,
        unit_id: FromPath[int],
    ) -> Redirect:
        return await self._toggle(request, actor, now, "unit", unit_id, True)

    @get("/resources/new", name="staff:needs.resource.new")
    async def new_resource(
        self,
        request: AnyRequest,
        actor: CurrentActor,
        community: FromQuery[str] = "",
    ) -> Template:
        return await self._new(request, actor, "resource", community)

    @post("/resources/new", name="staff:needs.resource.create")
    async def create_resource(
        self,
        request: AnyRequest,
        actor: CurrentActor,
        now: RequestNow,
        data: URLEncodedBody[ResourceForm],
    ) -> Template | Redirect:
        return await self._create(request, actor, now, "resource", data)

    @get("/resources/{resource_id:int}/edit", name="staff:needs.resource.edit")
    async def edit_resource(
        self,
        request: AnyRequest,
        actor: CurrentActor,
        resource_id: FromPath[int],
    ) -> Template:
        return await self._edit(request, actor, "resource", resource_id)

    @post("/resources/{resource_id:int}/edit", name="staff:needs.resource.update")
    async def update_resource(
        self,
        request: AnyRequest,
        actor: CurrentActor,
        now: RequestNow,
        resource_id: FromPath[int],
        data: URLEncodedBody[ResourceForm],
    ) -> Template | Redirect:
        return await self._update(request, actor, now, "resource", resource_id, data)

    @post("/resources/{resource_id:int}/deactivate", name="staff:needs.resource.deactivate")
    async def deactivate_resource(
        self,
        request: AnyRequest,
        actor: CurrentActor,
        now: RequestNow,
        resource_id: FromPath[int],
    ) -> Redirect:
        return await self._toggle(request, actor, now, "resource", resource_id, False)

    @post("/resources/{resource_id:int}/reactivate", name="staff:needs.resource.reactivate")
    async def reactivate_resource(
        self,
        request: AnyRequest,
        actor: CurrentActor,
        now: RequestNow,
        resource_id: FromPath[int],
    ) -> Redirect:
        return await self._toggle(request, actor, now, "resource", resource_id, True)

    @get("/projects/new", name="staff:needs.project.new")
    async def new_project(
        self,
        request: AnyRequest,
        actor: CurrentActor,
        community: FromQuery[str] = "",
    ) -> Template:
        return await self._new(request, actor, "project", community)

    @post("/projects/new", name="staff:needs.project.create")
    async def create_project(
        self,
        request: AnyRequest,
        actor: CurrentActor,
        now: RequestNow,
        data: URLEncodedBody[ProjectForm],
    ) -> Template | Redirect:
        return await self._create(request, actor, now, "project", data)

    @get("/projects/{project_id:int}/edit", name="staff:needs.project.edit")
    async def edit_project(
        self,
        request: AnyRequest,
        actor: CurrentActor,
        project_id: FromPath[int],
    ) -> Template:
        return await self._edit(request, actor, "project", project_id)

    @post("/projects/{project_id:int}/edit", name="staff:needs.project.update")
    async def update_project(
        self,
        request: AnyRequest,
        actor: CurrentActor,
        now: RequestNow,
        project_id: FromPath[int],
        data: URLEncodedBody[ProjectForm],
    ) -> Template | Redirect:
        return await self._update(request, actor, now, "project", project_id, data)

    @post("/projects/{project_id:int}/deactivate", name="staff:needs.project.deactivate")
    async def deactivate_project(
        self,
        request: AnyRequest,
        actor: CurrentActor,
        now: RequestNow,
        project_id: FromPath[int],
    ) -> Redirect:
        return await self._toggle(request, actor, now, "project", project_id, False)

    @post("/projects/{project_id:int}/reactivate", name="staff:needs.project.reactivate")
    async def reactivate_project(
        self,
        request: AnyRequest,
        actor: CurrentActor,
        now: RequestNow,
        project_id: FromPath[int],
    ) -> Redirect:
        return await self._toggle(request, actor, now, "project", project_id, True)

    # --- volunteers -----------------------------------------------------------------------

    async def _volunteers_page(
        self,
        request: AnyRequest,
        actor: Actor,
        slug: str,
        *,
        errors: dict[int, str] | None = None,
        reasons: dict[int, str] | None = None,
    ) -> Template:
        chosen = await _chosen_community(actor, slug)
        return await self._list_page(
            request,
            actor,
            "volunteers.html",
            chosen,
            status_code=400 if errors else 200,
            volunteers=await volunteers.volunteers_of(actor, chosen.id if chosen else None),
            status_labels=volunteers.VOLUNTEER_STATUS_LABELS,
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
