"""What the stations domain keeps about a person (their problem reports, for their data
export), and what a change of public holidays means for stations."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from app.tables import User
from stations.queries import open_weeks
from stations.tables import Station, StationReport


async def export_account(user: User, now: datetime) -> dict[str, Any]:
    rows = await StationReport.select(
        StationReport.station.slug.as_alias("station"),
        StationReport.reason,
        StationReport.text,
        StationReport.created_at,
        StationReport.resolved_at,
    ).where(StationReport.user == user.id)
    return {
        "reports": [
            {k: v.isoformat() if isinstance(v, datetime) else v for k, v in row.items()}
            for row in rows
        ]
    }


async def after_holidays_changed() -> None:
    """Opening hours of every station may follow the holidays: their feeds must rebuild."""
    await Station.update({Station.version: Station.version + 1}).where(Station.id > 0)
    await open_weeks.rebuild()
