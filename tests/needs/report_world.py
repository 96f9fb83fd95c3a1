"""What the needs reports' tests share: a week, hours in Shanghai, needs and resources made
with the columns the figures read."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

from app.reports import Period
from app.tables import Community
from needs.tables import Need, PartnerUnit, Resource
from tests.factories import NOW, shanghai

WEEK = Period(date(2026, 3, 9), date(2026, 3, 15))
QUERY = "from=2026-03-09&to=2026-03-15"
LATER = datetime(2026, 4, 1, 1, 0, tzinfo=UTC)
"""1 April 2026, 09:00 in Shanghai: more than 14 days after every need of `WEEK`, so the
needs still open count in the solved rate."""


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return shanghai(day, hour, minute).astimezone(UTC)


def hours(n: float) -> timedelta:
    return timedelta(hours=n)


async def add_need(community: Community, category: str, status: str, created: datetime, **cols):
    need = Need(
        id=uuid.uuid4(),
        community=community.id,
        category=category,
        description="测试",
        status=status,
        reporter_kind="resident",
        created_at=created,
        updated_at=created,
        **cols,
    )
    await need.save()
    return need


async def add_resource(community: Community, unit: PartnerUnit, title_zh: str, title_en: str):
    resource = Resource(
        community=community.id,
        unit=unit.id,
        title_zh=title_zh,
        title_en=title_en,
        category="repairs",
        created_at=NOW,
        updated_at=NOW,
    )
    await resource.save()
    return resource.id
