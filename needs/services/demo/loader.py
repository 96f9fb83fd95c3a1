"""The demo needs of DESIGN.md: 八一社区's loop closed by 回访 (95 % solved) with its party
branch (支部派单 to its party-member volunteers), 广场西社区's
"机关合伙人" (8 partner units offering 35 resources, 23 residents' needs in every status, two
standing projects, two of the units under agreement) and 广场东社区's 14 partner units, all
under agreement, with the 12 needs it solved in a year.

Each need's timeline is written from its steps in order (filed → dispatched → accepted → done
→ rated or 回访 …), and its status and timestamps are derived from that same timeline, so they
always agree. Personal data of reporters without an account is written as the erasure job
would leave it, and nothing done is old enough to be closed, so the scheduled jobs change
nothing the figures read.

Idempotent, and an upgrade of the demo of earlier versions: every row is looked up by what
identifies it in its community (a login, a unit's name, a resource's or project's title, a
need's description) and only what is missing is added. Runs after app.demo (communities and
staff accounts) and the stations demo (the couriers' rest stations).

The demo itself is in needs.services.demo.bayi, …guangchang_xi and …guangchang_dong; this
module loads it.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any

from app.accounts.services import insert_user
from app.calendar import wall_to_utc
from app.demo import DEMO_PASSWORD, staff_login
from app.errors import InputError
from app.passwords import hash_password
from app.tables import Community, LoginKind, User
from needs.logic import follow_tokens, loop
from needs.logic.agreements import term_end
from needs.logic.kinds import FollowUpResult, ReporterKind, VolunteerStatus
from needs.services.demo import bayi, guangchang_dong, guangchang_xi
from needs.services.demo.shapes import DemoBranch, DemoCommunity, DemoNeed, Unit
from needs.services.open311_keys import new_key
from needs.services.reports import report_zone
from needs.tables import (
    Need,
    NeedEvent,
    Open311Key,
    PartnerAgreement,
    PartnerUnit,
    PartyBranch,
    Project,
    ProjectResource,
    Resource,
    Volunteer,
)

COMMUNITIES = (bayi.COMMUNITY, guangchang_xi.COMMUNITY, guangchang_dong.COMMUNITY)
PEOPLE = tuple(person for community in COMMUNITIES for person in community.people)
"""Demo residents of the communities; volunteers sign in with the demo password."""
SOLVED_BY_FOLLOW_UP = (FollowUpResult.satisfied.value, FollowUpResult.fairly_satisfied.value)


@dataclass
class _Ids:
    """What one community's needs refer to, by demo key."""

    staff: User
    people: dict[str, User]
    units: dict[str, PartnerUnit]
    volunteers: dict[str, Volunteer]
    resources: dict[str, int]
    projects: dict[str, int]
    branches: dict[str, PartyBranch] = field(default_factory=dict)


@dataclass
class _Added:
    """How many rows of each kind one load added to a community."""

    counts: dict[str, int] = field(default_factory=dict)

    def one(self, kind: str) -> None:
        self.counts[kind] = self.counts.get(kind, 0) + 1

    def __bool__(self) -> bool:
        return any(self.counts.values())


def since(spec: DemoCommunity, now: datetime) -> datetime:
    """When the community's helpers and units joined: a month before its oldest demo need."""
    oldest = max((need.days_ago for need in spec.needs), default=0)
    return now - timedelta(days=oldest + 30)


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


async def _volunteer(
    spec_volunteer: str, skills: str, user: User, community: Community, staff: User, at: datetime
) -> tuple[Volunteer, bool]:
    """The person's volunteer record in the community, added if missing."""
    found = (
        await Volunteer.objects()
        .where((Volunteer.user == user.id) & (Volunteer.community == community.id))
        .first()
    )
    if found is not None:
        return found, False
    status, _sep, categories = spec_volunteer.partition(":")
    approved = status == VolunteerStatus.approved.value
    volunteer = Volunteer(
        user=user.id,
        community=community.id,
        categories=categories,
        skills=skills,
        status=status,
        applied_at=at,
        decided_at=at + timedelta(days=2) if approved else None,
        decided_by=staff.id if approved else None,
    )
    await volunteer.save()
    return volunteer, True


