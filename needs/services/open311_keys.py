"""The keys partner systems file needs with through Open311 GeoReport v2 (`api_key`): a
district's hotline system, a partner unit's own app, a courier platform. Administrators
issue, name and revoke them; only a key's SHA-256 is kept, and the plain key is shown once.

A key may be limited to one community. Filings with a key count towards its own hourly
limit; wrong keys count towards their address's, so guessing costs as much as it must.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from app import audit, throttle
from app.accounts.sessions import token_hash
from app.db import write_transaction
from app.errors import FieldError, Forbidden, InputError, NotFound
from app.formfields import ROW_IDS, Fields
from app.i18n import _, ngettext
from app.permissions import Actor, can_administer
from app.tables import Community
from needs.tables import Open311Key

KEY_PREFIX = "l311_"
"""What every key starts with, so a leaked one is recognisable (secret scanners, logs)."""
PREFIX_SHOWN = 10
"""Characters of a key kept in clear, to tell keys apart."""
MAX_NAME = 80
MAX_LIVE_KEYS = 50
"""Keys in use at once, district-wide: more is a sign of keys never revoked."""
BAD_KEYS_PER_ADDRESS = throttle.Limit("open311-bad-key", 10, timedelta(hours=1))
"""Wrong or revoked keys sent from one client address in an hour; then 429."""
FILINGS_PER_KEY = throttle.Limit("open311-key", 120, timedelta(hours=1))
"""Needs one key may file in an hour: a hotline's busiest hour, well above a person's."""
ISSUE_LOCK = "open311-key-issue"
"""Held while a key is counted and saved."""
LAST_USED_EVERY = timedelta(minutes=5)
"""`last_used_at` is written at most this often, so a busy key is not a write per request."""


@dataclass(frozen=True)
class KeyRow:
    """One key as the administrators' page lists it: never the key itself."""

    id: int
    name: str
    prefix: str
    community_slug: str | None
    community_name_zh: str | None
    community_name_en: str | None
    created_at: datetime
    created_by_name: str | None
    last_used_at: datetime | None
    revoked_at: datetime | None


def new_key() -> tuple[str, str, str]:
    """A fresh key: the plain key (shown once), its hash and the prefix kept in clear."""
    plain = KEY_PREFIX + secrets.token_urlsafe(30)
    return plain, token_hash(plain), plain[:PREFIX_SHOWN]


def _bad_key_wait(minutes: int) -> str:
    return ngettext(
        "Too many wrong keys were sent from this address. Try again in %(minutes)s minute.",
        "Too many wrong keys were sent from this address. Try again in %(minutes)s minutes.",
        minutes,
        minutes=minutes,
    )


def _filings_wait(minutes: int) -> str:
    return ngettext(
        "This key has filed as many needs as it may in an hour. Try again in %(minutes)s minute.",
        "This key has filed as many needs as it may in an hour. Try again in %(minutes)s minutes.",
        minutes,
        minutes=minutes,
    )


def _refuse_unless_admin(actor: Actor) -> None:
    if not can_administer(actor):
        raise Forbidden(_("Only administrators manage the keys of partner systems."))


async def list_keys(actor: Actor) -> list[KeyRow]:
    """Every key, those in use first (newest first), then the revoked ones."""
    _refuse_unless_admin(actor)
    rows = await Open311Key.select(
        Open311Key.id,
        Open311Key.name,
        Open311Key.prefix,
        Open311Key.community.slug.as_alias("community_slug"),
        Open311Key.community.name_zh.as_alias("community_name_zh"),
        Open311Key.community.name_en.as_alias("community_name_en"),
        Open311Key.created_at,
        Open311Key.created_by.name.as_alias("created_by_name"),
        Open311Key.last_used_at,
        Open311Key.revoked_at,
    ).order_by(Open311Key.created_at, ascending=False)
    keys = [KeyRow(**row) for row in rows]
    return sorted(keys, key=lambda key: key.revoked_at is not None)


