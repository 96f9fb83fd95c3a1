"""The demo district: Luzhou's streets and communities named in DESIGN.md, with demo people.

Loading is idempotent: what exists is left as it is (including edits made since), what is
missing is created. The demo password is for demo sites only; the README says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from app.accounts.admin import create_admin
from app.accounts.services import insert_user
from app.communities.services import ensure_community, ensure_district, ensure_street
from app.errors import InputError
from app.passwords import hash_password
from app.tables import Community, LoginKind, StaffMembership, User

DEMO_PASSWORD = "linli-demo-2026"
"""Shared by every demo account; never use the demo data on a public site."""

DISTRICT = ("luzhou", "潞州区", "Luzhou District")
STREETS = [
    (
        "taihang-dongjie",
        "太行东街街道",
        "Taihang East Street Subdistrict",
        [
            ("guangchang-dong", "广场东社区", "Guangchang East Community"),
            ("guangchang-xi", "广场西社区", "Guangchang West Community"),
        ],
    ),
    (
        "yingxiong-zhonglu",
        "英雄中路街道",
        "Yingxiong Middle Road Subdistrict",
        [("caijiaxiang", "蔡家巷社区", "Caijiaxiang Community")],
    ),
    ("zijin", "紫金街道", "Zijin Subdistrict", [("bayi", "八一社区", "Bayi Community")]),
]

CENTRES = {
    "bayi": (36.1950, 113.1160),  # 城隍庙广场
    "guangchang-dong": (36.1912, 113.1215),
    "guangchang-xi": (36.1905, 113.1142),
    "caijiaxiang": (36.1987, 113.1089),
}
"""Each demo community's centre (WGS-84), where public answers place needs without a position."""

ADMIN_LOGIN = "admin@linli.example"
RESIDENT_LOGIN = "13800000001"
RESIDENT_COMMUNITY = "caijiaxiang"


@dataclass
class DemoAccount:
    role: str
    login: str
    name: str
    community: str | None


def staff_login(community_slug: str) -> str:
    return f"staff.{community_slug}@linli.example"


async def _ensure_user(
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


async def _ensure_centre(community: Community) -> None:
    """Give a demo community its centre unless it has one (kept as staff set it)."""
    if community.latitude is not None or community.longitude is not None:
        return
    latitude, longitude = CENTRES[community.slug]
    await Community.update({Community.latitude: latitude, Community.longitude: longitude}).where(
        Community.id == community.id
    )
    community.latitude, community.longitude = latitude, longitude


async def load(now: datetime) -> list[DemoAccount]:
    """Create what is missing of the demo district; returns the demo accounts."""
    district = await ensure_district(*DISTRICT)
    password_hash = await hash_password(DEMO_PASSWORD)
    accounts: list[DemoAccount] = []
    admin, _created = await create_admin(ADMIN_LOGIN, "潞州区管理员", DEMO_PASSWORD, now=now)
    accounts.append(DemoAccount("admin", admin.login, admin.name, None))
    for street_slug, street_zh, street_en, communities in STREETS:
        street = await ensure_street(district, street_slug, street_zh, street_en)
        for slug, name_zh, name_en in communities:
            community = await ensure_community(street, slug, name_zh, name_en)
            await _ensure_centre(community)
            staff = await _ensure_user(
                staff_login(slug), f"{name_zh}工作人员", community, password_hash, now
            )
            if not await StaffMembership.exists().where(
                (StaffMembership.user == staff.id) & (StaffMembership.community == community.id)
            ):
                await StaffMembership.insert(
                    StaffMembership(user=staff.id, community=community.id, created_at=now)
                )
            accounts.append(DemoAccount("staff", staff.login, staff.name, slug))
    resident_community = (
        await Community.objects().where(Community.slug == RESIDENT_COMMUNITY).first()
    )
    resident = await _ensure_user(RESIDENT_LOGIN, "王阿姨", resident_community, password_hash, now)
    accounts.append(DemoAccount("resident", resident.login, resident.name, RESIDENT_COMMUNITY))
    return accounts
