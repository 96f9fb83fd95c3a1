"""The demo needs of DESIGN.md: 广场西社区's "机关合伙人" (8 partner units offering 35 resources,
23 residents' needs in every status, two standing projects) and 广场东社区's 14 partner units
with a few needs, spread over the three months before `now`.

Each need's timeline is written from its steps in order (filed → dispatched → accepted → done
→ rated …), and its status and timestamps are derived from that same timeline, so they always
agree. Idempotent: nothing is added once the demo's partner units exist. Runs after app.demo
(communities and staff accounts) and the stations demo (the couriers' rest stations).

The demo itself is in needs.services.demo.guangchang_xi and …guangchang_dong; this module
loads it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from app.accounts.services import insert_user
from app.calendar import wall_to_utc
from app.demo import DEMO_PASSWORD, staff_login
from app.errors import InputError
from app.passwords import hash_password
from app.tables import Community, LoginKind, User
from needs.logic import follow_tokens, loop
from needs.logic.kinds import ReporterKind, VolunteerStatus
from needs.services.demo import guangchang_dong, guangchang_xi
from needs.services.demo.shapes import DemoCommunity, DemoNeed
from needs.services.reports import report_zone
from needs.tables import (
    Need,
    NeedEvent,
    PartnerUnit,
    Project,
    ProjectResource,
    Resource,
    Volunteer,
)

COMMUNITIES = (guangchang_xi.COMMUNITY, guangchang_dong.COMMUNITY)
PEOPLE = tuple(person for community in COMMUNITIES for person in community.people)
"""Demo residents of the two communities; volunteers sign in with the demo password."""


@dataclass
class _Ids:
    """What one community's needs refer to, by demo key."""

    staff: User
    people: dict[str, User]
    units: dict[str, PartnerUnit]
    volunteers: dict[str, Volunteer]
    resources: dict[str, int]
    projects: dict[str, int]


async def _person(
    login: str, name: str, community: Community | None, password_hash: str, now: datetime
) -> User:
    user = await User.objects().where(User.login == login).first()
    if user is None:
        user = await insert_user(
            login=login,
            kind=LoginKind.email if "@" in login else LoginKind.phone,
            name=name,
            password_hash=password_hash,
            community_id=community.id if community else None,
            privacy_version="demo",
            now=now,
            taken=InputError([]),
            verified=True,
        )
    return user


def unit_login(unit_key: str, community_slug: str) -> str:
    return f"{unit_key}.{community_slug}@linli.example"


async def _people(
    community: Community, helpers_hash: str, residents_hash: str, staff: User, now: datetime
) -> tuple[dict[str, User], dict[str, Volunteer]]:
    people: dict[str, User] = {}
    volunteers: dict[str, Volunteer] = {}
    for spec in PEOPLE:
        if spec.community != community.slug:
            continue
        password_hash = helpers_hash if spec.volunteer else residents_hash
        user = await _person(spec.login, spec.name, community, password_hash, now)
        people[spec.login] = user
        if spec.volunteer:
            status, _sep, categories = spec.volunteer.partition(":")
            approved = status == VolunteerStatus.approved.value
            volunteer = Volunteer(
                user=user.id,
                community=community.id,
                categories=categories,
                skills=spec.skills,
                status=status,
                applied_at=now - timedelta(days=100),
                decided_at=now - timedelta(days=98) if approved else None,
                decided_by=staff.id if approved else None,
            )
            await volunteer.save()
            volunteers[spec.login] = volunteer
    return people, volunteers


async def _lists(
    community: Community, spec: DemoCommunity, helpers_hash: str, now: datetime
) -> tuple[dict[str, PartnerUnit], dict[str, int], dict[str, int]]:
    """The partner units, their resources and the projects bundling them."""
    created = now - timedelta(days=120)
    units: dict[str, PartnerUnit] = {}
    resources: dict[str, int] = {}
    for item in spec.units:
        contact = None
        if item.signs_in:
            login = unit_login(item.key, community.slug)
            contact = await _person(login, item.contact_name, None, helpers_hash, now)
        unit = PartnerUnit(
            community=community.id,
            name_zh=item.name_zh,
            name_en=item.name_en,
            kind=item.kind,
            contact_name=item.contact_name,
            contact_phone=item.contact_phone,
            contact_user=contact.id if contact else None,
            categories=item.categories,
            created_at=created,
            updated_at=created,
        )
        await unit.save()
        units[item.key] = unit
        for offer in item.resources:
            resource = Resource(
                community=community.id,
                unit=unit.id,
                title_zh=offer.title_zh,
                title_en=offer.title_en,
                description=offer.description,
                category=offer.category,
                availability=offer.availability,
                created_at=created,
                updated_at=created,
            )
            await resource.save()
            resources[offer.key] = resource.id
    projects: dict[str, int] = {}
    for bundle in spec.projects:
        project = Project(
            community=community.id,
            title_zh=bundle.title_zh,
            title_en=bundle.title_en,
            description=bundle.description,
            categories=bundle.categories,
            created_at=created,
            updated_at=created,
        )
        await project.save()
        projects[bundle.key] = project.id
        await ProjectResource.insert(
            *[
                ProjectResource(project=project.id, resource=resources[key])
                for key in bundle.resources
            ]
        )
    return units, resources, projects


