import httpx
from litestar import Litestar

from app.accounts import sessions
from app.tables import User
from tests.factories import NOW, PASSWORD, make_community, make_user
from tests.parallel import at_once

REGISTER = {
    "login": "13812345678",
    "name": "王阿姨",
    "password": PASSWORD,
    "community": "caijiaxiang",
}


async def test_register_answers_201_with_the_account(client: httpx.AsyncClient) -> None:
    await make_community("caijiaxiang", contact_verification=True)
    response = await client.post("/api/v1/auth/register", json=REGISTER)
    assert response.status_code == 201
    assert response.json() == {
        "name": "王阿姨",
        "login": "13812345678",
        "community": "caijiaxiang",
        "role": "resident",
        "can_book": False,
        "waiting_for": "contact_unverified",
    }


async def test_register_field_errors_are_problem_details(client: httpx.AsyncClient) -> None:
    await make_community("caijiaxiang")
    response = await client.post(
        "/api/v1/auth/register",
        json={**REGISTER, "login": "12345", "password": "password"},
        headers={"accept-language": "en"},
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json() == {
        "type": "urn:linli:problem:invalid-input",
        "title": "Some values need correcting",
        "status": 422,
        "detail": "Please correct the marked fields.",
        "errors": [
            {
                "field": "login",
                "message": (
                    "Enter an 11-digit mainland mobile number starting with 1, or an email address."
                ),
            },
            {
                "field": "password",
                "message": "This password is too common; choose one that others would not guess.",
            },
        ],
        "request_id": response.headers["x-request-id"],
    }
    assert await User.count() == 0


async def test_register_with_a_missing_field_names_it(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v1/auth/register", json={"login": "13812345678"}, headers={"accept-language": "en"}
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "name", "message": "Required."}]


async def test_malformed_json_is_400(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v1/auth/register", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json()["type"] == "urn:linli:problem:malformed"
    assert response.json()["detail"] == "请求体不是有效的 JSON。"


async def test_duplicate_registration_is_422_on_login(client: httpx.AsyncClient) -> None:
    await make_community("caijiaxiang")
    await make_user("13812345678")
    response = await client.post("/api/v1/auth/register", json=REGISTER)
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["login"]


async def test_token_then_me(client: httpx.AsyncClient) -> None:
    bayi = await make_community("bayi")
    await make_user("13812345678", community=bayi, staff_of=[bayi])
    issued = await client.post(
        "/api/v1/auth/token", json={"login": "13812345678", "password": PASSWORD}
    )
    assert issued.status_code == 201
    body = issued.json()
    assert body["expires_at"] == "2026-05-31T01:00:00Z"
    me = await client.get("/api/v1/me", headers={"authorization": f"Bearer {body['token']}"})
    assert me.status_code == 200
    assert (me.json()["role"], me.json()["community"], me.json()["can_book"]) == (
        "staff",
        "bayi",
        True,
    )


async def test_wrong_credentials_are_401(client: httpx.AsyncClient) -> None:
    await make_user("13812345678")
    response = await client.post(
        "/api/v1/auth/token", json={"login": "13812345678", "password": "nope"}
    )
    assert response.status_code == 401
    assert response.json()["type"] == "urn:linli:problem:invalid-credentials"


async def test_repeated_failures_are_429_with_retry_after(client: httpx.AsyncClient) -> None:
    await make_user("13812345678")
    for _ in range(5):
        await client.post("/api/v1/auth/token", json={"login": "13812345678", "password": "nope"})
    response = await client.post(
        "/api/v1/auth/token", json={"login": "13812345678", "password": PASSWORD}
    )
    assert response.status_code == 429
    assert response.headers["retry-after"] == "900"
    assert response.json()["status"] == 429


async def test_me_needs_a_bearer_token_not_a_cookie(client: httpx.AsyncClient) -> None:
    user = await make_user("13812345678")
    client.cookies.set("linli_session", await sessions.start_session(user, "", NOW))
    response = await client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert (
        await client.get("/api/v1/me", headers={"authorization": "Bearer forged"})
    ).status_code == 401


async def test_api_posts_need_no_csrf_token(client: httpx.AsyncClient) -> None:
    await make_user("13812345678")
    client.cookies.clear()
    response = await client.post(
        "/api/v1/auth/token", json={"login": "13812345678", "password": PASSWORD}
    )
    assert response.status_code == 201


async def test_unknown_api_path_is_a_json_404(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.json()["type"] == "urn:linli:problem:http-404"


async def test_fifty_wrong_passwords_at_once_over_http_get_five_401_and_45_429(
    app: Litestar, client: httpx.AsyncClient, throttle_backend: object
) -> None:
    """Three processes, each with its own HTTP client of the app, all at one account."""
    await make_user("13812345678")

    async def attempt(index: int) -> str:
        transport = httpx.ASGITransport(app=app, client=(f"198.51.100.{index}", 50000))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            response = await http.post(
                "/api/v1/auth/token", json={"login": "13812345678", "password": "wrong"}
            )
        return f"{response.status_code} {response.headers.get('retry-after', '-')}"

    assert at_once(attempt) == {"401 -": 5, "429 900": 45}
