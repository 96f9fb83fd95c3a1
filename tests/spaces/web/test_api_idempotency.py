"""`Idempotency-Key` on the bookings API over HTTP: final answers replayed byte for byte,
another body refused, a running request answered 409, throttled and failed answers not kept,
malformed keys refused, keys per person, 24 hours, and concurrent first requests."""

import asyncio
import json
from datetime import timedelta

import httpx
import pytest

from app import idempotency
from app.errors import Throttled
from app.tables import IdempotentAnswer
from app.web.idempotency import fingerprint
from spaces.services import bookings
from spaces.tables import Booking
from tests.factories import NOW, make_user
from tests.spaces.web.test_api import bearer, home  # noqa: F401  (the fixture)

SLOT = {
    "space": "music-room",
    "start": "2026-03-02T10:00:00+08:00",
    "end": "2026-03-02T11:00:00+08:00",
}
NEXT_WEEK = {
    "space": "music-room",
    "start": "2026-03-09T10:00:00+08:00",
    "end": "2026-03-09T11:00:00+08:00",
}


def same_answer(first: httpx.Response, second: httpx.Response) -> bool:
    return (first.status_code, first.content, first.headers.get("content-type")) == (
        second.status_code,
        second.content,
        second.headers.get("content-type"),
    ) and first.headers.get("location") == second.headers.get("location")


async def resident(home) -> dict[str, str]:  # noqa: F811
    return await bearer(await make_user(community=home))


async def test_a_201_is_replayed_byte_for_byte(client: httpx.AsyncClient, home) -> None:  # noqa: F811
    token = await resident(home)
    headers = {**token, "idempotency-key": "retry-7"}
    first = await client.post("/api/v1/bookings", json=SLOT, headers=headers)
    # Cancelled since: an answer made afresh would say so; the kept one does not.
    cancel_url = f"/api/v1/bookings/{first.json()['id']}/cancel"
    assert (await client.post(cancel_url, headers=token)).json()["status"] == "cancelled"
    # The same body with other spacing and key order, and the key in its quoted form.
    respaced = json.dumps(dict(reversed(SLOT.items())), indent=2).encode()
    second = await client.post(
        "/api/v1/bookings",
        content=respaced,
        headers={**headers, "idempotency-key": '"retry-7"', "content-type": "application/json"},
    )
    assert first.status_code == 201
    assert same_answer(first, second)
    assert await Booking.count() == 1


async def test_a_409_is_replayed_after_the_slot_is_freed(client: httpx.AsyncClient, home) -> None:  # noqa: F811
    holder = await resident(home)
    held = (await client.post("/api/v1/bookings", json=SLOT, headers=holder)).json()["id"]
    retrier = {**await resident(home), "idempotency-key": "try-once"}
    refused = await client.post("/api/v1/bookings", json=SLOT, headers=retrier)
    assert (refused.status_code, refused.json()["rule"]) == (409, "capacity")
    cancelled = await client.post(f"/api/v1/bookings/{held}/cancel", headers=holder)
    assert cancelled.json()["status"] == "cancelled"
    again = await client.post("/api/v1/bookings", json=SLOT, headers=retrier)
    assert same_answer(refused, again)
    assert await Booking.count() == 1
    fresh = {**retrier, "idempotency-key": "try-twice"}
    assert (await client.post("/api/v1/bookings", json=SLOT, headers=fresh)).status_code == 201


async def test_the_key_with_another_body_is_422(client: httpx.AsyncClient, home) -> None:  # noqa: F811
    headers = {**await resident(home), "idempotency-key": "k-1"}
    assert (await client.post("/api/v1/bookings", json=SLOT, headers=headers)).status_code == 201
    other = await client.post("/api/v1/bookings", json=NEXT_WEEK, headers=headers)
    assert other.status_code == 422
    assert other.headers["content-type"] == "application/problem+json"
    assert [e["field"] for e in other.json()["errors"]] == ["Idempotency-Key"]
    assert await Booking.count() == 1


