"""The site-wide pages: home, health, the footer."""

from dataclasses import replace

import httpx
import pytest
from litestar import Litestar

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


async def test_icp_filing_number_in_the_footer(
    app: Litestar, browser: Browser, monkeypatch: pytest.MonkeyPatch
) -> None:
    environment = app.template_engine.engine
    site = replace(environment.globals["site"], icp_filing="晋ICP备2026000001号")
    monkeypatch.setitem(environment.globals, "site", site)
    page = await browser.get("/")
    assert (
        '<a href="https://beian.miit.gov.cn/" rel="noopener">晋ICP备2026000001号</a>' in page.text
    )
