"""The lists (三张清单) staff keep for their communities, as they read them: partner units
(共建单位), the resources they and volunteers offer, and the projects that bundle resources
(changing them is needs.services.list_changes).

Staff read and change the lists of their own communities only (administrators: all);
anyone else gets `Forbidden` (an entry that does not exist: `NotFound`, checked first).
"""

from __future__ import annotations

from typing import Any, Literal, overload

from app.db import existing
from app.errors import Forbidden, NotFound
from app.formfields import typed_id
from app.i18n import N_, _
from app.permissions import Actor, staff_service
from app.queries import in_staff_scope
from app.tables import Community, User
from needs.logic.kinds import VolunteerStatus
from needs.logic.labels import CATEGORY_LABELS
from needs.logic.permissions import can_edit_lists, can_see_lists
from needs.services.volunteers import volunteers_of
from needs.tables import PartnerUnit, Project, ProjectResource, Resource, Volunteer

ListEntry = PartnerUnit | Resource | Project
"""An entry of the lists staff keep: a partner unit, a resource or a project."""

KINDS: dict[str, tuple[type[ListEntry], str, str]] = {
    "unit": (PartnerUnit, "partner_unit", N_("There is no such partner unit.")),
    "resource": (Resource, "resource", N_("There is no such resource.")),
    "project": (Project, "project", N_("There is no such project.")),
}
"""What `set_active` and `managed` work on: table, audit subject type, not-found message."""


def require_editor(actor: Actor, community_id: int) -> None:
    """Refuse anyone but staff of the community (and administrators) with `Forbidden`."""
    if not can_edit_lists(actor, community_id):
        raise Forbidden(_("Only staff of this community may change its lists."))


@overload
async def managed(actor: Actor, kind: Literal["unit"], row_id: int) -> PartnerUnit: ...
@overload
async def managed(actor: Actor, kind: Literal["resource"], row_id: int) -> Resource: ...
@overload
async def managed(actor: Actor, kind: Literal["project"], row_id: int) -> Project: ...
@overload
async def managed(actor: Actor, kind: str, row_id: int) -> ListEntry: ...
@staff_service
async def managed(actor: Actor, kind: str, row_id: int) -> ListEntry:
    """The unit, resource or project `row_id` if the actor may manage it (404 before 403)."""
    table, _subject, missing = KINDS[kind]
    row = await table.objects().where(table.id == row_id).first()
    if row is None:
        raise NotFound(_(missing))
    require_editor(actor, row.community)
    return row


async def community_of(row: ListEntry) -> Community:
    """The community a unit, resource or project belongs to."""
    return existing(await Community.objects().where(Community.id == row.community).first())


@staff_service
async def community_named(actor: Actor, slug: str) -> Community | None:
    """The community a list form names, if the actor keeps its lists; None for none or an
    unknown one (the form says so), `Forbidden` for another community."""
    community = await Community.objects().where(Community.slug == slug.strip()).first()
    if community is not None:
        require_editor(actor, community.id)
    return community


def _scoped(query: Any, table: type[ListEntry], actor: Actor, community_id: int | None) -> Any:
    if community_id is not None:
        if not can_see_lists(actor, community_id):
            raise Forbidden(_("Only staff of this community may change its lists."))
        return query.where(table.community == community_id)
    return query.where(in_staff_scope(actor, table.community))


@staff_service
async def units_of(actor: Actor, community_id: int | None = None) -> list[dict[str, Any]]:
    """The units of one community (or of all the actor's), active first, by name, with
    their community's names and the contact account's name and login."""
    query = PartnerUnit.select(
        *PartnerUnit.all_columns(),
        PartnerUnit.community.name_zh.as_alias("community_name_zh"),
        PartnerUnit.community.name_en.as_alias("community_name_en"),
        PartnerUnit.contact_user.name.as_alias("contact_user_name"),
        PartnerUnit.contact_user.login.as_alias("contact_user_login"),
    )
    query = _scoped(query, PartnerUnit, actor, community_id)
    return await query.order_by(PartnerUnit.active, ascending=False).order_by(
        PartnerUnit.name_zh, PartnerUnit.id
    )


