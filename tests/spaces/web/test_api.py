"""The spaces and bookings JSON API: lists, availability, booking and cancelling, problem
details, tokens, idempotency keys and concurrent attempts over HTTP."""

import asyncio

import httpx
import pytest

from app.accounts import sessions
from spaces.tables import Booking
from tests.factories import NOW, make_community, make_space, make_user

NOW_LOCAL = "2026-03-02T09:00:00+08:00"  # == NOW


async def bearer(user) -> dict[str, str]:
    _row, token = await sessions.create_api_token(user, "test", NOW)
    return {"authorization": f"Bearer {token}", "accept-language": "en"}


@pytest.fixture
async def home(db: None):
    community = await make_community("caijiaxiang")
    await make_space(
        community,
        "music-room",
        weekly_hours={"mon": "09:00-12:00"},
        slot_minutes=60,
        max_party_size=12,
        horizon_days=14,
    )
    return community


async def test_spaces_list_and_detail(client: httpx.AsyncClient, home) -> None:
    listed = await client.get("/api/v1/spaces", headers={"accept-language": "en"})
    assert listed.status_code == 200
    (item,) = listed.json()["items"]
    assert {
        k: item[k]
        for k in (
            "slug",
            "name",
            "kind",
            "community",
            "capacity",
            "timezone",
            "slot_minutes",
            "requires_approval",
        )
    } == {
        "slug": "music-room",
        "name": "Shared music room",
        "kind": "music_room",
        "community": "caijiaxiang",
        "capacity": 1,
        "timezone": "Asia/Shanghai",
        "slot_minutes": 60,
        "requires_approval": False,
    }
    assert item["weekly_hours"] == {"mon": "09:00-12:00"}
    assert listed.json()["next"] is None
    detail = await client.get("/api/v1/spaces/music-room")
    assert detail.json()["rules"]["max_party_size"] == 12
    assert (await client.get("/api/v1/spaces/nowhere")).status_code == 404


async def test_availability_of_a_day(client: httpx.AsyncClient, home) -> None:
    owner = await make_user(community=home)
    response = await client.post(
        "/api/v1/bookings",
        json={
            "space": "music-room",
            "start": "2026-03-02T10:00:00+08:00",
            "end": "2026-03-02T11:00:00+08:00",
        },
        headers=await bearer(owner),
    )
    assert response.status_code == 201
    availability = await client.get("/api/v1/spaces/music-room/availability?from=2026-03-02&days=1")
    assert availability.json() == {
        "timezone": "Asia/Shanghai",
        "slots": [
            {
                "start": "2026-03-02T09:00:00+08:00",
                "end": "2026-03-02T10:00:00+08:00",
                "free_units": 1,
                "bookable": True,
            },
            {
                "start": "2026-03-02T10:00:00+08:00",
                "end": "2026-03-02T11:00:00+08:00",
                "free_units": 0,
                "bookable": False,
            },
            {
                "start": "2026-03-02T11:00:00+08:00",
                "end": "2026-03-02T12:00:00+08:00",
                "free_units": 1,
                "bookable": True,
            },
        ],
    }
    assert (await client.get("/api/v1/spaces/music-room/availability?days=40")).status_code == 422


async def test_create_show_list_cancel(client: httpx.AsyncClient, home) -> None:
    headers = await bearer(await make_user(community=home))
    created = await client.post(
        "/api/v1/bookings",
        json={
            "space": "music-room",
            "start": "2026-03-02T02:00:00Z",
            "end": "2026-03-02T03:00:00Z",
            "party_size": 8,
        },
        headers=headers,
    )
    assert created.status_code == 201
    body = created.json()
    assert {k: body[k] for k in ("space", "start", "end", "units", "status", "party_size")} == {
        "space": "music-room",
        "start": "2026-03-02T10:00:00+08:00",
        "end": "2026-03-02T11:00:00+08:00",
        "units": 1,
        "status": "confirmed",
        "party_size": 8,
    }
    booking_id = body["id"]
    assert (await client.get(f"/api/v1/bookings/{booking_id}", headers=headers)).json()[
        "id"
    ] == booking_id
    assert [
        b["id"] for b in (await client.get("/api/v1/bookings", headers=headers)).json()["items"]
    ] == [booking_id]
    cancelled = await client.post(f"/api/v1/bookings/{booking_id}/cancel", headers=headers)
    assert (cancelled.status_code, cancelled.json()["status"]) == (200, "cancelled")
    again = await client.post(
        f"/api/v1/bookings/{booking_id}/cancel", json={"reason": ""}, headers=headers
    )
    assert (again.status_code, again.json()["status"]) == (200, "cancelled")


