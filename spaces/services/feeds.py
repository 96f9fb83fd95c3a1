"""A space's public feed and the spaces' part of a resident's and a staff member's private
feeds: what each shows, read as plain rows, and its events' stored texts (the events
themselves are written by `spaces.services.feed_events`)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from functools import partial
from types import SimpleNamespace
from typing import Any

from icalendar import Component, Event
from piccolo.custom_types import Combinable
from piccolo.query.functions.aggregate import Count, Max, Sum

from app.db import batches
from app.feeds import CANCELLED_KEPT, Context, FeedSource, Window
from app.i18n import current_locale, localized
from app.permissions import Actor
from app.queries import in_staff_scope, overlapping
from spaces.logic.statuses import BookingStatus
from spaces.services import feed_texts
from spaces.services.feed_events import (
    PERSONAL,
    PUBLIC,
    STAFF,
    booking_event,
    location_text,
    series_events,
    who_of_series,
)
from spaces.services.series import describe
from spaces.tables import Booking, BookingSeries, Space

# --- reading what a feed shows ------------------------------------------------------------


ROW_COLUMNS = (
    Booking.id,
    Booking.space,
    Booking.starts_at,
    Booking.ends_at,
    Booking.units,
    Booking.status,
    Booking.note,
    Booking.created_at,
    Booking.updated_at,
    Booking.sequence,
    Booking.occurrence_on,
    Booking.series,
    Booking.user.as_alias("person"),
    Booking.user.name.as_alias("user_name"),
)
"""What an event needs of a booking: read as plain rows, because building thousands of
`Booking` objects with a joined user costs ten times the query."""


STAMP_COLUMNS = (Booking.id, Booking.space, Booking.updated_at, Booking.sequence, Booking.status)
"""What a single booking's stored text is checked against in a public feed: every writer of
a booking sets `updated_at`, which the text shows (DTSTAMP, LAST-MODIFIED)."""
PRIVATE_STAMP_COLUMNS = (
    *STAMP_COLUMNS,
    Booking.units,
    Booking.note,
    Booking.user.name.as_alias("user_name"),
)
"""The same for personal and staff texts, which also show the units, note and name."""


async def _bookings(
    where: Any, audience: str, context: Context, columns: Sequence[Any] = ROW_COLUMNS
) -> list[dict[str, Any]]:
    """Single bookings in the window: confirmed ones, pending requests (except in public
    feeds: a request holds nothing), and those cancelled lately, so clients remove them."""
    window = context.window
    shown = [BookingStatus.confirmed.value]
    if audience != PUBLIC:
        shown.append(BookingStatus.pending.value)
    return list(
        await Booking.select(*columns)
        .where(
            where
            & Booking.series.is_null()
            & overlapping(Booking.starts_at, Booking.ends_at, window.start, window.end)
            & (
                Booking.status.is_in(shown)
                | (
                    Booking.status.not_in([BookingStatus.pending.value])
                    & (Booking.updated_at > context.now - CANCELLED_KEPT)
                )
            )
        )
        .order_by(Booking.starts_at)
    )


async def _full_rows(ids: list[Any]) -> dict[Any, SimpleNamespace]:
    """The bookings whose texts are to be written, with everything an event needs."""
    found: dict[Any, SimpleNamespace] = {}
    for chunk in batches(ids, feed_texts.STORE_CHUNK):
        for row in await Booking.select(*ROW_COLUMNS).where(Booking.id.is_in(chunk)):
            found[row["id"]] = SimpleNamespace(**row)
    return found


async def _series(where: Any, window: Window) -> list[tuple[BookingSeries, list[SimpleNamespace]]]:
    found = await BookingSeries.objects(BookingSeries.user).where(
        where
        & (BookingSeries.ends_on >= window.first_day)
        & (BookingSeries.starts_on <= window.end.date())
    )
    if not found:
        return []
    rows = await Booking.select(*ROW_COLUMNS).where(Booking.series.is_in([s.id for s in found]))
    by_series: dict[Any, list[SimpleNamespace]] = {s.id: [] for s in found}
    for row in rows:
        by_series[row["series"]].append(SimpleNamespace(**row))
    return [(s, by_series[s.id]) for s in sorted(found, key=lambda s: (s.starts_on, str(s.id)))]


async def _spaces(ids: set[Any]) -> dict[Any, Space]:
    if not ids:
        return {}
    rows = await Space.objects(Space.community).where(Space.id.is_in(list(ids)))
    return {space.id: space for space in rows}


async def events_of(
    booking_where: Any,
    series_where: Any,
    audience: str,
    context: Context,
    *,
    person: int | None = None,
) -> list[Component | bytes]:
    """The single bookings and the series matching the conditions, as event texts: stored
    ones where still current, the others written now (`spaces.services.feed_texts`). Only
    what checks a stored text is read of every booking; the rest only for those written."""
    columns = STAMP_COLUMNS if audience == PUBLIC else PRIVATE_STAMP_COLUMNS
    bookings, series = await asyncio.gather(
        _bookings(booking_where, audience, context, columns),
        _series(series_where, context.window),
    )
    spaces = await _spaces({b["space"] for b in bookings} | {s.space for s, _o in series})
    locale = current_locale()
    base = context.base_url
    # Digesting thousands of rows (in a worker thread, so the server keeps answering) and
    # reading the stored texts, at the same time.
    wanted, rows = await asyncio.gather(
        asyncio.to_thread(wanted_events, bookings, series, spaces, audience, base, locale),
        feed_texts.read(list(spaces), audience, locale, base, person=person),
    )
    stored, stale = feed_texts.current(wanted, rows)
    if stale:
        full = await _full_rows([w.row_id for w in stale if w.row_id is not None])
        makers = [
            w.made_by(
                partial(_one_event, full[w.row_id], spaces[w.space], audience, base),
                full[w.row_id].person,
            )
            if w.row_id is not None
            else w
            for w in stale
        ]
        stored |= await feed_texts.write(makers, audience, locale, base)
    return [stored[w.owner] for w in wanted]


def _space_inputs(space: Space) -> str:
    """What a text takes from its space (in the current language)."""
    return feed_texts.digest(
        space.id,
        localized(space, "name"),
        location_text(space),
        space.latitude,
        space.longitude,
        space.timezone,
    )


def wanted_events(
    bookings: list[dict[str, Any]],
    series: list[tuple[BookingSeries, list[SimpleNamespace]]],
    spaces: dict[Any, Space],
    audience: str,
    base: str,
    locale: str,
) -> list[feed_texts.Wanted]:
    """Every event a feed shows, series first (as feeds always had them), each with a digest
    of what its text is made from. Series come whole, ready to write; single bookings as
    their stamp (`STAMP_COLUMNS`), read whole only when written."""
    release = feed_texts.release(locale)
    of_space = {
        space_id: feed_texts.digest(release, _space_inputs(space))
        for space_id, space in spaces.items()
    }
    wanted = []
    for item, occurrences in series:
        space = spaces[item.space]
        inputs = feed_texts.digest(
            of_space[item.space],
            item.updated_at,
            item.sequence,
            item.cancelled_at,
            item.group_name,
            item.starts_on,
            item.ends_on,
            who_of_series(item),
            describe(item),
            *(_occurrence_stamp(b) for b in occurrences),
        )
        make = partial(series_events, item, occurrences, space, audience, base_url=base)
        person = getattr(item.user, "id", None)
        wanted.append(feed_texts.Wanted(f"series:{item.id}", space.id, person, inputs, make))
    private = audience != PUBLIC
    for b in bookings:
        stamp = (
            f"{of_space[b['space']]}|{b['updated_at'].timestamp()}|{b['sequence']}|{b['status']}"
        )
        if private:
            stamp = feed_texts.digest(stamp, b["units"], b["note"], b["user_name"])
        wanted.append(
            feed_texts.Wanted(f"booking:{b['id']}", b["space"], None, stamp, row_id=b["id"])
        )
    return wanted


def _occurrence_stamp(b: SimpleNamespace) -> tuple[Any, ...]:
    return (
        b.id,
        b.updated_at,
        b.sequence,
        b.status,
        b.units,
        b.note,
        b.starts_at,
        b.ends_at,
        b.occurrence_on,
    )


def _one_event(booking: SimpleNamespace, space: Space, audience: str, base: str) -> list[Event]:
    return [booking_event(booking, space, audience, base_url=base)]


# --- the space's public feed ------------------------------------------------------------------


def public_fingerprint(space: Space, window: Window) -> str:
    """Every change to a space's bookings, calendar or details bumps its version."""
    return (
        f"space:{space.id}:{space.created_at}:{space.version}:{space.updated_at}:{window.first_day}"
    )


