"""The one place that reads the wall clock; services receive `now` from their callers."""

from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC)
