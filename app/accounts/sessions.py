"""Signed-in browser sessions and API bearer tokens.

Both are random tokens handed out once; only their SHA-256 is stored, so a copy of the
database opens no account. Sessions live in the database, so they survive restarts and
every process sees the same ones; "sign out everywhere" deletes them all.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from piccolo.custom_types import Combinable

from app.db import fetch_by_key, is_sqlite
from app.errors import FieldError, InputError, NotFound
from app.i18n import _, ngettext
from app.permissions import Actor
from app.tables import ApiToken, SignInSession, User

SESSION_LIFETIME = timedelta(days=30)
"""A session ends this long after it was last used."""
SESSION_TOUCH_INTERVAL = timedelta(minutes=5)
"""Last use is written at most this often, so reading pages costs no writes."""
API_TOKEN_LIFETIME = timedelta(days=90)
API_TOKEN_PREFIX = "linli_"
MAX_API_TOKENS = 20


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def load_actor(user: User) -> Actor:
    rows = await fetch_by_key('SELECT community FROM staff_membership WHERE "user" = {}', user.id)
    return Actor(user=user, staff_of=frozenset(row["community"] for row in rows))


async def start_session(user: User, user_agent: str, now: datetime) -> str:
    """A new session for `user`; returns the token for the cookie."""
    token = secrets.token_urlsafe(32)
    await SignInSession.delete().where(SignInSession.expires_at <= now)
    await SignInSession.insert(
        SignInSession(
            token_hash=token_hash(token),
            user=user.id,
            created_at=now,
            last_seen_at=now,
            expires_at=now + SESSION_LIFETIME,
            user_agent=user_agent[:200],
        )
    )
    await User.update({User.last_signin_at: now}).where(User.id == user.id)
    return token


async def actor_for_session(token: str | None, now: datetime) -> tuple[Actor, str] | None:
    """The actor behind a session cookie and the session's hash, or None.

    Every signed-in page starts here, so it is one plain SQL statement (the session, its
    person and their unread notices) and the staff memberships, each a read by key
    (`fetch_by_key`): Piccolo's builder spends longer assembling the joined query than the
    database answering it, and a trip to another thread longer still."""
    if not token:
        return None
    hashed = token_hash(token)
    rows = await fetch_by_key(
        "SELECT linli_user.*, sign_in_session.id AS session__id, "
        "sign_in_session.last_seen_at AS session__last_seen_at, "
        '(SELECT COUNT(*) FROM notification WHERE notification."user" = linli_user.id '
        "AND notification.read_at IS NULL) AS session__unread "
        'FROM sign_in_session JOIN linli_user ON linli_user.id = sign_in_session."user" '
        "WHERE sign_in_session.token_hash = {} AND sign_in_session.expires_at > {}",
        hashed,
        now,
    )
    if not rows:
        return None
    row = rows[0]
    session_id, last_seen_at = row.pop("session__id"), row.pop("session__last_seen_at")
    unread = row.pop("session__unread")
    user = User(_exists_in_db=True, **row)
    if not user.active:
        return None
    if now - _instant(last_seen_at) >= SESSION_TOUCH_INTERVAL:
        await SignInSession.update(
            {SignInSession.last_seen_at: now, SignInSession.expires_at: now + SESSION_LIFETIME}
        ).where(SignInSession.id == session_id)
    actor = await load_actor(user)
    return replace(actor, unread_notifications=unread), hashed


async def end_session(hashed: str) -> None:
    await SignInSession.delete().where(SignInSession.token_hash == hashed)


async def end_other_sessions(user_id: int, keep_hash: str | None) -> int:
    """End every session of the user but `keep_hash`; returns how many ended."""
    condition: Combinable = SignInSession.user == user_id
    if keep_hash:
        condition &= SignInSession.token_hash != keep_hash
    ended = await SignInSession.count().where(condition)
    await SignInSession.delete().where(condition)
    return ended


async def active_sessions(user_id: int, now: datetime) -> list[SignInSession]:
    return (
        await SignInSession.objects()
        .where((SignInSession.user == user_id) & (SignInSession.expires_at > now))
        .order_by(SignInSession.last_seen_at, ascending=False)
    )


# --- API tokens ---------------------------------------------------------------------------


async def create_api_token(user: User, name: str, now: datetime) -> tuple[ApiToken, str]:
    """A new bearer token; the plain token is returned only here, never again."""
    label = name.strip() or _("API token")
    if len(label) > 60:
        raise InputError(
            [
                FieldError(
                    "name",
                    ngettext(
                        "Use at most %(n)s character.", "Use at most %(n)s characters.", 60, n=60
                    ),
                )
            ]
        )
    live = await ApiToken.count().where(
        (ApiToken.user == user.id) & ApiToken.revoked_at.is_null() & (ApiToken.expires_at > now)
    )
    if live >= MAX_API_TOKENS:
        raise InputError(
            [
                FieldError(
                    "name",
                    ngettext(
                        "You have %(n)s token; revoke it first.",
                        "You have %(n)s tokens; revoke one first.",
                        MAX_API_TOKENS,
                        n=MAX_API_TOKENS,
                    ),
                )
            ]
        )
    token = API_TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(
        user=user.id,
        name=label,
        token_hash=token_hash(token),
        prefix=token[: len(API_TOKEN_PREFIX) + 4],
        created_at=now,
        expires_at=now + API_TOKEN_LIFETIME,
    )
    await row.save()
    return row, token


async def actor_for_bearer(authorization: str | None, now: datetime) -> Actor | None:
    """The actor behind an `Authorization: Bearer …` header, or None."""
    if not authorization:
        return None
    scheme, _sep, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    # Every API call starts here, so this is one plain SQL statement (the token, its person
    # and their staff memberships), read by key: Piccolo's builder spends longer assembling
    # a joined query than SQLite answering it.
    rows = await fetch_by_key(
        "SELECT linli_user.*, api_token.id AS token__id, "
        "api_token.last_used_at AS token__last_used_at, "
        f"({STAFF_OF_SQL[is_sqlite()]}) AS token__staff_of FROM api_token "
        'JOIN linli_user ON linli_user.id = api_token."user" '
        "WHERE api_token.token_hash = {} AND api_token.revoked_at IS NULL "
        "AND api_token.expires_at > {}",
        token_hash(token.strip()),
        now,
    )
    if not rows:
        return None
    row = rows[0]
    token_id, last_used_at = row.pop("token__id"), row.pop("token__last_used_at")
    staff_of = row.pop("token__staff_of")
    user = User(_exists_in_db=True, **row)
    if not user.active:
        return None
    if last_used_at is None or now - _instant(last_used_at) >= SESSION_TOUCH_INTERVAL:
        await ApiToken.update({ApiToken.last_used_at: now}).where(ApiToken.id == token_id)
    return Actor(
        user=user,
        staff_of=frozenset(
            int(community) for community in (staff_of or "").split(",") if community
        ),
    )


STAFF_OF_SQL = {
    sqlite: 'SELECT {}(community{}) FROM staff_membership WHERE "user" = linli_user.id'.format(
        *(("group_concat", "") if sqlite else ("string_agg", "::text, ','"))
    )
    for sqlite in (True, False)
}
"""The ids of the communities a person (`linli_user`) is staff of, as one text `1,2`, by
engine (`load_actor` reads them as rows)."""


def _instant(value: datetime | str) -> datetime:
    """A timestamp from a raw query (SQLite may give text)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


