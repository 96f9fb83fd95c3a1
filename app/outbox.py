"""The outbox: email and SMS written with the change they report, sent later by a job.

A row is written in the transaction of the change (a notice, or a message to a phone number
that has no account), so it exists exactly when the change does. The job claims due rows in
a short transaction (`FOR UPDATE SKIP LOCKED` on PostgreSQL; the same select and update
under `BEGIN IMMEDIATE` on SQLite), sends each outside it, and marks each sent on its own:
two workers never hold one row at once, a worker that dies leaves its rows to be claimed
again when the claim runs out, and a message may (rarely) arrive twice but is never lost.
A failed try is retried after 1, 2, 4 … minutes; after `MAX_ATTEMPTS` the row is marked
failed, which the recipient sees beside the notice and administrators see counted. Claims,
back-off and sent times are the database's clock (`clock.db_now()`).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta
from typing import Literal

from piccolo.columns.combination import Combinable

from app import clock, db, notify, throttle
from app.errors import Throttled
from app.settings import get_settings
from app.tables import OutboxMessage

log = logging.getLogger("linli.outbox")

Channel = Literal["email", "sms"]

BATCH = 20
"""Rows one worker claims at a time."""
CLAIM_FOR = timedelta(minutes=10)
"""How long a claim keeps other workers off a row: longer than a batch takes to send."""
SEND_TIMEOUT_S = 60.0
"""A sender that has not answered by then counts as failed (the row is tried again)."""
MAX_ATTEMPTS = 8
FIRST_RETRY = timedelta(minutes=1)
LONGEST_RETRY = timedelta(hours=1)
SMS_PER_DAY = 10
"""SMS for one number in any 24 hours: later ones are not queued, and of those queued at the
same moment by changes that could not see each other, no more than this are sent."""
SMS_WINDOW = timedelta(hours=24)
SMS_SENT = throttle.Limit("sms-recipient", SMS_PER_DAY, SMS_WINDOW)
"""The exact cap, taken as each SMS is sent (the count at queueing is a courtesy check made
inside the caller's transaction, where a lock per number could deadlock)."""
KEEP_FOR = timedelta(days=30)
"""Sent and failed rows are kept this long (failures stay counted meanwhile)."""
ERROR_CHARS = 500


def retry_delay(attempts: int) -> timedelta:
    """The wait after the `attempts`-th failed try: 1, 2, 4 … minutes, at most an hour."""
    return min(FIRST_RETRY * 2 ** (attempts - 1), LONGEST_RETRY)


async def sms_queued_since(to_address: str, since: datetime) -> int:
    return await OutboxMessage.count().where(
        (OutboxMessage.channel == "sms")
        & (OutboxMessage.to_address == to_address)
        & (OutboxMessage.created_at > since)
    )


async def enqueue(
    channel: Channel,
    to_address: str,
    body: str,
    *,
    now: datetime,
    subject: str = "",
    user_id: int | None = None,
    notification_id: int | None = None,
) -> OutboxMessage | None:
    """Queue one message, in the caller's transaction if there is one; `body` is already in
    the recipient's language. An SMS to a number that was queued `SMS_PER_DAY` SMS in the
    24 hours before `now` is not queued (None): a notice in the app still exists."""
    if channel == "sms" and await sms_queued_since(to_address, now - SMS_WINDOW) >= SMS_PER_DAY:
        log.warning(
            "SMS to %s not queued: %s today already", notify.mask_phone(to_address), SMS_PER_DAY
        )
        return None
    row = OutboxMessage(
        channel=channel,
        to_address=to_address,
        subject=subject[:200],
        body=body,
        notification=notification_id,
        user=user_id,
        created_at=now,
        next_attempt_at=now,
    )
    await row.save()
    return row


def _due(now: datetime) -> Combinable:
    return (
        OutboxMessage.sent_at.is_null()
        & OutboxMessage.failed_at.is_null()
        & (OutboxMessage.next_attempt_at <= now)
        & (OutboxMessage.claimed_until.is_null() | (OutboxMessage.claimed_until <= now))
    )


async def claim(holder: str, limit: int) -> list[OutboxMessage]:
    """Claim up to `limit` due rows for `holder`, oldest due first, in one short transaction;
    rows another worker holds (locked now, or claimed and not run out) are skipped."""
    async with db.write_transaction():
        now = await clock.db_now()
        due = (
            OutboxMessage.select(OutboxMessage.id)
            .where(_due(now))
            .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
            .limit(limit)
        )
        if not db.is_sqlite():
            due = due.lock_rows(skip_locked=True)
        ids = [row["id"] for row in await due]
        if not ids:
            return []
        await OutboxMessage.update(
            {OutboxMessage.claimed_by: holder, OutboxMessage.claimed_until: now + CLAIM_FOR}
        ).where(OutboxMessage.id.is_in(ids))
        return list(
            await OutboxMessage.objects()
            .where(OutboxMessage.id.is_in(ids))
            .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        )


def message_id(row: OutboxMessage) -> str:
    """The row's `Message-ID`, the same on every try, so a receiver can drop a repeat."""
    domain = get_settings().mail.mail_from.rpartition("@")[2] or "localhost"
    return f"<linli-outbox-{row.id}@{domain}>"


def outgoing(row: OutboxMessage) -> notify.OutgoingMessage:
    return notify.OutgoingMessage(
        channel="sms" if row.channel == "sms" else "email",
        to=row.to_address,
        subject=row.subject,
        body=row.body,
        message_id=message_id(row),
        date=row.created_at,
    )


async def _mark_sent(row: OutboxMessage) -> None:
    now = await clock.db_now()
    await OutboxMessage.update(
        {
            OutboxMessage.sent_at: now,
            OutboxMessage.attempts: row.attempts + 1,
            OutboxMessage.claimed_by: "",
            OutboxMessage.claimed_until: None,
        }
    ).where((OutboxMessage.id == row.id) & OutboxMessage.sent_at.is_null())


async def _mark_failed(row: OutboxMessage, error: BaseException, *, give_up: bool = False) -> None:
    """Count the failed try: back off, or give up after `MAX_ATTEMPTS` (or at once)."""
    now = await clock.db_now()
    attempts = MAX_ATTEMPTS if give_up else row.attempts + 1
    changes: dict = {
        OutboxMessage.attempts: attempts,
        OutboxMessage.last_error: (repr(error) or type(error).__name__)[:ERROR_CHARS],
        OutboxMessage.claimed_by: "",
        OutboxMessage.claimed_until: None,
    }
    if attempts >= MAX_ATTEMPTS:
        changes[OutboxMessage.failed_at] = now
    else:
        changes[OutboxMessage.next_attempt_at] = now + retry_delay(attempts)
    await OutboxMessage.update(changes).where(
        (OutboxMessage.id == row.id) & OutboxMessage.sent_at.is_null()
    )


async def send_claimed(rows: list[OutboxMessage]) -> int:
    """Send each claimed row and mark it sent or failed on its own; the number sent."""
    sent = 0
    for row in rows:
        held = throttle.Reservation()
        if row.channel == "sms":
            try:
                held = await throttle.reserve(
                    SMS_SENT, row.to_address, await clock.db_now(), lambda minutes: ""
                )
            except Throttled:
                log.warning(
                    "SMS %s to %s not sent: %s in 24 hours already",
                    row.id,
                    notify.mask_phone(row.to_address),
                    SMS_PER_DAY,
                )
                over = RuntimeError(f"over {SMS_PER_DAY} SMS to this number in 24 hours")
                await _mark_failed(row, over, give_up=True)
                continue
        try:
            message = outgoing(row)
            await asyncio.wait_for(notify.sender_for(message.channel).send(message), SEND_TIMEOUT_S)
        except Exception as exc:
            await throttle.release(held)
            log.warning(
                "%s %s to %s failed (try %s of %s)",
                row.channel,
                row.id,
                notify.mask_phone(row.to_address),
                row.attempts + 1,
                MAX_ATTEMPTS,
                exc_info=True,
            )
            await _mark_failed(row, exc)
            continue
        await _mark_sent(row)
        sent += 1
    return sent


async def send_due(now: datetime, *, holder: str | None = None) -> int:
    """The outbox job: claim a batch of due rows and send them; the number sent. `now` is
    not used: claims and retries go by the database's clock."""
    if holder is None:
        from app.scheduler import HOLDER

        holder = HOLDER
    return await send_claimed(await claim(holder, BATCH))


async def undelivered_count() -> int:
    """Messages given up on (kept `KEEP_FOR`), for the administrators' dashboard."""
    return await OutboxMessage.count().where(OutboxMessage.failed_at.is_not_null())


async def undelivered_channels(notification_ids: list[int]) -> dict[int, list[str]]:
    """For each of these notices that could not be emailed or texted, the channels."""
    if not notification_ids:
        return {}
    rows = (
        await OutboxMessage.select(OutboxMessage.notification, OutboxMessage.channel)
        .where(
            OutboxMessage.notification.is_in(notification_ids)
            & OutboxMessage.failed_at.is_not_null()
        )
        .order_by(OutboxMessage.id)
    )
    found: dict[int, list[str]] = {}
    for row in rows:
        found.setdefault(row["notification"], []).append(row["channel"])
    return found


async def prune(now: datetime) -> None:
    """Rows sent or given up on more than `KEEP_FOR` ago go."""
    await OutboxMessage.delete().where(
        (OutboxMessage.sent_at < now - KEEP_FOR) | (OutboxMessage.failed_at < now - KEEP_FOR)
    )
