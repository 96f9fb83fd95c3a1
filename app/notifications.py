"""Telling people what happened: an in-app list, and email when SMTP is configured.

A notification is written in the recipient's own language inside the transaction of the
change it reports, so it exists exactly when the change does. Emails go out afterwards from
an outbox, by a scheduled job, so a slow mail server never slows a page.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from app import notify
from app.i18n import _, current_locale, format_datetime, format_day, set_locale
from app.scheduler import Job
from app.settings import get_settings
from app.tables import LoginKind, Notification, User

log = logging.getLogger("linli.notifications")

PAGE_SIZE = 50
EMAIL_BATCH = 50


def _email_wanted(user: User) -> bool:
    return user.login_kind == LoginKind.email.value and bool(get_settings().mail.smtp_host)


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
    recipient's language too, in the `zone` given in `params` (else the site's zone).
    No user (a deleted account): nothing."""
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
    finally:
        set_locale(request_locale)
    row = Notification(
        user=user.id,
        kind=kind,
        title=text_title[:200],
        body=text_body,
        link=link[:300],
        created_at=now,
        email_pending=_email_wanted(user),
    )
    await row.save()
    return row


def _in_locale(value: Any, zone: ZoneInfo) -> Any:
    if isinstance(value, datetime):
        return format_datetime(value, zone, "short")
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


async def send_pending_emails(now: datetime) -> int:
    """The outbox job: email what is waiting; a failure stays pending for the next turn."""
    rows = (
        await Notification.objects(Notification.user)
        .where((Notification.email_pending == True) & Notification.emailed_at.is_null())  # noqa: E712
        .order_by(Notification.created_at)
        .limit(EMAIL_BATCH)
    )
    sent = 0
    for row in rows:
        message = notify.OutgoingMessage(
            channel="email", to=row.user.login, subject=row.title, body=row.body or row.title
        )
        try:
            await notify.sender_for("email").send(message)
        except Exception:
            log.exception("email to user %s failed; retried later", row.user.id)
            continue
        await Notification.update(
            {Notification.emailed_at: now, Notification.email_pending: False}
        ).where(Notification.id == row.id)
        sent += 1
    return sent


async def prune(now: datetime) -> None:
    """Read notifications older than half a year go."""
    await Notification.delete().where(
        Notification.read_at.is_not_null() & (Notification.created_at < now - timedelta(days=183))
    )


JOBS = [
    Job("notifications.email", timedelta(seconds=15), send_pending_emails),
    Job("notifications.prune", timedelta(hours=24), prune),
]
