"""The outbox: claims that two workers never share, retries with back-off, a daily SMS cap,
and what failures show. The database's clock is stepped by hand (`db_clock`), never slept."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta
from typing import Any

import asyncpg
import pytest

from app import notifications, notify, outbox, throttle
from app.tables import OutboxMessage
from spaces.logic import notices
from tests.conftest import ENGINE
from tests.factories import NOW, PASSWORD, make_user
from tests.fixtures import Browser, SmtpRecorder, SteppingClock


class FakeSender:
    """Records every message it is handed; fails those to addresses in `failing`."""

    def __init__(self, failing: tuple[str, ...] = ()) -> None:
        self.failing = failing
        self.tried: list[notify.OutgoingMessage] = []

    async def send(self, message: notify.OutgoingMessage) -> None:
        self.tried.append(message)
        if message.to in self.failing:
            raise ConnectionRefusedError("mail server down")


@pytest.fixture
def sender(monkeypatch: pytest.MonkeyPatch) -> FakeSender:
    fake = FakeSender()
    monkeypatch.setattr(notify, "sender_for", lambda channel: fake)
    return fake


async def queue(to: str, *, at: datetime = NOW, channel: outbox.Channel = "email") -> Any:
    row = await outbox.enqueue(channel, to, f"to {to}", subject="Linli", now=at)
    assert row is not None
    return row.id


async def state(row_id: int) -> tuple[Any, ...]:
    row = await OutboxMessage.objects().where(OutboxMessage.id == row_id).first()
    assert row is not None
    return row.attempts, row.next_attempt_at, row.sent_at, row.failed_at, row.claimed_by


async def test_two_workers_interleaved_never_claim_one_row(
    db: None, db_clock: SteppingClock
) -> None:
    ids = [await queue(f"n{n}@example.com", at=NOW + timedelta(seconds=n)) for n in range(3)]
    db_clock.step(timedelta(seconds=5))
    first = await outbox.claim("w1", 2)
    second = await outbox.claim("w2", 2)
    assert [row.id for row in first] == ids[:2]
    assert [row.id for row in second] == ids[2:]
    assert await outbox.claim("w1", 2) == []
    assert await state(ids[0]) == (0, NOW, None, None, "w1")
    # w1 died without sending: once its claim runs out another worker takes the rows.
    db_clock.step(outbox.CLAIM_FOR - timedelta(seconds=1))
    assert await outbox.claim("w2", 5) == []
    db_clock.step(timedelta(seconds=1))
    assert [row.id for row in await outbox.claim("w2", 5)] == ids


async def test_many_workers_at_once_claim_each_row_exactly_once(
    db: None, db_clock: SteppingClock
) -> None:
    ids = [await queue(f"n{n}@example.com") for n in range(12)]
    claims = await asyncio.gather(*(outbox.claim(f"w{n}", 2) for n in range(10)))
    claimed = sorted(row.id for rows in claims for row in rows)
    assert claimed == ids
    assert sorted(len(rows) for rows in claims) == [0, 0, 0, 0, 2, 2, 2, 2, 2, 2]


@pytest.mark.skipif(ENGINE != "postgres", reason="SKIP LOCKED is PostgreSQL's")
async def test_a_claim_skips_rows_another_connection_has_locked(
    db: None, db_clock: SteppingClock
) -> None:
    from app.db import engine

    ids = [await queue(f"n{n}@example.com", at=NOW + timedelta(seconds=n)) for n in range(2)]
    db_clock.step(timedelta(seconds=5))
    other = await asyncpg.connect(engine().config["dsn"])
    try:
        async with other.transaction():
            await other.execute("SELECT id FROM outbox_message WHERE id = $1 FOR UPDATE", ids[0])
            # Without SKIP LOCKED this would wait for the other transaction (and time out).
            claimed = await asyncio.wait_for(outbox.claim("w2", 5), timeout=5)
            assert [row.id for row in claimed] == ids[1:]
    finally:
        await other.close()
    assert [row.id for row in await outbox.claim("w3", 5)] == ids[:1]


async def test_no_duplicate_while_a_slow_mail_server_holds_a_send(
    db: None, db_clock: SteppingClock, smtp_sink: SmtpRecorder
) -> None:
    row_id = await queue("wang@example.com")
    smtp_sink.held = True
    in_flight = asyncio.create_task(outbox.send_due(NOW, holder="w1"))
    assert await asyncio.to_thread(smtp_sink.arrived.wait, 10)
    # The claim was committed before sending: another worker neither waits nor sends it.
    assert await outbox.send_due(NOW, holder="w2") == 0
    assert smtp_sink.messages == []
    smtp_sink.release()
    assert await in_flight == 1
    assert await outbox.send_due(NOW, holder="w2") == 0
    ((sender, recipients, content),) = smtp_sink.messages
    assert (sender, recipients) == ("linli@example.com", ["wang@example.com"])
    assert f"Message-ID: <linli-outbox-{row_id}@example.com>" in content
    assert "Date: Mon, 02 Mar 2026 01:00:00 +0000" in content
    assert await state(row_id) == (1, NOW, NOW, None, "")


async def test_message_id_and_date_stay_the_same_on_every_try(
    db: None, db_clock: SteppingClock, sender: FakeSender
) -> None:
    row_id = await queue("wang@example.com")
    sender.failing = ("wang@example.com",)
    assert await outbox.send_due(NOW) == 0
    sender.failing = ()
    db_clock.step(timedelta(minutes=1))
    assert await outbox.send_due(NOW) == 1
    assert [(m.message_id, m.date) for m in sender.tried] == [
        (f"<linli-outbox-{row_id}@localhost>", NOW),
        (f"<linli-outbox-{row_id}@localhost>", NOW),
    ]


async def test_retries_back_off_exactly_and_the_eighth_failure_gives_up(
    db: None, db_clock: SteppingClock, sender: FakeSender
) -> None:
    row_id = await queue("wang@example.com")
    sender.failing = ("wang@example.com",)
    waits = []
    assert await outbox.send_due(NOW) == 0
    for _attempt in range(outbox.MAX_ATTEMPTS - 1):
        attempts, next_at, *_rest = await state(row_id)
        waits.append(next_at - db_clock.now)
        db_clock.now = next_at - timedelta(seconds=1)
        assert await outbox.send_due(NOW) == 0
        assert (await state(row_id))[0] == attempts  # not due yet: not tried
        db_clock.now = next_at
        assert await outbox.send_due(NOW) == 0
    assert [int(wait.total_seconds() // 60) for wait in waits] == [1, 2, 4, 8, 16, 32, 60]
    attempts, _next_at, sent_at, failed_at, claimed_by = await state(row_id)
    assert (attempts, sent_at, failed_at, claimed_by) == (8, None, db_clock.now, "")
    assert len(sender.tried) == 8
    db_clock.step(timedelta(days=1))
    assert await outbox.send_due(NOW) == 0
    assert len(sender.tried) == 8
    row = await OutboxMessage.objects().where(OutboxMessage.id == row_id).first()
    assert row is not None and "mail server down" in row.last_error


async def test_a_failing_row_never_blocks_a_newer_one(
    db: None, db_clock: SteppingClock, sender: FakeSender, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(outbox, "BATCH", 1)
    sender.failing = ("broken@example.com",)
    old = await queue("broken@example.com")
    assert await outbox.send_due(NOW) == 0
    new = await queue("wang@example.com", at=NOW + timedelta(seconds=10))
    db_clock.step(timedelta(seconds=20))
    assert await outbox.send_due(NOW) == 1
    assert (await state(new))[2] == NOW + timedelta(seconds=20)
    assert (await state(old))[:3] == (1, NOW + timedelta(minutes=1), None)


async def test_sms_to_a_number_with_no_account_goes_through_the_log(
    db: None, db_clock: SteppingClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="linli.notify")
    row_id = await queue("13900000001", channel="sms")
    assert await outbox.send_due(NOW) == 1
    (message,) = [r.outgoing for r in caplog.records if hasattr(r, "outgoing")]
    assert (message.channel, message.to, message.body) == ("sms", "13900000001", "to 13900000001")
    assert await state(row_id) == (1, NOW, NOW, None, "")


async def test_phone_accounts_get_at_most_ten_sms_a_day(db: None, db_clock: SteppingClock) -> None:
    user = await make_user("13800000031", locale="en")
    for n in range(11):
        await notifications.notify_user(
            user.id,
            "booking.approved",
            notices.APPROVED,
            now=NOW + timedelta(minutes=n),
            space="Music room",
            when=NOW,
        )
    rows = await OutboxMessage.objects().order_by(OutboxMessage.id)
    assert len(rows) == 10
    assert {(row.channel, row.to_address, row.user) for row in rows} == {
        ("sms", "13800000031", user.id)
    }
    assert (
        rows[0].body
        == "[Linli] Your request for Music room on Mon, Mar 2, 2026 09:00 was approved."
    )
    assert await notifications.unread_count(user.id) == 11
    # A day after the first, one more may go.
    await notifications.notify_user(
        user.id,
        "booking.approved",
        notices.APPROVED,
        now=NOW + timedelta(hours=24),
        space="Music room",
        when=NOW,
    )
    assert await OutboxMessage.count() == 11


async def test_sms_only_for_notices_that_change_what_to_do(db: None) -> None:
    user = await make_user("13800000032")
    for kind, notice in (
        ("booking.reminder", notices.REMINDER),
        ("booking.rejected", notices.REJECTED),
    ):
        await notifications.notify_user(
            user.id, kind, notice, now=NOW, space="门球场", when=NOW, reason="已满"
        )
    (row,) = await OutboxMessage.objects()
    assert (row.channel, row.body) == (
        "sms",
        "【邻里】您申请的门球场（2026年3月2日周一 09:00）未获批准：已满。",
    )


async def test_a_failed_message_shows_beside_the_notice_and_on_the_admin_dashboard(
    browser: Browser, db_clock: SteppingClock, sender: FakeSender
) -> None:
    user = await make_user("13800000033")
    await make_user("admin@example.com", is_admin=True)
    row = await notifications.notify_user(
        user.id,
        "booking.cancelled",
        notices.CANCELLED_BY_STAFF,
        now=NOW,
        space="门球场",
        when=NOW,
        reason="下雨",
    )
    assert row is not None
    sender.failing = ("13800000033",)
    for _attempt in range(outbox.MAX_ATTEMPTS):
        await outbox.send_due(NOW)
        db_clock.step(outbox.LONGEST_RETRY)
    assert await outbox.undelivered_count() == 1
    await browser.sign_in("13800000033", PASSWORD)
    page = await browser.get("/notifications")
    assert "我们未能用短信把这条通知发给您。" in page.text
    browser.client.cookies.clear()
    await browser.sign_in("admin@example.com", PASSWORD)
    dashboard = await browser.get("/staff")
    assert "1 条消息未能通过邮件或短信送达。" in dashboard.text


async def test_sms_queued_past_the_cap_at_once_are_never_sent_past_it(
    db: None, db_clock: SteppingClock, sender: FakeSender
) -> None:
    """Changes that could not see each other's rows may queue more than the cap between
    them (each counted nine before it); sending still stops at ten in 24 hours."""
    for n in range(12):
        await OutboxMessage(
            channel="sms",
            to_address="13900000002",
            body=f"notice {n}",
            created_at=NOW,
            next_attempt_at=NOW,
        ).save()
    assert await outbox.send_due(NOW) == 10
    assert [message.body for message in sender.tried] == [f"notice {n}" for n in range(10)]
    given_up = await OutboxMessage.objects().where(OutboxMessage.failed_at.is_not_null())
    assert [(row.body, row.attempts, row.failed_at) for row in given_up] == [
        ("notice 10", outbox.MAX_ATTEMPTS, NOW),
        ("notice 11", outbox.MAX_ATTEMPTS, NOW),
    ]
    assert given_up[0].last_error == "RuntimeError('over 10 SMS to this number in 24 hours')"


async def test_an_sms_that_fails_to_send_does_not_count_towards_the_cap(
    db: None, db_clock: SteppingClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(notify, "sender_for", lambda channel: FakeSender(("13900000003",)))
    await queue("13900000003", channel="sms")
    assert await outbox.send_due(NOW) == 0
    assert await throttle.counted(outbox.SMS_SENT, "13900000003", NOW) == 0
