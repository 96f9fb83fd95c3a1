"""Feeds from stored event texts: the concatenation is byte for byte the feed icalendar
writes whole; a change makes exactly the texts it touches stale; the job, a feed request
and `linli migrate` write them; a deleted account's texts go; two builders at once agree."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import timedelta
from types import SimpleNamespace

import pytest

from app import feeds, i18n
from app.accounts.services import delete_account
from app.cache import clear_all
from app.feeds import Context, Window
from app.i18n import _, localized
from app.migrate import migrate
from app.settings import get_settings
from app.tables import FeedCache, FeedKind, User
from spaces.logic.rules import Request
from spaces.logic.space_form import form_of
from spaces.services import bookings, cancellation, editing, feed_jobs, series_dates
from spaces.services.feed_events import (
    PERSONAL,
    PUBLIC,
    STAFF,
    booking_event,
    series_events,
)
from spaces.services.feeds import ROW_COLUMNS, public_events
from spaces.tables import Booking, BookingSeries, FeedEventText, FeedTextDue, Space
from tests.factories import (
    NOW,
    PASSWORD,
    actor_for,
    make_community,
    make_space,
    make_user,
    shanghai,
)
from tests.fixtures import Browser, WorkLog
from tests.spaces.web.test_feeds import _berlin_series, berlin

BASE = "http://testserver"


@pytest.fixture(autouse=True)
def site_address(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The test client's address is the site's (LINLI_PUBLIC_URL): texts for it are stored."""
    monkeypatch.setenv("LINLI_PUBLIC_URL", BASE)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


async def _fresh_caches() -> None:
    """What a process with empty memory finds when the feed's own fingerprint changed."""
    clear_all()
    await FeedCache.delete(force=True)


async def _reference(audience: str, locale: str, leader: User) -> bytes:
    """The feed as icalendar writes it whole: one Calendar of components, nothing stored."""
    i18n.set_locale(locale)
    space = await Space.objects(Space.community).where(Space.slug == "hall").first()
    series = await BookingSeries.objects(BookingSeries.user).where(BookingSeries.space == space.id)
    singles = Booking.series.is_null()
    if audience == PERSONAL:
        singles &= Booking.user == leader.id
    rows = await Booking.select(*ROW_COLUMNS).where(singles).order_by(Booking.starts_at)
    base = "" if audience == PUBLIC else BASE
    components = []
    for item in series:
        occurrences = await Booking.select(*ROW_COLUMNS).where(Booking.series == item.id)
        plain = [SimpleNamespace(**row) for row in occurrences]
        components += series_events(item, plain, space, audience, base_url=base)
    for row in rows:
        components.append(booking_event(SimpleNamespace(**row), space, audience, base_url=base))
    if audience == PUBLIC:
        name = _("%(space)s: booked times", space=localized(space, "name"))
    elif audience == PERSONAL:
        name = _("My bookings · %(site)s", site=_("Linli"))
    else:
        name = _("Bookings in my communities · %(site)s", site=_("Linli"))
    body = feeds.finish_now(feeds.calendar(name), components, Window.around(NOW), set())
    i18n.set_locale("zh_CN")
    return body


def _line(body: bytes, start: str) -> str:
    """The first (unfolded) line of the text that starts with `start`."""
    lines = body.decode().replace("\r\n ", "").split("\r\n")
    return next(line for line in lines if line.startswith(start))