async def issue_key(
    actor: Actor, name: str, community_slug: str, *, now: datetime
) -> tuple[Open311Key, str]:
    """A new key named `name`, limited to the community `community_slug` unless it is empty.
    Returns the row and the plain key, which is shown only now."""
    _refuse_unless_admin(actor)
    fields = Fields()
    label = fields.text(
        name,
        "name",
        max_length=MAX_NAME,
        required=_("Name the system that will use the key, such as 区12345热线."),
        single_line=True,
    )
    community, slug = None, community_slug.strip()
    if slug:
        community = await Community.objects().where(Community.slug == slug).first()
        if community is None:
            fields.error("community", _("Choose a community from the list."))
    fields.check()
    plain, hashed, prefix = new_key()
    key = Open311Key(
        name=label,
        key_hash=hashed,
        prefix=prefix,
        community=community.id if community else None,
        created_by=actor.id,
        created_at=now,
    )
    async with write_transaction(ISSUE_LOCK):
        # Counted under the lock, so administrators issuing at once never pass the limit.
        live = await Open311Key.count().where(Open311Key.revoked_at.is_null())
        if live >= MAX_LIVE_KEYS:
            raise InputError(
                [
                    FieldError(
                        "name",
                        ngettext(
                            "%(n)s key is in use; revoke one first.",
                            "%(n)s keys are in use; revoke one first.",
                            MAX_LIVE_KEYS,
                            n=MAX_LIVE_KEYS,
                        ),
                    )
                ]
            )
        await key.save()
        await audit.record(
            actor_id=actor.id,
            action="open311_key.issue",
            subject_type="open311_key",
            subject_id=key.id,
            now=now,
            community_id=community.id if community else None,
            after={"name": label, "prefix": key.prefix, "community": community_slug.strip()},
        )
    return key, plain


async def revoke_key(actor: Actor, key_id: int, *, now: datetime) -> Open311Key:
    """Revoke a key at once: the next filing with it is refused (403). Revoking again changes
    nothing."""
    _refuse_unless_admin(actor)
    if key_id not in ROW_IDS:  # a number no database column holds: no such key
        raise NotFound(_("There is no such key."))
    async with write_transaction():
        key = await Open311Key.objects().where(Open311Key.id == key_id).first()
        if key is None:
            raise NotFound(_("There is no such key."))
        if key.revoked_at is None:
            await Open311Key.update(
                {Open311Key.revoked_at: now, Open311Key.revoked_by: actor.id}
            ).where(Open311Key.id == key_id)
            await audit.record(
                actor_id=actor.id,
                action="open311_key.revoke",
                subject_type="open311_key",
                subject_id=key_id,
                now=now,
                community_id=key.community,
                before={"name": key.name, "prefix": key.prefix},
            )
            key.revoked_at, key.revoked_by = now, actor.id
    return key


async def key_for(plain: str, *, client_ip: str, now: datetime) -> Open311Key | None:
    """The key in use that `plain` is, or None (no key, a wrong one, a revoked one). A wrong
    or revoked key counts towards its address's limit: `Throttled` once the address sent too
    many, even with the right key. The right key never takes a place of that limit, not even
    while it is looked up, so many filings at once from one address are never taken for
    guesses."""
    if not plain:
        return None
    key = (
        await Open311Key.objects()
        .where((Open311Key.key_hash == token_hash(plain)) & Open311Key.revoked_at.is_null())
        .first()
    )
    if key is None:
        await throttle.reserve(BAD_KEYS_PER_ADDRESS, client_ip, now, _bad_key_wait)
        return None
    if await throttle.counted(BAD_KEYS_PER_ADDRESS, client_ip, now) >= (
        BAD_KEYS_PER_ADDRESS.max_events
    ):
        # The address is guessing: refused with the wait its limit names (or, if a place
        # came free meanwhile, the place given back at once).
        await throttle.release(
            await throttle.reserve(BAD_KEYS_PER_ADDRESS, client_ip, now, _bad_key_wait)
        )
    if key.last_used_at is None or key.last_used_at <= now - LAST_USED_EVERY:
        await Open311Key.update({Open311Key.last_used_at: now}).where(Open311Key.id == key.id)
    return key


async def reserve_filing(key: Open311Key, now: datetime) -> throttle.Reservation:
    """Count one filing towards the key's hourly limit (`Throttled` past it); give it back
    with `throttle.release` when the filing is refused."""
    return await throttle.reserve(FILINGS_PER_KEY, f"key:{key.id}", now, _filings_wait)