async def public_events(space: Space, context: Context) -> list[Component | bytes]:
    return await events_of(
        Booking.space == space.id, BookingSeries.space == space.id, PUBLIC, context
    )


# --- the spaces' part of private feeds --------------------------------------------------------


async def _fingerprint(booking_where: Combinable, series_where: Combinable, window: Window) -> str:
    """Counts, latest changes and summed sequences: any change a feed shows moves one."""
    bookings = await Booking.select(
        Count(alias="n"),
        Max(Booking.updated_at, alias="changed"),
        Sum(Booking.sequence, alias="seq"),
        Max(Booking.space.updated_at, alias="space_changed"),
    ).where(booking_where & (Booking.ends_at > window.start))
    series = await BookingSeries.select(
        Count(alias="n"),
        Max(BookingSeries.updated_at, alias="changed"),
        Sum(BookingSeries.sequence, alias="seq"),
    ).where(series_where)
    return f"{sorted(bookings[0].items())}|{sorted(series[0].items())}"


async def _names(booking_where: Combinable, series_where: Combinable, window: Window) -> str:
    """The people a staff feed names, with their names: a rename or an account deletion
    (which also erases the notes) changes no booking's stamp, only this."""
    booked = await (
        Booking.select(Booking.user.id.as_alias("id"), Booking.user.name.as_alias("name"))
        .where(booking_where & (Booking.ends_at > window.start))
        .distinct()
    )
    standing = await (
        BookingSeries.select(
            BookingSeries.user.id.as_alias("id"), BookingSeries.user.name.as_alias("name")
        )
        .where(series_where)
        .distinct()
    )
    return feed_texts.digest(
        *sorted({(row["id"] or 0, row["name"] or "") for row in booked + standing})
    )


async def personal_fingerprint(actor: Actor, window: Window) -> str:
    return await _fingerprint(Booking.user == actor.id, BookingSeries.user == actor.id, window)


async def personal_events(actor: Actor, context: Context) -> list[Component | bytes]:
    return await events_of(
        Booking.user == actor.id,
        BookingSeries.user == actor.id,
        PERSONAL,
        context,
        person=actor.id,
    )


async def staff_fingerprint(actor: Actor, window: Window) -> str:
    booking_where = in_staff_scope(actor, Booking.space.community)
    series_where = in_staff_scope(actor, BookingSeries.space.community)
    changes = await _fingerprint(booking_where, series_where, window)
    return f"{changes}|{await _names(booking_where, series_where, window)}"


async def staff_events(actor: Actor, context: Context) -> list[Component | bytes]:
    return await events_of(
        in_staff_scope(actor, Booking.space.community),
        in_staff_scope(actor, BookingSeries.space.community),
        STAFF,
        context,
    )


PERSONAL_FEED = FeedSource(personal_fingerprint, personal_events)
STAFF_FEED = FeedSource(staff_fingerprint, staff_events)
