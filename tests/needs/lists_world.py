"""What the tests of the staff's lists share: rows as stored, audit entries, a snapshot of
everything a list change could touch, and units, resources and volunteers made directly."""

from __future__ import annotations

import html
from typing import Any

from app.tables import AuditEntry, Community, Notification
from needs.tables import PartnerUnit, Project, ProjectResource, Resource, Volunteer
from tests.factories import NOW, make_user
from tests.fixtures import text_of


def visible(page: str) -> str:
    return html.unescape(text_of(page))


async def rows(table: Any) -> list[dict[str, Any]]:
    return await table.select().order_by(table.id).output(load_json=True)


async def audit_entries(subject_type: str) -> list[dict[str, Any]]:
    return [
        {key: row[key] for key in ("action", "subject_id", "community", "before", "after")}
        for row in await AuditEntry.select()
        .where(AuditEntry.subject_type == subject_type)
        .order_by(AuditEntry.id)
        .output(load_json=True)
    ]


async def everything() -> list[Any]:
    """Every row a list change could touch, to prove nothing changed."""
    return [
        await rows(table)
        for table in (
            PartnerUnit,
            Resource,
            Project,
            ProjectResource,
            Volunteer,
            AuditEntry,
            Notification,
        )
    ]


async def make_unit(community: Community, name_zh: str = "城东物业", **columns: Any) -> PartnerUnit:
    unit = PartnerUnit(
        community=community.id, name_zh=name_zh, created_at=NOW, updated_at=NOW, **columns
    )
    await unit.save()
    return unit


async def make_resource(
    community: Community, title_zh: str = "上门修水管", category: str = "repairs", **columns: Any
) -> Resource:
    resource = Resource(
        community=community.id,
        title_zh=title_zh,
        category=category,
        created_at=NOW,
        updated_at=NOW,
        **columns,
    )
    await resource.save()
    return resource


async def make_volunteer(
    community: Community, name: str = "李师傅", status: str = "approved", categories: str = ""
) -> Volunteer:
    user = await make_user(name=name, community=community)
    volunteer = Volunteer(
        user=user.id, community=community.id, categories=categories, status=status, applied_at=NOW
    )
    await volunteer.save()
    return volunteer


UNIT_FORM = {
    "community": "guangchang-xi",
    "name_zh": "潞州区司法局",
    "name_en": "Luzhou Justice Bureau",
    "kind": "机关单位",
    "categories": ["neighbours", "parking"],
    "contact_name": "张科长",
    "contact_phone": "0355 2021234",
    "contact_login": "",
}