async def _people(
    community: Community,
    spec: DemoCommunity,
    hashes: tuple[str, str],
    staff: User,
    now: datetime,
    added: _Added,
) -> tuple[dict[str, User], dict[str, Volunteer]]:
    helpers_hash, residents_hash = hashes
    people: dict[str, User] = {}
    volunteers: dict[str, Volunteer] = {}
    for person in spec.people:
        password_hash = helpers_hash if person.volunteer else residents_hash
        user = await _person(person.login, person.name, community, password_hash, now)
        people[person.login] = user
        if person.volunteer:
            volunteer, new = await _volunteer(
                person.volunteer, person.skills, user, community, staff, since(spec, now)
            )
            volunteers[person.login] = volunteer
            if new:
                added.one("volunteers")
    return people, volunteers


async def _unit(
    community: Community, item: Unit, helpers_hash: str, created: datetime
) -> PartnerUnit:
    contact = None
    if item.signs_in:
        login = unit_login(item.key, community.slug)
        contact = await _person(login, item.contact_name, None, helpers_hash, created)
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
    return unit


async def _lists(
    community: Community, spec: DemoCommunity, helpers_hash: str, now: datetime, added: _Added
) -> tuple[dict[str, PartnerUnit], dict[str, int], dict[str, int]]:
    """The partner units, their resources and the projects bundling them, each added unless
    the community has it under the same name already."""
    created = since(spec, now)
    units: dict[str, PartnerUnit] = {}
    resources: dict[str, int] = {}
    for item in spec.units:
        unit = (
            await PartnerUnit.objects()
            .where((PartnerUnit.community == community.id) & (PartnerUnit.name_zh == item.name_zh))
            .first()
        )
        if unit is None:
            unit = await _unit(community, item, helpers_hash, created)
            added.one("units")
        units[item.key] = unit
        for offer in item.resources:
            found = (
                await Resource.select(Resource.id)
                .where(
                    (Resource.community == community.id)
                    & (Resource.unit == unit.id)
                    & (Resource.title_zh == offer.title_zh)
                )
                .first()
            )
            if found is None:
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
                found = {"id": resource.id}
                added.one("resources")
            resources[offer.key] = found["id"]
    projects: dict[str, int] = {}
    for bundle in spec.projects:
        project = (
            await Project.objects()
            .where((Project.community == community.id) & (Project.title_zh == bundle.title_zh))
            .first()
        )
        if project is None:
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
            added.one("projects")
        projects[bundle.key] = project.id
        for key in bundle.resources:
            if not await ProjectResource.exists().where(
                (ProjectResource.project == project.id)
                & (ProjectResource.resource == resources[key])
            ):
                await ProjectResource.insert(
                    ProjectResource(project=project.id, resource=resources[key])
                )
    return units, resources, projects


async def _branch(
    community: Community,
    item: DemoBranch,
    volunteers: dict[str, Volunteer],
    created: datetime,
    added: _Added,
) -> PartyBranch:
    """The party branch, added unless the community has one of that name, and its members
    marked (a volunteer staff have marked otherwise is left as it is)."""
    branch = (
        await PartyBranch.objects()
        .where((PartyBranch.community == community.id) & (PartyBranch.name_zh == item.name_zh))
        .first()
    )
    if branch is None:
        branch = PartyBranch(
            community=community.id,
            name_zh=item.name_zh,
            name_en=item.name_en,
            active=True,
            created_at=created,
            updated_at=created,
        )
        await branch.save()
        added.one("branches")
    for login in item.members:
        volunteer = volunteers[login]
        if volunteer.branch is None:
            await Volunteer.update({Volunteer.branch: branch.id}).where(
                Volunteer.id == volunteer.id
            )
            volunteer.branch = branch.id
            added.one("party members")
    return branch


