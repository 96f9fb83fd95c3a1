"""What the pages show of one need: its community, reporter, helper, station, project,
resources used and timeline, read in one place for the reporter's, helper's and staff pages;
and for the staff's page, whom it could go to and what could be booked for it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from app.clock import site_date
from app.db import existing
from app.permissions import Actor, staff_service
from app.tables import Community, User
from needs.logic import loop
from needs.logic.labels import FOLLOWUP_METHOD_LABELS, FOLLOWUP_RESULT_LABELS
from needs.queries.assignees import helper_of
from needs.services import convert, dispatch
from needs.tables import Need, NeedEvent, Open311Key, Project, Resource
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
    system_name: str = ""
    """The partner system that filed it through Open311, as its key is named (revoked keys
    too), or empty."""


def _with_followup(event: dict[str, Any]) -> dict[str, Any]:
    """A 回访's step gains the labels of its method and result (message ids) and its note,
    so a page can show the result without the note."""
    if event["kind"] != "followup":
        return event
    method, result, note = loop.read_followup_detail(event["detail"])
    return {
        **event,
        "method_label": FOLLOWUP_METHOD_LABELS.get(method, method),
        "result_label": FOLLOWUP_RESULT_LABELS.get(result, result),
        "note": note,
    }


async def timeline(need_id: Any, hidden: frozenset[str] = frozenset()) -> list[dict[str, Any]]:
    """Every step of the need but those of the `hidden` kinds, oldest first, with the name of
    whoever took it."""
    rows = (
        await NeedEvent.select(
            *NeedEvent.all_columns(), NeedEvent.actor.name.as_alias("actor_name")
        )
        .where(NeedEvent.need == need_id)
        .order_by(NeedEvent.at)
        .order_by(NeedEvent.id)
    )
    return [_with_followup(row) for row in rows if row["kind"] not in hidden]


async def view_of(need: Need, *, hidden: frozenset[str] = frozenset()) -> NeedView:
    """What a page shows of the need; its timeline leaves out the steps of `hidden` kinds."""
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
    ids = loop.resource_ids(need.resources)
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
        events=await timeline(need.id, hidden),
        system_name=await _system_name(need),
    )


async def _system_name(need: Need) -> str:
    if need.open311_key is None:
        return ""
    row = await Open311Key.select(Open311Key.name).where(Open311Key.id == need.open311_key).first()
    return row["name"] if row else ""


@dataclass
class StaffNeedPage:
    """Everything the staff's page of one need shows and offers."""

    view: NeedView
    matching: list[dispatch.Candidate]
    """Volunteers and units whose categories include the need's."""
    others: list[dispatch.Candidate]
    projects: list[dict[str, Any]]
    resources: list[dict[str, Any]]
    """Active resources of the need's category."""
    other_resources: list[dict[str, Any]]
    """Active resources of other categories, offered folded."""
    spaces: list[Any]
    """The active spaces of the need's community, to book for it."""
    today: date
    """The site's date at `now`, where the booking and series forms start."""


@staff_service
async def staff_need_page(actor: Actor, need_id: str, *, now: datetime) -> StaffNeedPage:
    """The need (as it stands now) if the actor is staff of its community; else 404."""
    need = await dispatch.managed_need(actor, need_id)
    matching, others = await dispatch.candidates(need)
    resources = await dispatch.resources_of(need.community)
    return StaffNeedPage(
        view=await view_of(need),
        matching=matching,
        others=others,
        projects=await dispatch.projects_of(need.community),
        resources=[row for row in resources if row["category"] == need.category],
        other_resources=[row for row in resources if row["category"] != need.category],
        spaces=await convert.spaces_for(need),
        today=site_date(now),
    )
