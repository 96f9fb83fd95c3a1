"""One-time codes sent to a phone or mailbox: password reset and contact verification."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta
from enum import StrEnum

from app import notify, throttle
from app.errors import FieldError, InputError, Throttled
from app.i18n import _, current_locale, ngettext, set_locale
from app.tables import LoginKind, OneTimeCode, User

CODE_LIFETIME = timedelta(minutes=15)
MAX_CODE_ATTEMPTS = 5
CODE_DIGITS = 6

SEND_PER_ACCOUNT = throttle.Limit("code-send-account", 5, timedelta(hours=1))
SEND_PER_ADDRESS = throttle.Limit("code-send-address", 20, timedelta(hours=1))


class Purpose(StrEnum):
    password_reset = "password_reset"
    verify_contact = "verify_contact"


def _code_hash(user_id: int, purpose: Purpose, code: str, secret: str) -> str:
    message = f"{user_id}:{purpose.value}:{code}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def wait_message(minutes: int) -> str:
    return ngettext(
        "Too many codes were requested. Try again in %(minutes)s minute.",
        "Too many codes were requested. Try again in %(minutes)s minutes.",
        minutes,
        minutes=minutes,
    )


def _message_for(user: User, purpose: Purpose, code: str) -> notify.OutgoingMessage:
    minutes = int(CODE_LIFETIME.total_seconds() // 60)
    if purpose is Purpose.password_reset:
        subject = _("Linli password reset code")
        body = ngettext(
            "[Linli] Your code to reset your password is %(code)s. It is valid for %(minutes)s "
            "minute. If you did not ask for it, ignore this message.",
            "[Linli] Your code to reset your password is %(code)s. It is valid for %(minutes)s "
            "minutes. If you did not ask for it, ignore this message.",
            minutes,
            code=code,
            minutes=minutes,
        )
    else:
        subject = _("Linli verification code")
        body = ngettext(
            "[Linli] Your verification code is %(code)s. It is valid for %(minutes)s minute.",
            "[Linli] Your verification code is %(code)s. It is valid for %(minutes)s minutes.",
            minutes,
            code=code,
            minutes=minutes,
        )
    channel: notify.Channel = "sms" if user.login_kind == LoginKind.phone.value else "email"
    return notify.OutgoingMessage(channel=channel, to=user.login, subject=subject, body=body)


async def send_code(
    user: User, purpose: Purpose, *, client_ip: str, now: datetime, secret: str
) -> None:
    """Replace any earlier code of this purpose with a new one and send it to the user;
    counted per account and per address."""
    held = await throttle.reserve_all(
        [(SEND_PER_ACCOUNT, str(user.id)), (SEND_PER_ADDRESS, client_ip)], now, wait_message
    )
    await _issue(user, purpose, held, now=now, secret=secret)


async def send_reset_code(user: User, *, now: datetime, secret: str) -> None:
    """Send a reset code for a request the caller already counted per login and address,
    as for any login typed. Beyond the account's own limit the code is not sent, silently:
    refusing would tell that an account has the login."""
    try:
        held = await throttle.reserve(SEND_PER_ACCOUNT, str(user.id), now, wait_message)
    except Throttled:
        return
    await _issue(user, Purpose.password_reset, held, now=now, secret=secret)


async def _issue(
    user: User, purpose: Purpose, held: throttle.Reservation, *, now: datetime, secret: str
) -> None:
    """Store and deliver a new code; the reservation `held` is given back if that fails."""
    try:
        await _store_and_deliver(user, purpose, now=now, secret=secret)
    except BaseException:
        await throttle.release(held)
        raise


async def _store_and_deliver(user: User, purpose: Purpose, *, now: datetime, secret: str) -> None:
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    await OneTimeCode.delete().where(
        (OneTimeCode.user == user.id) & (OneTimeCode.purpose == purpose.value)
    )
    await OneTimeCode.insert(
        OneTimeCode(
            user=user.id,
            purpose=purpose.value,
            code_hash=_code_hash(user.id, purpose, code, secret),
            created_at=now,
            expires_at=now + CODE_LIFETIME,
        )
    )
    # The message goes out in the person's own language, whatever page asked for it.
    request_locale = current_locale()
    if user.locale:
        set_locale(user.locale)
    try:
        message = _message_for(user, purpose, code)
    finally:
        set_locale(request_locale)
    await notify.deliver(message)


async def check_code(
    user_id: int, purpose: Purpose, code: str, *, now: datetime, secret: str
) -> int:
    """The id of the unused code `code` matches, without using it up; else an `InputError`
    on field `code`, a wrong guess counted against the code's attempts.

    Each statement commits on its own: call this outside a transaction that a wrong code
    would roll back, or failed attempts would not be counted.
    """
    row = (
        await OneTimeCode.objects()
        .where(
            (OneTimeCode.user == user_id)
            & (OneTimeCode.purpose == purpose.value)
            & OneTimeCode.consumed_at.is_null()
        )
        .first()
    )
    if row is None or row.expires_at <= now or row.attempts >= MAX_CODE_ATTEMPTS:
        raise _wrong()
    expected = _code_hash(user_id, purpose, code.strip(), secret)
    if not hmac.compare_digest(expected, row.code_hash):
        await OneTimeCode.update({OneTimeCode.attempts: OneTimeCode.attempts + 1}).where(
            OneTimeCode.id == row.id
        )
        raise _wrong()
    return int(row.id)


async def use_code(code_id: int, *, now: datetime) -> None:
    """Use up the code `check_code` accepted; of two requests with it at once only one
    may (the other gets the wrong-code error)."""
    used = (
        await OneTimeCode.update({OneTimeCode.consumed_at: now})
        .where((OneTimeCode.id == code_id) & OneTimeCode.consumed_at.is_null())
        .returning(OneTimeCode.id)
    )
    if not used:
        raise _wrong()


async def consume_code(
    user_id: int, purpose: Purpose, code: str, *, now: datetime, secret: str
) -> None:
    """Accept `code` once, or raise an `InputError` on field `code` (see `check_code`)."""
    await use_code(await check_code(user_id, purpose, code, now=now, secret=secret), now=now)


def _wrong() -> InputError:
    return InputError([FieldError("code", _("This code is wrong or has expired."))])
