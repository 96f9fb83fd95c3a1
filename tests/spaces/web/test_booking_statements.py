"""One booking costs a fixed, small number of SQL statements on either engine: who asks, the
space, then under the space's lock the space again (with any earlier booking of the
idempotency key) and its calendar and holds, sent together (one trip on SQLite), the booking
row, the version bump and the feed texts' mark (on SQLite with the COMMIT, in the same trip;
on PostgreSQL after it); nothing is read again for the answer."""

import re

import httpx
import pytest

from app import db as database
from app.db import is_sqlite
from spaces.tables import Booking
from tests.factories import PASSWORD, make_community, make_space, make_user
from tests.fixtures import Browser, WorkLog
from tests.spaces.web.test_api import bearer

START = "2026-03-02T10:00:00+08:00"
END = "2026-03-02T11:00:00+08:00"
BEFORE_THE_LOCK = ["SELECT space"]
"""The space, for its rules' bounds and its lock."""
IN_THE_LOCK = ["SELECT space", "SELECT space_special_hours"]
"""The reads of the booking's transaction: the space again (and the key's earlier booking),
and in one statement the calendar (dated hours, closures, holidays) and the holds
(bookings, blocks, offers)."""
MARK = ["INSERT feed_text_due"]
"""The space queued for the job that rewrites its stored feed texts: on SQLite sent with the
COMMIT (no trip of its own), on PostgreSQL after it (each statement is a trip there)."""
BOOKING_WRITES = ["INSERT booking", "UPDATE space", *(MARK if is_sqlite() else [])]
AFTER_COMMIT = [] if is_sqlite() else MARK


def summary(sql: str) -> str:
    """`INSERT booking`, `UPDATE space`, `SELECT api_token`: the verb and its table (for a
    SELECT the first table of its outer FROM); `BEGIN` and `COMMIT` as they are."""
    if sql in {"BEGIN", "COMMIT", "ROLLBACK"}:
        return sql
    outer = sql
    while (inner := re.sub(r"\([^()]*\)", "", outer)) != outer:  # subqueries out
        outer = inner
    verb = outer.split(None, 1)[0].upper()
    pattern = {"INSERT": r"INTO\s+\"?(\w+)", "UPDATE": r"UPDATE\s+\"?(\w+)"}.get(
        verb, r"FROM\s+\"?(\w+)"
    )
    table = re.search(pattern, outer, re.I)
    return f"{verb} {table.group(1) if table else '?'}"


def sql_count(work_log: WorkLog) -> int:
    """The SQL statements sent, without the transactions' markers."""
    return sum(sql not in {"BEGIN", "COMMIT", "ROLLBACK"} for sql in work_log.statements)


@pytest.fixture
async def resident(db: None):
    home = await make_community("caijiaxiang")
    await make_space(home, "music-room", weekly_hours={"mon": "09:00-12:00"}, slot_minutes=60)
    return await make_user("13812345678", community=home)


@pytest.mark.parametrize("with_key", [False, True], ids=["no-key", "idempotency-key"])
async def test_an_api_booking_takes_a_fixed_list_of_statements(
    client: httpx.AsyncClient, resident, work_log: WorkLog, with_key: bool
) -> None:
    headers = await bearer(resident)
    assert (await client.get("/api/v1/me", headers=headers)).status_code == 200  # token used
    if with_key:
        headers["idempotency-key"] = "booking-1"
    work_log.clear()
    response = await client.post(
        "/api/v1/bookings",
        json={"space": "music-room", "start": START, "end": END},
        headers=headers,
    )
    assert response.status_code == 201
    assert (response.json()["start"], response.json()["status"]) == (START, "confirmed")
    (transaction,) = work_log.in_transactions()
    assert [summary(sql) for sql in transaction] == IN_THE_LOCK + BOOKING_WRITES
    claim, keep = (
        (["INSERT idempotent_answer"], ["UPDATE idempotent_answer"]) if with_key else ([], [])
    )
    assert [summary(sql) for sql in work_log.statements] == [
        "SELECT api_token",  # with the person and their staff memberships
        *claim,
        *BEFORE_THE_LOCK,
        "BEGIN",
        *IN_THE_LOCK,
        *BOOKING_WRITES,
        "COMMIT",
        *AFTER_COMMIT,
        *keep,
    ]
    assert sql_count(work_log) == (9 if with_key else 7)
    assert await Booking.count() == 1


