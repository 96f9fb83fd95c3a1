"""Changing the lists (三张清单) staff keep: adding and editing partner units, resources and
projects, deactivating them and bringing them back (reading them is needs.services.lists).

Staff change the lists of their own communities only (administrators: all); anyone else gets
`Forbidden` and nothing is stored. Every change is written with its audit entry in one
transaction. Forms arrive as text; every problem is collected into one `InputError`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from app import audit
from app.accounts.validation import normalise_login
from app.db import existing, write_transaction
from app.errors import FieldError
from app.formfields import Fields, typed_id
from app.i18n import _
from app.permissions import Actor, staff_service
from app.tables import Community, User
from needs.logic.kinds import VolunteerStatus
from needs.logic.list_forms import (
    ProjectForm,
    ResourceForm,
    UnitForm,
    as_list,
    project_values,
    resource_values,
    unit_values,
)
from needs.services.lists import KINDS, ListEntry, bundled, community_of, managed, require_editor
from needs.tables import PartnerUnit, Project, ProjectResource, Resource, Volunteer


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
    row_id = typed_id(number) or -1
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
        if (row_id := typed_id(text)) is not None:
            ids.add(row_id)
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


async def _form_community(actor: Actor, slug: str, fields: Fields) -> Community | None:
    """The community a new entry is for, if the actor may manage it."""
    community = await Community.objects().where(Community.slug == slug.strip()).first()
    if community is None:
        fields.error("community", _("Choose one of your communities."))
        return None
    require_editor(actor, community.id)
    return community


def _lock(community_id: int) -> str:
    return f"needs-lists:{community_id}"


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


@staff_service
async def create_unit(actor: Actor, form: UnitForm, *, now: datetime) -> PartnerUnit:
    fields = Fields()
    community = await _form_community(actor, form.community, fields)
    values = unit_values(fields, form)
    values["contact_user"] = await _contact(fields, form.contact_login)
    fields.check()
    assert community is not None
    unit = PartnerUnit(community=community.id, **values, created_at=now, updated_at=now)
    async with write_transaction(_lock(community.id)):
        await _insert(actor, unit, "partner_unit", values, now)
    return unit


@staff_service
async def update_unit(actor: Actor, unit_id: int, form: UnitForm, *, now: datetime) -> list[str]:
    """Save a unit's details; returns the names of the changed fields."""
    unit = await managed(actor, "unit", unit_id)
    fields = Fields()
    values = unit_values(fields, form)
    values["contact_user"] = await _contact(fields, form.contact_login)
    fields.check()
    async with write_transaction(_lock(unit.community)):
        return await _apply_changes(actor, "unit", unit, values, now)


@staff_service
async def create_resource(actor: Actor, form: ResourceForm, *, now: datetime) -> Resource:
    fields = Fields()
    community = await _form_community(actor, form.community, fields)
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


@staff_service
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


async def _set_bundle(project_id: int, resource_ids: list[int]) -> None:
    await ProjectResource.delete().where(ProjectResource.project == project_id)
    if resource_ids:
        await ProjectResource.insert(
            *[ProjectResource(project=project_id, resource=rid) for rid in resource_ids]
        )


@staff_service
async def create_project(actor: Actor, form: ProjectForm, *, now: datetime) -> Project:
    fields = Fields()
    community = await _form_community(actor, form.community, fields)
    values = project_values(fields, form)
    chosen = await _bundle(fields, form.resources, community.id, set()) if community else []
    fields.check()
    assert community is not None
    project = Project(community=community.id, **values, created_at=now, updated_at=now)
    async with write_transaction(_lock(community.id)):
        await _insert(actor, project, "project", {**values, "resources": chosen}, now)
        await _set_bundle(project.id, chosen)
    return project


@staff_service
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


@staff_service
async def set_active(
    actor: Actor, kind: str, row_id: int, active: bool, *, now: datetime
) -> Community:
    """Deactivate a unit, resource or project (kept, but no longer offered) or bring it back;
    returns the community whose list it is."""
    row = await managed(actor, kind, row_id)
    table, subject, _missing = KINDS[kind]
    async with write_transaction(_lock(row.community)):
        current = existing(await table.select(table.active).where(table.id == row_id).first())
        if current["active"] == active:
            return await community_of(row)
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
    return await community_of(row)
