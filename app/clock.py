"""The one place that reads a clock; services receive `now` from their callers.

`utcnow()` is this process's clock, for what a person sees and for the `now` services are
given. `db_now()` is the database's clock, for what several processes (or hosts) must agree
on: job leases and outbox claims. Two hosts' clocks may differ by seconds; the database
has one.
"""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from piccolo.querystring import QueryString

from app.settings import get_settings

SQLITE_NOW = "SELECT strftime('%Y-%m-%d %H:%M:%f', 'now') AS now"
POSTGRES_NOW = "SELECT now() AS now"


def utcnow() -> datetime:
    return datetime.now(UTC)


async def db_now() -> datetime:
    """The database's current time, as an aware UTC datetime (milliseconds on SQLite).

    Inside a transaction it runs on the transaction's connection; on PostgreSQL `now()` is
    then the transaction's start, the same for every statement in it."""
    from app.db import engine, is_sqlite

    db = engine()
    sqlite = is_sqlite(db)
    (row,) = await db.run_querystring(QueryString(SQLITE_NOW if sqlite else POSTGRES_NOW))
    value = row["now"]
    if sqlite:
        return datetime.strptime(value, "%Y-%m-%d %H:%M:%S.%f").replace(tzinfo=UTC)
    return value.astimezone(UTC)


def site_date(now: datetime) -> date:
    """The date at `now` in the site's zone (LINLI_TIMEZONE), as staff in the district see it."""
    return now.astimezone(ZoneInfo(get_settings().site.timezone)).date()
