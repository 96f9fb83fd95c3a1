"""Calendar feeds (RFC 5545) that every domain publishes the same way.

- **Secret addresses.** A private feed is reached through a token derived from the secret key
  and a random nonce kept on `FeedToken`; the database holds only the token's SHA-256, used
  to find it. A new nonce makes a new address and the old one stops working at once.
- **Built once per change.** A feed names a fingerprint of what it shows (versions, counts,
  latest change, the window's first day, the language). The built text is kept in
  `FeedCache`, shared by every process, and in each process's memory; a poll that finds the
  same fingerprint is answered from there, or with 304 when the client has it already.
- **Stable text.** Every event's DTSTAMP and LAST-MODIFIED come from the data, so the same
  fingerprint always gives the same bytes and the ETag is the hash of the body.

Domains contribute the events of the personal and staff feeds through `FeedSource`s on their
`Domain`; each also builds public feeds of its own (a space's busy times, a station's hours)
and serves them through `app.web.feeds`.
"""

from __future__ import annotations

import asyncio
import base64
import functools
import hashlib
import hmac
import re
import secrets
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from icalendar import Calendar, Component, Timezone

from app.cache import VersionedCache
from app.compression import CODINGS, PER_BUILD, compress
from app.db import is_unique_violation, stored_secret_key, write_transaction
from app.errors import NotFound
from app.i18n import _
from app.permissions import Actor
from app.settings import get_settings
from app.tables import FeedCache, FeedKind, FeedToken, User

PAST = timedelta(days=30)
AHEAD = timedelta(days=180)
"""The window of a feed: bookings from 30 days back to 180 days ahead (series are sent whole,
as one event with its rule, when any of their dates falls in the window)."""
CANCELLED_KEPT = PAST
"""Cancelled bookings stay in feeds (as STATUS:CANCELLED) this long, so clients remove them."""
REFRESH = timedelta(hours=1)
"""What feeds ask clients to poll at (REFRESH-INTERVAL, X-PUBLISHED-TTL)."""
MEDIA_TYPE = "text/calendar"
"""Litestar adds `; charset=utf-8` to text media types."""
PRODID = "-//Linli//Neighbourhood bookings//ZH"


@dataclass(frozen=True)
class Window:
    """The instants a feed covers, and the first local day (part of the fingerprint)."""

    start: datetime
    end: datetime
    first_day: date

    @classmethod
    def around(cls, now: datetime) -> Window:
        zone = ZoneInfo(get_settings().site.timezone)
        first_day = (now - PAST).astimezone(zone).date()
        return cls(now - PAST, now + AHEAD, first_day)


# --- tokens -------------------------------------------------------------------------------


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def _token_of(row: FeedToken) -> str:
    key = get_settings().site.secret_key or await stored_secret_key() or ""
    message = f"feed:{row.kind}:{row.user}:{row.nonce}".encode()
    mac = hmac.new(key.encode(), message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).decode().rstrip("=")


async def token_for(user_id: int, kind: FeedKind) -> str | None:
    """The person's current token of this kind, or None when they have none (or when the
    secret key changed since it was made, which ends every address)."""
    row = (
        await FeedToken.objects()
        .where((FeedToken.user == user_id) & (FeedToken.kind == kind.value))
        .first()
    )
    if row is None:
        return None
    token = await _token_of(row)
    return token if hmac.compare_digest(_digest(token), row.token_hash) else None


async def issue(user_id: int, kind: FeedKind, now: datetime) -> str:
    """A new secret address (replacing the old one, which stops working at once)."""
    row = FeedToken(
        user=user_id,
        kind=kind.value,
        nonce=secrets.token_urlsafe(32),
        token_hash="",
        created_at=now,
    )
    token = await _token_of(row)
    async with write_transaction(f"feed-token:{user_id}"):
        await FeedToken.delete().where((FeedToken.user == user_id) & (FeedToken.kind == kind.value))
        row.token_hash = _digest(token)
        await row.save()
    return token