async def test_a_booking_through_the_form_takes_a_fixed_list_of_statements(
    browser: Browser, resident, work_log: WorkLog
) -> None:
    await browser.sign_in("13812345678", PASSWORD)
    work_log.clear()
    form = {"start": START, "duration_minutes": "60", "form_token": "form-token-1"}
    response = await browser.submit("/spaces/music-room/book", form)
    assert response.status_code == 303
    assert [summary(sql) for sql in work_log.statements] == [
        "SELECT sign_in_session",  # with the person and their unread count
        "SELECT staff_membership",
        *BEFORE_THE_LOCK,
        "BEGIN",
        *IN_THE_LOCK,
        *BOOKING_WRITES,
        "COMMIT",
        *AFTER_COMMIT,
    ]
    assert sql_count(work_log) == 8
    booking = await Booking.objects().first()
    assert (booking.idempotency_key, booking.status) == ("form:form-token-1", "confirmed")


async def test_a_repeated_form_finds_its_booking_in_the_space_read(
    browser: Browser, resident, work_log: WorkLog
) -> None:
    """The second submission of the same form: the space read names the booking already
    made, which is read by its id and answered; nothing is written (the checks' read went
    with the space's, unused)."""
    await browser.sign_in("13812345678", PASSWORD)
    form = {"start": START, "duration_minutes": "60", "form_token": "form-token-1"}
    first = await browser.submit("/spaces/music-room/book", form)
    work_log.clear()
    again = await browser.submit("/spaces/music-room/book", form)
    assert again.headers["location"] == first.headers["location"]
    (transaction,) = work_log.in_transactions()
    assert [summary(sql) for sql in transaction] == [*IN_THE_LOCK, "SELECT booking"]
    assert await Booking.count() == 1


@pytest.mark.skipif(not is_sqlite(), reason="SQLite's kept connections")
async def test_an_api_booking_takes_two_trips_to_the_connection_under_the_lock(
    client: httpx.AsyncClient, resident, monkeypatch: pytest.MonkeyPatch
) -> None:
    """BEGIN with the reads; the booking row, the version bump and the feed texts' mark
    with the COMMIT; and no trip to reset a connection whose COMMIT ran."""
    headers = await bearer(resident)
    trips: list[list[str]] = []
    run, run_all, reset = (
        database.KeptConnection._run,
        database.KeptConnection._run_all,
        database.KeptConnection._reset,
    )

    def label(sql: str) -> str:
        return "BEGIN" if sql.startswith("BEGIN") else summary(sql)

    def counted(self: object, waiting: list, query: str, args: list, tuples: bool) -> object:
        trips[-1] += [label(sql) for sql, _args in waiting] + [label(query)]
        return run(self, waiting, query, args, tuples)  # type: ignore[arg-type]

    def one_trip(self: object, waiting: list, query: str, args: list, tuples: bool) -> object:
        trips.append([])
        return counted(self, waiting, query, args, tuples)

    def one_trip_of_all(self: object, waiting: list, statements: list) -> object:
        trips.append([])
        monkeypatch.setattr(database.KeptConnection, "_run", counted)
        try:
            return run_all(self, waiting, statements)  # type: ignore[arg-type]
        finally:
            monkeypatch.setattr(database.KeptConnection, "_run", one_trip)

    def counted_reset(self: object) -> None:
        trips.append(["reset"])
        reset(self)  # type: ignore[arg-type]

    monkeypatch.setattr(database.KeptConnection, "_run", one_trip)
    monkeypatch.setattr(database.KeptConnection, "_run_all", one_trip_of_all)
    monkeypatch.setattr(database.KeptConnection, "_reset", counted_reset)
    response = await client.post(
        "/api/v1/bookings",
        json={"space": "music-room", "start": START, "end": END},
        headers=headers,
    )
    assert response.status_code == 201
    assert trips == [
        ["BEGIN", *IN_THE_LOCK],
        ["INSERT booking", "UPDATE space", "INSERT feed_text_due", "COMMIT"],
    ]
    assert await Booking.count() == 1