async def test_cancel_is_replayed_and_its_key_is_its_own(client: httpx.AsyncClient, home) -> None:  # noqa: F811
    headers = await resident(home)
    first = (await client.post("/api/v1/bookings", json=SLOT, headers=headers)).json()["id"]
    second = (await client.post("/api/v1/bookings", json=NEXT_WEEK, headers=headers)).json()["id"]
    keyed = {**headers, "idempotency-key": "cancel-1"}
    cancelled = await client.post(f"/api/v1/bookings/{first}/cancel", headers=keyed)
    again = await client.post(f"/api/v1/bookings/{first}/cancel", headers=keyed)
    assert cancelled.status_code == 200 and same_answer(cancelled, again)
    elsewhere = await client.post(f"/api/v1/bookings/{second}/cancel", headers=keyed)
    assert elsewhere.status_code == 422
    assert (await Booking.objects().where(Booking.id == second).first()).status == "confirmed"


async def test_a_running_request_with_the_key_is_409(client: httpx.AsyncClient, home) -> None:  # noqa: F811
    user = await make_user(community=home)
    await idempotency.claim(
        user.id,
        "busy",
        target="POST /api/v1/bookings",
        fingerprint=fingerprint(json.dumps(SLOT).encode()),
        now=NOW - timedelta(seconds=59),
    )
    headers = {**await bearer(user), "idempotency-key": "busy"}
    running = await client.post("/api/v1/bookings", json=SLOT, headers=headers)
    assert running.status_code == 409
    assert running.json()["rule"] == "idempotency_in_flight"
    assert running.json()["title"] == "Request still in progress"
    assert await Booking.count() == 0


async def test_an_abandoned_request_lets_the_retry_run(client: httpx.AsyncClient, home) -> None:  # noqa: F811
    user = await make_user(community=home)
    await idempotency.claim(
        user.id,
        "lost",
        target="POST /api/v1/bookings",
        fingerprint=fingerprint(json.dumps(SLOT).encode()),
        now=NOW - timedelta(seconds=61),
    )
    headers = {**await bearer(user), "idempotency-key": "lost"}
    retried = await client.post("/api/v1/bookings", json=SLOT, headers=headers)
    assert retried.status_code == 201
    assert same_answer(retried, await client.post("/api/v1/bookings", json=SLOT, headers=headers))
    assert await Booking.count() == 1


async def test_a_crash_before_the_answer_is_kept_books_once(
    client: httpx.AsyncClient,
    home,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
    frozen_clock,
) -> None:
    headers = {**await resident(home), "idempotency-key": "crash"}

    async def lost(*args, **kwargs) -> None:
        raise ConnectionError("the database went away")

    with monkeypatch.context() as patched:
        patched.setattr(idempotency, "complete", lost)
        answered = await client.post("/api/v1/bookings", json=SLOT, headers=headers)
    assert answered.status_code == 201
    frozen_clock[0] = NOW + timedelta(seconds=59)
    running = await client.post("/api/v1/bookings", json=SLOT, headers=headers)
    assert running.status_code == 409
    frozen_clock[0] = NOW + timedelta(seconds=61)
    retried = await client.post("/api/v1/bookings", json=SLOT, headers=headers)
    assert (retried.status_code, retried.json()["id"]) == (201, answered.json()["id"])
    assert await Booking.count() == 1


@pytest.mark.parametrize(
    ("failure", "status"),
    [(Throttled("Wait a minute.", 60), 429), (RuntimeError("boom"), 500)],
)
async def test_throttled_and_failed_answers_are_not_kept(
    client: httpx.AsyncClient,
    home,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
    failure: Exception,
    status: int,
) -> None:
    headers = {**await resident(home), "idempotency-key": "k-2"}

    async def refuse(*args, **kwargs):
        raise failure

    with monkeypatch.context() as patched:
        patched.setattr(bookings, "book", refuse)
        refused = await client.post("/api/v1/bookings", json=SLOT, headers=headers)
    assert refused.status_code == status
    assert await IdempotentAnswer.count() == 0
    retried = await client.post("/api/v1/bookings", json=SLOT, headers=headers)
    assert retried.status_code == 201


async def test_an_unauthorised_request_is_not_kept(client: httpx.AsyncClient, home) -> None:  # noqa: F811
    headers = {"authorization": "Bearer not-a-token", "idempotency-key": "k-3"}
    assert (await client.post("/api/v1/bookings", json=SLOT, headers=headers)).status_code == 401
    assert await IdempotentAnswer.count() == 0