async def _urls(leader: User) -> dict[str, str]:
    staff = await User.objects().where(User.login == "staff@example.com").first()
    return {
        PUBLIC: "/feeds/spaces/hall.ics",
        PERSONAL: f"/feeds/users/{await feeds.issue(leader.id, FeedKind.personal, NOW)}.ics",
        STAFF: f"/feeds/staff/{await feeds.issue(staff.id, FeedKind.staff, NOW)}.ics",
    }


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
async def test_stored_texts_concatenate_to_the_feed_icalendar_writes_whole(
    browser: Browser, locale: str
) -> None:
    leader, made = await _berlin_series()
    urls = await _urls(leader)
    single = await Booking.objects().where(Booking.series.is_null()).first()
    staff = await actor_for(await User.objects().where(User.login == "staff@example.com").first())
    for url in urls.values():
        await browser.get(f"{url}?lang={locale}")  # writes and stores every text
    texts = await FeedEventText.select(
        FeedEventText.owner, FeedEventText.audience, FeedEventText.locale
    ).where(FeedEventText.owner == f"series:{made.id}")
    assert sorted((t["audience"], t["locale"]) for t in texts) == [
        (PERSONAL, locale),
        (PUBLIC, locale),
        (STAFF, locale),
    ]
    # One booking changes: its texts are stale, the others are read as stored.
    await cancellation.cancel(staff, str(single.id), reason="停电", now=NOW)
    for audience, url in urls.items():
        await _fresh_caches()
        from_store = (await browser.get(f"{url}?lang={locale}")).content
        await FeedEventText.delete(force=True)
        await _fresh_caches()
        cold = (await browser.get(f"{url}?lang={locale}")).content
        assert from_store == cold, audience
        assert cold == await _reference(audience, locale, leader), audience
        # The series is there with its dropped date and its moved one.
        assert "20260402T090000" in _line(cold, "EXDATE;TZID=Europe/Berlin:")
        assert _line(cold, "RECURRENCE-ID") == "RECURRENCE-ID;TZID=Europe/Berlin:20260331T090000"


async def _stored(owner: str, audience: str, locale: str = "zh_CN") -> str:
    row = (
        await FeedEventText.select(FeedEventText.text)
        .where(
            (FeedEventText.owner == owner)
            & (FeedEventText.audience == audience)
            & (FeedEventText.locale == locale)
        )
        .first()
    )
    return row["text"] if row else ""


async def test_a_change_is_written_by_the_next_feed_request(browser: Browser) -> None:
    leader, made = await _berlin_series()
    urls = await _urls(leader)
    await browser.get(urls[PERSONAL])
    await browser.get(f"{urls[PERSONAL]}?lang=en")
    owner = f"series:{made.id}"
    assert "SUMMARY:共享音乐室" in await _stored(owner, PERSONAL)
    assert "SUMMARY:Shared music room" in await _stored(owner, PERSONAL, "en")
    # The series changes: one more date dropped.
    staff = await actor_for(await User.objects().where(User.login == "staff@example.com").first())
    room = await Space.objects(Space.community).where(Space.slug == "hall").first()
    tuesday = await Booking.objects().where(Booking.starts_at == berlin(17, 9)).first()
    await series_dates.cancel_one(staff, room, made, str(tuesday.id), reason="修缮", now=NOW)
    await _fresh_caches()
    body = (await browser.get(urls[PERSONAL])).content
    assert "20260317T090000" in _line(body, "EXDATE")
    assert "20260317T090000" in _line((await _stored(owner, PERSONAL)).encode(), "EXDATE")
    # The space is renamed: every text showing its name is written again.
    form = form_of(room)
    form.name_zh = "共享琴房"
    await editing.update_space(staff, room, form, now=NOW)
    await _fresh_caches()
    body = (await browser.get(urls[PERSONAL])).content
    assert "SUMMARY:共享琴房".encode() in body
    assert "SUMMARY:共享琴房" in await _stored(owner, PERSONAL)
    assert "SUMMARY:Shared music room" in await _stored(owner, PERSONAL, "en")


async def test_the_job_writes_the_texts_a_change_made_stale(
    browser: Browser, work_log: WorkLog
) -> None:
    home = await make_community("bayi")
    room = await make_space(home, "hall")
    resident = await actor_for(await make_user(community=home))
    booked = await bookings.book(
        resident, "hall", Request(shanghai(3, 10), shanghai(3, 11)), now=NOW
    )
    # Queued with the commit (after it on PostgreSQL), one row per space however many changes.
    await cancellation.cancel(resident, str(booked.booking.id), now=NOW)
    assert await FeedTextDue.select(FeedTextDue.space, FeedTextDue.changes) == [
        {"space": room.id, "changes": 2}
    ]
    assert await feed_jobs.write_due(NOW) == 1
    assert await FeedTextDue.count() == 0
    owner = f"booking:{booked.booking.id}"
    assert "STATUS:CANCELLED" in await _stored(owner, PUBLIC)
    assert "SUMMARY:Booked" in await _stored(owner, PUBLIC, "en")
    # The feed request then only reads them.
    work_log.clear()
    body = (await browser.get("/feeds/spaces/hall.ics")).content
    assert b"STATUS:CANCELLED" in body
    assert not [sql for sql in work_log.statements if "INSERT INTO" in sql and "feed_event" in sql]