def _helper(key: str, ids: _Ids) -> tuple[dict[str, Any], int | None, str]:
    """The need's helper columns, the helper's user id and name, from `unit:`, `volunteer:`
    or `branch:` (a branch has no one user: its members wait for the first to take it)."""
    kind, _sep, name = key.partition(":")
    if kind == "unit":
        unit = ids.units[name]
        return {"unit": unit.id, "volunteer": None, "branch": None}, unit.contact_user, unit.name_zh
    if kind == "branch":
        branch = ids.branches[name]
        return {"branch": branch.id, "volunteer": None, "unit": None}, None, branch.name_zh
    volunteer = ids.volunteers[name]
    columns = {"volunteer": volunteer.id, "unit": None, "branch": None}
    return columns, volunteer.user, ids.people[name].name


async def _demo_key(name: str, now: datetime) -> int:
    """The demo's key of the partner system `name` (its plain key is never known: the demo
    shows what such a system filed, and administrators issue real keys)."""
    key = await Open311Key.objects().where(Open311Key.name == name).first()
    if key is None:
        _plain, hashed, prefix = new_key()
        key = Open311Key(
            name=name,
            key_hash=hashed,
            prefix=prefix,
            created_at=now - timedelta(days=120),
        )
        await key.save()
    return int(key.id)


async def _reporter(spec: DemoNeed, ids: _Ids, now: datetime) -> dict[str, Any]:
    """Who filed the need, as its reporter columns."""
    kind, _sep, rest = spec.reporter.partition(":")
    columns: dict[str, Any] = {
        "reporter_contact": spec.contact,
        "contact_consent": spec.contact_consent,
        "notify_consent": spec.notify_consent,
    }
    if kind == "courier":
        return {
            **columns,
            "reporter": None,
            "reporter_kind": ReporterKind.courier.value,
            "station_slug": rest,
            "follow_token_hash": follow_tokens.new_token()[1],
        }
    if kind == "system":
        return {
            **columns,
            "reporter": None,
            "reporter_kind": ReporterKind.system.value,
            "open311_key": await _demo_key(rest, now),
            "open311_token": secrets.token_urlsafe(18),
        }
    if kind == "walkin":
        return {
            **columns,
            "reporter": None,
            "reporter_kind": ReporterKind.staff.value,
            "reporter_name": rest,
            "filed_by": ids.staff.id,
            "consent_recorded_by": ids.staff.id,
        }
    if spec.reporter == "staff":
        return {**columns, "reporter": ids.staff.id, "reporter_kind": ReporterKind.staff.value}
    return {
        **columns,
        "reporter": ids.people[spec.reporter].id,
        "reporter_kind": ReporterKind.resident.value,
    }


def followup_detail(method: str, result: str, note: str) -> str:
    """The timeline's record of a 回访 as the 回访 form writes it: `phone/satisfied`, then the
    note."""
    return f"{method}/{result}" + (f" · {note}" if note else "")


def _erased_as_the_job_would(columns: dict[str, Any], now: datetime) -> None:
    """A reporter without an account keeps name and phone only 30 days after closing."""
    if columns["reporter"] is None and loop.personal_data_due(columns.get("closed_at"), now):
        columns.update(
            reporter_name="",
            reporter_contact="",
            personal_data_erased_at=columns["closed_at"] + loop.PERSONAL_DATA_KEPT,
        )


