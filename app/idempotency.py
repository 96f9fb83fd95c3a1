"""The answers of API requests sent with an `Idempotency-Key`, kept per person and key so a
retry gets the first answer again (IETF draft-ietf-httpapi-idempotency-key-header).

A request first claims its key: it inserts an in-flight row, committed before the work
runs, and the unique (person, key) index decides between concurrent first requests on both
engines. The final answer then replaces the in-flight state; an answer that must not be
kept (401, 429, 5xx) releases the key instead. Rows live 24 hours: the `idempotency.prune`
job deletes expired ones, and a claim takes over an expired row of its key at once.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from piccolo.columns import Column
from piccolo.columns.combination import And

from app.db import is_unique_violation
from app.errors import FieldError, InFlight, InputError
from app.i18n import _
from app.tables import IdempotentAnswer

KEEP = timedelta(hours=24)
"""How long a final answer is replayed."""
ABANDONED_AFTER = timedelta(seconds=60)
"""An in-flight request older than this is taken to have died; a retry runs afresh."""
HEADER = "Idempotency-Key"
_CLAIM_ATTEMPTS = 3


def is_final(status: int) -> bool:
    """True for the answers a retry gets again: 2xx, 400, 404, 409 and 422 (never 401,
    429 or 5xx, which a retry may well change)."""
    return 200 <= status < 300 or status in {400, 404, 409, 422}


@dataclass(frozen=True)
class Answer:
    """A kept answer, replayed byte for byte."""

    status: int
    content_type: str
    location: str
    body: bytes


@dataclass(frozen=True)
class Claim:
    """The right of one request to run under a key, until it completes or releases it."""

    user_id: int
    key: str
    token: str


def booking_key(key: str, fingerprint: str) -> str:
    """What a booking made under the API `key` for a body with `fingerprint` keeps as its own
    idempotency key, inside the booking's transaction: a retry of that request after a crash
    between the booking and keeping its answer finds the booking instead of booking again,
    while the key reused for another body after its 24 hours books afresh. A SHA-256, so a
    255-character key fits the booking's column."""
    return "api:" + hashlib.sha256(f"{fingerprint}:{key}".encode()).hexdigest()


def _in_flight() -> InFlight:
    return InFlight(
        _("A request with this Idempotency-Key is still running. Try again in a moment.")
    )


def _reused() -> InputError:
    message = _("This Idempotency-Key was already used for a different request.")
    return InputError([FieldError(HEADER, message)], message)


async def claim(
    user_id: int, key: str, *, target: str, fingerprint: str, now: datetime
) -> Claim | Answer:
    """Claim `key` for a request to `target` (method and path) whose body has
    `fingerprint`, or return the answer kept for it.

    Raises `InFlight` (a `Conflict`) while an earlier request with the key is still running
    (for less than `ABANDONED_AFTER`), and `InputError` when the key was used for another request.
    """
    for _attempt in range(_CLAIM_ATTEMPTS):
        token = secrets.token_hex(16)
        fresh: dict[Column | str, Any] = {
            IdempotentAnswer.target: target,
            IdempotentAnswer.fingerprint: fingerprint,
            IdempotentAnswer.claim: token,
            IdempotentAnswer.claimed_at: now,
            IdempotentAnswer.expires_at: now + KEEP,
            IdempotentAnswer.status: None,
            IdempotentAnswer.content_type: "",
            IdempotentAnswer.location: "",
            IdempotentAnswer.body: b"",
        }
        try:
            await IdempotentAnswer.insert(
                IdempotentAnswer(
                    user=user_id,
                    key=key,
                    target=target,
                    fingerprint=fingerprint,
                    claim=token,
                    claimed_at=now,
                    expires_at=now + KEEP,
                )
            )
            return Claim(user_id, key, token)
        except Exception as exc:
            if not is_unique_violation(exc):
                raise
        row = await IdempotentAnswer.objects().where(_of(user_id, key)).first()
        if row is None:
            continue  # released between our insert and this read: claim again
        if row.expires_at > now:
            if (row.target, row.fingerprint) != (target, fingerprint):
                raise _reused()
            if row.status is not None:
                return Answer(row.status, row.content_type, row.location, bytes(row.body))
            if row.claimed_at > now - ABANDONED_AFTER:
                raise _in_flight()
        # Expired, or abandoned in flight: take it over, unless another retry just did.
        taken = (
            await IdempotentAnswer.update(fresh)
            .where((IdempotentAnswer.id == row.id) & (IdempotentAnswer.claim == row.claim))
            .returning(IdempotentAnswer.id)
        )
        if taken:
            return Claim(user_id, key, token)
    raise _in_flight()


def _of(user_id: int, key: str) -> And:
    return (IdempotentAnswer.user == user_id) & (IdempotentAnswer.key == key)


def _held(claimed: Claim) -> And:
    return _of(claimed.user_id, claimed.key) & (IdempotentAnswer.claim == claimed.token)


async def complete(claimed: Claim, answer: Answer, *, now: datetime) -> None:
    """Keep `answer` for 24 hours from `now` (if the claim still holds the key)."""
    await IdempotentAnswer.update(
        {
            IdempotentAnswer.status: answer.status,
            IdempotentAnswer.content_type: answer.content_type,
            IdempotentAnswer.location: answer.location,
            IdempotentAnswer.body: answer.body,
            IdempotentAnswer.expires_at: now + KEEP,
        }
    ).where(_held(claimed))


async def release(claimed: Claim) -> None:
    """Forget the claim: the answer is not kept, and a retry runs afresh."""
    await IdempotentAnswer.delete().where(_held(claimed))


async def prune(now: datetime) -> None:
    """Housekeeping job: answers past their 24 hours are no longer replayed."""
    await IdempotentAnswer.delete().where(IdempotentAnswer.expires_at <= now)
