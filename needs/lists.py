"""Two of the three lists (三张清单), resources and projects, with the partner units (共建单位)
that offer resources; and the helpers the needs loop dispatches to.

Public helpers for the loop (called by needs.services and needs.staff):

- `helpers_for(community_id, category)` → `(volunteers, units)`: the community's approved
  volunteers (with their `user` row loaded) and active partner units, those whose categories
  include `category` first, each list sorted by name.
- `units_contacted_by(user_id)` → the active partner units whose contact person
  (`PartnerUnit.contact_user`) is this user, of any community.
- `volunteer_of(user_id, community_id)` → the user's approved `Volunteer` row in that
  community, or None.

Staff change the lists of their own communities only (administrators: all); anyone else gets
`Forbidden` and nothing is stored. Every change is written with its audit entry in one
transaction. Forms arrive as text; every problem is collected into one `InputError`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal, overload

from app import audit
from app.accounts.validation import normalise_login
from app.db import existing, write_transaction
from app.errors import FieldError, Forbidden, NotFound
from app.formfields import Fields
from app.i18n import N_, _
from app.permissions import Actor, can_manage_community
from app.tables import Community, User
from needs.list_forms import (
    ProjectForm,
    ResourceForm,
    UnitForm,
    as_list,
    project_values,
    resource_values,
    unit_values,
)
from needs.tables import PartnerUnit, Project, ProjectResource, Resource, Volunteer, VolunteerStatus
from needs.views import CATEGORY_LABELS, categories_of

ListEntry = PartnerUnit | Resource | Project
"""An entry of the lists staff keep: a partner unit, a resource or a project."""

KINDS: dict[str, tuple[type[ListEntry], str, str]] = {
    "unit": (PartnerUnit, "partner_unit", N_("There is no such partner unit.")),
    "resource": (Resource, "resource", N_("There is no such resource.")),
    "project": (Project, "project", N_("There is no such project.")),
}
"""What `set_active` and `managed` work on: table, audit subject type, not-found message."""


async def _contact(fields: Fields, text: str) -> int | None:
    """The id of the active account signing in with `text`, or None when left empty."""
    if not text.strip():
        return None
    login = normalise_login(text)
    if isinstance(login, FieldError):
        fields.error(
            "contact_login",
            _("Enter the contact's mobile number or email address, or leave it empty."),
        )
        return None
    row = (
        await User.select(User.id)
        .where((User.login == login[0]) & (User.active == True))  # noqa: E712
        .first()
    )
    if row is None:
        fields.error("contact_login", _("Nobody has signed up with this number or email."))
        return None
    return row["id"]


async def _offer(
    fields: Fields, text: str, community_id: int, current: tuple[int | None, int | None]
) -> tuple[int | None, int | None]:
    """`(unit, volunteer)` offering a resource: an active unit or an approved volunteer of
    the community (or the one it already had), or neither."""
    kind, _sep, number = text.strip().partition(":")
    if not kind:
        return None, None
    row_id = int(number) if number.isdigit() else -1
    if kind == "unit":
        unit = await PartnerUnit.select().where(PartnerUnit.id == row_id).first()
        if unit and unit["community"] == community_id and (unit["active"] or row_id == current[0]):
            return row_id, None
    elif kind == "volunteer":
        volunteer = await Volunteer.select().where(Volunteer.id == row_id).first()
        if (
            volunteer
            and volunteer["community"] == community_id
            and (volunteer["status"] == VolunteerStatus.approved.value or row_id == current[1])
        ):
            return None, row_id
    fields.error(
        "offered_by", _("Choose a partner unit or an approved volunteer of this community.")
    )
    return None, None


async def _bundle(
    fields: Fields, value: list[str] | str, community_id: int, current: set[int]
) -> list[int]:
    """The chosen resource ids: active resources of the community, or ones already bundled."""
    ids: set[int] = set()
    unusable = False
    for text in (item.strip() for item in as_list(value)):
        if text.isdigit():
            ids.add(int(text))
        elif text:
            unusable = True
    added = ids - current
    if added:
        rows = await Resource.select(Resource.id).where(
            Resource.id.is_in(list(added))
            & (Resource.community == community_id)
            & (Resource.active == True)  # noqa: E712
        )
        unusable = unusable or len(rows) < len(added)
    if unusable:
        fields.error("resources", _("Choose among this community's active resources."))
    return sorted(ids)


# --- scope ----------------------------------------------------------------------------------


def require_manager(actor: Actor, community_id: int) -> None:
    if not can_manage_community(actor, community_id):
        raise Forbidden(_("Only staff of this community may change its lists."))


async def form_community(actor: Actor, slug: str, fields: Fields) -> Community | None:
    """The community a new entry is for, if the actor may manage it."""
    community = await Community.objects().where(Community.slug == slug.strip()).first()
    if community is None:
        fields.error("community", _("Choose one of your communities."))
        return None
    require_manager(actor, community.id)
    return community


@overload
async def managed(actor: Actor, kind: Literal["unit"], row_id: int) -> PartnerUnit: ...
@overload
async def managed(actor: Actor, kind: Literal["resource"], row_id: int) -> Resource: ...
@overload
async def managed(actor: Actor, kind: Literal["project"], row_id: int) -> Project: ...
@overload
async def managed(actor: Actor, kind: str, row_id: int) -> ListEntry: ...
async def managed(actor: Actor, kind: str, row_id: int) -> ListEntry:
    """The unit, resource or project `row_id` if the actor may manage it (404 before 403)."""
    table, _subject, missing = KINDS[kind]
    row = await table.objects().where(table.id == row_id).first()
    if row is None:
        raise NotFound(_(missing))
    require_manager(actor, row.community)
    return row


def _scoped(query: Any, table: type[ListEntry], actor: Actor, community_id: int | None) -> Any:
    if community_id is not None:
        require_manager(actor, community_id)
        return query.where(table.community == community_id)
    if actor.is_admin:
        return query
    return query.where(table.community.is_in(list(actor.staff_of) or [-1]))


def _lock(community_id: int) -> str:
    return f"needs-lists:{community_id}"


# --- changes --------------------------------------------------------------------------------


async def _insert(
    actor: Actor, row: ListEntry, subject: str, after: dict[str, Any], now: datetime
) -> None:
    await row.save()
    await audit.record(
        actor_id=actor.id,
        action=f"{subject}.create",
        subject_type=subject,
        subject_id=row.id,
        community_id=row.community,
        after=after,
        now=now,
    )


async def _apply_changes(
    actor: Actor, kind: str, row: ListEntry, values: dict[str, Any], now: datetime, **extra: Any
) -> list[str]:
    """Write the columns in `values` that differ from the stored row, with one audit entry;
    `extra` are audited values stored elsewhere (a project's resources), given as
    `name=(before, after)`. Returns the changed names."""
    table, subject, _missing = KINDS[kind]
    current = existing(
        await table.select(*[getattr(table, name) for name in values])
        .where(table.id == row.id)
        .first()
    )
    before, after = audit.changes(
        {**current, **{k: v[0] for k, v in extra.items()}},
        {**values, **{k: v[1] for k, v in extra.items()}},
    )
    columns = {name: value for name, value in after.items() if name not in extra}
    if columns:
        await table.update(**columns, updated_at=now).where(table.id == row.id)
    if after:
        await audit.record(
            actor_id=actor.id,
            action=f"{subject}.update",
            subject_type=subject,
            subject_id=row.id,
            community_id=row.community,
            before=before,
            after=after,
            now=now,
        )
    return list(after)


async def create_unit(actor: Actor, form: UnitForm, *, now: datetime) -> PartnerUnit:
    fields = Fields()
    community = await form_community(actor, form.community, fields)
    values = unit_values(fields, form)
    values["contact_user"] = await _contact(fields, form.contact_login)
    fields.check()
    assert community is not None
    unit = PartnerUnit(community=community.id, **values, created_at=now, updated_at=now)
    async with write_transaction(_lock(community.id)):
        await _insert(actor, unit, "partner_unit", values, now)
    return unit


async def update_unit(actor: Actor, unit_id: int, form: UnitForm, *, now: datetime) -> list[str]:
    """Save a unit's details; returns the names of the changed fields."""
    unit = await managed(actor, "unit", unit_id)
    fields = Fields()
    values = unit_values(fields, form)
    values["contact_user"] = await _contact(fields, form.contact_login)
    fields.check()
    async with write_transaction(_lock(unit.community)):
        return await _apply_changes(actor, "unit", unit, values, now)


async def create_resource(actor: Actor, form: ResourceForm, *, now: datetime) -> Resource:
    fields = Fields()
    community = await form_community(actor, form.community, fields)
    values = resource_values(fields, form)
    if community is not None:
        values["unit"], values["volunteer"] = await _offer(
            fields, form.offered_by, community.id, (None, None)
        )
    fields.check()
    assert community is not None
    resource = Resource(community=community.id, **values, created_at=now, updated_at=now)
    async with write_transaction(_lock(community.id)):
        await _insert(actor, resource, "resource", values, now)
    return resource


async def update_resource(
    actor: Actor, resource_id: int, form: ResourceForm, *, now: datetime
) -> list[str]:
    resource = await managed(actor, "resource", resource_id)
    fields = Fields()
    values = resource_values(fields, form)
    values["unit"], values["volunteer"] = await _offer(
        fields, form.offered_by, resource.community, (resource.unit, resource.volunteer)
    )
    fields.check()
    async with write_transaction(_lock(resource.community)):
        return await _apply_changes(actor, "resource", resource, values, now)


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


async def _set_bundle(project_id: int, resource_ids: list[int]) -> None:
    await ProjectResource.delete().where(ProjectResource.project == project_id)
    if resource_ids:
        await ProjectResource.insert(
            *[ProjectResource(project=project_id, resource=rid) for rid in resource_ids]
        )


async def create_project(actor: Actor, form: ProjectForm, *, now: datetime) -> Project:
    fields = Fields()
    community = await form_community(actor, form.community, fields)
    values = project_values(fields, form)
    chosen = await _bundle(fields, form.resources, community.id, set()) if community else []
    fields.check()
    assert community is not None
    project = Project(community=community.id, **values, created_at=now, updated_at=now)
    async with write_transaction(_lock(community.id)):
        await _insert(actor, project, "project", {**values, "resources": chosen}, now)
        await _set_bundle(project.id, chosen)
    return project


async def update_project(
    actor: Actor, project_id: int, form: ProjectForm, *, now: datetime
) -> list[str]:
    project = await managed(actor, "project", project_id)
    current = [row["id"] for row in (await bundled([project.id]))[project.id]]
    fields = Fields()
    values = project_values(fields, form)
    chosen = await _bundle(fields, form.resources, project.community, set(current))
    fields.check()
    async with write_transaction(_lock(project.community)):
        changed = await _apply_changes(
            actor, "project", project, values, now, resources=(sorted(current), chosen)
        )
        if "resources" in changed:
            await _set_bundle(project.id, chosen)
    return changed


async def set_active(actor: Actor, kind: str, row_id: int, active: bool, *, now: datetime) -> None:
    """Deactivate a unit, resource or project (kept, but no longer offered) or bring it back."""
    row = await managed(actor, kind, row_id)
    table, subject, _missing = KINDS[kind]
    async with write_transaction(_lock(row.community)):
        current = existing(await table.select(table.active).where(table.id == row_id).first())
        if current["active"] == active:
            return
        await table.update({table.active: active, table.updated_at: now}).where(table.id == row_id)
        await audit.record(
            actor_id=actor.id,
            action=f"{subject}.{'reactivate' if active else 'deactivate'}",
            subject_type=subject,
            subject_id=row_id,
            community_id=row.community,
            before={"active": current["active"]},
            after={"active": active},
            now=now,
        )


# --- reading the lists ----------------------------------------------------------------------


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
    elif kind in ("unit", "volunteer") and number.isdigit():
        query = query.where(getattr(Resource, kind) == int(number))
    return await query.order_by(Resource.active, ascending=False).order_by(
        Resource.title_zh, Resource.id
    )


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


async def offered_by_choices(community_id: int) -> dict[str, list[dict[str, Any]]]:
    """Who may offer a resource of the community: its active units and approved volunteers."""
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


# --- for the needs loop ---------------------------------------------------------------------


async def helpers_for(
    community_id: int, category: str
) -> tuple[list[Volunteer], list[PartnerUnit]]:
    """Approved volunteers (active accounts) and active units of the community; those whose
    categories include `category` come first, each group sorted by name."""
    volunteers = await Volunteer.objects(Volunteer.user).where(
        (Volunteer.community == community_id)
        & (Volunteer.status == VolunteerStatus.approved.value)
        & (Volunteer.user.active == True)  # noqa: E712
    )
    units = await PartnerUnit.objects().where(
        (PartnerUnit.community == community_id) & (PartnerUnit.active == True)  # noqa: E712
    )
    volunteers.sort(key=lambda v: (category not in categories_of(v.categories), v.user.name, v.id))
    units.sort(key=lambda u: (category not in categories_of(u.categories), u.name_zh, u.id))
    return volunteers, units


async def units_contacted_by(user_id: int) -> list[PartnerUnit]:
    """The active units, of any community, whose contact person is this user."""
    return (
        await PartnerUnit.objects()
        .where((PartnerUnit.contact_user == user_id) & (PartnerUnit.active == True))  # noqa: E712
        .order_by(PartnerUnit.community, PartnerUnit.name_zh, PartnerUnit.id)
    )


async def volunteer_of(user_id: int, community_id: int) -> Volunteer | None:
    """The user's approved volunteer row in that community, or None."""
    return (
        await Volunteer.objects()
        .where(
            (Volunteer.user == user_id)
            & (Volunteer.community == community_id)
            & (Volunteer.status == VolunteerStatus.approved.value)
        )
        .first()
    )
