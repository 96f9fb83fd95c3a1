"""Calendar files (.ics) built with the icalendar library, for the closure-import tests."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import icalendar


def event(
    summary: str | None,
    start: date | datetime,
    end: date | datetime | None = None,
    **props: Any,
) -> icalendar.Event:
    """A VEVENT; `props` are added as they are, `_` read as `-` (rrule, exdate, status,
    recurrence_id, duration…)."""
    component = icalendar.Event()
    component.add("uid", f"{summary}-{start.isoformat()}@linli.test")
    component.add("dtstamp", datetime(2026, 1, 1, tzinfo=UTC))
    if summary is not None:
        component.add("summary", summary)
    component.add("dtstart", start)
    if end is not None:
        component.add("dtend", end)
    for name, value in props.items():
        component.add(name.replace("_", "-"), value)
    return component


def ics(*events: icalendar.Event) -> bytes:
    """A calendar file holding `events`."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Linli tests//EN")
    calendar.add("version", "2.0")
    for component in events:
        calendar.add_component(component)
    return calendar.to_ical()
