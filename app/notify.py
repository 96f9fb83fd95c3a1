"""Delivering short messages (one-time codes, notices) by email or SMS through a sender.

Email goes through SMTP when `LINLI_SMTP_HOST` is set; SMS through the plug-in named by
`LINLI_SMS_SENDER` (`module:Class`, constructed with the mail settings, with an async
`send(message)`). Without either, messages are written to the log, which is what a
developer or the demo needs and nothing a production site should rely on.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
import smtplib
import ssl
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from functools import cache
from typing import Literal, Protocol

from app import clock
from app.errors import DomainError
from app.i18n import _
from app.settings import MailSettings, get_settings

log = logging.getLogger("linli.notify")

Channel = Literal["email", "sms"]


@dataclass(frozen=True)
class OutgoingMessage:
    channel: Channel
    to: str
    subject: str
    body: str
    message_id: str = ""
    """`<…@…>`, the same on every try of one message; empty: a new one is made."""
    date: datetime | None = None
    """When the message was written (the `Date` header); None: when it is sent."""


class Sender(Protocol):
    async def send(self, message: OutgoingMessage) -> None: ...


class DeliveryFailed(DomainError):
    status_code = 503
    slug = "delivery-failed"

    def title(self) -> str:
        return _("Message not sent")


def mask_phone(login: str | None) -> str:
    """`13812345678` → `138****5678`; email addresses keep their first letter and domain."""
    if not login:
        return ""
    if len(login) == 11 and login.isdigit():
        return f"{login[:3]}****{login[7:]}"
    local, at, domain = login.partition("@")
    if at:
        return f"{local[:1]}***@{domain}"
    return login


class LogSender:
    """Writes the message to the log; the record carries it as `outgoing` for tests."""

    async def send(self, message: OutgoingMessage) -> None:
        log.warning(
            "%s to %s (no %s sender configured): %s",
            message.channel,
            mask_phone(message.to),
            message.channel,
            message.body,
            extra={"outgoing": message},
        )


class SmtpSender:
    def __init__(self, settings: MailSettings) -> None:
        self.settings = settings

    def _send_blocking(self, message: OutgoingMessage) -> None:
        email = EmailMessage()
        email["From"] = self.settings.mail_from
        email["To"] = message.to
        email["Subject"] = message.subject
        email["Date"] = format_datetime(message.date or clock.utcnow())
        domain = self.settings.mail_from.rpartition("@")[2] or "localhost"
        email["Message-ID"] = message.message_id or make_msgid(domain=domain)
        email.set_content(message.body)
        context = ssl.create_default_context()
        tls = "ssl" if self.settings.smtp_port == 465 else self.settings.smtp_tls
        if tls == "ssl":
            server: smtplib.SMTP = smtplib.SMTP_SSL(
                self.settings.smtp_host, self.settings.smtp_port, context=context, timeout=20
            )
        else:
            server = smtplib.SMTP(self.settings.smtp_host, self.settings.smtp_port, timeout=20)
        with server:
            if tls == "starttls":
                server.starttls(context=context)
            if self.settings.smtp_user:
                server.login(self.settings.smtp_user, self.settings.smtp_password)
            server.send_message(email)

    async def send(self, message: OutgoingMessage) -> None:
        await asyncio.to_thread(self._send_blocking, message)


def _load_plugin(path: str, settings: MailSettings) -> Sender:
    module_name, _sep, class_name = path.partition(":")
    if not class_name:
        raise ValueError(f"LINLI_SMS_SENDER must look like module:Class, got {path!r}")
    sender_class = getattr(importlib.import_module(module_name), class_name)
    return sender_class(settings)


@cache
def _sender(channel: Channel, settings: MailSettings) -> Sender:
    if channel == "email" and settings.smtp_host:
        return SmtpSender(settings)
    if channel == "sms" and settings.sms_sender:
        return _load_plugin(settings.sms_sender, settings)
    return LogSender()


def sender_for(channel: Channel) -> Sender:
    return _sender(channel, get_settings().mail)


async def deliver(message: OutgoingMessage) -> None:
    """Send `message`, or raise `DeliveryFailed` with a translated explanation."""
    try:
        await sender_for(message.channel).send(message)
    except Exception as exc:
        log.exception("sending %s failed", message.channel)
        raise DeliveryFailed(
            _("The message could not be sent just now. Please try again in a few minutes.")
        ) from exc
