"""The needs domain's staff services refuse a resident and staff of another community.

Every service of `needs` marked `app.permissions.staff_service` has a probe here that calls
it on a thing of community A; each probe runs as a resident of A and as staff of community
B, and must be refused with the domain's error (a need of another community does not exist:
`NotFound`; its lists and volunteers are `Forbidden`) with nothing changed. A marked service
without a probe fails `test_every_staff_service_of_needs_has_a_probe`.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest

from app.errors import Conflict, Forbidden, NotFound, RuleViolation
from app.permissions import Actor, staff_services
from app.reports import Period
from app.tables import AuditEntry, Community, Notification
from needs.logic.agreements import AgreementForm
from needs.logic.list_forms import ProjectForm, ResourceForm, UnitForm
from needs.services import (
    agreements,
    branches,
    convert,
    dispatch,
    followups,
    list_changes,
    lists,
    need_details,
    public_summary,
    reports,
    volunteers,
    walk_ins,
)
from needs.tables import (
    Need,
    NeedEvent,
    PartnerAgreement,
    PartnerUnit,
    PartyBranch,
    Project,
    ProjectResource,
    Resource,
    Volunteer,
)
from spaces.tables import Booking, BookingSeries
from tests.factories import actor_for, make_community, make_space, make_user

NOW = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
WEEK = Period(date(2026, 2, 23), date(2026, 3, 1))


@dataclass(frozen=True)
class World:
    """Community A with a need, an offer to volunteer, a partner unit, a resource and a
    project; a resident of A and staff of community B."""

    community: Community
    need: Need
    volunteer: Volunteer
    unit: PartnerUnit
    resource: Resource
    project: Project
    agreement: PartnerAgreement
    branch: PartyBranch
    resident: Actor
    stranger: Actor
    staff: Actor
    """Staff of A, whom every probe lets in: the refusals come from the check alone."""


@pytest.fixture
async def world(db: None) -> World:
    a = await make_community("a-community", name_zh="甲社区", name_en="Community A")
    b = await make_community("b-community", name_zh="乙社区", name_en="Community B")
    staff = await make_user("staff@a.example", staff_of=[a])
    await make_space(a, "music-room")
    resident = await make_user("13800000001", community=a)
    applicant = await make_user("13800000002", community=a)
    stranger = await make_user("staff@b.example", staff_of=[b])
    need = Need(
        id=uuid.uuid4(),
        community=a.id,
        category="repairs",
        description="楼道灯坏了",
        status="open",
        reporter=resident.id,
        reporter_kind="resident",
        created_at=NOW - timedelta(days=2),
        updated_at=NOW - timedelta(days=2),
    )
    await need.save()
    volunteer = Volunteer(
        user=applicant.id,
        community=a.id,
        categories="repairs",
        status="applied",
        applied_at=NOW - timedelta(days=1),
    )
    await volunteer.save()
    unit = PartnerUnit(community=a.id, name_zh="甲物业", created_at=NOW, updated_at=NOW)
    await unit.save()
    resource = Resource(
        community=a.id,
        unit=unit.id,
        title_zh="修灯",
        category="repairs",
        created_at=NOW,
        updated_at=NOW,
    )
    await resource.save()
    project = Project(community=a.id, title_zh="亮灯工程", created_at=NOW, updated_at=NOW)
    await project.save()
    agreement = PartnerAgreement(
        unit=unit.id,
        signed_on=date(2025, 6, 1),
        ends_on=date(2026, 5, 31),
        scope="共建文明楼道",
        created_at=NOW,
        updated_at=NOW,
    )
    await agreement.save()
    branch = PartyBranch(community=a.id, name_zh="甲社区党支部", created_at=NOW, updated_at=NOW)
    await branch.save()
    return World(
        community=a,
        need=need,
        volunteer=volunteer,
        unit=unit,
        resource=resource,
        project=project,
        agreement=agreement,
        branch=branch,
        resident=await actor_for(resident),
        stranger=await actor_for(stranger),
        staff=await actor_for(staff),
    )


Probe = Callable[[Actor, World], Awaitable[object]]

AGREEMENT_FORM = AgreementForm(signed_on="2026-03-01", ends_on="2027-02-28", scope="续签")

PROBES: dict[str, Probe] = {
    "needs.services.agreements.unit_agreements": lambda actor, w: agreements.unit_agreements(
        actor, w.unit.id, NOW
    ),
    "needs.services.agreements.managed_agreement": lambda actor, w: agreements.managed_agreement(
        actor, w.agreement.id
    ),
    "needs.services.agreements.record_agreement": lambda actor, w: agreements.record_agreement(
        actor, w.unit.id, AgreementForm("2024-01-01", "2024-12-31", "往年协议"), now=NOW
    ),
    "needs.services.agreements.renew_agreement": lambda actor, w: agreements.renew_agreement(
        actor, w.agreement.id, AGREEMENT_FORM, now=NOW
    ),
    "needs.services.agreements.end_agreement": lambda actor, w: agreements.end_agreement(
        actor, w.agreement.id, now=NOW
    ),
    "needs.services.dispatch.managed_need": lambda actor, w: dispatch.managed_need(
        actor, str(w.need.id)
    ),
    "needs.services.dispatch.dispatch": lambda actor, w: dispatch.dispatch(
        actor, str(w.need.id), dispatch.DispatchForm(helper=f"unit:{w.unit.id}"), now=NOW
    ),
    "needs.services.dispatch.withdraw": lambda actor, w: dispatch.withdraw(
        actor, str(w.need.id), reason="Not a need", now=NOW
    ),
    "needs.services.convert.to_booking": lambda actor, w: convert.to_booking(
        actor,
        str(w.need.id),
        convert.BookingForm(
            space="music-room", on_date="2026-03-03", start_time="10:00", end_time="11:00"
        ),
        now=NOW,
    ),
    "needs.services.convert.to_series": lambda actor, w: convert.to_series(
        actor,
        str(w.need.id),
        convert.SeriesForm(
            series_space="music-room",
            group_name="老年乐队",
            weekdays="tue",
            series_start_time="10:00",
            series_end_time="11:00",
            starts_on="2026-03-03",
            count="4",
        ),
        now=NOW,
    ),
    "needs.services.need_details.staff_need_page": lambda actor, w: need_details.staff_need_page(
        actor, str(w.need.id), now=NOW
    ),
    "needs.services.lists.managed": lambda actor, w: lists.managed(actor, "unit", w.unit.id),
    "needs.services.lists.community_named": lambda actor, w: lists.community_named(
        actor, w.community.slug
    ),
    "needs.services.lists.units_of": lambda actor, w: lists.units_of(actor, w.community.id),
    "needs.services.lists.resources_of": lambda actor, w: lists.resources_of(actor, w.community.id),
    "needs.services.lists.projects_of": lambda actor, w: lists.projects_of(actor, w.community.id),
    "needs.services.lists.offered_by_choices": lambda actor, w: lists.offered_by_choices(
        actor, w.community.id
    ),
    "needs.services.lists.units_with_resources": lambda actor, w: lists.units_with_resources(
        actor, w.community.id
    ),
    "needs.services.lists.offerers": lambda actor, w: lists.offerers(actor, w.community.id),
    "needs.services.lists.projects_with_resources": lambda actor, w: lists.projects_with_resources(
        actor, w.community.id
    ),
    "needs.services.list_changes.create_unit": lambda actor, w: list_changes.create_unit(
        actor, UnitForm(community=w.community.slug, name_zh="新物业"), now=NOW
    ),
    "needs.services.list_changes.update_unit": lambda actor, w: list_changes.update_unit(
        actor, w.unit.id, UnitForm(community=w.community.slug, name_zh="改名物业"), now=NOW
    ),
    "needs.services.list_changes.create_resource": lambda actor, w: list_changes.create_resource(
        actor,
        ResourceForm(community=w.community.slug, title_zh="新资源", category="repairs"),
        now=NOW,
    ),
    "needs.services.list_changes.update_resource": lambda actor, w: list_changes.update_resource(
        actor,
        w.resource.id,
        ResourceForm(community=w.community.slug, title_zh="改名资源", category="repairs"),
        now=NOW,
    ),
    "needs.services.list_changes.create_project": lambda actor, w: list_changes.create_project(
        actor, ProjectForm(community=w.community.slug, title_zh="新项目"), now=NOW
    ),
    "needs.services.list_changes.update_project": lambda actor, w: list_changes.update_project(
        actor, w.project.id, ProjectForm(community=w.community.slug, title_zh="改名项目"), now=NOW
    ),
    "needs.services.list_changes.set_active": lambda actor, w: list_changes.set_active(
        actor, "resource", w.resource.id, False, now=NOW
    ),
    "needs.services.volunteers.approve": lambda actor, w: volunteers.approve(
        actor, w.volunteer.id, now=NOW
    ),
    "needs.services.volunteers.decline": lambda actor, w: volunteers.decline(
        actor, w.volunteer.id, "Not now", now=NOW
    ),
    "needs.services.volunteers.retire": lambda actor, w: volunteers.retire(
        actor, w.volunteer.id, "", now=NOW
    ),
    "needs.services.volunteers.volunteers_of": lambda actor, w: volunteers.volunteers_of(
        actor, w.community.id
    ),
    "needs.services.branches.branches_of": lambda actor, w: branches.branches_of(
        actor, w.community
    ),
    "needs.services.branches.create_branch": lambda actor, w: branches.create_branch(
        actor, w.community, branches.BranchForm(name_zh="新支部"), now=NOW
    ),
    "needs.services.branches.rename_branch": lambda actor, w: branches.rename_branch(
        actor, w.branch.id, branches.BranchForm(name_zh="改名支部"), now=NOW
    ),
    "needs.services.branches.set_branch_active": lambda actor, w: branches.set_branch_active(
        actor, w.branch.id, False, now=NOW
    ),
    "needs.services.branches.set_membership": lambda actor, w: branches.set_membership(
        actor, w.volunteer.id, branches.MembershipForm(branch=str(w.branch.id)), now=NOW
    ),
    "needs.services.public_summary.write_public_summary": lambda actor, w: (
        public_summary.write_public_summary(actor, str(w.need.id), "已修好", now=NOW)
    ),
    "needs.services.reports.need_report": lambda actor, w: reports.need_report(
        actor, WEEK, NOW, community_slug=w.community.slug
    ),
    "needs.services.followups.record_followup": lambda actor, w: followups.record_followup(
        actor, str(w.need.id), followups.FollowUpForm(method="phone", result="satisfied"), now=NOW
    ),
    "needs.services.walk_ins.file_for_resident": lambda actor, w: walk_ins.file_for_resident(
        actor,
        walk_ins.WalkInForm(
            community=w.community.slug,
            category="repairs",
            description="楼道灯坏了",
            name="孙奶奶",
            phone="13900000001",
            keep_consent="1",
        ),
        language="zh_CN",
        now=NOW,
    ),
}

NEED_SERVICES = {
    "needs.services.public_summary.write_public_summary",
    "needs.services.dispatch.managed_need",
    "needs.services.dispatch.dispatch",
    "needs.services.dispatch.withdraw",
    "needs.services.convert.to_booking",
    "needs.services.convert.to_series",
    "needs.services.need_details.staff_need_page",
    "needs.services.followups.record_followup",
    "needs.services.branches.rename_branch",
    "needs.services.branches.set_branch_active",
    "needs.services.branches.set_membership",
}
"""Services on a need, a party branch or a volunteer's party membership: another community's
need, branch or volunteer is one that does not exist."""


async def _state() -> tuple[object, ...]:
    return (
        await Need.select().order_by(Need.id),
        await NeedEvent.count(),
        await Volunteer.select().order_by(Volunteer.id),
        await PartyBranch.select().order_by(PartyBranch.id),
        await PartnerUnit.select().order_by(PartnerUnit.id),
        await PartnerAgreement.select().order_by(PartnerAgreement.id),
        await Resource.select().order_by(Resource.id),
        await Project.select().order_by(Project.id),
        await ProjectResource.count(),
        await Booking.count(),
        await BookingSeries.count(),
        await Notification.count(),
        await AuditEntry.count(),
    )


def test_every_staff_service_of_needs_has_a_probe() -> None:
    marked = {name for name in staff_services() if name.startswith("needs.")}
    assert set(PROBES) == marked


@pytest.mark.parametrize("who", ["resident of the community", "staff of another community"])
@pytest.mark.parametrize("service", sorted(PROBES))
async def test_needs_staff_services_refuse_the_wrong_person(
    world: World, service: str, who: str
) -> None:
    actor = world.resident if who.startswith("resident") else world.stranger
    expected = NotFound if service in NEED_SERVICES else Forbidden
    before = await _state()
    with pytest.raises(expected) as refusal:
        await PROBES[service](actor, world)
    assert type(refusal.value) is expected
    assert await _state() == before


@pytest.mark.parametrize("service", sorted(PROBES))
async def test_needs_staff_services_let_the_communitys_staff_in(world: World, service: str) -> None:
    """The probes reach their thing: staff of A pass the check (a rule of the step may still
    refuse, such as retiring someone who only offered, or a 回访 of a need not yet done)."""
    try:
        await PROBES[service](world.staff, world)
    except (NotFound, Forbidden) as refusal:
        pytest.fail(f"staff of the community were refused: {refusal!r}")
    except (RuleViolation, Conflict):
        pass
