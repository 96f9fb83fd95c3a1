"""Before routing: every GET route answers HEAD, control characters in a path are an
ordinary 404, and JSON nested too deeply is refused with 400 before anything decodes it;
OPTIONS and 405 answers name every method of the route."""

import httpx
import pytest

from app.web.edge import MAX_JSON_DEPTH, nested_deeper_than
from tests.factories import make_community, make_space


async def test_every_get_route_answers_head_with_gets_headers_and_no_body(
    client: httpx.AsyncClient,
) -> None:
    home = await make_community("caijiaxiang")
    await make_space(home, "music-room")
    for path in (
        "/",
        "/spaces",
        "/spaces/music-room",
        "/feeds/spaces/music-room.ics",
        "/healthz",
        "/api/v1/spaces",
        "/no-such-page",
    ):
        # Uncompressed, so the length is the body's (compressed: tests/app/web/test_compression).
        identity = {"accept-encoding": "identity"}
        got = await client.get(path, headers=identity)
        head = await client.head(path, headers=identity)
        assert head.status_code == got.status_code, path
        assert head.content == b"", path
        assert head.headers["content-type"] == got.headers["content-type"], path
        assert head.headers["content-length"] == str(len(got.content)), path


@pytest.mark.parametrize("path", ["/static/x%00.jpg", "/spaces/a%01b", "/static/%7f.css"])
async def test_a_control_character_in_a_path_is_not_found(
    client: httpx.AsyncClient, path: str
) -> None:
    response = await client.get(path)
    assert response.status_code == 404


@pytest.mark.parametrize("path", ["/api/v1/auth/token", "/api/v1/auth/register"])
async def test_json_nested_a_thousand_deep_is_a_400_naming_the_bound(
    client: httpx.AsyncClient, path: str
) -> None:
    deep = "[" * 1000 + "]" * 1000
    response = await client.post(path, content=deep, headers={"content-type": "application/json"})
    assert response.status_code == 400
    problem = response.json()
    assert problem["type"] == "urn:linli:problem:malformed"
    assert [e["field"] for e in problem["errors"]] == ["body"]
    assert str(MAX_JSON_DEPTH) in problem["detail"]


async def test_json_nested_too_deep_without_a_content_type_is_a_400_not_a_500(
    client: httpx.AsyncClient,
) -> None:
    # Litestar decodes a handler's JSON body whatever the headers say; this one says nothing.
    deep = "[" * 100_000 + "]" * 100_000
    response = await client.post("/api/v1/auth/token", content=deep)
    assert response.status_code == 400
    assert response.json()["type"] == "urn:linli:problem:malformed"


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", "application/xml"]
)
@pytest.mark.parametrize("body", ['{"login": "13800000001", "password": "x"}', "[" * 100_000])
async def test_an_api_body_declared_as_not_json_is_415_unread(
    client: httpx.AsyncClient, content_type: str, body: str
) -> None:
    response = await client.post(
        "/api/v1/auth/token", content=body, headers={"content-type": content_type}
    )
    assert response.status_code == 415
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json() == {
        "type": "urn:linli:problem:unsupported-media-type",
        "title": "不支持的内容类型",
        "status": 415,
        "detail": "请以 JSON 格式发送请求内容（Content-Type: application/json）。",
        "request_id": response.headers["x-request-id"],
    }


async def test_json_with_parameters_or_a_json_suffix_is_read(client: httpx.AsyncClient) -> None:
    for content_type in ("application/json; charset=utf-8", "application/merge-patch+json"):
        response = await client.post(
            "/api/v1/auth/token", content="{}", headers={"content-type": content_type}
        )
        assert response.status_code == 422, content_type


async def test_an_empty_body_of_any_type_reaches_the_handler(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v1/bookings/b7c6a0e2-0000-4000-8000-000000000000/cancel",
        headers={"content-type": "text/plain"},
    )
    assert response.status_code == 401


async def test_json_within_the_bound_reaches_the_handler(client: httpx.AsyncClient) -> None:
    inner = MAX_JSON_DEPTH - 1  # inside the object: exactly the bound
    nested = '{"login": ' + "[" * inner + "]" * inner + "}"
    response = await client.post(
        "/api/v1/auth/token", content=nested, headers={"content-type": "application/json"}
    )
    # Read and refused by the handler's own validation, not by the depth bound.
    assert response.status_code == 422
    assert "nested" not in response.json()["detail"]


@pytest.mark.parametrize(
    ("path", "allow"),
    [
        # GET and POST are separate handlers here; Litestar's OPTIONS named only the first.
        ("/api/v1/bookings", "GET, HEAD, OPTIONS, POST"),
        ("/api/v1/bookings/b7c6a0e2-0000-4000-8000-000000000000", "GET, HEAD, OPTIONS"),
        ("/account/signin", "GET, HEAD, OPTIONS, POST"),
        ("/account/signup", "GET, HEAD, OPTIONS, POST"),
    ],
)
async def test_options_names_every_method_of_the_route(
    client: httpx.AsyncClient, path: str, allow: str
) -> None:
    response = await client.options(path)
    assert (response.status_code, response.headers["allow"]) == (204, allow)


async def test_a_method_a_route_lacks_is_405_problem_details_naming_head_too(
    client: httpx.AsyncClient,
) -> None:
    response = await client.delete("/api/v1/spaces")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, HEAD, OPTIONS"
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"] == "urn:linli:problem:http-405"


def test_nesting_is_counted_outside_strings_only() -> None:
    assert nested_deeper_than(b"[[[]]]", 2)
    assert not nested_deeper_than(b"[[[]]]", 3)
    assert not nested_deeper_than(b'["[[[[", "{{{{"]', 1)
    assert not nested_deeper_than(b'["\\"[[[["]', 1)
    assert nested_deeper_than(b'[{"a": [1]}]', 2)
