"""A space page is rendered once per minute for every visitor, and only what is personal is
rendered per request: a visitor's page differs from another's by the CSRF token alone, a
signed-in resident's page adds their own bookings and quotas, and every change the page
shows (the space, the holidays it closes on, the minute, the language, larger text, the
templates) gives a new page."""

from __future__ import annotations

import re
from datetime import timedelta

import httpx
import pytest
from litestar import Litestar

from app import holidays
from app.accounts.sessions import load_actor
from app.cache import clear_all
from app.tables import Community
from app.web import templating
from app.web.csrf import unmask
from spaces.logic.rules import Request
from spaces.services import bookings
from spaces.tables import Space
from spaces.web import spaces as space_pages
from tests.factories import NOW, PASSWORD, make_community, make_space, make_user, shanghai
from tests.fixtures import Browser, WorkLog, text_of

# The browser fixture fixes the clock at Monday 2 March 2026, 09:00 in Shanghai.
TOKEN = re.compile(r'name="_csrf_token" value="([^"]*)"')


@pytest.fixture
async def music_room(db: None) -> Space:
    home = await make_community("caijiaxiang")
    return await make_space(
        home,
        "music-room",
        weekly_hours={"mon": "09:00-12:00", "tue": "09:00-12:00"},
        closed_on_holidays=True,
    )


@pytest.fixture
async def other_browser(app: Litestar, client: httpx.AsyncClient) -> Browser:
    """A second visitor, with cookies of their own, on the same app and database."""
    transport = httpx.ASGITransport(app=app, client=("198.51.100.4", 50001))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield Browser(http)


def without_tokens(html: str) -> str:
    return TOKEN.sub('name="_csrf_token" value=""', html)


async def test_two_visitors_get_one_rendering_with_their_own_tokens(
    browser: Browser, other_browser: Browser, music_room: Space, work_log: WorkLog
) -> None:
    first = await browser.get("/spaces/music-room")
    work_log.clear()
    second = await other_browser.get("/spaces/music-room")
    assert second.status_code == 200
    # The page came from memory: only the space's stamp was read, and no session.
    assert len(work_log.statements) == 1
    assert work_log.statements[0].startswith("SELECT space.id, space.created_at, space.version")
    assert work_log.expansions == []
    first_tokens = TOKEN.findall(first.text)
    second_tokens = TOKEN.findall(second.text)
    # Each answer carries its visitor's token, masked afresh (the page may be compressed).
    assert [unmask(token) for token in first_tokens] == [browser.client.cookies["linli_csrf"]] * 2
    assert [unmask(token) for token in second_tokens] == [
        other_browser.client.cookies["linli_csrf"]
    ] * 2
    again = TOKEN.findall((await other_browser.get("/spaces/music-room")).text)
    assert again[0] != second_tokens[0] and unmask(again[0]) == unmask(second_tokens[0])
    assert without_tokens(first.text) == without_tokens(second.text)
    assert second.headers["vary"] == "HX-Request,Accept-Encoding"
    # The token each page carries is the one its form posts are checked against.
    language = await other_browser.client.post(
        "/preferences/language",
        data={"_csrf_token": second_tokens[0], "locale": "en", "next": "/spaces/music-room"},
    )
    assert language.status_code == 303


async def test_anonymous_page_reads_no_session_even_with_a_stale_cookie(
    browser: Browser, music_room: Space, work_log: WorkLog
) -> None:
    await browser.get("/spaces/music-room")
    work_log.clear()
    browser.client.cookies.set("linli_session", "ended-long-ago")
    page = await browser.get("/spaces/music-room")
    assert page.status_code == 200
    # The cookie names no session: one look-up finds nothing, then the page as any visitor's.
    assert len(work_log.statements) == 2
    assert "FROM sign_in_session JOIN linli_user" in work_log.statements[0]
    assert work_log.statements[1].startswith("SELECT space.id, space.created_at, space.version")
    assert "登录" in text_of(page.text)


