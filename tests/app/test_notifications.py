import dataclasses
import socket

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Sink

from app import notifications, notify, settings
from app.tables import Notification
from spaces.logic import notices
from tests.factories import NOW, PASSWORD, make_user
from tests.fixtures import Browser


class Recorder(Sink):
    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], str]] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.mail_from, envelope.rcpt_tos, envelope.content.decode()))
        return "250 OK"


@pytest.fixture
def smtp_sink(monkeypatch: pytest.MonkeyPatch):
    """A local SMTP server that records what it is sent, and Linli set up to use it."""
    recorder = Recorder()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(recorder, hostname="127.0.0.1", port=port)
    controller.start()
    current = settings.get_settings()
    mail = dataclasses.replace(
        current.mail,
        smtp_host="127.0.0.1",
        smtp_port=port,
        mail_from="linli@example.com",
        smtp_tls="none",
    )
    patched = dataclasses.replace(current, mail=mail)
    for module in (settings, notifications, notify):
        monkeypatch.setattr(module, "get_settings", lambda: patched)
    notify._sender.cache_clear()
    yield recorder
    controller.stop()
    notify._sender.cache_clear()


async def test_notification_is_in_the_recipients_language(db: None) -> None:
    english = await make_user("13800000021", locale="en")
    chinese = await make_user("13800000022", locale="zh_CN")
    for user in (english, chinese):
        await notifications.notify_user(
            user.id,
            "booking.approved",
            notices.APPROVED,
            link="/bookings/x",
            now=NOW,
            space="音乐室",
            when=NOW,
        )
    titles = {row.user: row.title for row in await Notification.objects()}
    assert titles == {
        english.id: "Your request for 音乐室 on 3/2/26, 9:00\u202fAM was approved.",
        chinese.id: "您申请的音乐室（2026/3/2 09:00）已获批准。",
    }
    assert await notifications.unread_count(english.id) == 1
    await notifications.mark_all_read(english.id, NOW)
    assert await notifications.unread_count(english.id) == 0


async def test_email_goes_out_through_smtp_once(db: None, smtp_sink: Recorder) -> None:
    wang = await make_user("wang@example.com", locale="zh_CN")
    phone = await make_user("13800000023")
    for user in (wang, phone):
        await notifications.notify_user(
            user.id,
            "booking.cancelled",
            notices.CANCELLED_BY_STAFF,
            now=NOW,
            space="门球场",
            when=NOW,
            reason="下雨",
        )
    assert await notifications.send_pending_emails(NOW) == 1
    assert await notifications.send_pending_emails(NOW) == 0
    ((sender, recipients, content),) = smtp_sink.messages
    assert (sender, recipients) == ("linli@example.com", ["wang@example.com"])
    assert "=?utf-8?" in content or "门球场" in content


async def test_without_smtp_nothing_is_queued_for_email(db: None) -> None:
    user = await make_user("wang@example.com")
    row = await notifications.notify_user(
        user.id, "x", notices.CANCELLED_BY_STAFF, now=NOW, space="x", when=NOW, reason="r"
    )
    assert row.email_pending is False


async def test_notices_page_shows_and_marks_read(browser: Browser) -> None:
    user = await make_user("13812345678")
    await notifications.notify_user(
        user.id,
        "x",
        notices.CANCELLED_BY_STAFF,
        link="/bookings",
        now=NOW,
        space="门球场",
        when=NOW,
        reason="下雨",
    )
    await browser.sign_in("13812345678", PASSWORD)
    home = await browser.get("/")
    assert '通知 <span class="count">1' in home.text
    page = await browser.get("/notifications")
    assert "您预约的门球场（2026/3/2 09:00）已被取消：下雨" in page.text
    await browser.submit("/notifications/read")
    assert '<span class="count">' not in (await browser.get("/")).text
