import io
import json
import re
import shutil

import pytest
from PIL import Image

from app.formfields import slug_error
from stations.logic.station_form import RESERVED_SLUGS
from stations.web import offline
from tests.factories import PASSWORD, make_community, make_station, make_user
from tests.fixtures import Browser, text_of

LIST = "/stations?near=community:bayi&amenity=water"
SAVED_AT = 'data-saved-at="2026-03-02T01:00:00+00:00"'


@pytest.fixture
async def station(db: None):
    home = await make_community("bayi", name_zh="八一社区", name_en="Bayi")
    return await make_station(
        home,
        "rider-home",
        name_zh="骑手之家",
        name_en="Riders' Home",
        amenities={"water": None, "seats": 4, "toilet": None},
    )


@pytest.mark.parametrize(
    ("lang", "name", "short_name", "html_lang"),
    [
        ("zh_CN", "邻里骑手驿站", "骑手驿站", "zh-CN"),
        ("en", "Linli rest stations", "Rest stations", "en"),
    ],
)
async def test_the_manifest_names_the_app_in_the_page_language(
    browser: Browser, db: None, lang: str, name: str, short_name: str, html_lang: str
) -> None:
    response = await browser.get(f"/stations/manifest.webmanifest?lang={lang}")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/manifest+json"
    manifest = json.loads(response.text)
    icons = manifest.pop("icons")
    manifest.pop("description")
    assert manifest == {
        "id": "/stations",
        "name": name,
        "short_name": short_name,
        "lang": html_lang,
        "dir": "ltr",
        "start_url": "/stations",
        "scope": "/stations",
        "display": "standalone",
        "theme_color": "#0b5e55",
        "background_color": "#f3f5f4",
    }
    assert [(icon["sizes"], icon["type"], icon["purpose"]) for icon in icons] == [
        ("192x192", "image/png", "any"),
        ("512x512", "image/png", "any"),
        ("512x512", "image/png", "maskable"),
    ]
    for icon in icons:
        assert re.fullmatch(r"/static/app-icon-[a-z0-9-]+\.png\?v=[0-9a-f]{10}", icon["src"])
        image = await browser.get(icon["src"])
        assert image.headers["content-type"] == "image/png"
        size = int(icon["sizes"].split("x")[0])
        assert Image.open(io.BytesIO(image.content)).size == (size, size)


async def test_the_manifest_without_a_language_follows_the_visitor(
    browser: Browser, db: None
) -> None:
    response = await browser.get(
        "/stations/manifest.webmanifest", headers={"accept-language": "en-GB"}
    )
    assert json.loads(response.text)["name"] == "Linli rest stations"


async def test_the_worker_is_served_with_its_version_and_scope(browser: Browser, db: None) -> None:
    response = await browser.get("/stations/sw.js", headers={"accept-encoding": "br"})
    assert response.status_code == 200
    assert response.headers["content-encoding"] == "br"
    assert response.headers["content-type"] == "text/javascript; charset=utf-8"
    assert response.headers["service-worker-allowed"] == "/stations"
    assert response.headers["cache-control"] == "no-cache"
    release = offline.release()
    assert re.fullmatch(r"[0-9a-f]{16}", release)
    assert response.headers["etag"] == f'"{release}-br"'  # the brotli copy's own tag
    config = json.loads(re.search(r"const CONFIG = (\{.*\});", response.text).group(1))
    assert config["version"] == release
    assert config["scope"] == "/stations"
    assert config["fallback"] == "/stations/offline"
    assert [re.sub(r"\?v=[0-9a-f]{10}$", "", url) for url in config["assets"]] == [
        "/static/linli.css",
        "/static/icons.svg",
        "/static/brand.svg",
        "/static/favicon.svg",
        "/static/offline.js",
        "/static/app-icon-192.png",
    ]
    # The site's policy lets the worker and the manifest load (both fall back to 'self').
    policy = response.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy
    again = await browser.get(
        "/stations/sw.js", headers={"if-none-match": f'"{release}-br"', "accept-encoding": "br"}
    )
    assert (again.status_code, again.headers["etag"]) == (304, f'"{release}-br"')
    plain = await browser.get(
        "/stations/sw.js", headers={"if-none-match": f'"{release}"', "accept-encoding": "identity"}
    )
    assert (plain.status_code, plain.headers["etag"]) == (304, f'"{release}"')


