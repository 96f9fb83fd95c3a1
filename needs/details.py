"""What the pages show of one need: its community, reporter, helper, station, project,
resources used and timeline, read in one place for the reporter's, helper's and staff pages."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from app.db import existing
from app.i18n import localized
from app.tables import Community, User
from needs.tables import Need, NeedEvent, PartnerUnit, Project, Resource, Volunteer
from stations.logic.refs import StationRef
from stations.services.catalog import station_ref


@dataclass
class NeedView:
    need: Need
    community: Community
    reporter: User | None
    helper_kind: str
    """`volunteer`, `unit`, or empty when nobody has it now."""
    helper_name: str
    station: StationRef | None
    project: dict[str, Any] | None
    resources: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)


def resource_ids(need: Need) -> list[int]:
    """The ids in the need's `resources` column (a JSON list, read as text by `objects()`)."""
    value = need.resources
    if isinstance(value, str):
        try:
            value = json.loads(value or "[]")
        except ValueError:
            return []
    return [int(item) for item in value or [] if str(item).isdigit()]


async def helper_of(need: Need) -> tuple[str, str]:
    """(`volunteer` or `unit`, name) of whoever has the need now; ("", "") for nobody."""
    if need.volunteer is not None:
        row = (
            await Volunteer.select(Volunteer.user.name.as_alias("name"))
            .where(Volunteer.id == need.volunteer)
            .first()
        )
        return "volunteer", row["name"] if row else ""
    if need.unit is not None:
        row = (
            await PartnerUnit.select(PartnerUnit.name_zh, PartnerUnit.name_en)
            .where(PartnerUnit.id == need.unit)
            .first()
        )
        return "unit", localized(row, "name") if row else ""
    return "", ""


async def timeline(need_id: Any) -> list[dict[str, Any]]:
    """Every step of the need, oldest first, with the name of whoever took it."""
    return (
        await NeedEvent.select(
            *NeedEvent.all_columns(), NeedEvent.actor.name.as_alias("actor_name")
        )
        .where(NeedEvent.need == need_id)
        .order_by(NeedEvent.at)
        .order_by(NeedEvent.id)
    )


async def view_of(need: Need) -> NeedView:
    community = existing(await Community.objects().where(Community.id == need.community).first())
    reporter = (
        await User.objects().where(User.id == need.reporter).first() if need.reporter else None
    )
    kind, name = await helper_of(need)
    project = (
        await Project.select(Project.id, Project.title_zh, Project.title_en)
        .where(Project.id == need.project)
        .first()
        if need.project is not None
        else None
    )
    ids = resource_ids(need)
    resources = (
        await Resource.select(Resource.id, Resource.title_zh, Resource.title_en).where(
            Resource.id.is_in(ids)
        )
        if ids
        else []
    )
    return NeedView(
        need=need,
        community=community,
        reporter=reporter,
        helper_kind=kind,
        helper_name=name,
        station=await station_ref(need.station_slug) if need.station_slug else None,
        project=project,
        resources=resources,
        events=await timeline(need.id),
    )
