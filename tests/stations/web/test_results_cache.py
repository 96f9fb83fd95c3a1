"""The couriers' list is rendered once for each thing it shows: the same search a second
time comes from the cache, and a new minute, a check-in, an edit of the station or another
language each show what is true then."""

import re
from datetime import datetime, timedelta
from html import unescape

from app.web.csrf import unmask
from stations.tables import CheckIn, Station
from stations.web import pages
from tests.factories import PASSWORD, make_community, make_station, make_user, shanghai
from tests.fixtures import Browser, text_of

URL = "/stations?near=community:bayi"


async def _page(browser: Browser) -> str:
    return text_of((await browser.get(URL)).text)


async def test_the_same_search_is_rendered_once(
    browser: Browser, db: None, frozen_clock: list[datetime]
) -> None:
    home = await make_community("bayi", name_zh="八一社区")
    await make_station(home, "rider-home", name_zh="骑手之家", amenities={"seats": 4})
    frozen_clock[0] = shanghai(2, 19, 40)
    first = await _page(browser)
    assert "骑手之家 0 米 营业中 20 分钟后关门 还剩 4 个座位 座位" in first
    misses, hits = pages._results.misses, pages._results.hits
    assert await _page(browser) == first
    # The results section and, around it, the visitor's whole page: both from memory.
    assert (pages._results.misses, pages._results.hits) == (misses, hits + 2)
    # Seconds later within the same minute until closing: the same key.
    frozen_clock[0] = shanghai(2, 19, 40) + timedelta(seconds=30)
    assert "20 分钟后关门" in await _page(browser)
    assert pages._results.hits == hits + 4


async def test_a_new_minute_a_check_in_an_edit_and_a_language_show_what_is_true(
    browser: Browser, db: None, frozen_clock: list[datetime]
) -> None:
    home = await make_community("bayi", name_zh="八一社区")
    station = await make_station(
        home, "rider-home", name_zh="骑手之家", name_en="Riders' Home", amenities={"seats": 4}
    )
    frozen_clock[0] = shanghai(2, 19, 40)
    assert "20 分钟后关门 还剩 4 个座位" in await _page(browser)
    frozen_clock[0] = shanghai(2, 19, 41)
    assert "19 分钟后关门 还剩 4 个座位" in await _page(browser)
    await CheckIn.insert(
        CheckIn(
            station=station.id,
            device_hash="d" * 64,
            address_hash="a" * 64,
            checked_in_at=shanghai(2, 19, 30),
            expires_at=shanghai(2, 21, 0),
        )
    )
    assert "19 分钟后关门 还剩 3 个座位" in await _page(browser)
    # A rename goes through the version every edit bumps.
    await Station.update({Station.name_zh: "骑手驿站", Station.version: Station.version + 1}).where(
        Station.id == station.id
    )
    assert "骑手驿站 0 米 营业中 19 分钟后关门 还剩 3 个座位" in await _page(browser)
    browser.set_language("en")
    english = await browser.get(URL)
    assert "Riders&#39; Home 0 m" in text_of(english.text)  # escaped once, not twice
    assert "Riders' Home 0 m Open closes in 19 min 3 seats free" in unescape(text_of(english.text))
    frozen_clock[0] = shanghai(2, 20, 0)
    browser.set_language("zh_CN")
    assert "骑手驿站 0 米 已关门 明天 08:00 开门" in await _page(browser)


async def test_a_visitor_page_carries_its_own_masked_token_and_a_signed_in_page_its_menu(
    browser: Browser, db: None, frozen_clock: list[datetime]
) -> None:
    home = await make_community("bayi", name_zh="八一社区")
    await make_station(home, "rider-home", name_zh="骑手之家")
    frozen_clock[0] = shanghai(2, 19, 40)
    first, second = (await browser.get(URL)).text, (await browser.get(URL)).text
    tokens = [re.findall(r'name="_csrf_token" value="([^"]+)"', html) for html in (first, second)]
    cookie = browser.client.cookies["linli_csrf"]
    assert [unmask(token) for token in tokens[0] + tokens[1]] == [cookie] * 4
    assert tokens[0][0] != tokens[1][0]
    await make_user("13900000021", community=home)
    await browser.sign_in("13900000021", PASSWORD)
    signed_in = text_of((await browser.get(URL)).text)
    assert "我的账户" in signed_in and "骑手之家" in signed_in