async def test_a_change_the_page_shows_gives_a_new_page(
    browser: Browser, music_room: Space, frozen_clock: list
) -> None:
    before = await browser.get("/spaces/music-room?view=week")
    assert "3月3日周二 09:00 可预约" in text_of(before.text)
    # A staff edit bumps the version in the same statement as the change.
    await Space.update({Space.name_zh: "蔡家巷琴房", Space.version: Space.version + 1}).where(
        Space.id == music_room.id
    )
    renamed = await browser.get("/spaces/music-room?view=week")
    assert "<h1>蔡家巷琴房</h1>" in renamed.text
    # A public holiday on Tuesday closes a space that closes on holidays.
    admin = await load_actor(await make_user("13900000001", is_admin=True))
    await holidays.add(admin, "2026-03-03", "holiday", "测试假日", "Test holiday", now=NOW)
    closed = await browser.get("/spaces/music-room?view=week")
    assert "3月3日周二 09:00" not in text_of(closed.text)
    # The next minute: the slot starting at 09:00 today is past.
    assert "3月2日周一 · 今天 09:00 可预约" in text_of(closed.text)
    frozen_clock[0] = NOW + timedelta(minutes=1)
    later = await browser.get("/spaces/music-room?view=week")
    assert "3月2日周一 · 今天 09:00" not in text_of(later.text)
    assert "09:30 可预约" in text_of(later.text)


async def test_language_text_size_and_release_each_have_their_page(
    browser: Browser, music_room: Space, monkeypatch: pytest.MonkeyPatch
) -> None:
    chinese = await browser.get("/spaces/music-room")
    assert '<html lang="zh-CN">' in chinese.text
    browser.set_language("en")
    english = await browser.get("/spaces/music-room")
    assert '<html lang="en">' in english.text and "Shared music room" in english.text
    browser.client.cookies.set("linli_text", "large")
    large = await browser.get("/spaces/music-room")
    assert '<html lang="en" class="text-large">' in large.text
    # Another release (other templates) never answers from what this one rendered.
    monkeypatch.setattr(space_pages, "release", lambda: "another-release")
    rendered: list[str] = []
    original = templating.Environment.get_template

    def spying(self, name, *args, **kwargs):  # type: ignore[no-untyped-def]
        rendered.append(name)
        return original(self, name, *args, **kwargs)

    monkeypatch.setattr(templating.Environment, "get_template", spying)
    await browser.get("/spaces/music-room")
    assert {"spaces/partials/day.html", "spaces/detail.html"} <= set(rendered)
    rendered.clear()
    await browser.get("/spaces/music-room")
    assert rendered == []


async def test_a_flash_is_shown_once_and_never_kept(browser: Browser, music_room: Space) -> None:
    await browser.get("/spaces/music-room")
    changed = await browser.submit(
        "/preferences/language", {"locale": "en", "next": "/spaces/music-room"}
    )
    assert changed.status_code == 303
    browser.client.cookies.set("linli_flash", changed.cookies.get("linli_flash", ""))
    with_flash = await browser.get("/spaces/music-room")
    flashes = re.findall(r'<p class="flash[^"]*">(.*?)</p>', with_flash.text, re.S)
    again = await browser.get("/spaces/music-room")
    assert re.findall(r'<p class="flash', again.text) == []
    assert len(flashes) == (1 if changed.cookies.get("linli_flash") else 0)


async def test_signed_in_page_adds_what_is_theirs_and_visitors_never_see_it(
    browser: Browser, other_browser: Browser, music_room: Space
) -> None:
    resident = await make_user("13900000002", community=music_room.community)
    neighbour = await make_user("13900000003", community=music_room.community)
    await bookings.book(
        await load_actor(resident),
        "music-room",
        Request(shanghai(3, 10), shanghai(3, 11)),
        now=NOW,
    )
    await other_browser.get("/spaces/music-room")  # the visitors' page, now in memory
    await browser.sign_in("13900000002", PASSWORD)
    mine = await browser.get("/spaces/music-room")
    section = re.search(
        r'<section class="card" aria-labelledby="mine-heading">.*?</section>', mine.text, re.S
    )
    assert section is not None
    assert text_of(section.group(0)) == "我在这里接下来的预约 3月3日周二 10:00–11:00 我的全部预约"
    assert "我的账户" in text_of(mine.text)
    visitor = await other_browser.get("/spaces/music-room")
    assert "mine-heading" not in visitor.text and "我的账户" not in text_of(visitor.text)
    await other_browser.sign_in(neighbour.login, PASSWORD)
    theirs = await other_browser.get("/spaces/music-room")
    assert "我的账户" in text_of(theirs.text) and "mine-heading" not in theirs.text


