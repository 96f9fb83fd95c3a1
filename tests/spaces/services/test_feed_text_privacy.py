"""Stored feed texts against a hostile client and an erased person: an address the client
chose stores nothing; a text read before its person's account was deleted is not stored;
a staff feed forgets a deleted person's name and note and follows a rename."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from app import feeds
from app.accounts.services import delete_account, update_preferences
from app.tables import Community, FeedCache, FeedKind, User
from spaces.logic.rules import Request
from spaces.services import bookings, cancellation, feed_jobs, feed_texts
from spaces.services.feed_events import PERSONAL, STAFF
from spaces.tables import Booking, FeedEventText
from tests.factories import (
    NOW,
    PASSWORD,
    actor_for,
    make_community,
    make_space,
    make_user,
    shanghai,
)
from tests.fixtures import Browser
from tests.spaces.services.test_feed_texts import BASE, _fresh_caches, site_address

__all__ = ["site_address"]  # the test client's address is the site's here too


async def _booked(login: str, name: str, day: int, note: str = "") -> User:
    person = await make_user(login, name=name, community=await Community.objects().first())
    await bookings.book(
        await actor_for(person),
        "hall",
        Request(shanghai(day, 10), shanghai(day, 11)),
        now=NOW,
        note=note,
    )
    return person


async def _hall_with_staff() -> User:
    home = await make_community("bayi")
    await make_space(home, "hall")
    return await make_user("staff@example.com", staff_of=[home])


async def _texts() -> list[tuple[str, str, int | None]]:
    rows = await FeedEventText.select(
        FeedEventText.audience, FeedEventText.base_url, FeedEventText.person
    )
    return sorted((r["audience"], r["base_url"], r["person"]) for r in rows)


async def test_a_feed_asked_at_an_address_the_client_chose_stores_no_texts(
    browser: Browser,
) -> None:
    await _hall_with_staff()
    leader = await _booked("13812345678", "赵老师", 3)
    token = await feeds.issue(leader.id, FeedKind.personal, NOW)
    evil = await browser.get(f"/feeds/users/{token}.ics", headers={"host": "evil0.example"})
    # The links follow the address asked at, as before; nothing is kept for it.
    assert b"URL:http://evil0.example/bookings/" in evil.content
    assert await _texts() == []
    await browser.get(f"/feeds/users/{token}.ics")
    assert await _texts() == [(PERSONAL, BASE, leader.id)]
    # A text an older version stored for a stranger's address is not rewritten by the job.
    row = await FeedEventText.select().first()
    del row["id"]
    await FeedEventText.insert(FeedEventText(**{**row, "base_url": "http://evil1.example"}))
    booking = await bookings.Booking.objects().first()
    await cancellation.cancel(await actor_for(leader), str(booking.id), now=NOW)
    assert await feed_jobs.write_due(NOW) == 1
    stranger = await FeedEventText.select(FeedEventText.inputs).where(
        FeedEventText.base_url == "http://evil1.example"
    )
    assert stranger == [{"inputs": row["inputs"]}]


async def test_a_text_read_before_its_persons_account_was_deleted_is_not_stored(
    browser: Browser, monkeypatch: pytest.MonkeyPatch
) -> None:
    staff = await _hall_with_staff()
    leader = await _booked("13812345678", "赵老师", 3, note="腰不好，需要椅子")
    other = await _booked("13912345678", "钱师傅", 4)
    token = await feeds.issue(staff.id, FeedKind.staff, NOW)
    write = feed_texts.write

    async def deleted_meanwhile(*args: Any, **kwargs: Any) -> dict[str, bytes]:
        # The account goes after the feed read its bookings, before it stores their texts.
        await delete_account(leader, password=PASSWORD, now=NOW)
        return await write(*args, **kwargs)

    monkeypatch.setattr(feed_texts, "write", deleted_meanwhile)
    assert (await browser.get(f"/feeds/staff/{token}.ics")).status_code == 200
    assert await _texts() == [(STAFF, BASE, other.id)]
    stored = "".join(row["text"] for row in await FeedEventText.select(FeedEventText.text))
    assert "钱师傅" in stored and "赵老师" not in stored and "椅子" not in stored


async def _served_and_fresh(browser: Browser, url: str) -> tuple[str, str]:
    served = (await browser.get(url)).text
    await _fresh_caches()
    await FeedEventText.delete(force=True)
    return served, (await browser.get(url)).text


async def test_a_staff_feed_forgets_a_deleted_person_and_follows_a_rename(
    browser: Browser, frozen_clock: list[Any]
) -> None:
    staff = await _hall_with_staff()
    leader = await _booked("13812345678", "赵老师", 3, note="腰不好，需要椅子")
    other = await _booked("13912345678", "钱师傅", 4)
    url = f"/feeds/staff/{await feeds.issue(staff.id, FeedKind.staff, NOW)}.ics"
    # Three days on, the leader's booking is past (still in the feed's window).
    later = NOW + timedelta(days=3)
    frozen_clock[0] = later
    before = (await browser.get(url)).text
    assert "赵老师" in before and "椅子" in before
    await delete_account(leader, password=PASSWORD, now=later)
    served, fresh = await _served_and_fresh(browser, url)
    assert served == fresh
    assert "赵老师" not in served and "椅子" not in served and "钱师傅" in served
    await update_preferences(other, name="钱大夫", locale="", large_text=False)
    served, fresh = await _served_and_fresh(browser, url)
    assert served == fresh
    assert "SUMMARY:共享音乐室 · 钱大夫" in served.replace("\r\n ", "")
    assert "钱师傅" not in served


async def test_the_job_prunes_the_texts_of_bookings_gone_out_of_the_window(
    browser: Browser, frozen_clock: list[Any]
) -> None:
    await _hall_with_staff()
    leader = await _booked("13812345678", "赵老师", 3)
    old = await Booking.objects().first()
    await feed_jobs.write_due(NOW)
    assert await FeedEventText.select(FeedEventText.owner).distinct() == [
        {"owner": f"booking:{old.id}"}
    ]
    # Forty days on, the booking ended before the window (30 days back); a new one is made.
    later = NOW + timedelta(days=40)
    frozen_clock[0] = later
    start = shanghai(14, 10, month=4)
    new = await bookings.book(
        await actor_for(leader), "hall", Request(start, start + timedelta(hours=1)), now=later
    )
    assert await feed_jobs.write_due(later) == 1
    rows = await FeedEventText.select(FeedEventText.owner, FeedEventText.locale)
    owner = f"booking:{new.booking.id}"
    assert sorted((r["owner"], r["locale"]) for r in rows) == [(owner, "en"), (owner, "zh_CN")]
    # The old booking is in no feed: nothing writes its text again.
    body = (await browser.get("/feeds/spaces/hall.ics")).text
    assert str(old.id) not in body and str(new.booking.id) in body
    assert await FeedEventText.count() == 2


async def test_deleting_an_account_deletes_its_built_private_feeds(browser: Browser) -> None:
    staff = await _hall_with_staff()
    leader = await _booked("13812345678", "赵老师", 3, note="腰不好，需要椅子")
    await _booked("13912345678", "钱师傅", 4)
    for user, kind, path in (
        (leader, FeedKind.personal, "users"),
        (staff, FeedKind.staff, "staff"),
    ):
        token = await feeds.issue(user.id, kind, NOW)
        await browser.get(f"/feeds/{path}/{token}.ics")
        await browser.get(f"/feeds/{path}/{token}.ics?lang=en")
    keys = sorted(row["key"] for row in await FeedCache.select(FeedCache.key))
    assert keys == [
        f"personal:{leader.id}:en",
        f"personal:{leader.id}:zh_CN",
        f"staff:{staff.id}:en",
        f"staff:{staff.id}:zh_CN",
    ]
    # The staff member's built feed names the residents and their notes: it goes with them.
    await delete_account(staff, password=PASSWORD, now=NOW)
    await delete_account(leader, password=PASSWORD, now=NOW)
    assert await FeedCache.count() == 0
