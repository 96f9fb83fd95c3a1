"""Factories with defaults: each test states only what matters to it."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from app.accounts import sessions
from app.passwords import hash_password
from app.permissions import Actor
from app.tables import Community, District, LoginKind, StaffMembership, Street, User
from spaces.tables import Space
from stations.tables import Station, StationAmenity

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
    login = login or f"1660000{next(_sequence):04d}"
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


async def make_space(
    community: Community,
    slug: str | None = None,
    *,
    capacity: int = 1,
    weekly_hours: dict[str, str] | None = None,
    timezone: str = "Asia/Shanghai",
    kind: str = "music_room",
    **rules: object,
) -> Space:
    """A space open 08:00-22:00 every day unless told otherwise; `rules` set Space columns."""
    space = Space(
        slug=slug or f"space-{next(_sequence)}",
        community=community.id,
        kind=kind,
        name_zh="共享音乐室",
        name_en="Shared music room",
        capacity=capacity,
        timezone=timezone,
        weekly_hours=weekly_hours
        if weekly_hours is not None
        else {day: "08:00-22:00" for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")},
        created_at=NOW,
        updated_at=NOW,
        **rules,
    )
    await space.save()
    return await Space.objects(Space.community).where(Space.id == space.id).first()


def shanghai(day: int, hour: int, minute: int = 0, month: int = 3) -> datetime:
    """A local time in Shanghai in 2026, as an aware datetime."""
    return datetime(2026, month, day, hour, minute, tzinfo=ZoneInfo("Asia/Shanghai"))


async def make_station(
    community: Community,
    slug: str | None = None,
    *,
    lat: float = 36.1950,
    lon: float = 113.1160,
    hours: dict[str, str] | None = None,
    amenities: dict[str, int | None] | None = None,
    **columns: object,
) -> Station:
    """A station open 08:00-20:00 every day with water, charging and 4 seats by default."""
    from stations.queries import open_weeks
    from stations.queries.stations import refresh_amenity_mask

    columns.setdefault("name_zh", "测试驿站")
    columns.setdefault("name_en", "Test station")
    station = Station(
        slug=slug or f"station-{next(_sequence)}",
        community=community.id,
        latitude=lat,
        longitude=lon,
        weekly_hours=hours
        if hours is not None
        else {day: "08:00-20:00" for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")},
        created_at=NOW,
        updated_at=NOW,
        **columns,
    )
    await station.save()
    chosen = amenities if amenities is not None else {"water": None, "charging": 2, "seats": 4}
    if chosen:
        await StationAmenity.insert(
            *[
                StationAmenity(station=station.id, kind=kind, quantity=quantity, updated_at=NOW)
                for kind, quantity in chosen.items()
            ]
        )
    await refresh_amenity_mask(station.id)
    await open_weeks.rebuild([station.id])
    return await Station.objects().where(Station.id == station.id).first()