async def _need(spec: DemoNeed, community: Community, ids: _Ids, now: datetime) -> None:
    """Write the need and its timeline; its columns follow from the steps."""
    zone = report_zone()
    day = now.astimezone(zone).date() - timedelta(days=spec.days_ago)
    at = wall_to_utc(datetime.combine(day, time.fromisoformat(spec.filed_at)), zone)
    reporter = await _reporter(spec, ids, now)
    if reporter.get("open311_key") is not None:
        # The demo's partner system was last used when it filed its latest need.
        key = reporter["open311_key"]
        await Open311Key.update({Open311Key.last_used_at: at}).where(
            (Open311Key.id == key)
            & (Open311Key.last_used_at.is_null() | (Open311Key.last_used_at < at))
        )
    reporter_id = reporter["reporter"]
    filer = ids.staff.id if spec.reporter.startswith("walkin:") else reporter_id
    need_id = uuid.uuid4()
    columns: dict[str, Any] = {
        "status": loop.OPEN,
        "unit": None,
        "volunteer": None,
        "branch": None,
    }
    events = [NeedEvent(need=need_id, at=at, actor=filer, kind="filed")]
    helper_user: int | None = None
    for step in spec.steps:
        at = at + timedelta(hours=step.after_hours)
        if at >= now:
            raise ValueError(f"demo need step {step.kind!r} would be after now: {spec.description}")
        actor, detail, kind = helper_user, step.detail, step.kind
        if step.kind == "dispatched":
            helper_columns, helper_user, detail = _helper(step.helper, ids)
            columns.update(helper_columns, status=loop.DISPATCHED, dispatched_at=at)
            actor = ids.staff.id
            kind = "dispatched_branch" if step.helper.startswith("branch:") else kind
        elif step.kind == "accepted":
            if step.helper:  # a member of the branch takes it; the branch stays on it
                taker = ids.volunteers[step.helper.partition(":")[2]]
                columns.update(volunteer=taker.id)
                actor = helper_user = taker.user
            columns.update(status=loop.ACCEPTED, accepted_at=at)
        elif step.kind == "declined":
            columns.update(status=loop.OPEN, unit=None, volunteer=None, branch=None)
        elif step.kind == "done":
            columns.update(status=loop.DONE, done_at=at, resolution=step.detail)
        elif step.kind == "rated":
            assert step.stars is not None
            actor, detail = reporter_id, loop.rating_detail(step.stars, step.detail)
            status = loop.status_after_rating(step.stars)
            columns.update(
                status=status, rating=step.stars, rating_comment=step.detail, rated_at=at
            )
        elif step.kind == "followup":
            if step.result not in SOLVED_BY_FOLLOW_UP:
                raise ValueError(f"demo 回访 must solve the need: {spec.description}")
            actor, detail = ids.staff.id, followup_detail(step.method, step.result, step.detail)
            columns.update(
                status=loop.RATED,
                followup_method=step.method,
                followup_result=step.result,
                followup_note=step.detail,
                followed_up_at=at,
                followed_up_by=ids.staff.id,
            )
        elif step.kind == "closed_unrated":
            actor = None
            columns.update(status=loop.CLOSED)
        elif step.kind == "withdrawn":
            actor = ids.staff.id if step.by_staff else reporter_id
            columns.update(status=loop.WITHDRAWN, withdrawn_at=at)
        elif step.kind == "note":
            actor = ids.staff.id
        columns["closed_at"] = at if columns["status"] in loop.FINAL else None
        events.append(NeedEvent(need=need_id, at=at, actor=actor, kind=kind, detail=detail))
        if step.kind == "rated" and columns["status"] == loop.OPEN:
            columns.update(unit=None, volunteer=None, branch=None)
            columns["times_reopened"] = columns.get("times_reopened", 0) + 1
            events.append(NeedEvent(need=need_id, at=at, actor=reporter_id, kind="reopened"))
    if columns["status"] == loop.DONE and columns["done_at"] <= now - timedelta(days=10):
        raise ValueError(f"demo need would be closed by the next job: {spec.description}")
    columns.update(reporter)
    _erased_as_the_job_would(columns, now)
    need = Need(
        id=need_id,
        community=community.id,
        category=spec.category,
        description=spec.description,
        place=spec.place,
        public_summary=spec.public_summary,
        project=ids.projects[spec.project] if spec.project else None,
        resources=[ids.resources[key] for key in spec.resources],
        created_at=events[0].at,
        updated_at=events[-1].at,
        sequence=len(events) - 1,
        **columns,
    )
    await need.save()
    await NeedEvent.insert(*events)


