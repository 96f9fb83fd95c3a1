"""The spaces' bounds over HTTP at their edges (the last accepted, the first refused), the
refusal's code and alternatives, and that a refused request does no further work."""

from __future__ import annotations

import httpx
import pytest

from app.accounts import sessions
from app.tables import Community, User
from needs.services import filing
from spaces.tables import Booking
from tests.factories import NOW, PASSWORD, actor_for, make_community, make_space, make_user
from tests.fixtures import Browser, WorkLog, text_of

ALWAYS = {day: "00:00-24:00" for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
EN = {"accept-language": "en"}
WINDOW = "Choose a date from 2025-03-01 to 2027-03-03."
"""NOW is 2026-03-02 09:00 in Shanghai: 366 days back and ahead."""


@pytest.fixture
async def token(db: None) -> dict[str, str]:
    home = await make_community("home")
    await make_space(home, "room", weekly_hours=ALWAYS)
    await make_space(home, "court", weekly_hours=ALWAYS, horizon_days=14, max_duration_minutes=120)
    resident = await make_user("13800000001", community=home, locale="en")
    _row, secret = await sessions.create_api_token(resident, "test", NOW)
    return {"authorization": f"Bearer {secret}", **EN}


def _errors(response: httpx.Response) -> list[tuple[str, str]]:
    return [(e["field"], e["message"]) for e in response.json()["errors"]]


@pytest.mark.parametrize(
    ("first", "status"),
    [("2025-03-01", 200), ("2025-02-28", 422), ("2027-03-03", 200), ("2027-03-04", 422)],
)
async def test_availability_from_edges(
    client: httpx.AsyncClient, token: dict[str, str], first: str, status: int
) -> None:
    response = await client.get(f"/api/v1/spaces/room/availability?from={first}&days=1", headers=EN)
    assert response.status_code == status
    if status == 422:
        assert _errors(response) == [("from", WINDOW)]
    else:
        assert response.json()["slots"][0]["start"] == f"{first}T00:00:00+08:00"


@pytest.mark.parametrize(
    ("days", "status", "message"),
    [
        (1, 200, None),
        (31, 200, None),
        (0, 422, "Give a number of at least 1."),
        (32, 422, "Give a number of at most 31."),
    ],
)
async def test_availability_days_edges(
    client: httpx.AsyncClient, token: dict[str, str], days: int, status: int, message: str | None
) -> None:
    response = await client.get(
        f"/api/v1/spaces/room/availability?from=2026-03-02&days={days}", headers=EN
    )
    assert response.status_code == status
    if status == 422:
        assert _errors(response) == [("days", message)]
    else:
        assert len(response.json()["slots"]) == days * 48


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("from=2025-03-01", 200),
        ("from=2025-02-28", 400),
        ("from=2027-03-03", 200),
        ("from=2027-03-04", 400),
        ("start=2027-03-03T23:30:00%2B08:00", 200),
        ("start=2027-03-04T00:00:00%2B08:00", 400),
        ("start=2025-03-01T00:00:00%2B08:00", 200),
        ("start=2025-02-28T23:30:00%2B08:00", 400),
        ("day=2025-03-01", 200),
        ("day=2025-02-28", 400),
        ("day=2027-03-03", 200),
        ("day=2027-03-04", 400),
        ("day=0001-01-01", 400),
        ("day=9999-12-31", 400),
    ],
)
async def test_space_page_window_edges(
    client: httpx.AsyncClient, token: dict[str, str], query: str, status: int
) -> None:
    response = await client.get(f"/spaces/room?{query}", headers=EN)
    assert response.status_code == status
    refused = WINDOW in response.text and 'href="/spaces/room">Show today</a>' in response.text
    assert refused == (status == 400)


@pytest.mark.parametrize(
    ("query", "status"),
    [("from=2027-03-03", 200), ("from=2027-03-04", 400), ("from=9999-12-31", 400)],
)
async def test_space_week_view_window_edges(
    client: httpx.AsyncClient, token: dict[str, str], query: str, status: int
) -> None:
    response = await client.get(f"/spaces/room?view=week&{query}", headers=EN)
    assert response.status_code == status
    to_week = 'href="/spaces/room?view=week">Show this week</a>'
    refused = WINDOW in response.text and to_week in response.text
    assert refused == (status == 400)