async def renew_all(user_id: int, now: datetime) -> list[FeedKind]:
    """Give every address the person has a new nonce, inside the caller's transaction: the
    old addresses stop working at once. Returns the kinds renewed (none made, none renewed)."""
    rows = await FeedToken.objects().where(FeedToken.user == user_id).order_by(FeedToken.kind)
    for row in rows:
        row.nonce = secrets.token_urlsafe(32)
        await FeedToken.update(
            {
                FeedToken.nonce: row.nonce,
                FeedToken.token_hash: _digest(await _token_of(row)),
                FeedToken.created_at: now,
                FeedToken.last_used_at: None,
            }
        ).where(FeedToken.id == row.id)
    return [FeedKind(row.kind) for row in rows]


async def revoke(user_id: int, kind: FeedKind) -> None:
    await FeedToken.delete().where((FeedToken.user == user_id) & (FeedToken.kind == kind.value))


async def user_for(token: str, kind: FeedKind, now: datetime) -> User:
    """The person a token belongs to; `NotFound` (the same for every failure, so nobody can
    tell whether a token ever existed) otherwise."""
    missing = NotFound(_("There is no calendar at this address."))
    if not 20 <= len(token) <= 100:
        raise missing
    row = (
        await FeedToken.objects(FeedToken.user)
        .where((FeedToken.token_hash == _digest(token)) & (FeedToken.kind == kind.value))
        .first()
    )
    if row is None or not row.user.active:
        raise missing
    if row.last_used_at is None or now - row.last_used_at > timedelta(hours=1):
        await FeedToken.update({FeedToken.last_used_at: now}).where(FeedToken.id == row.id)
    return row.user


async def forget_built(user_id: int) -> None:
    """Delete the person's built private feeds (their bookings; a staff member's also name
    other people and their notes), inside the caller's transaction: their account is going."""
    for kind in FeedKind:
        await FeedCache.delete().where(FeedCache.key.like(f"{kind.value}:{user_id}:%"))


def token_of_path(segment: str) -> str:
    """`{token}.ics` → the token (Litestar cannot match a suffix after a parameter)."""
    if not segment.endswith(".ics"):
        raise NotFound(_("There is no calendar at this address."))
    return segment[: -len(".ics")]


# --- building -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Context:
    """What building events needs besides the data: the window, the site's address for
    links, and the time."""

    window: Window
    base_url: str
    now: datetime


@dataclass(frozen=True)
class FeedSource:
    """What a domain adds to a person's feed: a cheap fingerprint of it (one or two small
    queries), and its events."""

    fingerprint: Callable[[Actor, Window], Awaitable[str]]
    events: Callable[[Actor, Context], Awaitable[Sequence[Component | bytes]]]


def calendar(name: str, description: str = "") -> Calendar:
    """An empty feed with the name and refresh hints the common clients read."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("name", name)
    cal.add("x-wr-calname", name)
    if description:
        cal.add("description", description)
        cal.add("x-wr-caldesc", description)
    cal.add("x-wr-timezone", get_settings().site.timezone)
    cal.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", "PT1H")
    return cal


async def finish(
    cal: Calendar,
    events: Iterable[Component | bytes],
    window: Window,
    zones: Iterable[str] = (),
) -> bytes:
    """The feed's bytes (written in a worker thread, so the server keeps answering)."""
    return await asyncio.to_thread(finish_now, cal, list(events), window, set(zones))


def finish_now(
    cal: Calendar, events: list[Component | bytes], window: Window, zones: set[str]
) -> bytes:
    """The calendar with its events (components, or their stored text) and a VTIMEZONE for
    every zone they use (`zones` names those of events given as text)."""
    first, last = window.start.date() - timedelta(days=400), window.end.date() + timedelta(days=800)
    written = [e for e in events if isinstance(e, bytes)]
    zones = zones | {z.decode() for text in written for z in _TZID.findall(text)}
    for event in events:
        if isinstance(event, Component):
            cal.add_component(event)
    cal.add_missing_timezones(first_date=first, last_date=last)
    present = {str(tz["tzid"]) for tz in cal.walk("VTIMEZONE")}
    for zone in sorted(zones - present):
        cal.subcomponents.insert(0, timezone_of(zone, first, last))
    text = cal.to_ical()
    if not written:
        return text
    end = b"END:VCALENDAR\r\n"
    return text.removesuffix(end) + b"".join(written) + end