def _helper(key: str, ids: _Ids) -> tuple[dict[str, Any], int | None, str]:
    """The need's helper columns, the helper's user id and name, from `unit:`/`volunteer:`."""
    kind, _sep, name = key.partition(":")
    if kind == "unit":
        unit = ids.units[name]
        return {"unit": unit.id, "volunteer": None}, unit.contact_user, unit.name_zh
    volunteer = ids.volunteers[name]
    return {"volunteer": volunteer.id, "unit": None}, volunteer.user, ids.people[name].name


async def _need(spec: DemoNeed, community: Community, ids: _Ids, now: datetime) -> None:
    """Write the need and its timeline; its columns follow from the steps."""
    zone = report_zone()
    day = now.astimezone(zone).date() - timedelta(days=spec.days_ago)
    at = wall_to_utc(datetime.combine(day, time.fromisoformat(spec.filed_at)), zone)
    courier_station = (
        spec.reporter.removeprefix("courier:") if spec.reporter.startswith("courier:") else ""
    )
    if courier_station:
        reporter_id, kind = None, ReporterKind.courier.value
    elif spec.reporter == "staff":
        reporter_id, kind = ids.staff.id, ReporterKind.staff.value
    else:
        reporter_id, kind = ids.people[spec.reporter].id, ReporterKind.resident.value
    need_id = uuid.uuid4()
    columns: dict[str, Any] = {"status": loop.OPEN, "unit": None, "volunteer": None}
    events = [NeedEvent(need=need_id, at=at, actor=reporter_id, kind="filed")]
    helper_user: int | None = None
    for step in spec.steps:
        at = at + timedelta(hours=step.after_hours)
        if at >= now:
            raise ValueError(f"demo need step {step.kind!r} would be after now: {spec.description}")
        actor, detail = helper_user, step.detail
        if step.kind == "dispatched":
            helper_columns, helper_user, detail = _helper(step.helper, ids)
            columns.update(helper_columns, status=loop.DISPATCHED, dispatched_at=at)
            actor = ids.staff.id
        elif step.kind == "accepted":
            columns.update(status=loop.ACCEPTED, accepted_at=at)
        elif step.kind == "declined":
            columns.update(status=loop.OPEN, unit=None, volunteer=None)
        elif step.kind == "done":
            columns.update(status=loop.DONE, done_at=at, resolution=step.detail)
        elif step.kind == "rated":
            assert step.stars is not None
            actor, detail = reporter_id, loop.rating_detail(step.stars, step.detail)
            status = loop.status_after_rating(step.stars)
            columns.update(
                status=status, rating=step.stars, rating_comment=step.detail, rated_at=at
            )
        elif step.kind == "withdrawn":
            actor = ids.staff.id if step.by_staff else reporter_id
            columns.update(status=loop.WITHDRAWN, withdrawn_at=at)
        elif step.kind == "note":
            actor = ids.staff.id
        events.append(NeedEvent(need=need_id, at=at, actor=actor, kind=step.kind, detail=detail))
        if step.kind == "rated" and columns["status"] == loop.OPEN:
            columns.update(unit=None, volunteer=None)
            columns["times_reopened"] = columns.get("times_reopened", 0) + 1
            events.append(NeedEvent(need=need_id, at=at, actor=reporter_id, kind="reopened"))
    need = Need(
        id=need_id,
        community=community.id,
        category=spec.category,
        description=spec.description,
        place=spec.place,
        reporter=reporter_id,
        reporter_kind=kind,
        reporter_contact=spec.contact,
        follow_token_hash=follow_tokens.new_token()[1] if courier_station else None,
        station_slug=courier_station,
        project=ids.projects[spec.project] if spec.project else None,
        resources=[ids.resources[key] for key in spec.resources],
        created_at=events[0].at,
        updated_at=events[-1].at,
        sequence=len(events) - 1,
        **columns,
    )
    await need.save()
    await NeedEvent.insert(*events)


async def load(now: datetime) -> list[str]:
    """Add the demo's partner units, resources, projects, volunteers and needs, unless the
    units are there already (or the demo communities are not)."""
    first = COMMUNITIES[0]
    if await PartnerUnit.exists().where(PartnerUnit.name_zh == first.units[0].name_zh):
        return []
    communities = {
        row.slug: row
        for row in await Community.objects().where(
            Community.slug.is_in([spec.slug for spec in COMMUNITIES])
        )
    }
    staff = {
        row.login: row
        for row in await User.objects().where(
            User.login.is_in([staff_login(spec.slug) for spec in COMMUNITIES])
        )
    }
    if len(communities) < len(COMMUNITIES) or len(staff) < len(COMMUNITIES):
        return []
    helpers_hash = await hash_password(DEMO_PASSWORD)
    residents_hash = await hash_password(f"demo-{uuid.uuid4()}")  # they never sign in
    lines = []
    for spec in COMMUNITIES:
        community = communities[spec.slug]
        staff_user = staff[staff_login(spec.slug)]
        people, volunteers = await _people(community, helpers_hash, residents_hash, staff_user, now)
        units, resources, projects = await _lists(community, spec, helpers_hash, now)
        ids = _Ids(staff_user, people, units, volunteers, resources, projects)
        for need in spec.needs:
            await _need(need, community, ids, now)
        lines.append(
            f"needs {spec.slug}: {len(units)} units, {len(resources)} resources, "
            f"{len(spec.needs)} needs"
        )
    helpers = [person.login for person in PEOPLE if person.volunteer.startswith("approved")]
    lines.append(
        f"needs helpers, with the demo password: volunteers {', '.join(helpers)}; partner-unit "
        f"contacts such as {unit_login('wuye', first.slug)}"
    )
    return lines
