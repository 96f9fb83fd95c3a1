"""Factories with defaults: each test states only what matters to it."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

from app.accounts import sessions
from app.passwords import hash_password
from app.permissions import Actor
from app.tables import Community, District, LoginKind, StaffMembership, Street, User

NOW = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
"""Monday 2 March 2026, 09:00 in Shanghai."""
PASSWORD = "quiet-garden-47"

_sequence = itertools.count(1)


async def make_community(
    slug: str | None = None,
    *,
    name_zh: str = "蔡家巷社区",
    name_en: str = "Caijiaxiang Community",
    street_slug: str = "yingxiong-zhonglu",
    residents_need_approval: bool = False,
    contact_verification: bool = False,
) -> Community:
    district = await District.objects().where(District.slug == "luzhou").first()
    if district is None:
        district = District(slug="luzhou", name_zh="潞州区", name_en="Luzhou District")
        await district.save()
    street = await Street.objects().where(Street.slug == street_slug).first()
    if street is None:
        street = Street(
            district=district.id,
            slug=street_slug,
            name_zh="英雄中路街道",
            name_en="Yingxiong Middle Road Subdistrict",
        )
        await street.save()
    community = Community(
        street=street.id,
        slug=slug or f"community-{next(_sequence)}",
        name_zh=name_zh,
        name_en=name_en,
        residents_need_approval=residents_need_approval,
        contact_verification=contact_verification,
    )
    await community.save()
    return community


async def make_user(
    login: str | None = None,
    *,
    name: str = "王阿姨",
    password: str = PASSWORD,
    community: Community | None = None,
    is_admin: bool = False,
    staff_of: list[Community] = (),  # type: ignore[assignment]
    contact_verified: bool = True,
    resident_approved: bool = True,
    active: bool = True,
    locale: str = "",
) -> User:
    login = login or f"1390000{next(_sequence):04d}"
    user = User(
        login=login,
        login_kind=(LoginKind.email if "@" in login else LoginKind.phone).value,
        name=name,
        password_hash=await hash_password(password),
        community=community.id if community else None,
        is_admin=is_admin,
        active=active,
        locale=locale,
        contact_verified_at=NOW if contact_verified else None,
        resident_approved_at=NOW if resident_approved else None,
        privacy_accepted_at=NOW,
        privacy_version="test",
        created_at=NOW,
        password_changed_at=NOW,
    )
    await user.save()
    for staff_community in staff_of:
        await StaffMembership.insert(
            StaffMembership(user=user.id, community=staff_community.id, created_at=NOW)
        )
    return user


async def actor_for(user: User) -> Actor:
    return await sessions.load_actor(user)
