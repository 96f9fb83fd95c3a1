"""Staff pages for the lists of their communities: partner units, resources and projects,
under `/staff/needs/units`, `…/resources` and `…/projects` (volunteers are
needs.web.staff.volunteers).

Each list can be narrowed to one community (`?community=<slug>`); staff reaching into another
community's list or entry get 403 (or 404 for an entry that does not exist).
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Redirect, Template

from app.communities.services import managed_communities
from app.i18n import _, localized
from app.web.context import CurrentActor, RequestNow
from app.web.guards import requires_staff
from needs.logic.labels import CATEGORY_LABELS
from needs.logic.list_forms import ProjectForm, ResourceForm, UnitForm
from needs.services import agreements, lists
from needs.web.staff import list_pages

AnyRequest = Request[Any, Any, Any]


class StaffListsController(Controller):
    path = "/staff/needs"
    guards = [requires_staff]
    include_in_schema = False

    @get("/units", name="staff:needs.units")
    async def units(
        self,
        request: AnyRequest,
        actor: CurrentActor,
        now: RequestNow,
        community: FromQuery[str] = "",
    ) -> Template:
        chosen = await list_pages.chosen_community(actor, community)
        units, by_unit = await lists.units_with_resources(actor, chosen.id if chosen else None)
        return await list_pages.list_page(
            request,
            actor,
            "units.html",
            chosen,
            units=units,
            resources_by_unit=by_unit,
            agreed_until=await agreements.in_force_until([unit["id"] for unit in units], now),
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
        chosen = await list_pages.chosen_community(actor, community)
        scope = chosen.id if chosen else None
        several = chosen is None and len(await managed_communities(actor)) > 1
        units, people = await lists.offerers(actor, scope)
        offer_options = [("", _("Anyone")), ("own", _("The community itself"))]
        for unit in units:
            label = localized(unit, "name")
            if several:
                label = f"{label} · {localized(unit, 'community_name')}"
            offer_options.append((f"unit:{unit['id']}", label))
        for person in people:
            label = _("Volunteer %(name)s", name=person["name"])
            if several:
                label = f"{label} · {localized(person, 'community_name')}"
            offer_options.append((f"volunteer:{person['id']}", label))
        return await list_pages.list_page(
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
        chosen = await list_pages.chosen_community(actor, community)
        rows, bundles = await lists.projects_with_resources(actor, chosen.id if chosen else None)
        return await list_pages.list_page(
            request, actor, "projects.html", chosen, projects=rows, bundles=bundles
        )

    @get("/units/new", name="staff:needs.unit.new")
    async def new_unit(
        self,
        request: AnyRequest,
        actor: CurrentActor,
        community: FromQuery[str] = "",
    ) -> Template:
        return await list_pages.new_entry(request, actor, "unit", community)

    @post("/units/new", name="staff:needs.unit.create")
    async def create_unit(
        self,
        request: AnyRequest,
        actor: CurrentActor,
        now: RequestNow,
        data: URLEncodedBody[UnitForm],
    ) -> Template | Redirect:
        return await list_pages.create_entry(request, actor, now, "unit", data)

    @get("/units/{unit_id:int}/edit", name="staff:needs.unit.edit")
    async def edit_unit(
        self,
        request: AnyRequest,
        actor: CurrentActor,
        unit_id: FromPath[int],
    ) -> Template:
        return await list_pages.edit_entry(request, actor, "unit", unit_id)

    @post("/units/{unit_id:int}/edit", name="staff:needs.unit.update")
    async def update_unit(
        self,
        request: AnyRequest,
        actor: CurrentActor,
        now: RequestNow,
        unit_id: FromPath[int],
        data: URLEncodedBody[UnitForm],
    ) -> Template | Redirect:
        return await list_pages.update_entry(request, actor, now, "unit", unit_id, data)

    @post("/units/{unit_id:int}/deactivate", name="staff:needs.unit.deactivate")
    async def deactivate_unit(
        self,
        request: AnyRequest,
        actor: CurrentActor,
        now: RequestNow,
        unit_id: FromPath[int],
    ) -> Redirect:
        return await list_pages.toggle_entry(request, actor, now, "unit", unit_id, False)

    @post("/units/{unit_id:int}/reactivate", name="staff:needs.unit.reactivate")
    async def reactivate_unit(
        self,
        request: AnyRequest,
        actor: CurrentActor,
        now: RequestNow,
        unit_id: FromPath[int],
    ) -> Redirect:
        return await list_pages.toggle_entry(request, actor, now, "unit", unit_id, True)

    @get("/resources/new", name="staff:needs.resource.new")
    async def new_resource(
        self,
        request: AnyRequest,
        actor: CurrentActor,
        community: FromQuery[str] = "",
    ) -> Template:
        return await list_pages.new_entry(request, actor, "resource", community)

    @post("/resources/new", name="staff:needs.resource.create")
    async def create_resource(
        self,
        request: AnyRequest,
        actor: CurrentActor,
        now: RequestNow,
        data: URLEncodedBody[ResourceForm],
    ) -> Template | Redirect:
        return await list_pages.create_entry(request, actor, now, "resource", data)

    @get("/resources/{resource_id:int}/edit", name="staff:needs.resource.edit")
    async def edit_resource(
        self,
        request: AnyRequest,
        actor: CurrentActor,
        resource_id: FromPath[int],
    ) -> Template:
        return await list_pages.edit_entry(request, actor, "resource", resource_id)

    @post("/resources/{resource_id:int}/edit", name="staff:needs.resource.update")
    async def update_resource(
        self,
        request: AnyRequest,
        actor: CurrentActor,
        now: RequestNow,
        resource_id: FromPath[int],
        data: URLEncodedBody[ResourceForm],
    ) -> Template | Redirect:
        return await list_pages.update_entry(request, actor, now, "resource", resource_id, data)

    @post("/resources/{resource_id:int}/deactivate", name="staff:needs.resource.deactivate")
    async def deactivate_resource(
        self,
        request: AnyRequest,
        actor: CurrentActor,
        now: RequestNow,
        resource_id: FromPath[int],
    ) -> Redirect:
        return await list_pages.toggle_entry(request, actor, now, "resource", resource_id, False)

    @post("/resources/{resource_id:int}/reactivate", name="staff:needs.resource.reactivate")
    async def reactivate_resource(
        self,
        request: AnyRequest,
        actor: CurrentActor,
        now: RequestNow,
        resource_id: FromPath[int],
    ) -> Redirect:
        return await list_pages.toggle_entry(request, actor, now, "resource", resource_id, True)

    @get("/projects/new", name="staff:needs.project.new")
    async def new_project(
        self,
        request: AnyRequest,
        actor: CurrentActor,
        community: FromQuery[str] = "",
    ) -> Template:
        return await list_pages.new_entry(request, actor, "project", community)

    @post("/projects/new", name="staff:needs.project.create")
    async def create_project(
        self,
        request: AnyRequest,
        actor: CurrentActor,
        now: RequestNow,
        data: URLEncodedBody[ProjectForm],
    ) -> Template | Redirect:
        return await list_pages.create_entry(request, actor, now, "project", data)

    @get("/projects/{project_id:int}/edit", name="staff:needs.project.edit")
    async def edit_project(
        self,
        request: AnyRequest,
        actor: CurrentActor,
        project_id: FromPath[int],
    ) -> Template:
        return await list_pages.edit_entry(request, actor, "project", project_id)

    @post("/projects/{project_id:int}/edit", name="staff:needs.project.update")
    async def update_project(
        self,
        request: AnyRequest,
        actor: CurrentActor,
        now: RequestNow,
        project_id: FromPath[int],
        data: URLEncodedBody[ProjectForm],
    ) -> Template | Redirect:
        return await list_pages.update_entry(request, actor, now, "project", project_id, data)

    @post("/projects/{project_id:int}/deactivate", name="staff:needs.project.deactivate")
    async def deactivate_project(
        self,
        request: AnyRequest,
        actor: CurrentActor,
        now: RequestNow,
        project_id: FromPath[int],
    ) -> Redirect:
        return await list_pages.toggle_entry(request, actor, now, "project", project_id, False)

    @post("/projects/{project_id:int}/reactivate", name="staff:needs.project.reactivate")
    async def reactivate_project(
        self,
        request: AnyRequest,
        actor: CurrentActor,
        now: RequestNow,
        project_id: FromPath[int],
    ) -> Redirect:
        return await list_pages.toggle_entry(request, actor, now, "project", project_id, True)