_TZID = re.compile(rb";TZID=([^:;\r\n]+)")


@functools.lru_cache(maxsize=32)
def timezone_of(tzid: str, first: date, last: date) -> Timezone:
    """The VTIMEZONE of `tzid` with its transitions from `first` to `last`: the same for
    every feed built on a day, and icalendar takes 11 ms to compute Asia/Shanghai's over a
    feed's three years (a tenth of a feed built from stored texts). Shared by the feeds
    that include it: written out, never changed."""
    return Timezone.from_tzid(tzid, first_date=first, last_date=last)


@dataclass(frozen=True)
class Built:
    body: bytes
    etag: str
    last_modified: datetime
    encoded: dict[str, bytes]
    """`body` compressed in each of `compression.CODINGS`, made once per build and stored."""


_memory: VersionedCache[Built] = VersionedCache(64)


def _encoded(body: bytes) -> dict[str, bytes]:
    return {coding: compress(body, coding, PER_BUILD) for coding in CODINGS}


async def cached(
    key: str,
    fingerprint: str,
    build: Callable[[], Awaitable[bytes]],
    now: datetime,
) -> Built:
    """The feed for `key` at `fingerprint`: from this process, else the shared table, else
    built now (and stored for every process; its Last-Modified is then `now`)."""
    digest = hashlib.sha256(fingerprint.encode()).hexdigest()
    memo = _memory.get((key, digest))
    if memo is not None:
        return memo
    # One build per key at a time in this process: the polls that arrive meanwhile wait
    # for it instead of building the same feed again.
    lock = _building.setdefault(key, asyncio.Lock())
    try:
        async with lock:
            memo = _memory.get((key, digest))
            if memo is not None:
                return memo
            return await _load_or_build(key, digest, build, now)
    finally:
        if not lock.locked() and _building.get(key) is lock:
            del _building[key]


_building: dict[str, asyncio.Lock] = {}


async def _load_or_build(
    key: str,
    digest: str,
    build: Callable[[], Awaitable[bytes]],
    now: datetime,
) -> Built:
    row = await FeedCache.objects().where(FeedCache.key == key).first()
    if row is not None and row.fingerprint == digest:
        body = row.body.encode()
        encoded = {"br": bytes(row.body_br), "gzip": bytes(row.body_gzip)}
        if not all(encoded.values()):  # a row stored before feeds were kept compressed
            encoded = await asyncio.to_thread(_encoded, body)
            await FeedCache.update(
                {FeedCache.body_br: encoded["br"], FeedCache.body_gzip: encoded["gzip"]}
            ).where((FeedCache.key == key) & (FeedCache.fingerprint == digest))
        built = Built(body, row.etag, row.last_modified, encoded)
    else:
        body = await build()
        encoded = await asyncio.to_thread(_encoded, body)
        built = Built(body, hashlib.sha256(body).hexdigest()[:32], now, encoded)
        fields: dict[str, Any] = {
            "fingerprint": digest,
            "etag": built.etag,
            "last_modified": built.last_modified,
            "body": body.decode(),
            "body_br": encoded["br"],
            "body_gzip": encoded["gzip"],
            "built_at": now,
        }
        if row is not None:
            await FeedCache.update(**fields).where(FeedCache.key == key)
        else:
            try:
                await FeedCache.insert(FeedCache(key=key, **fields))
            except Exception as exc:
                if not is_unique_violation(exc):
                    raise  # another process built it at the same moment: theirs is as good
    _memory.put((key, digest), built)
    return built
