"""A community for the public page's tests: 八一社区 on 15 June 2026 with partner units,
resources, a project and twelve needs over two years whose figures are worked out by hand
below, and a phone number (`PHONE`) in every private field of one need.

Filed, status, outcome (s = solved, ✓ = satisfied, c = counted in the solved rate):

    c  2026-06-12  accepted                 still open, 3 days old: not counted
    d  2026-06-10  done (13 June)           still open, 5 days old: not counted
    b  2026-06-03  rated, 回访 基本满意      s c
    a  2026-06-02  rated 5, by a courier     s ✓ c
    i  2026-05-20  rated 3, by a courier     s c
    h  2026-05-05  withdrawn                 —
    f  2026-04-01  2 stars, then 回访 满意   s ✓ c
    e  2026-03-01  rated 4 (a volunteer)     s ✓ c
    g  2026-02-01  closed without rating     c, in the satisfaction's denominator
    l  2025-12-01  rated 4                   s ✓ c
    j  2025-11-01  rated 5                   s ✓ c
    k  2025-10-01  回访 不满意, reopened      c (open for months)

This month: 4 filed, 2 solved of 2 counted (100%), satisfied 1 of 2 (50%), 1 by couriers.
This year: 9 filed, 5 solved of 6 (83.3%), satisfied 3 of 6 (50%), 1 closed without
rating, 2 by couriers. All time: 12 filed, 7 solved of 9 (77.8%), satisfied 5 of 9 (55.6%).
No need is done and unrated for more than 14 days, so the auto-close job changes nothing.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from app.tables import Community
from needs.tables import Need, PartnerUnit, Project, Resource, Volunteer
from tests.factories import make_community, make_user

PUBLIC_NOW = datetime(2026, 6, 15, 1, 0, tzinfo=UTC)
"""Monday 15 June 2026, 09:00 in Shanghai."""
PHONE = "13912345678"
VOLUNTEER_NAME = "李志愿"
UNIT_CONTACT = "王经理"
UNIT_PHONE = "13700001111"
JOINED = datetime(2025, 1, 1, tzinfo=UTC)


def day(year: int, month: int, date: int) -> datetime:
    """02:00 UTC (10:00 in Shanghai) on that date."""
    return datetime(year, month, date, 2, 0, tzinfo=UTC)


async def _need(community: Community, filed: datetime, status: str, **cols) -> Need:
    need = Need(
        id=uuid.uuid4(),
        community=community.id,
        category=cols.pop("category", "repairs"),
        description=cols.pop("description", "楼道灯不亮了"),
        status=status,
        reporter_kind=cols.pop("reporter_kind", "resident"),
        created_at=filed,
        updated_at=filed,
        **cols,
    )
    await need.save()
    return need


def _rated(stars: int, filed: datetime) -> dict[str, object]:
    done = filed + timedelta(days=1)
    return {
        "dispatched_at": filed + timedelta(hours=2),
        "done_at": done,
        "rating": stars,
        "rated_at": done + timedelta(hours=5),
        "closed_at": done + timedelta(hours=5),
    }


async def bayi_world() -> dict[str, object]:
    """The community, its helpers and needs; returns the objects the tests name."""
    bayi = await make_community("bayi", name_zh="八一社区", name_en="Bayi Community")
    unit = PartnerUnit(
        community=bayi.id,
        name_zh="安居物业",
        name_en="Anju Property",
        kind="物业公司",
        contact_name=UNIT_CONTACT,
        contact_phone=UNIT_PHONE,
        created_at=JOINED,
        updated_at=JOINED,
    )
    await unit.save()
    lawyers = PartnerUnit(
        community=bayi.id,
        name_zh="和顺律师事务所",
        kind="律师事务所",
        created_at=JOINED,
        updated_at=JOINED,
    )
    await lawyers.save()
    gone = PartnerUnit(
        community=bayi.id, name_zh="已退出单位", active=False, created_at=JOINED, updated_at=JOINED
    )
    await gone.save()
    helper = await make_user("13600002222", name=VOLUNTEER_NAME, community=bayi)
    volunteer = Volunteer(
        user=helper.id, community=bayi.id, status="approved", applied_at=JOINED, decided_at=JOINED
    )
    await volunteer.save()
    for title_zh, title_en, owner, active in (
        ("楼道灯具维修", "Stairwell light repairs", {"unit": unit.id}, True),
        ("免费法律咨询", "Free legal advice", {"unit": lawyers.id}, True),
        ("助老陪诊", "Escort to the doctor", {"volunteer": volunteer.id}, True),
        ("旧资源", "Old resource", {"unit": unit.id}, False),
    ):
        await Resource(
            community=bayi.id,
            title_zh=title_zh,
            title_en=title_en,
            category="repairs",
            active=active,
            created_at=JOINED,
            updated_at=JOINED,
            **owner,
        ).save()
    await Project(
        community=bayi.id,
        title_zh="暖新驿站",
        title_en="Warm stations for couriers",
        description="为快递员提供喝水、充电、如厕的地方。",
        created_at=JOINED,
        updated_at=JOINED,
    ).save()

    private = {
        "description": f"楼道灯坏了,请打{PHONE}",
        "place": f"3号楼 {PHONE}",
        "rating_comment": f"谢谢,有事打 {PHONE}",
        "reporter_contact": PHONE,
        "reporter_name": "张师傅",
        "followup_note": f"电话 {PHONE} 回访",
        "latitude": 36.19512,
        "longitude": 113.11634,
    }
    needs = {
        "c": await _need(bayi, day(2026, 6, 12), "accepted", dispatched_at=day(2026, 6, 12)),
        "d": await _need(bayi, day(2026, 6, 10), "done", unit=lawyers.id, done_at=day(2026, 6, 13)),
        "b": await _need(
            bayi,
            day(2026, 6, 3),
            "rated",
            category="parking",
            done_at=day(2026, 6, 4),
            followup_method="phone",
            followup_result="fairly",
            followed_up_at=day(2026, 6, 8),
            closed_at=day(2026, 6, 8),
        ),
        "a": await _need(
            bayi,
            day(2026, 6, 2),
            "rated",
            reporter_kind="courier",
            unit=unit.id,
            public_summary="三号楼楼道灯已换新",
            **_rated(5, day(2026, 6, 2)),
            **private,
        ),
        "i": await _need(
            bayi, day(2026, 5, 20), "rated", reporter_kind="courier", **_rated(3, day(2026, 5, 20))
        ),
        "h": await _need(bayi, day(2026, 5, 5), "withdrawn", withdrawn_at=day(2026, 5, 6)),
        "f": await _need(
            bayi,
            day(2026, 4, 1),
            "rated",
            times_reopened=1,
            **{
                **_rated(2, day(2026, 4, 1)),
                "followup_result": "satisfied",
                "followed_up_at": day(2026, 4, 10),
            },
        ),
        "e": await _need(
            bayi,
            day(2026, 3, 1),
            "rated",
            category="elderly_care",
            volunteer=volunteer.id,
            **_rated(4, day(2026, 3, 1)),
        ),
        "g": await _need(
            bayi, day(2026, 2, 1), "closed", done_at=day(2026, 2, 2), closed_at=day(2026, 2, 16)
        ),
        "l": await _need(bayi, day(2025, 12, 1), "rated", **_rated(4, day(2025, 12, 1))),
        "j": await _need(bayi, day(2025, 11, 1), "rated", **_rated(5, day(2025, 11, 1))),
        "k": await _need(
            bayi,
            day(2025, 10, 1),
            "open",
            times_reopened=1,
            done_at=day(2025, 10, 3),
            followup_result="dissatisfied",
            followed_up_at=day(2025, 10, 10),
        ),
    }
    return {"community": bayi, "unit": unit, "volunteer": volunteer, "needs": needs}
