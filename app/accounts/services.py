"""Account operations: register, sign in, passwords, verification, export and deletion.

Every operation takes `now` from its caller, raises domain errors with translated messages,
and either completes or changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from app import audit, domains, feeds, notify, throttle
from app.accounts import codes, sessions
from app.accounts.validation import name_problem, normalise_login
from app.db import is_unique_violation, write_transaction
from app.errors import DomainError, FieldError, Forbidden, InputError
from app.i18n import N_, _, ngettext
from app.notifications import notify_user
from app.passwords import (
    dummy_hash,
    hash_password,
    needs_rehash,
    password_problem,
    verify_password,
)
from app.settings import SUPPORTED_LOCALES, get_settings
from app.tables import (
    ApiToken,
    AuditEntry,
    Community,
    FeedKind,
    FeedToken,
    LoginKind,
    SignInSession,
    StaffMembership,
    User,
)

PRIVACY_VERSION = "2026-12"
"""Version of the privacy notice a person accepts at sign-up."""

SIGNIN_FAILURES_PER_ACCOUNT = throttle.Limit("signin-account", 5, timedelta(minutes=15))
SIGNIN_FAILURES_PER_ADDRESS = throttle.Limit("signin-address", 50, timedelta(minutes=15))


def signups_per_address() -> throttle.Limit:
    return throttle.Limit(
        "signup-address", get_settings().site.signups_per_hour, timedelta(hours=1)
    )


class InvalidCredentials(DomainError):
    status_code = 401
    slug = "invalid-credentials"

    def title(self) -> str:
        return _("Sign-in failed")


def _signin_wait(minutes: int) -> str:
    return ngettext(
        "Too many failed sign-in attempts. For your safety, try again in %(minutes)s minute or "
        "reset your password.",
        "Too many failed sign-in attempts. For your safety, try again in %(minutes)s minutes or "
        "reset your password.",
        minutes,
        minutes=minutes,
    )


def _signup_wait(minutes: int) -> str:
    return ngettext(
        "Too many accounts were created from this network. Try again in %(minutes)s minute.",
        "Too many accounts were created from this network. Try again in %(minutes)s minutes.",
        minutes,
        minutes=minutes,
    )


@dataclass
class Registration:
    login: str
    name: str
    password: str
    community: str
    accepted_privacy: bool


async def register(data: Registration, *, client_ip: str, now: datetime) -> User:
    """Create a resident account, or raise `InputError` listing every field to correct."""
    errors: list[FieldError] = []
    login = normalise_login(data.login)
    if isinstance(login, FieldError):
        errors.append(login)
    if problem := name_problem(data.name):
        errors.append(FieldError("name", problem))
    community = await Community.objects().where(Community.slug == data.community.strip()).first()
    if community is None:
        errors.append(FieldError("community", _("Choose your community from the list.")))
    login_text = login[0] if not isinstance(login, FieldError) else ""
    if problem := password_problem(data.password, login=login_text, name=data.name):
        errors.append(FieldError("password", problem))
    if not data.accepted_privacy:
        errors.append(
            FieldError("accepted_privacy", _("Please read and accept the privacy notice."))
        )
    if errors:
        raise InputError(errors)
    assert community is not None and not isinstance(login, FieldError)
    # Counted from here on, "already registered" included: otherwise trying logins one by
    # one would read who has an account without ever being limited.
    held = await throttle.reserve(signups_per_address(), client_ip, now, _signup_wait)

    taken = InputError(
        [
            FieldError(
                "login",
                _(
                    "An account with this number or email already exists. Sign in, or reset "
                    "your password if you forgot it."
                ),
            )
        ]
    )
    if await User.exists().where(User.login == login[0]):
        raise taken
    try:
        user = await insert_user(
            login=login[0],
            kind=login[1],
            name=data.name,
            password_hash=await hash_password(data.password),
            community_id=community.id,
            privacy_version=PRIVACY_VERSION,
            now=now,
            taken=taken,
        )
    except BaseException as exc:
        if exc is not taken:  # a failure of Linli's own is not the visitor's attempt
            await throttle.release(held)
        raise
    return user


async def insert_user(
    *,
    login: str,
    kind: LoginKind,
    name: str,
    password_hash: str,
    community_id: int | None,
    privacy_version: str,
    now: datetime,
    taken: DomainError,
    is_admin: bool = False,
    verified: bool = False,
) -> User:
    """Store a new account; `taken` is raised when the login was registered meanwhile.

    `verified` marks the contact as confirmed and the resident as approved (demo accounts).
    """
    user = User(
        login=login,
        login_kind=kind.value,
        name=name.strip(),
        password_hash=password_hash,
        community=community_id,
        is_admin=is_admin,
        contact_verified_at=now if verified else None,
        resident_approved_at=now if verified else None,
        privacy_accepted_at=now,
        privacy_version=privacy_version,
        created_at=now,
        password_changed_at=now,
    )
    try:
        await user.save()
    except Exception as exc:
        if is_unique_violation(exc):
            raise taken from exc
        raise
    return user


async def authenticate(login_text: str, password: str, *, client_ip: str, now: datetime) -> User:
    """The user with these credentials; only failures count towards throttling."""
    login = normalise_login(login_text)
    login_key = login[0] if not isinstance(login, FieldError) else login_text.strip().lower()
    # Counted as failures before the password is verified, so parallel guesses cannot all be
    # verified before any is counted; a success gives them back.
    held = await throttle.reserve_all(
        [(SIGNIN_FAILURES_PER_ACCOUNT, login_key), (SIGNIN_FAILURES_PER_ADDRESS, client_ip)],
        now,
        _signin_wait,
    )
    try:
        user = None
        if not isinstance(login, FieldError):
            user = await User.objects().where(User.login == login_key).first()
        valid = await verify_password(user.password_hash if user else dummy_hash(), password)
    except BaseException:
        await throttle.release(held)
        raise
    if user is None or not valid:
        raise InvalidCredentials(_("The mobile number, email or password is not right."))
    await throttle.release(held)
    if not user.active:
        raise InvalidCredentials(_("This account is closed. Please contact your community."))
    await throttle.clear(SIGNIN_FAILURES_PER_ACCOUNT, login_key)
    if needs_rehash(user.password_hash):
        user.password_hash = await hash_password(password)
        await User.update({User.password_hash: user.password_hash}).where(User.id == user.id)
    return user


async def update_preferences(user: User, *, name: str, locale: str, large_text: bool) -> None:
    if problem := name_problem(name):
        raise InputError([FieldError("name", problem)])
    if locale not in ("", *SUPPORTED_LOCALES):
        raise InputError([FieldError("locale", _("Choose a language from the list."))])
    await User.update(
        {User.name: name.strip(), User.locale: locale, User.large_text: large_text}
    ).where(User.id == user.id)


async def set_locale(user: User, locale: str) -> None:
    if locale in SUPPORTED_LOCALES:
        await User.update({User.locale: locale}).where(User.id == user.id)


PASSWORD_CHANGED = N_("Your password was changed")
PASSWORD_CHANGED_BODY = N_(
    "Your password was changed on %(when)s. You were signed out on your other devices and "
    "every API token was revoked. If this was not you, reset your password at once."
)
PASSWORD_CHANGED_CALENDARS_BODY = N_(
    "Your password was changed on %(when)s. You were signed out on your other devices and "
    "every API token was revoked. Your calendar addresses were renewed and the old ones no "
    "longer work: add your calendar subscription again with the new address on your account "
    "page. If this was not you, reset your password at once."
)


@dataclass(frozen=True)
class PasswordChanged:
    sessions_ended: int
    """How many other sessions were signed out."""
    calendars_renewed: list[FeedKind]
    """The calendar addresses that were renewed (to subscribe to again)."""


async def _set_password(
    user: User, new_hash: str, *, keep_session_hash: str | None, now: datetime
) -> PasswordChanged:
    """Store the new hash and end every other way in, inside the caller's transaction: other
    sessions, every API token and the calendar addresses (renewed). Whoever had the account
    keeps none of them; the account is told, with the time."""
    await User.update({User.password_hash: new_hash, User.password_changed_at: now}).where(
        User.id == user.id
    )
    ended = await sessions.end_other_sessions(user.id, keep_session_hash)
    await sessions.revoke_all_api_tokens(user.id, now)
    renewed = await feeds.renew_all(user.id, now)
    await notify_user(
        user.id,
        "account.password_changed",
        PASSWORD_CHANGED,
        PASSWORD_CHANGED_CALENDARS_BODY if renewed else PASSWORD_CHANGED_BODY,
        link="/account#calendars" if renewed else "/account",
        now=now,
        when=now,
        zone=ZoneInfo(get_settings().site.timezone),
    )
    return PasswordChanged(ended, renewed)


async def change_password(
    user: User, *, current: str, new: str, keep_session_hash: str | None, now: datetime
) -> PasswordChanged:
    """Change the password and end every other way in (`_set_password`); the session
    `keep_session_hash` stays signed in."""
    errors = []
    if not await verify_password(user.password_hash, current):
        errors.append(FieldError("current_password", _("This is not your current password.")))
    if problem := password_problem(new, login=user.login, name=user.name):
        errors.append(FieldError("new_password", problem))
    if errors:
        raise InputError(errors)
    new_hash = await hash_password(new)
    async with write_transaction(f"feed-token:{user.id}"):
        return await _set_password(user, new_hash, keep_session_hash=keep_session_hash, now=now)


async def sign_out_everywhere(user: User, now: datetime) -> None:
    """End every session, revoke every API token and end every calendar address of the
    user (whoever was signed in could have copied them)."""
    async with write_transaction():
        await sessions.end_other_sessions(user.id, keep_hash=None)
        await sessions.revoke_all_api_tokens(user.id, now)
        await FeedToken.delete().where(FeedToken.user == user.id)


RESET_PER_LOGIN = throttle.Limit("reset-login", 5, timedelta(hours=1))
"""Reset requests per login as typed (normalised), whether or not an account has it."""
RESET_CONFIRM_PER_LOGIN = throttle.Limit("reset-confirm-login", 10, timedelta(hours=1))
"""Attempts to set a new password with a code, per login as typed, account or not."""
RESET_CONFIRM_PER_ADDRESS = throttle.Limit("reset-confirm-address", 30, timedelta(hours=1))
"""Attempts to set a new password with a code, per client address."""


def _reset_wait(minutes: int) -> str:
    return ngettext(
        "Too many attempts to reset a password. Try again in %(minutes)s minute.",
        "Too many attempts to reset a password. Try again in %(minutes)s minutes.",
        minutes,
        minutes=minutes,
    )


async def request_password_reset(
    login_text: str, *, client_ip: str, now: datetime, secret: str
) -> None:
    """Send a reset code if the account exists; the answer is the same either way, limits
    included: each login string (existing or not) and each address count alike."""
    login = normalise_login(login_text)
    if isinstance(login, FieldError):
        raise InputError([login])
    await throttle.reserve_all(
        [(RESET_PER_LOGIN, login[0]), (codes.SEND_PER_ADDRESS, client_ip)],
        now,
        codes.wait_message,
    )
    user = await User.objects().where((User.login == login[0]) & (User.active == True)).first()  # noqa: E712
    if user is None:
        return
    try:
        await codes.send_reset_code(user, now=now, secret=secret)
    except notify.DeliveryFailed:
        # Logged where it failed; answering it would tell that an account has the login.
        return


async def reset_password(
    login_text: str, code: str, new_password: str, *, client_ip: str, now: datetime, secret: str
) -> PasswordChanged:
    """Set a new password with a reset code; every session of the account ends, and every
    other way in (`_set_password`). Every attempt counts per login string and per address,
    whether or not an account has the login, so the limits tell nothing either."""
    wrong_code = InputError([FieldError("code", _("This code is wrong or has expired."))])
    login = normalise_login(login_text)
    if isinstance(login, FieldError):
        raise InputError([login])
    await throttle.reserve_all(
        [(RESET_CONFIRM_PER_LOGIN, login[0]), (RESET_CONFIRM_PER_ADDRESS, client_ip)],
        now,
        _reset_wait,
    )
    user = await User.objects().where((User.login == login[0]) & (User.active == True)).first()  # noqa: E712
    if user is None:
        raise wrong_code
    # The code first: only someone holding it learns the password rules' verdict, and only
    # they make Linli spend a password hash (wrong guesses count against the code).
    code_id = await codes.check_code(
        user.id, codes.Purpose.password_reset, code, now=now, secret=secret
    )
    if problem := password_problem(new_password, login=user.login, name=user.name):
        raise InputError([FieldError("new_password", problem)])
    new_hash = await hash_password(new_password)
    await codes.use_code(code_id, now=now)
    async with write_transaction(f"feed-token:{user.id}"):
        changed = await _set_password(user, new_hash, keep_session_hash=None, now=now)
        await throttle.clear(SIGNIN_FAILURES_PER_ACCOUNT, user.login)
    return changed


@dataclass(frozen=True)
class SignedUp:
    user: User
    must_verify: bool
    """Their community asks residents to confirm their phone or email before booking."""
    code_problem: str | None = None
    """Why the first code could not be sent (they can ask again), or None."""


async def sign_up(data: Registration, *, client_ip: str, now: datetime, secret: str) -> SignedUp:
    """Register a resident from the sign-up page and, when their community asks residents to
    confirm their contact, send the first code at once."""
    user = await register(data, client_ip=client_ip, now=now)
    community = await Community.objects().where(Community.id == user.community).first()
    if community is None or not community.contact_verification:
        return SignedUp(user, must_verify=False)
    try:
        await send_verification_code(user, client_ip=client_ip, now=now, secret=secret)
    except DomainError as exc:
        return SignedUp(user, must_verify=True, code_problem=exc.detail)
    return SignedUp(user, must_verify=True)


async def send_verification_code(user: User, *, client_ip: str, now: datetime, secret: str) -> None:
    await codes.send_code(
        user, codes.Purpose.verify_contact, client_ip=client_ip, now=now, secret=secret
    )


async def verify_contact(user: User, code: str, *, now: datetime, secret: str) -> None:
    await codes.consume_code(user.id, codes.Purpose.verify_contact, code, now=now, secret=secret)
    await User.update({User.contact_verified_at: now}).where(User.id == user.id)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


async def export_account(user: User, now: datetime) -> dict[str, Any]:
    """Everything Linli keeps about the user, as JSON-ready data (PIPL art. 45)."""
    community = (
        await Community.objects().where(Community.id == user.community).first()
        if user.community
        else None
    )
    session_rows = await SignInSession.select(
        SignInSession.created_at, SignInSession.last_seen_at, SignInSession.user_agent
    ).where(SignInSession.user == user.id)
    token_rows = await ApiToken.select(
        ApiToken.name,
        ApiToken.prefix,
        ApiToken.created_at,
        ApiToken.expires_at,
        ApiToken.last_used_at,
        ApiToken.revoked_at,
    ).where(ApiToken.user == user.id)
    staff_rows = await StaffMembership.select(StaffMembership.community.slug).where(
        StaffMembership.user == user.id
    )
    actions = await AuditEntry.select(
        AuditEntry.action, AuditEntry.subject_type, AuditEntry.subject_id, AuditEntry.occurred_at
    ).where(AuditEntry.actor == user.id)
    return {
        "exported_at": now.isoformat(),
        "account": {
            "login": user.login,
            "login_kind": user.login_kind,
            "name": user.name,
            "community": community.slug if community else None,
            "locale": user.locale or None,
            "large_text": user.large_text,
            "is_admin": user.is_admin,
            "created_at": _iso(user.created_at),
            "password_changed_at": _iso(user.password_changed_at),
            "last_signin_at": _iso(user.last_signin_at),
            "contact_verified_at": _iso(user.contact_verified_at),
            "resident_approved_at": _iso(user.resident_approved_at),
            "privacy_accepted_at": _iso(user.privacy_accepted_at),
            "privacy_version": user.privacy_version,
        },
        "staff_of": [row["community.slug"] for row in staff_rows],
        "sessions": [
            {
                key: _iso(value) if isinstance(value, datetime) else value
                for key, value in row.items()
            }
            for row in session_rows
        ],
        "api_tokens": [
            {
                key: _iso(value) if isinstance(value, datetime) else value
                for key, value in row.items()
            }
            for row in token_rows
        ],
        "audit_actions": [{**row, "occurred_at": _iso(row["occurred_at"])} for row in actions],
        **{
            domain.name: await domain.export_account(user, now)
            for domain in domains.installed()
            if domain.export_account
        },
    }


async def delete_account(user: User, *, password: str, now: datetime) -> None:
    """Erase the account after the password confirms it; the last administrator may not."""
    if not await verify_password(user.password_hash, password):
        raise InputError([FieldError("password", _("This is not your current password."))])
    async with write_transaction("accounts:admins"):
        if user.is_admin:
            admins = await User.count().where((User.is_admin == True) & (User.active == True))  # noqa: E712
            if admins <= 1:
                raise Forbidden(
                    _("You are the only administrator. Make someone else administrator first.")
                )
        for domain in domains.installed():
            if domain.before_account_deleted:
                await domain.before_account_deleted(user, now)
        await feeds.forget_built(user.id)
        await audit.record(
            actor_id=None,
            action="account.deleted",
            subject_type="user",
            subject_id=user.id,
            community_id=user.community,
            now=now,
        )
        await User.delete().where(User.id == user.id)