async def _needs(
    community: Community, spec: DemoCommunity, ids: _Ids, now: datetime, added: _Added
) -> None:
    """Add the demo needs the community lacks (known by their description); a final need an
    earlier demo wrote before needs had `closed_at` gets it from its last step."""
    have = {
        row["description"]
        for row in await Need.select(Need.description).where(Need.community == community.id)
    }
    for need in spec.needs:
        if need.description in have:
            continue
        await _need(need, community, ids, now)
        added.one("needs")
    earlier = await Need.select(Need.id, Need.rated_at, Need.withdrawn_at).where(
        (Need.community == community.id)
        & Need.status.is_in([loop.RATED, loop.WITHDRAWN])
        & Need.closed_at.is_null()
        & Need.description.is_in([need.description for need in spec.needs])
    )
    for row in earlier:
        await Need.update({Need.closed_at: row["rated_at"] or row["withdrawn_at"]}).where(
            Need.id == row["id"]
        )


async def _agreements(
    spec: DemoCommunity, units: dict[str, PartnerUnit], staff: User, now: datetime, added: _Added
) -> None:
    """The units' agreements, for each unit that has none yet (dates follow the demo's day,
    so a unit with any agreement is left as it is)."""
    if not spec.agreements:
        return
    agreed = {
        row["unit"]
        for row in await PartnerAgreement.select(PartnerAgreement.unit).where(
            PartnerAgreement.unit.is_in([unit.id for unit in units.values()])
        )
    }
    today = now.astimezone(report_zone()).date()
    joined = since(spec, now)
    for item in spec.agreements:
        unit = units[item.unit]
        if unit.id in agreed:
            continue
        signed_on = today - timedelta(days=item.signed_days_ago)
        recorded = max(joined, wall_to_utc(datetime.combine(signed_on, time(10)), report_zone()))
        await PartnerAgreement.insert(
            PartnerAgreement(
                unit=unit.id,
                signed_on=signed_on,
                ends_on=term_end(signed_on, item.years),
                scope=item.scope,
                recorded_by=staff.id,
                created_at=recorded,
                updated_at=recorded,
            )
        )
        added.one("agreements")


async def load(now: datetime) -> list[str]:
    """Add what is missing of the demo's partner units, resources, projects, volunteers and
    needs (nothing without the demo communities and their staff); a line per community that
    gained something."""
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
    hashes = (await hash_password(DEMO_PASSWORD), await hash_password(f"demo-{uuid.uuid4()}"))
    lines = []
    for spec in COMMUNITIES:
        community = communities[spec.slug]
        staff_user = staff[staff_login(spec.slug)]
        added = _Added()
        people, volunteers = await _people(community, spec, hashes, staff_user, now, added)
        units, resources, projects = await _lists(community, spec, hashes[0], now, added)
        branches = {
            item.key: await _branch(community, item, volunteers, since(spec, now), added)
            for item in spec.branches
        }
        ids = _Ids(staff_user, people, units, volunteers, resources, projects, branches)
        await _needs(community, spec, ids, now, added)
        await _agreements(spec, units, staff_user, now, added)
        if added:
            agreements = (
                (
                    f", {len(spec.agreements)} agreements",
                    f", {added.counts.get('agreements', 0)} agreements",
                )
                if spec.agreements
                else ("", "")
            )
            lines.append(
                f"needs {spec.slug}: {len(units)} units, {len(resources)} resources, "
                f"{len(spec.needs)} needs{agreements[0]} (added {added.counts.get('needs', 0)} "
                f"needs, {added.counts.get('units', 0)} units{agreements[1]})"
            )
    if lines:
        helpers = [person.login for person in PEOPLE if person.volunteer.startswith("approved")]
        lines.append(
            f"needs helpers, with the demo password: volunteers {', '.join(helpers)}; "
            f"partner-unit contacts such as {unit_login('wuye', 'bayi')}"
        )
    return lines