async def api_tokens(user_id: int, now: datetime) -> list[ApiToken]:
    """The user's tokens that still work, newest first."""
    return (
        await ApiToken.objects()
        .where(
            (ApiToken.user == user_id) & ApiToken.revoked_at.is_null() & (ApiToken.expires_at > now)
        )
        .order_by(ApiToken.created_at, ascending=False)
    )


async def revoke_api_token(user_id: int, token_id: int, now: datetime) -> None:
    """Revoke one of the user's own tokens; another person's token is "not found"."""
    updated = (
        await ApiToken.update({ApiToken.revoked_at: now})
        .where((ApiToken.id == token_id) & (ApiToken.user == user_id))
        .returning(ApiToken.id)
    )
    if not updated:
        raise NotFound(_("This token does not exist."))


async def revoke_all_api_tokens(user_id: int, now: datetime) -> None:
    await ApiToken.update({ApiToken.revoked_at: now}).where(
        (ApiToken.user == user_id) & ApiToken.revoked_at.is_null()
    )


async def prune_expired(now: datetime) -> None:
    """Housekeeping job: sessions and tokens that can never be used again."""
    await SignInSession.delete().where(SignInSession.expires_at <= now)
    await ApiToken.delete().where(ApiToken.expires_at <= now - timedelta(days=30))