async def test_the_days_of_a_minute_share_the_page_around_their_times(
    browser: Browser, music_room: Space, monkeypatch: pytest.MonkeyPatch
) -> None:
    rendered: list[str] = []
    original = templating.Environment.get_template

    def spying(self, name, *args, **kwargs):  # type: ignore[no-untyped-def]
        rendered.append(name)
        return original(self, name, *args, **kwargs)

    monkeypatch.setattr(templating.Environment, "get_template", spying)
    await browser.get("/spaces/music-room?day=2026-03-03")
    assert "spaces/detail.html" in rendered
    rendered.clear()
    tuesday_week = await browser.get("/spaces/music-room?view=week&from=2026-03-03")
    # Only the week's own times were rendered: the page around them came from memory.
    assert "spaces/detail.html" not in rendered
    assert "spaces/partials/week.html" in rendered
    assert "<h1>共享音乐室</h1>" in tuesday_week.text
    assert '<h3 id="day-2026-03-03" tabindex="-1" data-swap-focus>3月3日周二</h3>' in (
        tuesday_week.text
    )
    # The same page rendered whole from nothing in memory.
    clear_all()
    whole = await browser.get("/spaces/music-room?view=week&from=2026-03-03")
    assert "spaces/detail.html" in rendered
    assert without_tokens(whole.text) == without_tokens(tuesday_week.text)


async def test_another_day_reads_the_space_whole_once_per_stamp(
    browser: Browser, music_room: Space, work_log: WorkLog
) -> None:
    await browser.get("/spaces/music-room?day=2026-03-03")
    work_log.clear()
    await browser.get("/spaces/music-room?view=week&from=2026-03-09")
    # A page not in memory reads the stamp and the week's calendar, not the space again.
    assert not [sql for sql in work_log.statements if sql.startswith("SELECT space.*")]
    assert work_log.statements[0].startswith("SELECT space.id, space.created_at, space.version")


async def test_a_signed_in_page_reads_the_space_whole_once_per_stamp(
    browser: Browser, music_room: Space, work_log: WorkLog
) -> None:
    await make_user("13800000001")
    await browser.sign_in("13800000001", PASSWORD)
    await browser.get("/spaces/music-room?view=week")
    work_log.clear()
    again = await browser.get("/spaces/music-room?view=week&from=2026-03-09")
    assert not [sql for sql in work_log.statements if sql.startswith("SELECT space.*")]
    assert "我的账户" in text_of(again.text)  # their own page: signed in
    # A change to the space gives a new stamp: the space is read whole again, and shown.
    await Space.update({Space.capacity: 3, Space.version: Space.version + 1}).where(
        Space.id == music_room.id
    )
    work_log.clear()
    changed = await browser.get("/spaces/music-room?view=week&from=2026-03-09")
    assert len([sql for sql in work_log.statements if sql.startswith("SELECT space.*")]) == 1
    assert "每个时段显示还剩几个可约" in changed.text


async def test_a_space_read_whole_is_kept_by_its_version_and_community_names(
    browser: Browser, music_room: Space
) -> None:
    await browser.get("/spaces/music-room?view=week")
    # The version keys every column of the space: capacity changes with a new version.
    await Space.update({Space.capacity: 3, Space.version: Space.version + 1}).where(
        Space.id == music_room.id
    )
    more = await browser.get("/spaces/music-room?view=week&from=2026-03-09")
    assert "每个时段显示还剩几个可约" in more.text
    # A community renamed bumps no space's version: its names are part of the key.
    await Community.update({Community.name_zh: "蔡家巷新社区"}).where(
        Community.id == music_room.community
    )
    renamed = await browser.get("/spaces/music-room?view=week&from=2026-03-16")
    assert "蔡家巷新社区" in text_of(renamed.text)
