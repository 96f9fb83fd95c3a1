"""Years 1 and 9999 (and a 700-year span) are ordinary bad input on every endpoint and page
that takes a date or a time: a 4xx naming the field or the rule, never a 500 (DESIGN
invariant 6). The list below comes from a grep of the web layers of `app`, `spaces`,
`stations` and `needs` for every date or datetime read: query parameters, form fields, JSON
bodies and calendar-file uploads."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from app.accounts import sessions
from needs.services import filing
from spaces.services import series
from spaces.tables import Booking
from tests.factories import (
    NOW,
    PASSWORD,
    actor_for,
    make_community,
    make_space,
    make_station,
    make_user,
)
from tests.fixtures import Browser

YEARS = {"year 1": "0001-01-01", "year 9999": "9999-12-31"}
FORM_BOUND = "Choose a date from 2000-01-01 to 2099-12-31."


@dataclass
class World:
    series_id: str
    occurrence_id: str
    need_id: str
    token: str


@dataclass(frozen=True)
class Case:
    """One date read: who asks, how, with `{d}` standing for the date sent."""

    name: str
    who: str  # anonymous, resident (signed-in browser), api (bearer token), staff, admin
    method: str
    url: str
    form: dict[str, Any] = field(default_factory=dict)
    json: dict[str, Any] | None = None
    ics: bool = False
    status: int = 400
    says: str | dict[str, str] = FORM_BOUND
    """Text the page must contain (the bound stated), or per date sent; for the JSON API,
    the field (`errors[].field`) or the rule (`rule`) named, as `field:from`, `rule:past`."""

    def expected(self, day: str) -> str:
        return self.says if isinstance(self.says, str) else self.says[day]


def _ics(day: str) -> bytes:
    compact = day.replace("-", "")
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\n"
        f"UID:far@test\r\nDTSTAMP:20260301T000000Z\r\nDTSTART;VALUE=DATE:{compact}\r\n"
        f"SUMMARY:Far away\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    ).encode()


CLOSURE = {"from_date": "{d}", "all_day": "on", "reason": "Repairs"}
SERIES = {
    "resident": "13812345678",
    "group_name": "合唱团",
    "weekdays": "tue",
    "start_time": "09:00",
    "end_time": "11:00",
    "starts_on": "{d}",
    "count": "2",
}
SERIES_EDIT = {**SERIES, "starts_on": "", "count": "", "ends_on": "{d}", "scope": "all"}
"""An edit keeps the first date: the last one is the date it reads."""
NEED_SERIES = {
    "series_space": "room",
    "group_name": "合唱团",
    "weekdays": "tue",
    "series_start_time": "09:00",
    "series_end_time": "11:00",
    "starts_on": "{d}",
    "count": "2",
}
API_BOOKING = {"space": "room", "start": "{d}T10:00:00+08:00", "end": "{d}T11:00:00+08:00"}

CASES = [
    # anonymous
    Case(
        "availability API from",
        "anonymous",
        "GET",
        "/api/v1/spaces/room/availability?from={d}",
        status=422,
        says="field:from",
    ),
    Case("space page from", "anonymous", "GET", "/spaces/room?from={d}", says="Show today"),
    Case(
        "space page start",
        "anonymous",
        "GET",
        "/spaces/room?start={d}T10:00:00%2B08:00",
        says="Show today",
    ),
    Case("space page day", "anonymous", "GET", "/spaces/room?day={d}", says="Show today"),
    Case(
        "space week from",
        "anonymous",
        "GET",
        "/spaces/room?view=week&from={d}",
        says="Show this week",
    ),
    Case(
        "nearby stations open_at",
        "anonymous",
        "GET",
        "/api/v1/stations/nearby?lat=36.195&lon=113.116&open_at={d}T10:00:00%2B08:00",
        status=422,
        says="field:open_at",
    ),
    # residents
    Case(
        "API booking",
        "api",
        "POST",
        "/api/v1/bookings",
        json=API_BOOKING,
        status=422,
        says={"0001-01-01": "rule:past", "9999-12-31": "rule:horizon"},
    ),
    Case(
        "booking form",
        "resident",
        "POST",
        "/spaces/room/book",
        form={"start": "{d}T10:00:00+08:00", "duration_minutes": "60", "form_token": "t1"},
        status=422,
        says="Choose a time from 2026-03-01 09:00 to 2027-03-03 09:00.",
    ),
    Case(
        "waitlist",
        "resident",
        "POST",
        "/spaces/room/waitlist",
        form={"start": "{d}T10:00:00+08:00", "duration_minutes": "60"},
        status=303,
        says="",
    ),
    # staff forms
    Case("space closure preview", "staff", "POST", "/staff/spaces/room/closures/preview", CLOSURE),
    Case("space closure", "staff", "POST", "/staff/spaces/room/closures", CLOSURE),
    Case(
        "space special hours",
        "staff",
        "POST",
        "/staff/spaces/room/special-hours",
        {"on_date": "{d}", "hours": ""},
    ),
    Case("series preview", "staff", "POST", "/staff/spaces/room/series/preview", SERIES),
    Case("series", "staff", "POST", "/staff/spaces/room/series", SERIES),
    Case(
        "series edit preview",
        "staff",
        "POST",
        "/staff/spaces/room/series/{series}/edit/preview",
        SERIES_EDIT,
    ),
    Case("series edit", "staff", "POST", "/staff/spaces/room/series/{series}/edit", SERIES_EDIT),
    Case(
        "series edit from a date",
        "staff",
        "POST",
        "/staff/spaces/room/series/{series}/edit",
        {**SERIES_EDIT, "ends_on": "2026-03-31", "scope": "following", "from_date": "{d}"},
    ),
    Case(
        "series occurrence",
        "staff",
        "POST",
        "/staff/spaces/room/series/{series}/occurrences/{occurrence}",
        {"on_date": "{d}", "start_time": "09:00", "end_time": "11:00"},
        status=422,
    ),
    Case(
        "series restore",
        "staff",
        "POST",
        "/staff/spaces/room/series/{series}/skips/{d}/restore",
        status=404,
        says="This date is not skipped.",
    ),
    Case(
        "counter booking",
        "staff",
        "POST",
        "/staff/spaces/room/book-for",
        {
            "resident": "13800000001",
            "on_date": "{d}",
            "start_time": "10:00",
            "end_time": "11:00",
            "form_token": "t1",
        },
    ),
    Case(
        "space closure import",
        "staff",
        "POST",
        "/staff/spaces/room/closures/import/preview",
        ics=True,
        says="No event",
    ),
    Case("timeline", "staff", "GET", "/staff/spaces/timeline?date={d}"),
    Case("space reports", "staff", "GET", "/staff/spaces/reports?from={d}&to={d}"),
    Case("space reports CSV", "staff", "GET", "/staff/spaces/reports.csv?from={d}&to={d}"),
    Case("station closure", "staff", "POST", "/staff/stations/post/closures", CLOSURE),
    Case(
        "station special hours",
        "staff",
        "POST",
        "/staff/stations/post/special-hours",
        {"on_date": "{d}", "hours": ""},
    ),
    Case(
        "station closure import",
        "staff",
        "POST",
        "/staff/stations/post/closures/import/preview",
        ics=True,
        says="No event",
    ),
    Case("station reports", "staff", "GET", "/staff/stations/reports?from={d}&to={d}"),
    Case("station reports CSV", "staff", "GET", "/staff/stations/reports.csv?from={d}&to={d}"),
    Case(
        "need to booking",
        "staff",
        "POST",
        "/staff/needs/{need}/book",
        {"space": "room", "on_date": "{d}", "start_time": "10:00", "end_time": "11:00"},
    ),
    Case("need to series", "staff", "POST", "/staff/needs/{need}/series", NEED_SERIES),
    Case("needs reports", "staff", "GET", "/staff/needs/reports?from={d}&to={d}"),
    Case("needs reports CSV", "staff", "GET", "/staff/needs/reports.csv?from={d}&to={d}"),
    Case(
        "public holidays",
        "admin",
        "POST",
        "/staff/holidays",
        {"on_date": "{d}", "kind": "holiday", "name_zh": "远日", "name_en": "Far"},
    ),
]


@pytest.fixture
async def world(db: None, client: httpx.AsyncClient) -> World:
    home = await make_community("home")
    room = await make_space(home, "room")
    await make_station(home, "post")
    staff = await make_user("staff@example.com", staff_of=[home], locale="en")
    await make_user("admin@example.com", is_admin=True, locale="en")
    resident = await make_user("13800000001", community=home, locale="en")
    await make_user("13812345678", community=home, locale="en")
    made, _booked, _skipped = await series.create(
        await actor_for(staff),
        room,
        series.SeriesForm(
            resident="13812345678",
            group_name="合唱团",
            weekdays=["tue"],
            start_time="09:00",
            end_time="11:00",
            starts_on="2026-03-03",
            count="2",
        ),
        now=NOW,
    )
    occurrence = await Booking.objects().where(Booking.series == made.id).first()
    need, _ = await filing.file_need(
        await actor_for(resident),
        filing.Filing(category="space_or_tool", description="A room for our band", place="3"),
        client_ip="198.51.100.1",
        now=NOW,
    )
    _row, token = await sessions.create_api_token(resident, "test", NOW)
    return World(str(made.id), str(occurrence.id), str(need.id), token)


async def _ask(client: httpx.AsyncClient, world: World, case: Case, day: str) -> httpx.Response:
    browser = Browser(client)
    browser.set_language("en")
    login = {"resident": "13800000001", "staff": "staff@example.com", "admin": "admin@example.com"}
    if case.who in login:
        await browser.sign_in(login[case.who], PASSWORD)
    url = (
        case.url.replace("{d}", day)
        .replace("{series}", world.series_id)
        .replace("{occurrence}", world.occurrence_id)
        .replace("{need}", world.need_id)
    )
    headers = {"accept-language": "en"}
    if case.who == "api":
        headers["authorization"] = f"Bearer {world.token}"
    if case.json is not None:
        body = {k: v.replace("{d}", day) for k, v in case.json.items()}
        return await client.post(url, json=body, headers=headers)
    if case.ics:
        files = {"file": ("far.ics", _ics(day), "text/calendar")}
        return await browser.submit(url, files=files, headers=headers)
    if case.method == "GET":
        return await client.get(url, headers=headers)
    form = {k: v.replace("{d}", day) if isinstance(v, str) else v for k, v in case.form.items()}
    return await browser.submit(url, form, headers=headers)


@pytest.mark.parametrize("day", YEARS.values(), ids=YEARS.keys())
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
async def test_years_1_and_9999_are_bad_input(
    client: httpx.AsyncClient, world: World, case: Case, day: str
) -> None:
    response = await _ask(client, world, case, day)
    expected = case.expected(day)
    kind, _, name = expected.partition(":")
    if kind == "field":
        named = [e["field"] for e in response.json()["errors"]]
        assert (response.status_code, named) == (case.status, [name])
    elif kind == "rule":
        assert (response.status_code, response.json()["rule"]) == (case.status, name)
    else:
        assert (response.status_code, expected in response.text) == (case.status, True)
