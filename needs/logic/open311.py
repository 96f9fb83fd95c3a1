"""The rules of Linli's Open311 GeoReport v2 answers as plain values: which Linli status is
`open` or `closed`, the window of dates a list may cover, the coarse position a public answer
shows, and the attributes a service asks for. No database, no HTTP.

Specification: http://wiki.open311.org/GeoReport_v2 (frozen).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from app.errors import DomainError
from app.i18n import N_, _
from needs.logic.kinds import NeedStatus

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-12-07T00:00:00Z"
"""When this endpoint's services or attributes last changed (discovery's `changeset`)."""
MAX_SPAN = timedelta(days=90)
"""A list of requests covers at most this span of `requested_datetime` (the specification's
default and bound); wider is 400."""
MAX_ANSWERED = 1000
"""A list answers at most this many requests, the newest first (the specification's default)."""
MAX_PAGE = 1000
"""`page` goes no further (with the smallest pages, the first thousand requests)."""
MAX_IDS = 100
"""`service_request_id` names at most this many requests at once."""
GRID_M = 250.0
"""Public answers place a need at the centre of the cell of this size it lies in."""
_M_PER_DEGREE = 111_320.0

OPEN311_STATUS = {
    NeedStatus.open.value: "open",
    NeedStatus.dispatched.value: "open",
    NeedStatus.accepted.value: "open",
    NeedStatus.done.value: "closed",
    NeedStatus.rated.value: "closed",
    NeedStatus.withdrawn.value: "closed",
    NeedStatus.closed.value: "closed",
}
"""Open311 knows two statuses: the work is still to be done, or it is over (done, solved,
withdrawn or closed without rating)."""


class Open311Problem(DomainError):
    """Parameters the specification says to refuse with 400; the detail is translated."""

    status_code = 400
    slug = "open311-bad-request"


def linli_statuses(wanted: Iterable[str]) -> list[str]:
    """The Linli statuses of the Open311 statuses `wanted` (`open`, `closed`)."""
    chosen = set(wanted)
    return [status for status, public in OPEN311_STATUS.items() if public in chosen]


def comma_list(value: str | None) -> list[str]:
    """`"a, b,,c"` → `["a", "b", "c"]`: the specification's comma-delimited parameters."""
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def parse_moment(value: str, zone: ZoneInfo) -> datetime:
    """A w3 date-time (`2010-01-01T00:00:00Z`, with an offset) as an aware instant. A date
    alone is its midnight, and a time without offset is read in `zone`. Raises ValueError."""
    text = value.strip()
    if not text or len(text) > 40:
        raise ValueError(text)
    if len(text) == 10:
        moment = datetime.combine(date.fromisoformat(text), time())
    else:
        moment = datetime.fromisoformat(text.replace("z", "Z"))
    if not 2000 <= moment.year <= 2099:
        raise ValueError(text)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=zone)


@dataclass(frozen=True)
class Window:
    start: datetime
    end: datetime
    """Half-open: `start <= requested_datetime < end`."""


def window(start: datetime | None, end: datetime | None, now: datetime) -> Window:
    """The span a list of requests covers: the last 90 days by default; one side given, the
    90 days from or to it; both given, at most 90 days apart. Raises `Open311Problem`."""
    if start is None and end is None:
        return Window(now - MAX_SPAN, now + timedelta(seconds=1))
    if start is None:
        assert end is not None
        return Window(end - MAX_SPAN, end)
    if end is None:
        return Window(start, start + MAX_SPAN)
    if end < start:
        raise Open311Problem(_("end_date is before start_date."))
    if end - start > MAX_SPAN:
        raise Open311Problem(
            _("start_date and end_date may be at most 90 days apart; ask for fewer days.")
        )
    return Window(start, end)


def grid_cell(latitude: float, longitude: float) -> tuple[float, float]:
    """The centre of the 250 m cell `(latitude, longitude)` lies in: rows of equal latitude,
    each cut into cells 250 m wide at the row's centre. Rounded to 5 decimals (about 1 m), so
    the answer says nothing finer than the cell."""
    step_lat = GRID_M / _M_PER_DEGREE
    row = math.floor(latitude / step_lat)
    centre_lat = (row + 0.5) * step_lat
    step_lon = GRID_M / (_M_PER_DEGREE * max(math.cos(math.radians(centre_lat)), 0.01))
    column = math.floor(longitude / step_lon)
    centre_lon = (column + 0.5) * step_lon
    return round(centre_lat, 5), round(centre_lon, 5)


@dataclass(frozen=True)
class Attribute:
    """One attribute of a service definition (`services/{code}`)."""

    code: str
    datatype: str
    """`string`, `number`, `datetime`, `text`, `singlevaluelist` or `multivaluelist`."""
    description: str
    """A message id, translated when answered."""
    variable: bool = True
    """False: only information for the person, nothing to fill in."""
    required: bool = False
    datatype_description: str = ""
    """A message id, or empty."""


PLACE = Attribute(
    code="place",
    datatype="string",
    description=N_("Where exactly: building, unit, or a landmark nearby."),
    datatype_description=N_("At most 200 characters."),
)
PHOTO = Attribute(
    code="photo",
    datatype="string",
    variable=False,
    description=N_(
        "A photo helps. Send a link to it as media_url: Linli keeps the link for the "
        "community's staff and never fetches it."
    ),
)
ATTRIBUTES = (PLACE, PHOTO)
"""What the need form asks beyond the category and the description, for every service."""

SERVICE_DESCRIPTIONS = {
    "repairs": N_("Something broken in the neighbourhood: a light, a door, a pipe, a bench."),
    "environment": N_("Rubbish, dirt, pests, noise or smells in shared places."),
    "parking": N_("Cars, bicycles or scooters parked in the way, and parking disputes."),
    "neighbours": N_("A disagreement between neighbours the community can help settle."),
    "space_or_tool": N_("A room for a group, or a tool to borrow."),
    "elderly_care": N_("Help for an older resident: a visit, a meal, a ride, a repair."),
    "other": N_("Anything else the community can help with."),
}
SERVICE_KEYWORDS = {
    "repairs": N_("repair, broken, light, door, pipe"),
    "environment": N_("rubbish, hygiene, pests, noise"),
    "parking": N_("parking, car, bicycle, scooter"),
    "neighbours": N_("neighbours, dispute, mediation"),
    "space_or_tool": N_("room, space, tool, borrow"),
    "elderly_care": N_("elderly, care, visit, meal"),
    "other": N_("other"),
}
"""Each category's description and keywords as services (message ids)."""