async def test_linli_migrate_writes_the_missing_texts(
    browser: Browser, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("app.migrate.utcnow", lambda: NOW)
    home = await make_community("bayi")
    await make_space(home, "hall")
    resident = await actor_for(await make_user(community=home))
    start = NOW.replace(day=3, hour=2)
    booked = await bookings.book(resident, "hall", Request(start, start.replace(hour=3)), now=NOW)
    await FeedEventText.delete(force=True)
    await migrate(quiet=True)
    rows = await FeedEventText.select(FeedEventText.owner, FeedEventText.locale).where(
        FeedEventText.audience == PUBLIC
    )
    owner = f"booking:{booked.booking.id}"
    assert sorted((r["owner"], r["locale"]) for r in rows) == [(owner, "en"), (owner, "zh_CN")]


async def test_deleting_an_account_deletes_the_texts_with_its_name(browser: Browser) -> None:
    leader, made = await _berlin_series()
    urls = await _urls(leader)
    await browser.get(urls[PERSONAL])
    await browser.get(urls[STAFF])
    assert "赵老师" in await _stored(f"series:{made.id}", STAFF)
    assert await FeedEventText.count().where(FeedEventText.person == leader.id) == 2
    await delete_account(leader, password=PASSWORD, now=NOW)
    assert await FeedEventText.count().where(FeedEventText.person == leader.id) == 0
    assert "赵老师" not in "".join(r["text"] for r in await FeedEventText.select())


async def test_two_builders_at_once_both_succeed_with_the_same_texts(db_pool: None) -> None:
    home = await make_community("bayi")
    room = await make_space(home, "hall", capacity=3)
    people = [await actor_for(await make_user(community=home)) for _ in range(3)]
    for hour, person in zip((2, 4, 6), people, strict=True):
        start = NOW.replace(day=3, hour=hour)
        await bookings.book(person, "hall", Request(start, start.replace(hour=hour + 1)), now=NOW)
    space = await Space.objects(Space.community).where(Space.id == room.id).first()
    context = Context(Window.around(NOW), "", NOW)
    first, second = await asyncio.gather(
        public_events(space, context), public_events(space, context)
    )
    assert first == second and len(first) == 3
    assert await FeedEventText.count() == 3


def test_a_feed_from_texts_names_each_zone_once_computed_once_a_day(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The VTIMEZONE of a zone the stored texts use is computed once for the day's window
    and written the same into every feed; another day's window computes its own."""
    computed: list[str] = []
    from_tzid = feeds.Timezone.from_tzid

    def counted(tzid: str, **kwargs: object) -> object:
        computed.append(tzid)
        return from_tzid(tzid, **kwargs)

    feeds.timezone_of.cache_clear()
    monkeypatch.setattr(feeds.Timezone, "from_tzid", counted)
    text = b"BEGIN:VEVENT\r\nDTSTART;TZID=Asia/Shanghai:20261208T090000\r\nEND:VEVENT\r\n"
    today = Window.around(NOW)
    built = [feeds.finish_now(feeds.calendar("x"), [text], today, set()) for _ in range(2)]
    assert built[0] == built[1]
    assert built[0].count(b"BEGIN:VTIMEZONE") == 1
    assert b"TZID:Asia/Shanghai" in built[0]
    assert computed == ["Asia/Shanghai"]
    feeds.finish_now(feeds.calendar("x"), [text], Window.around(NOW + timedelta(days=1)), set())
    assert computed == ["Asia/Shanghai", "Asia/Shanghai"]
