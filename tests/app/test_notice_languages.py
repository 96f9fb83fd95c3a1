"""Every notice reads wholly in its recipient's language, whoever sent it and in whatever
language they worked: the title and body in the app, the email and the SMS.

`NOTICES` has one row per kind passed to `notify_user` and message it is sent with; each row
sends through the same helper the services use, so the names, labels and dates are those the
services pass. `test_every_kind_and_message_has_a_row` reads the sources, so a new kind or
message without a row fails."""

from __future__ import annotations

import ast
import dataclasses
from collections.abc import Awaitable, Callable
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from app import notifications, settings
from app.accounts import services as accounts
from app.i18n import current_locale, join_sentences, localized, set_locale
from app.notifications import notify_user
from app.tables import Notification, OutboxMessage
from needs.services import need_notices, volunteers
from needs.tables import Need
from spaces.logic import notices
from spaces.services import impact, series
from spaces.tables import Booking, BookingSeries, Space
from tests.factories import NOW, make_user, shanghai
from tests.fixtures import DOUBLED_STOP

ROOT = Path(__file__).resolve().parents[2]

SPACE = Space(
    _ignore_missing=True,
    name_zh="共享音乐室",
    name_en="Shared music room",
    timezone="Asia/Shanghai",
)
COMMUNITY = {"name_zh": "蔡家巷社区", "name_en": "Caijiaxiang Community"}
HOLIDAY = {"name_zh": "劳动节", "name_en": "Labour Day"}
STARTS = shanghai(5, 9)
DEADLINE = shanghai(4, 18, 30)
NEED = Need(_ignore_missing=True, description="楼道灯坏了，晚上看不见台阶", category="repairs")
TYPED = "下雨 / rain"
"""A reason typed by staff: it reaches everyone as typed."""

Send = Callable[[int], Awaitable[Any]]


def booking_notice(kind: str, message: str, **params: Any) -> Send:
    """Through `impact.tell`, as the booking services send: the space's name and the time."""

    async def send(user_id: int) -> None:
        booking = Booking(_ignore_missing=True, user=user_id, starts_at=STARTS)
        await impact.tell(booking, SPACE, kind, message, NOW, **params)

    return send


def series_notice(message: str) -> Send:
    async def send(user_id: int) -> None:
        standing = BookingSeries(
            _ignore_missing=True,
            user=user_id,
            weekdays="tue,thu",
            start_time="09:00",
            end_time="11:00",
            starts_on=date(2026, 3, 3),
            ends_on=date(2026, 6, 30),
            units=1,
        )
        await series.notify_resident(standing, SPACE, message, NOW)

    return send


def need_notice(kind: str, message: str, **params: Any) -> Send:
    """Through `need_notices.tell`, as every need service sends: summary and category."""

    async def send(user_id: int) -> None:
        await need_notices.tell(user_id, kind, message, NEED, link="/needs/x", now=NOW, **params)

    return send


def community_name() -> Any:
    """As `needs.services.filing` passes it: read when the notice is written."""
    return partial(localized, COMMUNITY, "name")


def volunteer_notice(kind: str, message: str, **params: Any) -> Send:
    async def send(user_id: int) -> None:
        await notify_user(
            user_id,
            kind,
            message,
            link="/volunteer",
            now=NOW,
            community=volunteers._community_name(COMMUNITY),  # type: ignore[arg-type]
            **params,
        )

    return send


def password_notice(body: str) -> Send:
    async def send(user_id: int) -> None:
        await notify_user(
            user_id,
            "account.password_changed",
            accounts.PASSWORD_CHANGED,
            body,
            link="/account",
            now=NOW,
            when=NOW,
        )

    return send


@dataclasses.dataclass(frozen=True)
class Row:
    kind: str
    message: str
    send: Send
    en: tuple[str, str]
    """Title and body for a recipient reading English."""
    zh: tuple[str, str]


