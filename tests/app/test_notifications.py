from app import notifications, outbox
from app.tables import Notification, OutboxMessage
from spaces.logic import notices
from tests.factories import NOW, PASSWORD, make_user
from tests.fixtures import Browser, SmtpRecorder


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
        english.id: "Your request for 音乐室 on Mon, Mar 2, 2026 09:00 was approved.",
        chinese.id: "您申请的音乐室（2026年3月2日周一 09:00）已获批准。",
    }
    assert await notifications.unread_count(english.id) == 1
    await notifications.mark_all_read(english.id, NOW)
    assert await notifications.unread_count(english.id) == 0


async def test_email_goes_out_through_smtp_once(db: None, smtp_sink: SmtpRecorder) -> None:
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
    # The phone account's SMS goes out through the log (no SMS sender configured).
    assert await outbox.send_due(NOW) == 2
    assert await outbox.send_due(NOW) == 0
    ((sender, recipients, content),) = smtp_sink.messages
    assert (sender, recipients) == ("linli@example.com", ["wang@example.com"])
    assert "=?utf-8?" in content or "门球场" in content


async def test_without_smtp_nothing_is_queued_for_email(db: None) -> None:
    user = await make_user("wang@example.com")
    await notifications.notify_user(
        user.id, "x", notices.CANCELLED_BY_STAFF, now=NOW, space="x", when=NOW, reason="r"
    )
    assert await Notification.count() == 1
    assert await OutboxMessage.count() == 0


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
    assert "您预约的门球场（2026年3月2日周一 09:00）已被取消：下雨" in page.text
    await browser.submit("/notifications/read")
    assert '<span class="count">' not in (await browser.get("/")).text
