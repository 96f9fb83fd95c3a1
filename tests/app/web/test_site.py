"""The site-wide pages: home, health, the footer."""

from dataclasses import replace

import httpx

from app.asgi import create_app
from app.settings import get_settings
from tests.fixtures import Browser


async def test_health_reports_the_database(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})


async def test_home_page_in_both_languages(browser: Browser) -> None:
    zh = await browser.get("/")
    assert "社区共享空间、工具和场地的预约，骑手驿站的查询，都在这里。" in zh.text
    browser.set_language("en")
    en = await browser.get("/")
    assert "Shared rooms, tools and courts of your community" in en.text
    assert "居民注册" not in en.text


async def test_icp_filing_number_in_the_footer(db: None, frozen_clock: object) -> None:
    """LINLI_ICP_FILING, as the app's settings carry it, is shown in every page's footer."""
    settings = get_settings()
    app = create_app(
        replace(settings, site=replace(settings.site, icp_filing="晋ICP备2026000001号"))
    )
    transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        page = await client.get("/")
    assert (
        '<a href="https://beian.miit.gov.cn/" rel="noopener">晋ICP备2026000001号</a>' in page.text
    )


async def test_no_icp_filing_number_by_default(browser: Browser) -> None:
    page = await browser.get("/")
    assert "beian.miit.gov.cn" not in page.text


def _flash_cookies(response: httpx.Response) -> list[str]:
    return [v for v in response.headers.get_list("set-cookie") if v.startswith("linli_flash=")]


async def test_a_flash_crosses_one_redirect_and_is_then_cleared(browser: Browser) -> None:
    plain = await browser.get("/privacy")
    assert _flash_cookies(plain) == []
    changed = await browser.submit("/preferences/text-size", {"size": "large", "next": "/privacy"})
    assert changed.status_code == 303
    assert len(_flash_cookies(changed)) == 1
    assert "Max-Age=0" not in _flash_cookies(changed)[0]
    shown = await browser.get("/privacy")
    assert "已切换为大字模式。" in shown.text
    cleared = _flash_cookies(shown)
    assert len(cleared) == 1 and "Max-Age=0" in cleared[0]
    after = await browser.get("/privacy")
    assert _flash_cookies(after) == []
