"""Keeping API answers per person and `Idempotency-Key`: claiming (race-free on both
engines), replaying, a key reused for another request, abandoned and expired records."""

import asyncio
from datetime import timedelta

import pytest

from app import idempotency
from app.errors import Conflict, InputError
from app.idempotency import Answer, Claim
from app.tables import IdempotentAnswer
from tests.factories import NOW, make_user

TARGET = "POST /api/v1/bookings"
ANSWER = Answer(201, "application/json", "", b'{"id":"b-1"}')


async def test_claim_then_complete_replays_the_answer(db: None) -> None:
    user = await make_user()
    first = await idempotency.claim(user.id, "k", target=TARGET, fingerprint="f1", now=NOW)
    assert isinstance(first, Claim)
    await idempotency.complete(first, ANSWER, now=NOW)
    again = await idempotency.claim(
        user.id, "k", target=TARGET, fingerprint="f1", now=NOW + timedelta(hours=23)
    )
    assert again == ANSWER


async def test_claim_of_a_running_key_is_a_conflict_until_abandoned(db: None) -> None:
    user = await make_user()
    await idempotency.claim(user.id, "k", target=TARGET, fingerprint="f1", now=NOW)
    with pytest.raises(Conflict) as running:
        await idempotency.claim(
            user.id, "k", target=TARGET, fingerprint="f1", now=NOW + timedelta(seconds=59)
        )
    assert running.value.rule == "idempotency_in_flight"
    taken = await idempotency.claim(
        user.id, "k", target=TARGET, fingerprint="f1", now=NOW + timedelta(seconds=60)
    )
    assert isinstance(taken, Claim)
    assert await IdempotentAnswer.count() == 1


async def test_a_taken_over_claim_no_longer_writes(db: None) -> None:
    user = await make_user()
    stale = await idempotency.claim(user.id, "k", target=TARGET, fingerprint="f1", now=NOW)
    later = NOW + timedelta(minutes=5)
    fresh = await idempotency.claim(user.id, "k", target=TARGET, fingerprint="f1", now=later)
    assert isinstance(stale, Claim) and isinstance(fresh, Claim)
    await idempotency.complete(stale, Answer(409, "application/problem+json", "", b"{}"), now=later)
    await idempotency.release(stale)
    await idempotency.complete(fresh, ANSWER, now=later)
    assert (
        await idempotency.claim(user.id, "k", target=TARGET, fingerprint="f1", now=later) == ANSWER
    )


@pytest.mark.parametrize(
    ("target", "fingerprint"), [(TARGET, "f2"), ("POST /api/v1/bookings/b-1/cancel", "f1")]
)
async def test_the_key_for_another_request_is_refused_naming_the_header(
    db: None, target: str, fingerprint: str
) -> None:
    user = await make_user()
    first = await idempotency.claim(user.id, "k", target=TARGET, fingerprint="f1", now=NOW)
    assert isinstance(first, Claim)
    await idempotency.complete(first, ANSWER, now=NOW)
    with pytest.raises(InputError) as refused:
        await idempotency.claim(user.id, "k", target=target, fingerprint=fingerprint, now=NOW)
    assert [e.field for e in refused.value.errors] == ["Idempotency-Key"]


async def test_an_answer_expires_after_24_hours(db: None) -> None:
    user = await make_user()
    first = await idempotency.claim(user.id, "k", target=TARGET, fingerprint="f1", now=NOW)
    assert isinstance(first, Claim)
    await idempotency.complete(first, ANSWER, now=NOW)
    day_later = NOW + timedelta(hours=24)
    fresh = await idempotency.claim(user.id, "k", target=TARGET, fingerprint="f2", now=day_later)
    assert isinstance(fresh, Claim)
    assert await IdempotentAnswer.count() == 1


async def test_prune_deletes_expired_answers_only(db: None) -> None:
    user = await make_user()
    for key, at in (("old", NOW - timedelta(hours=24)), ("new", NOW - timedelta(hours=23))):
        claimed = await idempotency.claim(user.id, key, target=TARGET, fingerprint="f", now=at)
        assert isinstance(claimed, Claim)
        await idempotency.complete(claimed, ANSWER, now=at)
    await idempotency.prune(NOW)
    assert await IdempotentAnswer.select(IdempotentAnswer.key) == [{"key": "new"}]


async def test_release_lets_a_retry_run(db: None) -> None:
    user = await make_user()
    first = await idempotency.claim(user.id, "k", target=TARGET, fingerprint="f1", now=NOW)
    assert isinstance(first, Claim)
    await idempotency.release(first)
    assert await IdempotentAnswer.count() == 0
    again = await idempotency.claim(user.id, "k", target=TARGET, fingerprint="f1", now=NOW)
    assert isinstance(again, Claim)


async def test_keys_of_two_people_are_independent(db: None) -> None:
    wang, li = await make_user(), await make_user()
    for user in (wang, li):
        claimed = await idempotency.claim(user.id, "k", target=TARGET, fingerprint="f", now=NOW)
        assert isinstance(claimed, Claim)
    assert await IdempotentAnswer.count() == 2


async def test_concurrent_first_claims_exactly_one_wins(db_pool: None) -> None:
    user = await make_user()
    outcomes = await asyncio.gather(
        *(
            idempotency.claim(user.id, "k", target=TARGET, fingerprint="f", now=NOW)
            for _ in range(8)
        ),
        return_exceptions=True,
    )
    assert sorted(type(o).__name__ for o in outcomes) == ["Claim"] + ["InFlight"] * 7
    assert await IdempotentAnswer.count() == 1


async def test_concurrent_retries_of_an_abandoned_claim_exactly_one_wins(db_pool: None) -> None:
    user = await make_user()
    await idempotency.claim(user.id, "k", target=TARGET, fingerprint="f", now=NOW)
    later = NOW + timedelta(minutes=2)
    outcomes = await asyncio.gather(
        *(
            idempotency.claim(user.id, "k", target=TARGET, fingerprint="f", now=later)
            for _ in range(8)
        ),
        return_exceptions=True,
    )
    assert sorted(type(o).__name__ for o in outcomes) == ["Claim"] + ["InFlight"] * 7
    assert await IdempotentAnswer.count() == 1


def test_final_answers_are_the_kept_ones() -> None:
    statuses = (200, 201, 204, 400, 401, 403, 404, 409, 422, 429, 500, 503)
    assert [s for s in statuses if idempotency.is_final(s)] == [200, 201, 204, 400, 404, 409, 422]


def test_booking_key_fits_the_booking_column_and_depends_on_the_body() -> None:
    key = idempotency.booking_key("k" * 255, "f1")
    assert len(key) == 68 and key.startswith("api:")
    assert idempotency.booking_key("k" * 255, "f2") != key


def test_expired_answers_are_pruned_every_hour() -> None:
    from app.asgi import all_jobs

    (job,) = [job for job in all_jobs([]) if job.name == "idempotency.prune"]
    assert (job.every, job.run) == (timedelta(hours=1), idempotency.prune)
