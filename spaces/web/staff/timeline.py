"""The spaces timeline for staff: their spaces as rows and a day's hours (or a week's days)
across, with bookings, requests, closures and maintenance blocks.

`/staff/spaces/timeline?view=day|week&date=YYYY-MM-DD&community=slug`
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import partial
from typing import Annotated, Any
from urllib.parse import urlencode

from litestar import Controller, Request, get
from litestar.params import FromQuery, QueryParameter
from litestar.response import Template

from app.bounds import FIRST_DAY, LAST_DAY
from app.calendar import format_ranges
from app.clock import site_date
from app.communities.services import managed_communities
from app.errors import FieldError, InputError
from app.i18n import _
from app.web.context import CurrentActor, RequestNow
from app.web.guards import requires_staff
from app.web.responses import page
from spaces.logic import timeline_layout as timeline
from spaces.logic import wording as views
from spaces.logic.wording import site_zone
from spaces.services import day_entries, space_days
from spaces.services.day_entries import Entry
from spaces.services.space_days import SpaceDay

AnyRequest = Request[Any, Any, Any]
DayParameter = Annotated[str, QueryParameter(name="date")]

VIEWS = {"day": 1, "week": 7}
"""Each view and the days it shows."""
EARLIEST, LATEST = FIRST_DAY, LAST_DAY
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
LANE_HEIGHT = 48
"""Pixels per lane of a day row; a block is 4 less."""


@dataclass(frozen=True)
class TimelineQuery:
    view: str
    day: date
    """The date asked for; the week view starts on its Monday."""

    @property
    def first_day(self) -> date:
        return self.day if self.view == "day" else timeline.week_start(self.day)

    @property
    def days(self) -> int:
        return VIEWS[self.view]


def read_query(view: str, day: str, today: date) -> TimelineQuery:
    """The view and date asked for; today when no date is given."""
    errors = []
    view = view or "day"
    if view not in VIEWS:
        errors.append(FieldError("view", _("Choose the day view or the week view.")))
    chosen = today
    if day.strip():
        try:
            if not _ISO_DATE.match(day.strip()):
                raise ValueError(day)
            chosen = date.fromisoformat(day.strip())
        except ValueError:
            errors.append(
                FieldError("date", _("Enter a date like %(example)s.", example=today.isoformat()))
            )
        else:
            if not EARLIEST <= chosen <= LATEST:
                errors.append(
                    FieldError(
                        "date",
                        _(
                            "Choose a date from %(first)s to %(last)s.",
                            first=EARLIEST.isoformat(),
                            last=LATEST.isoformat(),
                        ),
                    )
                )
    if errors:
        raise InputError(errors)
    return TimelineQuery(view, chosen)


@dataclass
class DayRow:
    space_day: SpaceDay
    layout: timeline.RowLayout[Entry]
    hours: str
    """The day's opening hours in words."""
    reasons: list[str]


@dataclass
class WeekCell:
    space_day: SpaceDay
    entries: list[Entry]
    reasons: list[str]
    """Why it is closed that day, besides the closures listed as entries."""


@dataclass
class WeekRow:
    space_day: SpaceDay
    """The first day, for the space and its zone."""
    cells: list[WeekCell] = field(default_factory=list)


def _hours_text(space_day: SpaceDay) -> str:
    return format_ranges(space_day.ranges) or _("closed")


def _day_rows(rows: list[list[SpaceDay]], today: date, now: datetime) -> dict[str, Any]:
    start_minute, end_minute = timeline.shown_hours([days[0].ranges for days in rows])
    day_rows = []
    for (space_day,) in rows:
        window = timeline.day_window(space_day.day, space_day.zone, start_minute, end_minute)
        items = [
            timeline.Item(e.start, e.end, e.kind, e)
            for e in day_entries.entries_of(space_day, today=today, now=now)
        ]
        day_rows.append(
            DayRow(
                space_day,
                timeline.layout_row(window, space_day.open_intervals, items),
                _hours_text(space_day),
                [day_entries.reason_text(r, space_day, today=today) for r in space_day.reasons],
            )
        )
    return {"day_rows": day_rows, "ticks": timeline.hour_ticks(start_minute, end_minute)}


def _week_rows(rows: list[list[SpaceDay]], today: date, now: datetime) -> dict[str, Any]:
    week_rows = []
    for days in rows:
        row = WeekRow(days[0])
        for space_day in days:
            row.cells.append(
                WeekCell(
                    space_day,
                    day_entries.entries_of(space_day, today=today, now=now),
                    [
                        day_entries.reason_text(r, space_day, today=today)
                        for r in space_day.reasons
                        if r.closure is None
                    ],
                )
            )
        week_rows.append(row)
    return {"week_rows": week_rows}


class StaffTimelineController(Controller):
    path = "/staff/spaces/timeline"
    guards = [requires_staff]
    include_in_schema = False

    @get("", name="staff:timeline")
    async def show(
        self,
        request: AnyRequest,
        actor: CurrentActor,
        now: RequestNow,
        view: FromQuery[str] = "day",
        day: DayParameter = "",
        community: FromQuery[str] = "",
    ) -> Template:
        today = site_date(now)
        form = {"view": view, "date": day, "community": community}

        def url(**changes: str) -> str:
            params = {**form, **changes}
            query = urlencode({key: value for key, value in params.items() if value})
            return request.app.route_reverse("staff:timeline") + (f"?{query}" if query else "")

        common: dict[str, Any] = {
            "form": form,
            "today": today,
            "day_label": partial(views.day_label, today=today),
            "lane_height": LANE_HEIGHT,
        }
        try:
            query = read_query(view, day, today)
        except InputError as exc:
            return page(
                request,
                "spaces/staff/timeline.html",
                status_code=400,
                errors=exc.by_field(),
                query=None,
                communities=await managed_communities(actor),
                **common,
            )
        data = await space_days.timeline(
            actor, query.first_day, query.days, community=community or None, now=now
        )
        step = timedelta(days=query.days)
        other = "week" if query.view == "day" else "day"
        rows = _day_rows if query.view == "day" else _week_rows
        return page(
            request,
            "spaces/staff/timeline.html",
            errors={},
            query=query,
            communities=data.communities,
            community=data.community,
            dates=[query.first_day + timedelta(days=i) for i in range(query.days)],
            previous_url=url(date=(query.day - step).isoformat()),
            next_url=url(date=(query.day + step).isoformat()),
            today_url=url(date=""),
            switch_url=url(view=other, date=query.day.isoformat()),
            viewer_zone=site_zone(),
            empty=not data.rows,
            **rows(data.rows, today, now),
            **common,
        )