async def _book(
    client: httpx.AsyncClient, token: dict[str, str], start: str, end: str, space: str = "room"
) -> httpx.Response:
    return await client.post(
        "/api/v1/bookings", json={"space": space, "start": start, "end": end}, headers=token
    )


async def test_booking_ends_at_most_366_days_ahead_without_a_horizon(
    client: httpx.AsyncClient, token: dict[str, str]
) -> None:
    last = await _book(client, token, "2027-03-03T08:00:00+08:00", "2027-03-03T09:00:00+08:00")
    assert last.status_code == 201
    refused = await _book(client, token, "2027-03-03T08:30:00+08:00", "2027-03-03T09:30:00+08:00")
    assert (refused.status_code, refused.json()["rule"], refused.json()["detail"]) == (
        422,
        "horizon",
        "Bookings may be made at most 366 days ahead.",
    )
    # The nearest free hours inside the window (08:00–09:00 is now taken).
    assert refused.json()["alternatives"] == [
        {"start": "2027-03-03T07:00:00+08:00", "end": "2027-03-03T08:00:00+08:00"},
        {"start": "2027-03-03T06:30:00+08:00", "end": "2027-03-03T07:30:00+08:00"},
        {"start": "2027-03-03T06:00:00+08:00", "end": "2027-03-03T07:00:00+08:00"},
    ]


async def test_booking_past_the_horizon_keeps_its_code_and_alternatives(
    client: httpx.AsyncClient, token: dict[str, str]
) -> None:
    refused = await _book(
        client, token, "2026-03-16T09:00:00+08:00", "2026-03-16T10:00:00+08:00", "court"
    )
    assert (refused.status_code, refused.json()["rule"]) == (422, "horizon")
    assert refused.json()["alternatives"] == [
        {"start": "2026-03-16T08:00:00+08:00", "end": "2026-03-16T09:00:00+08:00"},
        {"start": "2026-03-16T07:30:00+08:00", "end": "2026-03-16T08:30:00+08:00"},
        {"start": "2026-03-16T07:00:00+08:00", "end": "2026-03-16T08:00:00+08:00"},
    ]


async def test_booking_starts_at_most_one_day_back(
    client: httpx.AsyncClient, token: dict[str, str]
) -> None:
    judged = await _book(client, token, "2026-03-01T09:00:00+08:00", "2026-03-01T10:00:00+08:00")
    assert (judged.status_code, judged.json()["rule"], judged.json()["detail"]) == (
        422,
        "past",
        "This time has already begun or passed.",
    )
    refused = await _book(client, token, "2026-03-01T08:30:00+08:00", "2026-03-01T09:30:00+08:00")
    assert refused.json() | {"alternatives": None} == {
        "type": "urn:linli:problem:rule-violation",
        "title": "A rule does not allow this",
        "status": 422,
        "detail": "Choose a time from 2026-03-01 09:00 to 2027-03-03 09:00.",
        "rule": "past",
        "alternatives": None,
        "request_id": refused.headers["x-request-id"],
    }


@pytest.mark.parametrize(
    ("space", "end", "status", "detail"),
    [
        ("room", "2026-04-02T10:00:00+08:00", 201, None),
        ("room", "2026-04-02T10:30:00+08:00", 422, "Book at most 31 days at a time."),
        ("court", "2026-03-02T12:00:00+08:00", 201, None),
        ("court", "2026-03-02T12:30:00+08:00", 422, "Book at most 2 h at a time."),
    ],
)
async def test_booking_length_edges(
    client: httpx.AsyncClient,
    token: dict[str, str],
    space: str,
    end: str,
    status: int,
    detail: str | None,
) -> None:
    response = await _book(client, token, "2026-03-02T10:00:00+08:00", end, space)
    assert response.status_code == status
    if detail is not None:
        body = response.json()
        assert (body["rule"], body["detail"], body["alternatives"]) == ("duration", detail, [])


HOSTILE = [
    ("700 years", "2027-01-01T10:00:00+08:00", "2727-01-01T10:00:00+08:00", "horizon"),
    ("year 1", "0001-01-01T10:00:00+08:00", "0001-01-01T11:00:00+08:00", "past"),
    ("year 9999", "9999-12-31T10:00:00+08:00", "9999-12-31T11:00:00+08:00", "horizon"),
    ("32 days", "2026-03-02T10:00:00+08:00", "2026-04-03T10:00:00+08:00", "duration"),
]
SPACE_LOOKUP = "FROM space JOIN community"


