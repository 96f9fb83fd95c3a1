"""Headers on every answer and secrets kept out of the access log; the API reference under the same policy."""

import re

import httpx

from app.web.headers import redacted_path


async def test_pages_carry_security_headers(client: httpx.AsyncClient) -> None:
    for path in ("/", "/no-such-page", "/api/v1/communities", "/healthz"):
        response = await client.get(path)
        assert response.headers["x-content-type-options"] == "nosniff", path
        assert response.headers["x-frame-options"] == "DENY", path
        assert response.headers["referrer-policy"] == "same-origin", path
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"], path
        assert "script-src 'self';" in response.headers["content-security-policy"], path


def test_feed_tokens_never_reach_the_log() -> None:
    assert redacted_path("/feeds/users/abc123secret.ics") == "/feeds/users/[redacted]"
    assert redacted_path("/feeds/staff/abc123secret.ics") == "/feeds/staff/[redacted]"
    assert redacted_path("/feeds/spaces/music-room.ics") == "/feeds/spaces/music-room.ics"


def test_need_follow_links_never_reach_the_log() -> None:
    token = "Ab3_-" + "x" * 38
    assert redacted_path(f"/needs/follow/{token}") == "/needs/follow/[redacted]"
    assert redacted_path(f"/needs/follow/{token}/rate") == "/needs/follow/[redacted]/rate"
    assert redacted_path("/needs/new") == "/needs/new"


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
