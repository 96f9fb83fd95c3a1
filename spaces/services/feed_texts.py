"""Event texts of the spaces' feeds, stored so a feed is a concatenation, not a build.

Each booking and each series has one stored text per audience (public, personal, staff),
language and site address, with a digest of everything the text is made from (`inputs`).
A feed reads the rows it shows and the stored texts beside them; a text whose digest no
longer matches (the booking, the series, the space, the person's name or the release
changed) or that is missing is written now with icalendar and stored for the next reader.
So a change makes texts stale without writing them: the changing transaction only bumps
the space's version, as before, and `spaces.queries.spaces.touch` queues the space after
the commit for `spaces.services.feed_jobs`, which writes them before the next poll usually
arrives.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import Any

import icalendar
from icalendar import Component

from app import db
from app.i18n import LOCALE_DIR
from app.settings import get_settings
from app.tables import User
from spaces.tables import FeedEventText

log = logging.getLogger(__name__)

TEXT_FORMAT = 1
"""Bump when the texts change for a reason the release digest does not see."""
STORE_CHUNK = 500
"""Rows per INSERT (SQLite allows 32,766 parameters in one statement)."""


@dataclass(frozen=True)
class Wanted:
    """One event a feed shows: who owns its text, what it is made from, how to make it
    (`make`, or the booking to read first: `row_id`)."""

    owner: str
    space: int
    person: int | None
    inputs: str
    make: Callable[[], Sequence[Component]] | None = None
    row_id: Any = None

    def made_by(self, make: Callable[[], Sequence[Component]], person: int | None) -> Wanted:
        return replace(self, make=make, person=person)


@cache
def release(locale: str) -> str:
    """What every text of `locale` also depends on: the code that writes it, the catalog
    and icalendar's version (a deploy that changes any of them makes every text stale)."""
    here = Path(__file__).parent
    parts = [
        str(TEXT_FORMAT),
        icalendar.__version__,
        (here / "feed_events.py").read_text(encoding="utf-8"),
        (here / "feeds.py").read_text(encoding="utf-8"),
    ]
    po_path = LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po"
    if po_path.exists():
        parts.append(po_path.read_text(encoding="utf-8"))
    return digest(*parts)


def digest(*parts: object) -> str:
    """A 32-character digest of the parts' text."""
    joined = "\x1f".join(map(str, parts)).encode()
    return hashlib.blake2b(joined, digest_size=16).hexdigest()


async def read(
    space_ids: Sequence[Any],
    audience: str,
    locale: str,
    base_url: str,
    *,
    person: int | None = None,
) -> list[dict[str, Any]]:
    """The stored texts (`owner`, `inputs`, `text`) of these spaces for this audience,
    language and address; `person` narrows them to one person's (a personal feed)."""
    if not space_ids:
        return []
    where = (
        FeedEventText.space.is_in(sorted(space_ids))
        & (FeedEventText.audience == audience)
        & (FeedEventText.locale == locale)
        & (FeedEventText.base_url == base_url)
    )
    if person is not None:
        where &= FeedEventText.person == person
    return list(
        await FeedEventText.select(
            FeedEventText.owner, FeedEventText.inputs, FeedEventText.text
        ).where(where)
    )


def current(
    wanted: Sequence[Wanted], rows: Sequence[dict[str, Any]]
) -> tuple[dict[str, bytes], list[Wanted]]:
    """Of the stored rows, the texts whose inputs still match a wanted event's, by owner;
    and the wanted events whose text is missing or stale."""
    inputs = {w.owner: w.inputs for w in wanted}
    found = {
        row["owner"]: row["text"].encode()
        for row in rows
        if inputs.get(row["owner"]) == row["inputs"]
    }
    return found, [w for w in wanted if w.owner not in found]


async def write(
    stale: Sequence[Wanted], audience: str, locale: str, base_url: str
) -> dict[str, bytes]:
    """Write the texts with icalendar (in a worker thread) and store them; by owner.
    Only texts for the site's own address are stored (see `stored_address`)."""
    made = await asyncio.to_thread(_make, stale)
    if stored_address(base_url):
        await store(stale, made, audience, locale, base_url)
    return made


def stored_address(base_url: str) -> bool:
    """Whether texts with links to `base_url` are kept: none (public texts) or the site's
    address (LINLI_PUBLIC_URL). A request's Host is the client's to choose, and each address
    kept would be another set of texts to store and for the job to rewrite on every change."""
    return base_url in ("", get_settings().site.public_url)


def _make(stale: Sequence[Wanted]) -> dict[str, bytes]:
    made = {}
    for w in stale:
        assert w.make is not None, "read the booking before writing its text"
        made[w.owner] = b"".join(event.to_ical() for event in w.make())
    return made


async def store(
    wanted: Sequence[Wanted], made: dict[str, bytes], audience: str, locale: str, base_url: str
) -> None:
    """Insert or replace the texts: in key order, so two builders at once never wait for
    each other in opposite orders, and `ON CONFLICT` so neither fails on the other's row.
    A failure is logged and not raised: the feed has its texts, the next reader stores them.

    The texts of a person whose account is gone are not stored: they were read before the
    deletion and carry the name it erased (`forget_person` holds the person's row while it
    deletes, and this checks it under a lock that waits for that)."""
    rows = [
        FeedEventText(
            owner=w.owner,
            space=w.space,
            audience=audience,
            locale=locale,
            base_url=base_url,
            person=w.person,
            inputs=w.inputs,
            text=made[w.owner].decode(),
        )
        for w in sorted(wanted, key=lambda w: w.owner)
    ]
    persons = sorted({w.person for w in wanted if w.person is not None})
    try:
        async with db.write_transaction():
            if persons:
                alive = await _existing(persons)
                rows = [row for row in rows if row.person is None or row.person in alive]
            for chunk in db.batches(rows, STORE_CHUNK):
                await FeedEventText.insert(*chunk).on_conflict(
                    target=(
                        FeedEventText.owner,
                        FeedEventText.audience,
                        FeedEventText.locale,
                        FeedEventText.base_url,
                    ),
                    action="DO UPDATE",
                    values=[
                        FeedEventText.space,
                        FeedEventText.person,
                        FeedEventText.inputs,
                        FeedEventText.text,
                    ],
                )
    except Exception as exc:
        if db.is_unreachable(exc):
            raise
        log.exception("storing %d feed texts failed; the next reader writes them", len(rows))


async def _existing(persons: Sequence[int]) -> set[int]:
    """Which of these people still have an account; on PostgreSQL their rows stay locked
    (KEY SHARE) until the caller commits, so an account deletion waits for this store."""
    query = User.select(User.id).where(User.id.is_in(list(persons)))
    if not db.is_sqlite():
        query = query.lock_rows("KEY SHARE")
    return {row["id"] for row in await query}


async def forget_person(user_id: int) -> None:
    """Delete the texts of a person's bookings (their name and links are in them), inside
    the deletion's transaction. On PostgreSQL the person's row is locked first: a builder
    storing their texts meanwhile commits before this deletes, or finds them gone."""
    if not db.is_sqlite():
        await User.select(User.id).where(User.id == user_id).lock_rows()
    await FeedEventText.delete().where(FeedEventText.person == user_id)
