import re
from dataclasses import replace

import httpx
import pytest
from litestar import Litestar

from app.errors import Alternative, Conflict, RuleViolation
from app.i18n import set_locale
from app.web.headers import redacted_path
from app.web.problems import problem_for
from app.web.responses import safe_next
from app.web.templating import device_name
from tests.fixtures import Browser


async def test_pages_carry_security_headers(client: httpx.AsyncClient) -> None:
    for path in ("/", "/no-such-page", "/api/v1/communities", "/healthz"):
        response = await client.get(path)
        assert response.headers["x-content-type-options"] == "nosniff", path
        assert response.headers["x-frame-options"] == "DENY", path
        assert response.headers["referrer-policy"] == "same-origin", path
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"], path
        assert "script-src 'self';" in response.headers["content-security-policy"], path


async def test_not_found_page_is_translated(client: httpx.AsyncClient) -> None:
    zh = await client.get("/no-such-page")
    assert zh.status_code == 404
    assert "找不到页面" in zh.text
    en = await client.get("/no-such-page", headers={"accept-language": "en"})
    assert "There is nothing at this address." in en.text


async def test_wrong_method_is_405_not_500(client: httpx.AsyncClient) -> None:
    response = await client.delete("/account/signin")
    assert response.status_code == 405


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


def test_feed_tokens_never_reach_the_log() -> None:
    assert redacted_path("/feeds/users/abc123secret.ics") == "/feeds/users/[redacted]"
    assert redacted_path("/feeds/staff/abc123secret.ics") == "/feeds/staff/[redacted]"
    assert redacted_path("/feeds/spaces/music-room.ics") == "/feeds/spaces/music-room.ics"


def test_need_follow_links_never_reach_the_log() -> None:
    token = "Ab3_-" + "x" * 38
    assert redacted_path(f"/needs/follow/{token}") == "/needs/follow/[redacted]"
    assert redacted_path(f"/needs/follow/{token}/rate") == "/needs/follow/[redacted]/rate"
    assert redacted_path("/needs/new") == "/needs/new"


def test_safe_next_allows_only_local_paths() -> None:
    assert safe_next("/account") == "/account"
    assert safe_next("//evil.example") == "/"
    assert safe_next("/\\evil.example") == "/"
    assert safe_next("https://evil.example") == "/"
    assert safe_next(None, "/x") == "/x"


@pytest.mark.parametrize(
    ("user_agent", "expected"),
    [
        (
            "Mozilla/5.0 (Linux; Android 13; V2219A) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/116.0 Mobile Safari/537.36 MicroMessenger/8.0.49",
            "微信 · Android",
        ),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 "
            "(KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
            "Safari · iPhone",
        ),
        ("Mozilla/5.0 (Windows NT 10.0) Chrome/120.0 Safari/537.36", "Chrome · Windows"),
        ("", "未知浏览器"),
    ],
)
def test_device_names_for_the_list_of_sessions(user_agent: str, expected: str) -> None:
    set_locale("zh_CN")
    assert device_name(user_agent) == expected


def test_refusals_carry_the_rule_and_alternatives() -> None:
    set_locale("en")
    refusal = RuleViolation(
        "lead_time",
        "Book at least 2 hours ahead.",
        [Alternative("2026-03-02T11:00+08:00", "2026-03-02T12:00+08:00")],
    )
    problem = problem_for(refusal, is_api=True)
    assert (problem.status, problem.title, problem.detail, problem.extra) == (
        422,
        "A rule does not allow this",
        "Book at least 2 hours ahead.",
        {
            "rule": "lead_time",
            "alternatives": [{"start": "2026-03-02T11:00+08:00", "end": "2026-03-02T12:00+08:00"}],
        },
    )
    conflict = problem_for(Conflict("Just taken."), is_api=True)
    assert (conflict.status, conflict.extra) == (409, {"rule": "capacity", "alternatives": []})


async def test_openapi_documents_problem_details(client: httpx.AsyncClient) -> None:
    schema = (await client.get("/schema/openapi.json")).json()
    responses = schema["paths"]["/api/v1/auth/token"]["post"]["responses"]
    assert set(responses) == {"201", "400", "401", "422", "429"}
    assert "application/problem+json" in responses["429"]["content"]
    assert not any(path.startswith("/account") for path in schema["paths"])


async def test_api_reference_loads_only_this_sites_assets_under_the_strict_policy(
    client: httpx.AsyncClient,
) -> None:
    page = await client.get("/schema")
    assert page.status_code == 200
    policy = page.headers["content-security-policy"]
    assert "script-src 'self';" in policy
    assert "style-src 'self';" in policy
    assert "unsafe-inline" not in policy
    assert "http://" not in page.text and "https://" not in page.text
    assert 'data-spec-url="/schema/openapi.json"' in page.text
    scripts = re.findall(r'<script src="([^"]+)"', page.text)
    assert [s.split("?")[0] for s in scripts] == [
        "/static/swagger-ui/swagger-ui-bundle.js",
        "/static/api-reference.js",
    ]
    assert "<script>" not in page.text
    for asset in [*scripts, re.search(r'href="(/static/swagger-ui/[^"]+)"', page.text)[1]]:
        response = await client.get(asset)
        assert response.status_code == 200, asset
        assert response.content.strip(), asset
