"""The reports the station report tests count: two stations of 八一社区 with known problem
reports in `WEEK` and around it (times in Shanghai)."""

import uuid
from datetime import UTC, date, datetime

from app.reports import Period
from app.tables import Community
from stations.tables import StationReport
from tests.factories import make_community, make_station, shanghai

WEEK = Period(date(2026, 3, 9), date(2026, 3, 15))
QUERY = "from=2026-03-09&to=2026-03-15"


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return shanghai(day, hour, minute).astimezone(UTC)


async def add_report(station, reason, created, resolved=None) -> None:
    await StationReport.insert(
        StationReport(
            id=uuid.uuid4(),
            station=station.id,
            reason=reason,
            created_at=created,
            resolved_at=resolved,
        )
    )


async def report_stations() -> Community:
    """Two stations of 八一社区 with known reports in `WEEK` and around it."""
    home = await make_community("bayi", name_zh="八一社区", name_en="Bayi Community")
    gulou = await make_station(home, "gulou", name_zh="鼓楼驿站", name_en="Gulou station")
    bank = await make_station(home, "bank", name_zh="银行驿站", name_en="Bank station")
    await add_report(gulou, "no_water", at(9, 10), at(9, 12))  # 2 h
    await add_report(gulou, "no_water", at(10, 8), at(11, 8))  # 24 h
    await add_report(gulou, "charging_broken", at(12, 9), at(12, 9, 30))  # 0.5 h
    await add_report(gulou, "other", at(13, 14))  # open
    await add_report(gulou, "closed_in_hours", at(15, 23, 59))  # last minute: in, open
    await add_report(gulou, "toilet_unavailable", at(8, 23, 59), at(9, 9))  # before: out
    await add_report(gulou, "wrong_location", shanghai(16, 0).astimezone(UTC))  # after: out
    await add_report(bank, "no_water", at(9, 10), at(9, 11))  # 1 h
    return home
