"""What the staff's list pages share: the page of a list, the form of an entry, and adding,
editing, deactivating and reactivating an entry of any of the three lists (partner units,
resources, projects); the routes are needs.web.staff.lists."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from litestar import Request
from litestar.response import Redirect, Template

from app.communities.services import managed_communities, managed_community
from app.errors import InputError
from app.formfields import typed_id
from app.i18n import _
from app.permissions import Actor
from app.tables import Community
from app.web.context import flash
from app.web.responses import page, redirect
from needs.logic.labels import CATEGORY_LABELS, categories_of
from needs.logic.list_forms import ProjectForm, ResourceForm, UnitForm, as_list
from needs.services import list_changes, lists

AnyRequest = Request[Any, Any, Any]
FORMS = {"unit": UnitForm, "resource": ResourceForm, "project": ProjectForm}
SAVERS: dict[
    str, tuple[Callable[..., Awaitable[lists.ListEntry]], Callable[..., Awaitable[list[str]]]]
] = {
    "unit": (list_changes.create_unit, list_changes.update_unit),
    "resource": (list_changes.create_resource, list_changes.update_resource),
    "project": (list_changes.create_project, list_changes.update_project),
}
LIST_ROUTES = {
    "unit": "staff:needs.units",
    "resource": "staff:needs.resources",
    "project": "staff:needs.projects",
}


async def chosen_community(actor: Actor, slug: str) -> Community | None:
    """The community named in the address (if the actor manages it), else None."""
    return await managed_community(actor, slug) if slug else None


def category_options() -> list[tuple[str, str]]:
    return [(key, _(label)) for key, label in CATEGORY_LABELS.items()]


def _offer_value(resource: Any) -> str:
    if resource.unit is not None:
        return f"unit:{resource.unit}"
    return f"volunteer:{resource.volunteer}" if resource.volunteer is not None else ""


async def form_of(kind: str, row: Any, community: Community) -> Any:
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


async def list_page(
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
        category_options=category_options(),
        **context,
    )


async def form_page(
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
        choices = await lists.offered_by_choices(actor, community.id)
        context["offer_choices"] = choices
        context["offered_values"] = [f"unit:{unit['id']}" for unit in choices["units"]] + [
            f"volunteer:{person['id']}" for person in choices["volunteers"]
        ]
    if community is not None and kind == "project":
        current = {
            row_id for value in as_list(form.resources) if (row_id := typed_id(value)) is not None
        }
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
        category_options=category_options(),
        **context,
    )


async def new_entry(request: AnyRequest, actor: Actor, kind: str, slug: str) -> Template:
    community = await chosen_community(actor, slug)
    if community is None:
        mine = await managed_communities(actor)
        community = mine[0] if len(mine) == 1 else None
    form = FORMS[kind](community=community.slug if community else "")
    return await form_page(request, actor, kind, form, community)


async def create_entry(
    request: AnyRequest, actor: Actor, now: datetime, kind: str, form: Any
) -> Template | Redirect:
    try:
        row = await SAVERS[kind][0](actor, form, now=now)
    except InputError as exc:
        community = await lists.community_named(actor, form.community)
        return await form_page(request, actor, kind, form, community, errors=exc.by_field())
    flash(request, _("Added to the list."))
    community = await lists.community_of(row)
    url = request.app.route_reverse(LIST_ROUTES[kind])
    return redirect(f"{url}?community={community.slug}")


async def edit_entry(request: AnyRequest, actor: Actor, kind: str, row_id: int) -> Template:
    row = await lists.managed(actor, kind, row_id)
    community = await lists.community_of(row)
    return await form_page(
        request, actor, kind, await form_of(kind, row, community), community, row=row
    )


async def update_entry(
    request: AnyRequest, actor: Actor, now: datetime, kind: str, row_id: int, form: Any
) -> Template | Redirect:
    row = await lists.managed(actor, kind, row_id)
    community = await lists.community_of(row)
    form.community = community.slug
    try:
        changed = await SAVERS[kind][1](actor, row_id, form, now=now)
    except InputError as exc:
        return await form_page(
            request, actor, kind, form, community, row=row, errors=exc.by_field()
        )
    flash(request, _("Saved.") if changed else _("Nothing was changed."))
    url = request.app.route_reverse(LIST_ROUTES[kind])
    return redirect(f"{url}?community={community.slug}")


async def toggle_entry(
    request: AnyRequest, actor: Actor, now: datetime, kind: str, row_id: int, active: bool
) -> Redirect:
    community = await list_changes.set_active(actor, kind, row_id, active, now=now)
    flash(
        request,
        _("It is offered again.") if active else _("It is kept on the list but no longer offered."),
    )
    url = request.app.route_reverse(LIST_ROUTES[kind])
    return redirect(f"{url}?community={community.slug}")