NOTICES = [
    Row(
        "account.password_changed",
        accounts.PASSWORD_CHANGED_BODY,
        password_notice(accounts.PASSWORD_CHANGED_BODY),
        en=(
            "Your password was changed",
            "Your password was changed on Mon, Mar 2, 2026 09:00. You were signed out on your other devices and every API token was revoked. If this was not you, reset your password at once.",
        ),
        zh=(
            "您的密码已修改",
            "您的密码已于 2026年3月2日周一 09:00 修改。您在其他设备上的登录已退出，所有 API 令牌已撤销。如果不是您本人操作，请马上重置密码。",
        ),
    ),
    Row(
        "account.password_changed",
        accounts.PASSWORD_CHANGED_CALENDARS_BODY,
        password_notice(accounts.PASSWORD_CHANGED_CALENDARS_BODY),
        en=(
            "Your password was changed",
            "Your password was changed on Mon, Mar 2, 2026 09:00. You were signed out on your other devices and every API token was revoked. Your calendar addresses were renewed and the old ones no longer work: add your calendar subscription again with the new address on your account page. If this was not you, reset your password at once.",
        ),
        zh=(
            "您的密码已修改",
            "您的密码已于 2026年3月2日周一 09:00 修改。您在其他设备上的登录已退出，所有 API 令牌已撤销。您的日历地址已换新，旧地址不能再用了：请到“我的账户”页面，用新地址重新添加日历订阅。如果不是您本人操作，请马上重置密码。",
        ),
    ),
    Row(
        "booking.approved",
        notices.APPROVED,
        booking_notice("booking.approved", notices.APPROVED),
        en=("Your request for Shared music room on Thu, Mar 5, 2026 09:00 was approved.", ""),
        zh=("您申请的共享音乐室（2026年3月5日周四 09:00）已获批准。", ""),
    ),
    Row(
        "booking.rejected",
        notices.REJECTED,
        booking_notice("booking.rejected", notices.REJECTED, reason=TYPED),
        en=(
            "Your request for Shared music room on Thu, Mar 5, 2026 09:00 was not approved: 下雨 / rain",
            "",
        ),
        zh=("您申请的共享音乐室（2026年3月5日周四 09:00）未获批准：下雨 / rain", ""),
    ),
    Row(
        "booking.rejected",
        notices.HOURS_REJECTED,
        booking_notice("booking.rejected", notices.HOURS_REJECTED, reason=TYPED),
        en=(
            "Your request for Shared music room on Thu, Mar 5, 2026 09:00 was not approved because the opening hours changed: 下雨 / rain",
            "",
        ),
        zh=(
            "您申请的共享音乐室（2026年3月5日周四 09:00）未获批准，因为开放时间变了：下雨 / rain",
            "",
        ),
    ),
    Row(
        "booking.rejected",
        notices.HOLIDAY_REJECTED,
        booking_notice(
            "booking.rejected",
            notices.HOLIDAY_REJECTED,
            holiday=partial(localized, HOLIDAY, "name"),
            reason=TYPED,
        ),
        en=(
            "Your request for Shared music room on Thu, Mar 5, 2026 09:00 was not approved because it is closed for Labour Day: 下雨 / rain",
            "",
        ),
        zh=(
            "您申请的共享音乐室（2026年3月5日周四 09:00）未获批准，因为劳动节当天不开放：下雨 / rain",
            "",
        ),
    ),
    Row(
        "booking.cancelled",
        notices.CANCELLED_BY_STAFF,
        booking_notice("booking.cancelled", notices.CANCELLED_BY_STAFF, reason=TYPED),
        en=(
            "Your booking of Shared music room on Thu, Mar 5, 2026 09:00 was cancelled: 下雨 / rain",
            "",
        ),
        zh=("您预约的共享音乐室（2026年3月5日周四 09:00）已被取消：下雨 / rain", ""),
    ),
    Row(
        "booking.cancelled",
        notices.HOURS_CANCELLED,
        booking_notice("booking.cancelled", notices.HOURS_CANCELLED, reason=TYPED),
        en=(
            "Your booking of Shared music room on Thu, Mar 5, 2026 09:00 was cancelled because the opening hours changed: 下雨 / rain",
            "",
        ),
        zh=(
            "您预约的共享音乐室（2026年3月5日周四 09:00）已被取消，因为开放时间变了：下雨 / rain",
            "",
        ),
    ),
    Row(
        "booking.cancelled",
        notices.HOLIDAY_CANCELLED,
        booking_notice(
            "booking.cancelled",
            notices.HOLIDAY_CANCELLED,
            holiday=partial(localized, HOLIDAY, "name"),
            reason=TYPED,
        ),
        en=(
            "Your booking of Shared music room on Thu, Mar 5, 2026 09:00 was cancelled because it is closed for Labour Day: 下雨 / rain",
            "",
        ),
        zh=(
            "您预约的共享音乐室（2026年3月5日周四 09:00）已被取消，因为劳动节当天不开放：下雨 / rain",
            "",
        ),
    ),
    Row(
        "booking.changed",
        notices.CHANGED,
        booking_notice("booking.changed", notices.CHANGED),
        en=("Your booking of Shared music room now starts on Thu, Mar 5, 2026 09:00.", ""),
        zh=("您预约的共享音乐室已改为 2026年3月5日周四 09:00 开始。", ""),
    ),
    Row(
        "booking.reminder",
        notices.REMINDER,
        booking_notice("booking.reminder", notices.REMINDER),
        en=("Reminder: Shared music room, Thu, Mar 5, 2026 09:00.", ""),
        zh=("提醒：2026年3月5日周四 09:00 在共享音乐室有您的预约。", ""),
    ),
    Row(
        "booking.no_show",
        notices.NO_SHOW,
        booking_notice("booking.no_show", notices.NO_SHOW),
        en=(
            "You did not check in for Shared music room on Thu, Mar 5, 2026 09:00, so the time was released.",
            "",
        ),
        zh=("您预约的共享音乐室（2026年3月5日周四 09:00）没有签到，这段时间已释放给其他居民。", ""),
    ),
    Row(
        "booking.booked_for_you",
        notices.BOOKED_FOR_YOU,
        booking_notice("booking.booked_for_you", notices.BOOKED_FOR_YOU),
        en=("Staff booked Shared music room for you on Thu, Mar 5, 2026 09:00.", ""),
        zh=("社区工作人员为您预约了共享音乐室（2026年3月5日周四 09:00）。", ""),
    ),
    Row(
        "booking.closure_kept",
        notices.CLOSURE_KEPT,
        booking_notice("booking.closure_kept", notices.CLOSURE_KEPT, reason=TYPED),
        en=(
            "Shared music room will be closed around your booking on Thu, Mar 5, 2026 09:00 (下雨 / rain). Your booking stands; the staff will let you in.",
            "",
        ),
        zh=(
            "共享音乐室在您2026年3月5日周四 09:00的预约前后会关闭（下雨 / rain）。您的预约照常有效，工作人员会为您开门。",
            "",
        ),
    ),
    Row(
        "booking.hours_kept",
        notices.HOURS_KEPT,
        booking_notice("booking.hours_kept", notices.HOURS_KEPT),
        en=(
            "The opening hours of Shared music room changed, and your booking on Thu, Mar 5, 2026 09:00 is now outside them. Your booking stands; the staff will let you in.",
            "",
        ),
        zh=(
            "共享音乐室的开放时间变了，您在2026年3月5日周四 09:00的预约已不在开放时间内。预约仍然有效，工作人员会为您开门。",
            "",
        ),
    ),
    Row(
        "booking.holiday_kept",
        notices.HOLIDAY_KEPT,
        booking_notice(
            "booking.holiday_kept",
            notices.HOLIDAY_KEPT,
            holiday=partial(localized, HOLIDAY, "name"),
        ),
        en=(
            "Shared music room is closed for Labour Day on the day of your booking, Thu, Mar 5, 2026 09:00. Your booking stands; the staff will let you in.",
            "",
        ),
        zh=(
            "共享音乐室在劳动节当天不开放，您2026年3月5日周四 09:00的预约照常有效，工作人员会为您开门。",
            "",
        ),
    ),
    Row(
        "waitlist.offered",
        notices.WAITLIST_OFFER,
        booking_notice("waitlist.offered", notices.WAITLIST_OFFER, deadline=DEADLINE),
        en=(
            "Shared music room is free on Thu, Mar 5, 2026 09:00. It is held for you until Wed, Mar 4, 2026 18:30.",
            "",
        ),
        zh=(
            "共享音乐室在 2026年3月5日周四 09:00 有空位了，为您保留到 2026年3月4日周三 18:30。",
            "",
        ),
    ),
    Row(
        "waitlist.offer_withdrawn",
        notices.OFFER_WITHDRAWN,
        booking_notice("waitlist.offer_withdrawn", notices.OFFER_WITHDRAWN, reason=TYPED),
        en=(
            "The place held for you at Shared music room on Thu, Mar 5, 2026 09:00 is no longer free: 下雨 / rain. You keep your place on the waitlist.",
            "",
        ),
        zh=(
            "为您保留的共享音乐室（2026年3月5日周四 09:00）已无法使用：下雨 / rain。您在候补名单中的位置不变。",
            "",
        ),
    ),
    Row(
        "series.changed",
        notices.SERIES_BOOKED,
        series_notice(notices.SERIES_BOOKED),
        en=(
            "Staff booked Shared music room for you: Every Tue, Thu, 09:00–11:00, from Tue, Mar 3, 2026 to Tue, Jun 30, 2026. See your bookings.",
            "",
        ),
        zh=(
            "工作人员为您预约了共享音乐室：每周二、周四 09:00–11:00，2026年3月3日周二至2026年6月30日周二。请在“我的预约”中查看。",
            "",
        ),
    ),
    Row(
        "series.changed",
        notices.SERIES_CHANGED,
        series_notice(notices.SERIES_CHANGED),
        en=(
            "Your standing booking of Shared music room changed: now Every Tue, Thu, 09:00–11:00, until Tue, Jun 30, 2026. See your bookings.",
            "",
        ),
        zh=(
            "您在共享音乐室的固定预约有变动：现在是每周二、周四 09:00–11:00，到2026年6月30日周二为止。请在“我的预约”中查看。",
            "",
        ),
    ),
    Row(
        "need.filed",
        need_notices.FILED,
        need_notice("filed", need_notices.FILED, community=community_name()),
        en=("New need in Caijiaxiang Community (Repairs): 楼道灯坏了，晚上看不见台阶", ""),
        zh=("蔡家巷社区有新的群众需求（维修）：楼道灯坏了，晚上看不见台阶", ""),
    ),
    Row(
        "need.dispatched",
        need_notices.DISPATCHED_TO_HELPER,
        need_notice("dispatched", need_notices.DISPATCHED_TO_HELPER),
        en=("A need was sent to you (Repairs): 楼道灯坏了，晚上看不见台阶", ""),
        zh=("社区给您派了一单（维修）：楼道灯坏了，晚上看不见台阶", ""),
    ),
    Row(
        "need.dispatched",
        need_notices.DISPATCHED_TO_REPORTER,
        need_notice("dispatched", need_notices.DISPATCHED_TO_REPORTER),
        en=("Your need was sent to a helper: 楼道灯坏了，晚上看不见台阶", ""),
        zh=("您反映的问题已派给专人办理：楼道灯坏了，晚上看不见台阶", ""),
    ),
    Row(
        "need.dispatched",
        need_notices.DISPATCHED_TO_BRANCH,
        need_notice(
            "dispatched",
            need_notices.DISPATCHED_TO_BRANCH,
            branch=partial(
                localized,
                {"name_zh": "蔡家巷社区党支部", "name_en": "Caijiaxiang Party Branch"},
                "name",
            ),
        ),
        en=(
            "A need was sent to your party branch, Caijiaxiang Party Branch (Repairs): 楼道灯坏了，晚上看不见台阶. The first member to accept it takes it.",
            "",
        ),
        zh=(
            "社区给您所在的蔡家巷社区党支部派了一单（维修）：楼道灯坏了，晚上看不见台阶。先接单的党员负责办理。",
            "",
        ),
    ),
    Row(
        "need.returned",
        need_notices.BRANCH_RETURNED,
        need_notice("returned", need_notices.BRANCH_RETURNED),
        en=(
            "No member of the party branch can take a need; it is waiting again: 楼道灯坏了，晚上看不见台阶",
            "",
        ),
        zh=("党支部的党员都无法接这一单，需求重新等待派单：楼道灯坏了，晚上看不见台阶", ""),
    ),
    Row(
        "need.taken_back",
        need_notices.TAKEN_BACK,
        need_notice("taken_back", need_notices.TAKEN_BACK),
        en=("A need sent to you was given to someone else: 楼道灯坏了，晚上看不见台阶", ""),
        zh=("派给您的一单已改派他人：楼道灯坏了，晚上看不见台阶", ""),
    ),
    Row(
        "need.accepted",
        need_notices.ACCEPTED,
        need_notice("accepted", need_notices.ACCEPTED),
        en=("A helper is handling your need: 楼道灯坏了，晚上看不见台阶", ""),
        zh=("您反映的问题正在办理：楼道灯坏了，晚上看不见台阶", ""),
    ),
    Row(
        "need.declined",
        need_notices.DECLINED,
        need_notice("declined", need_notices.DECLINED, reason=TYPED),
        en=(
            "A helper declined a need, it is waiting again: 楼道灯坏了，晚上看不见台阶. Reason: 下雨 / rain",
            "",
        ),
        zh=("有一单被退回，需要重新派单：楼道灯坏了，晚上看不见台阶。原因：下雨 / rain", ""),
    ),
    Row(
        "need.done",
        need_notices.DONE,
        need_notice("done", need_notices.DONE),
        en=("Your need was done: 楼道灯坏了，晚上看不见台阶. Please rate how it went.", ""),
        zh=("您反映的问题已办结：楼道灯坏了，晚上看不见台阶。请评价办理效果。", ""),
    ),
    Row(
        "need.rated",
        need_notices.RATED,
        need_notice("rated", need_notices.RATED, stars=4),
        en=("Your help was rated 4 of 5: 楼道灯坏了，晚上看不见台阶", ""),
        zh=("您办理的一单获得 4 星评价（满分 5 星）：楼道灯坏了，晚上看不见台阶", ""),
    ),
    Row(
        "need.reopened",
        need_notices.REOPENED,
        need_notice("reopened", need_notices.REOPENED, stars=2),
        en=("A need was rated 2 of 5 and is open again: 楼道灯坏了，晚上看不见台阶", ""),
        zh=("有一单只得了 2 星，需要重新办理：楼道灯坏了，晚上看不见台阶", ""),
    ),
    Row(
        "need.reopened",
        need_notices.REOPENED_AFTER_FOLLOWUP,
        need_notice("reopened", need_notices.REOPENED_AFTER_FOLLOWUP),
        en=(
            "At the follow-up the resident was dissatisfied; the need is open again: "
            "楼道灯坏了，晚上看不见台阶",
            "",
        ),
        zh=("回访时居民表示不满意，需要重新办理：楼道灯坏了，晚上看不见台阶", ""),
    ),
    Row(
        "need.withdrawn",
        need_notices.WITHDRAWN_BY_STAFF,
        need_notice("withdrawn", need_notices.WITHDRAWN_BY_STAFF, reason=TYPED),
        en=("The community closed your need: 楼道灯坏了，晚上看不见台阶. Reason: 下雨 / rain", ""),
        zh=("社区已关闭您反映的问题：楼道灯坏了，晚上看不见台阶。原因：下雨 / rain", ""),
    ),
    Row(
        "need.withdrawn",
        need_notices.WITHDRAWN_FOR_HELPER,
        need_notice("withdrawn", need_notices.WITHDRAWN_FOR_HELPER),
        en=("A need sent to you was closed: 楼道灯坏了，晚上看不见台阶", ""),
        zh=("派给您的一单已关闭：楼道灯坏了，晚上看不见台阶", ""),
    ),
    Row(
        "need.withdrawn",
        need_notices.WITHDRAWN_BY_REPORTER,
        need_notice("withdrawn", need_notices.WITHDRAWN_BY_REPORTER),
        en=("A need was withdrawn by the person who filed it: 楼道灯坏了，晚上看不见台阶", ""),
        zh=("反映人撤回了一条需求：楼道灯坏了，晚上看不见台阶", ""),
    ),
    Row(
        "need.converted",
        need_notices.CONVERTED,
        need_notice("converted", need_notices.CONVERTED, resolution="已为您预约了共享音乐室。"),
        en=(
            "Your need was solved with a booking: 已为您预约了共享音乐室。 Please rate how it went.",
            "",
        ),
        zh=("您的需求已通过预约解决：已为您预约了共享音乐室。请评价办理效果。", ""),
    ),
    Row(
        "needs.volunteer_applied",
        volunteers.APPLIED,
        volunteer_notice("needs.volunteer_applied", volunteers.APPLIED, name="王阿姨"),
        en=("王阿姨 offers to volunteer in Caijiaxiang Community. Please confirm or decline.", ""),
        zh=("王阿姨申请成为蔡家巷社区的志愿者，请审核。", ""),
    ),
    Row(
        "needs.volunteer_approved",
        volunteers.APPROVED,
        volunteer_notice("needs.volunteer_approved", volunteers.APPROVED),
        en=(
            "You are now a volunteer of Caijiaxiang Community. Staff may send you needs you can help with.",
            "",
        ),
        zh=("您已成为蔡家巷社区的志愿者。工作人员会把您能帮忙的居民需求派给您。", ""),
    ),
    Row(
        "needs.volunteer_declined",
        volunteers.DECLINED,
        volunteer_notice("needs.volunteer_declined", volunteers.DECLINED, reason=TYPED),
        en=("Your offer to volunteer in Caijiaxiang Community was not accepted: 下雨 / rain", ""),
        zh=("您申请成为蔡家巷社区志愿者未获通过：下雨 / rain", ""),
    ),
    Row(
        "needs.volunteer_retired",
        volunteers.RETIRED,
        volunteer_notice("needs.volunteer_retired", volunteers.RETIRED),
        en=("Staff of Caijiaxiang Community ended your volunteering.", ""),
        zh=("蔡家巷社区工作人员已结束您的志愿服务。", ""),
    ),
    Row(
        "needs.volunteer_retired",
        volunteers.RETIRED_BECAUSE,
        volunteer_notice("needs.volunteer_retired", volunteers.RETIRED_BECAUSE, reason=TYPED),
        en=("Staff of Caijiaxiang Community ended your volunteering: 下雨 / rain", ""),
        zh=("蔡家巷社区工作人员已结束您的志愿服务：下雨 / rain", ""),
    ),
]