async def test_refusals_are_problem_details(client: httpx.AsyncClient, home) -> None:
    headers = await bearer(await make_user(community=home))
    other = await bearer(await make_user(community=home))
    slot = {
        "space": "music-room",
        "start": "2026-03-02T10:00:00+08:00",
        "end": "2026-03-02T11:00:00+08:00",
    }
    assert (await client.post("/api/v1/bookings", json=slot, headers=headers)).status_code == 201
    taken = await client.post("/api/v1/bookings", json=slot, headers=other)
    assert taken.status_code == 409
    assert taken.json()["rule"] == "capacity"
    assert taken.json()["alternatives"][:2] == [
        {"start": "2026-03-02T09:00:00+08:00", "end": "2026-03-02T10:00:00+08:00"},
        {"start": "2026-03-02T11:00:00+08:00", "end": "2026-03-02T12:00:00+08:00"},
    ]
    misaligned = await client.post(
        "/api/v1/bookings", json={**slot, "start": "2026-03-02T10:30:00+08:00"}, headers=other
    )
    assert (misaligned.status_code, misaligned.json()["rule"]) == (422, "alignment")
    far = await client.post(
        "/api/v1/bookings",
        json={**slot, "start": "2026-03-30T10:00:00+08:00", "end": "2026-03-30T11:00:00+08:00"},
        headers=other,
    )
    assert (far.status_code, far.json()["rule"]) == (422, "horizon")
    past = await client.post(
        "/api/v1/bookings",
        json={**slot, "start": "2026-02-23T10:00:00+08:00", "end": "2026-02-23T11:00:00+08:00"},
        headers=other,
    )
    assert (past.status_code, past.json()["rule"]) == (422, "past")
    naive = await client.post(
        "/api/v1/bookings",
        json={**slot, "start": "2026-03-02T10:00:00", "end": "2026-03-02T11:00:00"},
        headers=other,
    )
    assert naive.status_code == 422
    assert [e["field"] for e in naive.json()["errors"]] == ["start", "end"]
    backwards = await client.post(
        "/api/v1/bookings", json={**slot, "end": "2026-03-02T09:00:00+08:00"}, headers=other
    )
    assert (backwards.status_code, backwards.json()["errors"][0]["field"]) == (422, "end")
    too_many = await client.post(
        "/api/v1/bookings",
        json={
            **slot,
            "units": 2,
            "start": "2026-03-02T11:00:00+08:00",
            "end": "2026-03-02T12:00:00+08:00",
        },
        headers=other,
    )
    assert (too_many.status_code, too_many.json()["errors"][0]["field"]) == (422, "units")
    unknown = await client.post(
        "/api/v1/bookings", json={**slot, "space": "nowhere"}, headers=other
    )
    assert unknown.status_code == 404
    malformed = await client.post(
        "/api/v1/bookings", content=b"{", headers={**other, "content-type": "application/json"}
    )
    assert malformed.status_code == 400
    assert await Booking.count() == 1


async def test_bookings_need_a_token_and_stay_private(client: httpx.AsyncClient, home) -> None:
    slot = {
        "space": "music-room",
        "start": "2026-03-02T10:00:00+08:00",
        "end": "2026-03-02T11:00:00+08:00",
    }
    assert (await client.post("/api/v1/bookings", json=slot)).status_code == 401
    owner = await bearer(await make_user(community=home))
    booking_id = (await client.post("/api/v1/bookings", json=slot, headers=owner)).json()["id"]
    stranger = await bearer(await make_user(community=home))
    assert (await client.get(f"/api/v1/bookings/{booking_id}", headers=stranger)).status_code == 404
    assert (
        await client.post(f"/api/v1/bookings/{booking_id}/cancel", headers=stranger)
    ).status_code == 404
    assert (await client.get("/api/v1/bookings/not-a-uuid", headers=stranger)).status_code == 404


async def test_idempotency_key_repeats_the_first_answer(client: httpx.AsyncClient, home) -> None:
    headers = {**await bearer(await make_user(community=home)), "idempotency-key": "retry-7"}
    slot = {
        "space": "music-room",
        "start": "2026-03-02T10:00:00+08:00",
        "end": "2026-03-02T11:00:00+08:00",
    }
    first = await client.post("/api/v1/bookings", json=slot, headers=headers)
    second = await client.post("/api/v1/bookings", json=slot, headers=headers)
    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json() == second.json()
    assert await Booking.count() == 1


async def test_fifty_concurrent_http_attempts_one_booking_no_5xx(
    client: httpx.AsyncClient, db_pool: None
) -> None:
    community = await make_community()
    await make_space(community, "court")
    tokens = [await bearer(await make_user(community=community)) for _ in range(50)]
    slot = {
        "space": "court",
        "start": "2026-03-02T10:00:00+08:00",
        "end": "2026-03-02T11:00:00+08:00",
    }
    responses = await asyncio.gather(
        *(client.post("/api/v1/bookings", json=slot, headers=h) for h in tokens)
    )
    codes = sorted(r.status_code for r in responses)
    assert codes == [201] + [409] * 49
    assert await Booking.count() == 1
