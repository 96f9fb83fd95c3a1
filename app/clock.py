"""The one place that reads the wall clock; services receive `now` from their callers."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from app.settings import get_settings


def utcnow() -> datetime:
    return datetime.now(UTC)


def site_date(now: datetime) -> date:
    """The date at `now` in the site's zone (LINLI_TIMEZONE), as staff in the district see it."""
    return now.astimezone(ZoneInfo(get_settings().site.timezone)).date()
