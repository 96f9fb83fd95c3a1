"""The kernel's staff services refuse a resident and staff of another community.

Every service marked `app.permissions.staff_service` has a probe here or in its domain's
`tests/<domain>/services/test_authorisation.py`; tests/app/test_permissions.py checks that
none is left out.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from app import holidays
from app.accounts import admin
from app.communities import services
from app.errors import DomainError, Forbidden
from app.permissions import Actor
from app.tables import AuditEntry, Community, PublicHoliday, StaffMembership, User
from tests.factories import actor_for, make_community, make_user

NOW = datetime(2030, 1, 7, 2, 0, tzinfo=UTC)


@dataclass(frozen=True)
class World:
    """Community A with a resident awaiting approval; staff of community B."""

    community: Community
    resident: Actor
    newcomer: User
    stranger: Actor


@pytest.fixture
async def world(db: None) -> World:
    a = await make_community("a-community", residents_need_approval=True)
    b = await make_community("b-community")
    resident = await make_user("13800000001", community=a)
    newcomer = await make_user("13800000002", community=a)
    await User.update({User.resident_approved_at: None}).where(User.id == newcomer.id)
    stranger = await make_user("13800000003", community=b, staff_of=[b])
    return World(a, await actor_for(resident), newcomer, await actor_for(stranger))


Probe = Callable[[Actor, World], Awaitable[object]]

PROBES: dict[str, Probe] = {
    "app.communities.services.managed_community": lambda actor, w: services.managed_community(
        actor, w.community.slug
    ),
    "app.communities.services.update_settings": lambda actor, w: services.update_settings(
        actor,
        w.community,
        residents_need_approval=False,
        contact_verification=True,
        now=NOW,
    ),
    "app.communities.services.approve_resident": lambda actor, w: services.approve_resident(
        actor, w.community, w.newcomer.id, now=NOW
    ),
    "app.accounts.admin.grant_staff": lambda actor, w: admin.grant_staff(
        actor, w.resident.id, w.community.slug, now=NOW
    ),
    "app.accounts.admin.revoke_staff": lambda actor, w: admin.revoke_staff(
        actor, w.stranger.id, "b-community", now=NOW
    ),
    "app.accounts.admin.set_admin": lambda actor, w: admin.set_admin(
        actor, w.resident.id, True, now=NOW
    ),
    "app.holidays.add": lambda actor, w: holidays.add(
        actor, "2030-05-01", "holiday", "劳动节", "Labour Day", now=NOW
    ),
    "app.holidays.remove": lambda actor, w: holidays.remove(actor, 1, now=NOW),
}


async def _state() -> tuple[object, ...]:
    return (
        await Community.select().order_by(Community.id),
        await User.select().order_by(User.id),
        await StaffMembership.select().order_by(StaffMembership.id),
        await PublicHoliday.select().order_by(PublicHoliday.id),
        await AuditEntry.count(),
    )


@pytest.mark.parametrize("who", ["resident of the community", "staff of another community"])
@pytest.mark.parametrize("service", sorted(PROBES))
async def test_kernel_staff_services_refuse_the_wrong_person(
    world: World, service: str, who: str
) -> None:
    actor = world.resident if who.startswith("resident") else world.stranger
    before = await _state()
    with pytest.raises(DomainError) as refusal:
        await PROBES[service](actor, world)
    assert isinstance(refusal.value, Forbidden)
    assert await _state() == before
