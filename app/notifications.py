"""Telling people what happened: an in-app list, email and SMS.

A notification is written in the recipient's own language inside the transaction of the
change it reports, so it exists exactly when the change does; so are its messages in the
outbox (`app.outbox`): an email for accounts that sign in with an email address (when SMTP
is configured), an SMS for accounts that sign in with a phone number when the notice changes
what they must do. They go out afterwards, by a scheduled job, so a slow mail server or SMS
provider never slows a page.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from app import outbox
from app.i18n import (
    _,
    current_locale,
    format_day,
    format_day_time,
    join_sentences,
    set_locale,
)
from app.scheduler import Job
from app.settings import get_settings
from app.tables import LoginKind, Notification, User

log = logging.getLogger("linli.notifications")

PAGE_SIZE = 50

SMS_KINDS = frozenset(
    {
        "booking.approved",
        "booking.rejected",
        "booking.cancelled",
        "booking.changed",
        "booking.hours_kept",
        "booking.closure_kept",
        "booking.holiday_kept",
        "waitlist.offered",
        "waitlist.offer_withdrawn",
        "account.password_changed",
    }
)
"""Notices that change what a person must do (go, not go, come back, sign in again): the
ones worth a text message to those who sign in with a phone number."""


def _channel_for(user: User, kind: str) -> outbox.Channel | None:
    """How `user` also gets a notice of `kind` outside the app, if at all."""
    if user.login_kind == LoginKind.email.value:
        return "email" if get_settings().mail.smtp_host else None
    if user.login_kind == LoginKind.phone.value and kind in SMS_KINDS:
        return "sms"
    return None


async def notify_user(
    user_id: int | None,
    kind: str,
    title: str,
    body: str = "",
    *,
    link: str = "",
    now: datetime,
    **params: Any,
) -> Notification | None:
    """Record a notification; `title` and `body` are message ids formatted with `params`,
    translated into the recipient's language. A datetime in `params` is written in the
    recipient's language too, in the `zone` given in `params` (else the site's zone); pass
    names as callables (`partial(localized, space, "name")`) so they are read in it as well.
    Its email or SMS, if the person gets one (`_channel_for`), is queued in the outbox in the
    same transaction, in the same language. No user (a deleted account): nothing."""
    if user_id is None:
        return None
    user = await User.objects().where(User.id == user_id).first()
    if user is None:
        return None
    # Read later, maybe elsewhere: the person's own language, else the site's.
    request_locale = current_locale()
    set_locale(user.locale or get_settings().site.default_locale)
    try:
        zone = params.pop("zone", None) or ZoneInfo(get_settings().site.timezone)
        values = {key: _in_locale(value, zone) for key, value in params.items()}
        text_title = _(title, **values)
        text_body = _(body, **values) if body else ""
        text_sms = _("[Linli] %(notice)s", notice=join_sentences(text_title, text_body))
    finally:
        set_locale(request_locale)
    row = Notification(
        user=user.id,
        kind=kind,
        title=text_title[:200],
        body=text_body,
        link=link[:300],
        created_at=now,
    )
    await row.save()
    channel = _channel_for(user, kind)
    if channel is not None:
        await outbox.enqueue(
            channel,
            user.login,
            text_sms if channel == "sms" else text_body or text_title,
            subject=text_title,
            now=now,
            user_id=user.id,
            notification_id=row.id,
        )
    return row


def _in_locale(value: Any, zone: ZoneInfo) -> Any:
    if isinstance(value, datetime):
        return format_day_time(value, with_year=True, zone=zone)
    if isinstance(value, date):
        return format_day(value, with_year=True)
    if callable(value):
        return value()
    return value


async def unread_count(user_id: int) -> int:
    return await Notification.count().where(
        (Notification.user == user_id) & Notification.read_at.is_null()
    )


async def recent(user_id: int) -> list[Notification]:
    return (
        await Notification.objects()
        .where(Notification.user == user_id)
        .order_by(Notification.created_at, ascending=False)
        .limit(PAGE_SIZE)
    )


async def mark_all_read(user_id: int, now: datetime) -> None:
    await Notification.update({Notification.read_at: now}).where(
        (Notification.user == user_id) & Notification.read_at.is_null()
    )


async def prune(now: datetime) -> None:
    """Read notifications older than half a year go."""
    await Notification.delete().where(
        Notification.read_at.is_not_null() & (Notification.created_at < now - timedelta(days=183))
    )


async def undelivered(items: list[Notification]) -> dict[int, list[str]]:
    """For the notices among `items` whose email or SMS was given up on, the channels."""
    return await outbox.undelivered_channels([item.id for item in items])


JOBS = [
    Job("outbox.send", timedelta(seconds=15), outbox.send_due),
    Job("notifications.prune", timedelta(hours=24), prune),
    Job("outbox.prune", timedelta(hours=24), outbox.prune),
]