@pytest.mark.parametrize(("label", "start", "end", "rule"), HOSTILE, ids=[h[0] for h in HOSTILE])
async def test_a_booking_refused_for_a_bound_does_no_further_work(
    client: httpx.AsyncClient,
    token: dict[str, str],
    work_log: WorkLog,
    label: str,
    start: str,
    end: str,
    rule: str,
) -> None:
    work_log.clear()
    response = await _book(client, token, start, end)
    assert (response.status_code, response.json()["rule"]) == (422, rule)
    assert response.json()["alternatives"] == []
    assert sum(SPACE_LOOKUP in sql for sql in work_log.statements) == 1
    assert work_log.statements_after(SPACE_LOOKUP) == []
    assert work_log.expansions == []
    assert await Booking.count() == 0


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/spaces/room/availability?from=9999-12-31",
        "/api/v1/spaces/room/availability?from=0001-01-01",
        "/spaces/room?from=9999-12-31",
        "/spaces/room?start=9999-12-31T10:00:00%2B08:00",
        "/spaces/room?start=0001-01-01T10:00:00%2B08:00",
    ],
)
async def test_a_look_refused_for_a_bound_does_no_further_work(
    client: httpx.AsyncClient, token: dict[str, str], work_log: WorkLog, url: str
) -> None:
    work_log.clear()
    response = await client.get(url, headers=EN)
    assert response.status_code in {400, 422}
    assert sum(SPACE_LOOKUP in sql for sql in work_log.statements) == 1
    assert work_log.statements_after(SPACE_LOOKUP) == []
    assert work_log.expansions == []


async def test_the_work_log_sees_an_accepted_request(
    client: httpx.AsyncClient, token: dict[str, str], work_log: WorkLog
) -> None:
    """The hook itself: an accepted look reads and expands the calendar after the lookup."""
    work_log.clear()
    response = await client.get("/api/v1/spaces/room/availability?from=2027-03-03", headers=EN)
    assert response.status_code == 200
    assert len(work_log.statements_after(SPACE_LOOKUP)) > 0
    assert "open_intervals" in work_log.expansions


async def test_waitlist_for_a_time_outside_the_window_goes_back_to_this_week(
    browser: Browser, token: dict[str, str]
) -> None:
    browser.set_language("en")
    await browser.sign_in("13800000001", PASSWORD)
    form = {"start": "9999-12-31T10:00:00+08:00", "duration_minutes": "60"}
    response = await browser.submit("/spaces/room/waitlist", form)
    assert (response.status_code, response.headers["location"]) == (303, "/spaces/room#book")
    page = await browser.get("/spaces/room")
    assert "Choose a time from 2026-03-01 09:00 to 2027-03-03 09:00." in text_of(page.text)


@pytest.mark.parametrize(
    ("on_date", "status", "refused"),
    [("2027-03-03", 303, False), ("2027-03-04", 422, True)],
)
@pytest.mark.parametrize("path", ["counter", "need"])
async def test_staff_bookings_end_at_most_366_days_ahead(
    browser: Browser, token: dict[str, str], path: str, on_date: str, status: int, refused: bool
) -> None:
    home = await Community.objects().where(Community.slug == "home").first()
    staff = await make_user("staff@example.com", staff_of=[home], locale="en")
    resident = await User.objects().where(User.login == "13800000001").first()
    need, _ = await filing.file_need(
        await actor_for(resident),
        filing.Filing(category="space_or_tool", description="A room for our band", place="3"),
        client_ip="198.51.100.1",
        now=NOW,
    )
    browser.set_language("en")
    await browser.sign_in(staff.login, PASSWORD)
    times = {"on_date": on_date, "start_time": "08:00", "end_time": "09:00"}
    if path == "counter":
        response = await browser.submit(
            "/staff/spaces/room/book-for",
            {"resident": "13800000001", "form_token": "t1", **times},
        )
    else:
        response = await browser.submit(f"/staff/needs/{need.id}/book", {"space": "room", **times})
    assert response.status_code == status
    said = "Bookings may be made at most 366 days ahead." in text_of(response.text)
    assert said == refused
    assert await Booking.count() == (0 if refused else 1)