SENDER_LOCALE = {"en": "zh_CN", "zh_CN": "en"}
"""Each recipient is sent to by someone working in the other language."""
SMS_PREFIX = {"en": "[Linli] ", "zh_CN": "【邻里】"}


@pytest.fixture
def mail_configured(monkeypatch: pytest.MonkeyPatch) -> None:
    """Email accounts get their notices by email (nothing is sent: they stay in the outbox)."""
    current = settings.get_settings()
    patched = dataclasses.replace(
        current, mail=dataclasses.replace(current.mail, smtp_host="127.0.0.1")
    )
    monkeypatch.setattr(notifications, "get_settings", lambda: patched)


@pytest.mark.parametrize("row", NOTICES, ids=lambda row: f"{row.kind}:{row.message[:40]}")
async def test_notice_reads_in_the_recipients_language(
    db: None, mail_configured: None, row: Row
) -> None:
    expected = {"en": row.en, "zh_CN": row.zh}
    people = {
        (locale, login_kind): await make_user(login, locale=locale)
        for locale, login_kind, login in [
            ("en", "phone", "13800000041"),
            ("en", "email", "reader@example.com"),
            ("zh_CN", "phone", "13800000042"),
            ("zh_CN", "email", "duzhe@example.com"),
        ]
    }
    before = current_locale()
    try:
        for (locale, _kind), person in people.items():
            set_locale(SENDER_LOCALE[locale])
            await row.send(person.id)
    finally:
        set_locale(before)
    for (locale, login_kind), person in people.items():
        title, body = expected[locale]
        (notice,) = await Notification.objects().where(Notification.user == person.id)
        assert (notice.kind, notice.title, notice.body) == (row.kind, title, body)
        assert DOUBLED_STOP.findall(f"{title} {body}") == []
        sent = await OutboxMessage.objects().where(OutboxMessage.user == person.id)
        if login_kind == "email":
            assert [(m.channel, m.subject, m.body) for m in sent] == [
                ("email", title, body or title)
            ]
        elif row.kind in notifications.SMS_KINDS:
            set_locale(locale)
            text = SMS_PREFIX[locale] + join_sentences(title, body)
            set_locale(before)
            assert [(m.channel, m.body) for m in sent] == [("sms", text)]
        else:
            assert sent == []


