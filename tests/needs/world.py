"""What the needs tests share: a small world of two communities with their staff, residents
and volunteers, and helpers to file needs and read what a step left behind."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from app.permissions import Actor
from app.tables import AuditEntry, Community, Notification, User
from needs.services import filing
from needs.tables import Need, NeedEvent, Open311Key, PartnerUnit, Volunteer
from tests.factories import actor_for, make_community, make_user

T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
"""Monday 2 March 2026, 09:00 in Shanghai: the need is filed."""
T1, T2, T3, T4, T5 = (T0 + timedelta(hours=n) for n in range(1, 6))
LIGHT = "Stair light out in building 3"


async def make_volunteer(
    user: User, community: Community, *, categories: str = "repairs", status: str = "approved"
) -> Volunteer:
    volunteer = Volunteer(
        user=user.id,
        community=community.id,
        categories=categories,
        skills="electrician",
        status=status,
        applied_at=T0 - timedelta(days=30),
        decided_at=T0 - timedelta(days=29),
    )
    await volunteer.save()
    return volunteer


async def make_unit(
    community: Community,
    *,
    contact: User | None = None,
    categories: str = "repairs,environment",
    active: bool = True,
    name_zh: str = "潞州物业公司",
) -> PartnerUnit:
    unit = PartnerUnit(
        community=community.id,
        name_zh=name_zh,
        name_en="Luzhou Property Management",
        kind="物业公司",
        contact_user=contact.id if contact else None,
        categories=categories,
        active=active,
        created_at=T0 - timedelta(days=30),
        updated_at=T0 - timedelta(days=30),
    )
    await unit.save()
    return unit


@dataclass
class World:
    home: Community
    other: Community
    staff: Actor
    other_staff: Actor
    resident: Actor
    neighbour: Actor
    helper: Actor
    """An approved volunteer of `home` for repairs."""
    volunteer: Volunteer
    stranger: Actor
    """An approved volunteer of `other`."""
    stranger_volunteer: Volunteer


async def make_world() -> World:
    home = await make_community("bayi", name_zh="八一社区", name_en="Bayi Community")
    other = await make_community("guangchang-dong", name_zh="广场东社区", name_en="Guangchang East")
    staff = await make_user("staff@example.com", name="李主任", staff_of=[home], locale="en")
    other_staff = await make_user("other@example.com", name="赵主任", staff_of=[other], locale="en")
    resident = await make_user("13800000001", name="王阿姨", community=home, locale="en")
    neighbour = await make_user("13800000002", name="张大爷", community=home, locale="en")
    helper = await make_user("13800000003", name="刘师傅", community=home, locale="en")
    stranger = await make_user("13800000004", name="陈师傅", community=other, locale="en")
    return World(
        home=home,
        other=other,
        staff=await actor_for(staff),
        other_staff=await actor_for(other_staff),
        resident=await actor_for(resident),
        neighbour=await actor_for(neighbour),
        helper=await actor_for(helper),
        volunteer=await make_volunteer(helper, home),
        stranger=await actor_for(stranger),
        stranger_volunteer=await make_volunteer(stranger, other),
    )


async def file(
    actor: Actor | None,
    *,
    at: datetime = T0,
    client_ip: str = "198.51.100.1",
    form_token: str | None = None,
    **fields: Any,
) -> tuple[Need, str | None]:
    values = {"category": "repairs", "description": LIGHT, "place": "Building 3", **fields}
    return await filing.file_need(
        actor, filing.Filing(**values), client_ip=client_ip, now=at, form_token=form_token
    )


async def make_system_need(
    community: Community, *, key_name: str = "区12345热线", **columns: Any
) -> Need:
    """A need a partner system filed through Open311 with its key, as the endpoint stores it:
    the name, phone, email and photo link the system sent, and consents it cannot give."""
    key = Open311Key(
        name=key_name, key_hash=uuid.uuid4().hex * 2, prefix="l311_abcde", created_at=T0
    )
    await key.save()
    values: dict[str, Any] = {
        "id": uuid.uuid4(),
        "community": community.id,
        "category": "repairs",
        "description": LIGHT,
        "status": "open",
        "reporter_kind": "system",
        "reporter_name": "张先生",
        "reporter_contact": "13900001234",
        "reporter_email": "zhang@example.cn",
        "media_url": "https://hotline.example.cn/photos/7.jpg",
        "open311_key": key.id,
        "open311_token": uuid.uuid4().hex,
        "created_at": T0,
        "updated_at": T0,
        **columns,
    }
    need = Need(**values)
    await need.save()
    return need


async def reload(need: Need) -> Need:
    return await Need.objects().where(Need.id == need.id).first()


async def events_of(need: Need) -> list[tuple[str, datetime, int | None, str]]:
    rows = await NeedEvent.select().where(NeedEvent.need == need.id).order_by(NeedEvent.id)
    return [(row["kind"], row["at"], row["actor"], row["detail"]) for row in rows]


async def notices() -> list[tuple[int, str, str]]:
    rows = await Notification.select().order_by(Notification.id)
    return [(row["user"], row["kind"], row["title"]) for row in rows]


async def audit_entry(action: str) -> dict[str, Any]:
    return (
        await AuditEntry.select().where(AuditEntry.action == action).output(load_json=True).first()
    )


async def snapshot() -> tuple[Any, ...]:
    """Everything a refused step must leave as it was."""
    return (
        await Need.select().order_by(Need.created_at),
        await NeedEvent.count(),
        await Notification.count(),
        await AuditEntry.count(),
    )