def test_a_changed_file_the_worker_stores_gives_a_new_version(
    tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    offline.release.cache_clear()
    before = offline.release()
    static = tmp_path / "static"
    shutil.copytree(offline.STATIC_DIR, static)
    (static / "linli.css").write_text("body { color: red; }\n")
    monkeypatch.setattr(offline, "STATIC_DIR", static)
    offline.release.cache_clear()
    try:
        assert offline.release() != before
    finally:
        monkeypatch.undo()
        offline.release.cache_clear()
    assert offline.release() == before


async def test_online_courier_pages_link_the_manifest_and_offer_the_app(
    browser: Browser, station
) -> None:
    for path in (LIST, "/stations/rider-home"):
        page = await browser.get(path)
        assert '<link rel="manifest" href="/stations/manifest.webmanifest?lang=zh_CN">' in page.text
        assert 'data-worker="/stations/sw.js" data-scope="/stations"' in page.text
        assert "安装到手机" in page.text and "在浏览器打开" in page.text
        assert "离线副本" not in page.text
    browser.set_language("en")
    page = await browser.get("/stations/rider-home")
    assert '<link rel="manifest" href="/stations/manifest.webmanifest?lang=en">' in page.text


async def test_the_copy_of_a_search_has_no_form_and_carries_its_moment(
    browser: Browser, station
) -> None:
    response = await browser.get(f"{LIST}&offline=1")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["x-robots-tag"] == "noindex"
    html = response.text
    assert "<form" not in html and "_csrf_token" not in html
    assert '<meta name="robots" content="noindex">' in html
    assert SAVED_AT in html
    assert 'rel="manifest"' not in html and "courier-app.js" not in html
    text = text_of(html)
    assert (
        "离线副本 · 3月2日周一 09:00 的信息 在八一社区附近 · 现在开门 饮用水 重新查找（需要联网）"
        in text
    )
    assert "骑手之家 0 米 营业中 开到 20:00 还剩 4 个座位" in text
    # Links still lead to the stations' pages (whose copies the worker keeps too).
    assert 'href="/stations/rider-home?from=' in html
    stamps = json.loads(re.search(r'data-texts="([^"]+)"', html).group(1).replace("&#34;", '"'))
    assert stamps == {
        "now": "不到 1 分钟前的信息",
        "minutes": ["{n} 分钟前的信息", "{n} 分钟前的信息"],
        "hours": ["{n} 小时前的信息", "{n} 小时前的信息"],
        "days": ["{n} 天前的信息", "{n} 天前的信息"],
    }


async def test_the_copy_of_a_station_says_check_in_and_reports_need_a_connection(
    browser: Browser, station
) -> None:
    html = (await browser.get("/stations/rider-home?offline=1")).text
    assert "<form" not in html and "_csrf_token" not in html
    assert SAVED_AT in html
    text = text_of(html)
    assert "歇歇脚 签到需要联网。" in text
    assert "遇到问题了？ 报告问题需要联网。" in text
    assert "离线副本 · 3月2日周一 09:00 的信息" in text


async def test_the_copies_are_in_english_for_english_readers(browser: Browser, station) -> None:
    browser.set_language("en")
    html = (await browser.get("/stations/rider-home?offline=1")).text
    text = text_of(html)
    assert "Saved copy · Information from Mon, Mar 2 09:00" in text
    assert "Checking in needs a connection." in text
    assert "Reporting a problem needs a connection." in text
    listing = (await browser.get(f"{LIST}&offline=1")).text
    stamps = json.loads(re.search(r'data-texts="([^"]+)"', listing).group(1).replace("&#34;", '"'))
    assert stamps["minutes"] == [
        "Information from {n} minute ago",
        "Information from {n} minutes ago",
    ]
    assert stamps["now"] == "Information from less than a minute ago"
    assert "Near Bayi · Open now" in text_of(listing)


async def test_a_copy_fetched_while_signed_in_and_checked_in_is_anonymous(
    browser: Browser, station
) -> None:
    await make_user("13900000001", name="骑手小周")
    await browser.sign_in("13900000001", PASSWORD)
    await browser.submit("/stations/rider-home/checkin")
    html = (await browser.get("/stations/rider-home?offline=1")).text
    text = text_of(html)
    assert "骑手小周" not in text and "我的账户" not in text and "签退" not in text
    assert "登录" in text
    assert "<form" not in html and "_csrf_token" not in html
    # The check-in message waits for the page itself; the copy did not take it.
    page = text_of((await browser.get("/stations/rider-home")).text)
    assert "签到成功" in page and "签退" in page and "骑手小周" not in page


async def test_the_page_for_unsaved_addresses_says_there_is_no_connection(
    browser: Browser, db: None
) -> None:
    response = await browser.get("/stations/offline")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    assert "<form" not in response.text
    assert "没有网络连接 这一页没有存到手机上。" in text_of(response.text)


def test_no_station_can_take_the_address_of_the_no_connection_page() -> None:
    assert slug_error("offline", RESERVED_SLUGS) == "这个网址是系统保留的，请换一个。"
