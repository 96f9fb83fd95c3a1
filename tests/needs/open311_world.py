"""Needs for the Open311 tests: 八一社区 (with its centre) and 广场西社区 (without) on
Monday 15 June 2026, and four needs whose every private field holds something no public
answer may show (`SECRETS`).

    A  八一   repairs      accepted   filed 10 June, sent to 安居物业, exact position
    B  八一   environment  rated      filed 20 May, a volunteer, public summary written
    C  广场西 parking      open       filed 14 June by a partner system (token `tok-c`)
    D  八一   repairs      withdrawn  filed 1 March: older than the last 90 days
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from app.tables import Community
from needs.tables import Need, PartnerUnit, Volunteer
from tests.factories import make_community, make_user

OPEN_NOW = datetime(2026, 6, 15, 1, 0, tzinfo=UTC)
"""Monday 15 June 2026, 09:00 in Shanghai."""
A = uuid.UUID("00000000-0000-4000-8000-00000000000a")
B = uuid.UUID("00000000-0000-4000-8000-00000000000b")
C = uuid.UUID("00000000-0000-4000-8000-00000000000c")
D = uuid.UUID("00000000-0000-4000-8000-00000000000d")
PHONE = "13912345678"
SECRETS = (
    PHONE,
    "139 1234 5678",
    "楼道灯不亮",
    "3号楼2单元",
    "36.19512",
    "113.11634",
    "needs/a.jpg",
    "https://photos.example/c.jpg",
    "wang@example.com",
    "王芳",
    "李志愿",
    "服务很好",
    "回访备注",
)
"""What the needs' private fields hold: none of it may appear in any GET answer."""


async def open311_world() -> dict[str, Community]:
    bayi = await make_community("bayi", name_zh="八一社区", name_en="Bayi Community")
    bayi.latitude, bayi.longitude = 36.1950, 113.1160
    await bayi.save()
    west = await make_community(
        "guangchang-xi", name_zh="广场西社区", name_en="Guangchang West Community"
    )
    unit = PartnerUnit(
        community=bayi.id,
        name_zh="安居物业",
        name_en="Anju Property",
        contact_name="王经理",
        contact_phone="13700001111",
        created_at=OPEN_NOW,
        updated_at=OPEN_NOW,
    )
    await unit.save()
    helper = await make_user("13800000099", name="李志愿", community=bayi)
    volunteer = Volunteer(user=helper.id, community=bayi.id, status="approved", applied_at=OPEN_NOW)
    await volunteer.save()
    resident = await make_user("13800000042", name="王芳", community=bayi)
    rows = [
        Need(
            id=A,
            community=bayi.id,
            category="repairs",
            description=f"楼道灯不亮，请打 {PHONE} 或 139 1234 5678",
            place="3号楼2单元",
            latitude=36.19512,
            longitude=113.11634,
            photo="needs/a.jpg",
            status="accepted",
            reporter=resident.id,
            reporter_kind="resident",
            contact_consent=True,
            unit=unit.id,
            created_at=datetime(2026, 6, 10, 2, 0, tzinfo=UTC),
            updated_at=datetime(2026, 6, 11, 3, 30, tzinfo=UTC),
        ),
        Need(
            id=B,
            community=bayi.id,
            category="environment",
            description="北门垃圾没人清",
            status="rated",
            reporter_kind="courier",
            reporter_contact=PHONE,
            volunteer=volunteer.id,
            rating=5,
            rating_comment="服务很好",
            followup_note="回访备注",
            public_summary="北门垃圾已清运",
            created_at=datetime(2026, 5, 20, 2, 0, tzinfo=UTC),
            updated_at=datetime(2026, 5, 22, 2, 0, tzinfo=UTC),
        ),
        Need(
            id=C,
            community=west.id,
            category="parking",
            description="电动车堵住消防通道",
            status="open",
            reporter_kind="system",
            reporter_name="王芳",
            reporter_contact=PHONE,
            reporter_email="wang@example.com",
            media_url="https://photos.example/c.jpg",
            open311_token="tok-c",
            created_at=datetime(2026, 6, 14, 12, 0, tzinfo=UTC),
            updated_at=datetime(2026, 6, 14, 12, 0, tzinfo=UTC),
        ),
        Need(
            id=D,
            community=bayi.id,
            category="repairs",
            description="楼道灯不亮",
            status="withdrawn",
            reporter_kind="resident",
            reporter=resident.id,
            created_at=datetime(2026, 3, 1, 2, 0, tzinfo=UTC),
            updated_at=datetime(2026, 3, 2, 2, 0, tzinfo=UTC),
        ),
    ]
    for row in rows:
        await row.save()
    return {"bayi": bayi, "west": west}