def _source_files() -> list[Path]:
    return [
        path
        for package in ("app", "spaces", "stations", "needs")
        for path in (ROOT / package).rglob("*.py")
    ]


KIND_ARGUMENT = {
    "notify_user": 1,
    "tell_reporter": 1,
    "tell_staff": 1,
    "tell_helper": 2,
}
"""Where each function that sends a notice takes its kind; `need_notices.tell*` prefix it
with "need."; `impact.tell(booking, space, kind, notice, now)` is told apart from
`need_notices.tell(user_id, kind, ...)` by its module."""


def _kinds_sent() -> set[str]:
    """Every kind the sources pass to `notify_user`, directly or through a helper."""
    kinds: set[str] = set()
    for path in _source_files():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            owner = getattr(func, "value", None)
            prefix = "need." if name.startswith("tell_") else ""
            if name == "tell" and getattr(owner, "id", "") == "need_notices":
                position, prefix = 1, "need."
            elif name == "tell" and len(node.args) >= 4:
                position = 2
            elif name in KIND_ARGUMENT:
                position = KIND_ARGUMENT[name]
            else:
                continue
            if len(node.args) <= position or path.name == "need_notices.py":
                continue  # the helpers themselves: their callers name the kinds
            argument = node.args[position]
            if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                kinds.add(prefix + argument.value)
            elif isinstance(argument, ast.JoinedStr):
                kinds |= _volunteer_kinds(tree, argument)
    return kinds