@pytest.mark.parametrize(
    "value",
    [b"", b"k" * 256, "clé".encode(), "\u952e".encode(), b"a\x01b", b"a\x7fb", b'"abc', b'""'],
    ids=["empty", "256", "latin", "chinese", "control", "delete", "unclosed", "empty-quoted"],
)
async def test_a_malformed_key_is_400_naming_the_header(
    client: httpx.AsyncClient,
    home,  # noqa: F811
    value: bytes,
) -> None:
    headers = [*(await resident(home)).items(), ("idempotency-key", value)]
    refused = await client.post("/api/v1/bookings", json=SLOT, headers=headers)
    assert refused.status_code == 400
    assert refused.headers["content-type"] == "application/problem+json"
    assert [e["field"] for e in refused.json()["errors"]] == ["Idempotency-Key"]
    assert await Booking.count() == 0


async def test_two_keys_in_one_request_are_400(client: httpx.AsyncClient, home) -> None:  # noqa: F811
    headers = [*(await resident(home)).items(), ("idempotency-key", "a"), ("idempotency-key", "b")]
    refused = await client.post("/api/v1/bookings", json=SLOT, headers=headers)
    assert refused.status_code == 400
    assert await Booking.count() == 0


async def test_a_key_of_255_characters_is_accepted(client: httpx.AsyncClient, home) -> None:  # noqa: F811
    headers = {**await resident(home), "idempotency-key": "k" * 255}
    first = await client.post("/api/v1/bookings", json=SLOT, headers=headers)
    assert first.status_code == 201
    assert same_answer(first, await client.post("/api/v1/bookings", json=SLOT, headers=headers))


async def test_one_key_of_two_people_is_two_keys(client: httpx.AsyncClient, home) -> None:  # noqa: F811
    wang = {**await resident(home), "idempotency-key": "same"}
    li = {**await resident(home), "idempotency-key": "same"}
    assert (await client.post("/api/v1/bookings", json=SLOT, headers=wang)).status_code == 201
    assert (await client.post("/api/v1/bookings", json=NEXT_WEEK, headers=li)).status_code == 201
    assert await Booking.count() == 2


async def test_a_key_expires_after_24_hours(
    client: httpx.AsyncClient,
    home,  # noqa: F811
    frozen_clock,
) -> None:
    headers = {**await resident(home), "idempotency-key": "daily"}
    first = await client.post("/api/v1/bookings", json=SLOT, headers=headers)
    assert first.status_code == 201
    frozen_clock[0] = NOW + timedelta(hours=24) - timedelta(seconds=1)
    assert (
        await client.post("/api/v1/bookings", json=NEXT_WEEK, headers=headers)
    ).status_code == 422
    frozen_clock[0] = NOW + timedelta(hours=24)
    later = await client.post("/api/v1/bookings", json=NEXT_WEEK, headers=headers)
    assert later.status_code == 201
    assert later.json()["id"] != first.json()["id"]
    assert await Booking.count() == 2


async def test_two_concurrent_first_requests_run_once(
    client: httpx.AsyncClient,
    home,  # noqa: F811
    db_pool: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    headers = {**await resident(home), "idempotency-key": "twice"}
    gate = asyncio.Event()
    real_book = bookings.book
    calls = []

    async def held_book(*args, **kwargs):
        calls.append(args)
        await gate.wait()
        return await real_book(*args, **kwargs)

    monkeypatch.setattr(bookings, "book", held_book)
    attempts = [
        asyncio.create_task(client.post("/api/v1/bookings", json=SLOT, headers=headers))
        for _ in range(2)
    ]
    done, pending = await asyncio.wait(attempts, timeout=10, return_when=asyncio.FIRST_COMPLETED)
    gate.set()
    assert len(done) == 1 and len(pending) == 1
    (refused,) = [task.result() for task in done]
    (booked,) = [await task for task in pending]
    assert (refused.status_code, refused.json()["rule"]) == (409, "idempotency_in_flight")
    assert booked.status_code == 201
    assert len(calls) == 1
    assert await Booking.count() == 1


async def test_the_schema_documents_the_header_and_its_answers(client: httpx.AsyncClient) -> None:
    schema = (await client.get("/schema/openapi.json")).json()
    for path in ("/api/v1/bookings", "/api/v1/bookings/{booking_id}/cancel"):
        operation = schema["paths"][path]["post"]
        (header,) = [p for p in operation["parameters"] if p["in"] == "header"]
        assert (header["name"], header["required"]) == ("Idempotency-Key", False)
        assert {"400", "409", "422"} <= set(operation["responses"])
        assert "still running" in operation["responses"]["409"]["description"]
        assert "different request" in operation["responses"]["422"]["description"]