@staff_service
async def resources_of(
    actor: Actor, community_id: int | None = None, *, category: str = "", offered_by: str = ""
) -> list[dict[str, Any]]:
    """Resources of one community (or of all the actor's), active first, by title; filtered
    by category and by who offers them (`own`, `unit:<id>`, `volunteer:<id>`)."""
    query = Resource.select(
        *Resource.all_columns(),
        Resource.community.name_zh.as_alias("community_name_zh"),
        Resource.community.name_en.as_alias("community_name_en"),
        Resource.unit.name_zh.as_alias("unit_name_zh"),
        Resource.unit.name_en.as_alias("unit_name_en"),
        Resource.volunteer._.user._.name.as_alias("volunteer_name"),
    )
    query = _scoped(query, Resource, actor, community_id)
    if category in CATEGORY_LABELS:
        query = query.where(Resource.category == category)
    kind, _sep, number = offered_by.partition(":")
    if kind == "own":
        query = query.where(Resource.unit.is_null() & Resource.volunteer.is_null())
    elif kind in ("unit", "volunteer") and (row_id := typed_id(number)) is not None:
        query = query.where(getattr(Resource, kind) == row_id)
    return await query.order_by(Resource.active, ascending=False).order_by(
        Resource.title_zh, Resource.id
    )


@staff_service
async def projects_of(actor: Actor, community_id: int | None = None) -> list[dict[str, Any]]:
    query = Project.select(
        *Project.all_columns(),
        Project.community.name_zh.as_alias("community_name_zh"),
        Project.community.name_en.as_alias("community_name_en"),
    )
    query = _scoped(query, Project, actor, community_id)
    return await query.order_by(Project.active, ascending=False).order_by(
        Project.title_zh, Project.id
    )


@staff_service
async def offered_by_choices(actor: Actor, community_id: int) -> dict[str, list[dict[str, Any]]]:
    """Who may offer a resource of the community: its active units and approved volunteers."""
    require_editor(actor, community_id)
    units = (
        await PartnerUnit.select(PartnerUnit.id, PartnerUnit.name_zh, PartnerUnit.name_en)
        .where((PartnerUnit.community == community_id) & (PartnerUnit.active == True))  # noqa: E712
        .order_by(PartnerUnit.name_zh)
    )
    volunteers = (
        await Volunteer.select(Volunteer.id, Volunteer.user.name.as_alias("name"))
        .where(
            (Volunteer.community == community_id)
            & (Volunteer.status == VolunteerStatus.approved.value)
        )
        .order_by(Volunteer.user.name)
    )
    return {"units": units, "volunteers": volunteers}


async def contact_login_of(unit: PartnerUnit) -> str:
    """The login of the unit's contact account, to pre-fill the form, or empty."""
    if unit.contact_user is None:
        return ""
    row = await User.select(User.login).where(User.id == unit.contact_user).first()
    return row["login"] if row else ""


async def bundled(project_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """Each project's resources (id, titles, category, active), by project id."""
    found: dict[int, list[dict[str, Any]]] = {project_id: [] for project_id in project_ids}
    if not project_ids:
        return found
    rows = (
        await ProjectResource.select(
            ProjectResource.project,
            ProjectResource.resource.id.as_alias("id"),
            ProjectResource.resource.title_zh.as_alias("title_zh"),
            ProjectResource.resource.title_en.as_alias("title_en"),
            ProjectResource.resource.category.as_alias("category"),
            ProjectResource.resource.active.as_alias("active"),
        )
        .where(ProjectResource.project.is_in(project_ids))
        .order_by(ProjectResource.resource.title_zh)
    )
    for row in rows:
        found[row.pop("project")].append(row)
    return found


@staff_service
async def units_with_resources(
    actor: Actor, community_id: int | None = None
) -> tuple[list[dict[str, Any]], dict[int, list[dict[str, Any]]]]:
    """The units of one community (or of all the actor's), with the resources each offers
    by unit id."""
    by_unit: dict[int, list[dict[str, Any]]] = {}
    for resource in await resources_of(actor, community_id):
        if resource["unit"] is not None:
            by_unit.setdefault(resource["unit"], []).append(resource)
    return await units_of(actor, community_id), by_unit


@staff_service
async def offerers(
    actor: Actor, community_id: int | None = None
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Who offers resources in one community (or in all the actor's), to filter them by:
    its units, and its approved volunteers."""
    approved = [
        person
        for person in await volunteers_of(actor, community_id)
        if person["status"] == VolunteerStatus.approved.value
    ]
    return await units_of(actor, community_id), approved


@staff_service
async def projects_with_resources(
    actor: Actor, community_id: int | None = None
) -> tuple[list[dict[str, Any]], dict[int, list[dict[str, Any]]]]:
    """The projects of one community (or of all the actor's), with the resources each
    bundles by project id."""
    rows = await projects_of(actor, community_id)
    return rows, await bundled([row["id"] for row in rows])