def _volunteer_kinds(tree: ast.Module, template: ast.JoinedStr) -> set[str]:
    """`f"needs.volunteer_{status}"`: one kind per `status="..."` the module passes."""
    assert ast.unparse(template) == "f'needs.volunteer_{status}'", ast.unparse(template)
    statuses = {
        keyword.value.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        for keyword in node.keywords
        if keyword.arg == "status"
        and isinstance(keyword.value, ast.Constant)
        and isinstance(keyword.value.value, str)
    }
    return {f"needs.volunteer_{status}" for status in statuses}


def _notice_messages() -> set[str]:
    """Every message id a notice is sent with: all of the modules that hold them. The
    `TEXT_*` messages are texts to a phone without an account, not notices: they are
    checked in both languages in tests/needs/services/test_hear_back.py."""
    modules = [notices, need_notices, volunteers]
    messages = {
        value
        for module in modules
        for name, value in vars(module).items()
        if name.isupper()
        and not name.startswith("TEXT_")
        and isinstance(value, str)
        and "%(" in value
    }
    return messages | {accounts.PASSWORD_CHANGED_BODY, accounts.PASSWORD_CHANGED_CALENDARS_BODY}


def test_every_kind_and_message_has_a_row() -> None:
    kinds = _kinds_sent()
    assert "booking.hours_kept" in kinds and "need.filed" in kinds  # the scan sees helpers
    assert kinds == {row.kind for row in NOTICES}
    assert _notice_messages() == {row.message for row in NOTICES}
