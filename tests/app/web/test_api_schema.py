"""The published OpenAPI schema: every operation documents the answers the edge may give it
(400, 429 and 503 problem details, Retry-After on the last two), and bearer security,
required exactly where a handler's guard needs a signed-in person."""

from typing import Any

import httpx
import pytest

from app.web.api_schema import document_api

PROBLEM = {"$ref": "#/components/schemas/Problem"}
SIGNED_IN_ONLY = {
    ("get", "/api/v1/me"),
    ("get", "/api/v1/bookings"),
    ("post", "/api/v1/bookings"),
    ("get", "/api/v1/bookings/{booking_id}"),
    ("post", "/api/v1/bookings/{booking_id}/cancel"),
}


async def _schema(client: httpx.AsyncClient) -> dict[str, Any]:
    return (await client.get("/schema/openapi.json")).json()


def _operations(schema: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {
        (method, path): operation
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if method in {"get", "post", "put", "patch", "delete"}
    }


async def test_every_operation_documents_400_429_and_503_problem_details(
    client: httpx.AsyncClient,
) -> None:
    operations = _operations(await _schema(client))
    assert len(operations) == 13
    for key, operation in operations.items():
        for status in ("400", "429", "503"):
            content = operation["responses"][status]["content"]
            assert content == {"application/problem+json": {"schema": PROBLEM}}, (key, status)
        for status in ("429", "503"):
            header = operation["responses"][status]["headers"]["Retry-After"]
            assert header["required"] is True, key
            assert header["schema"] == {"type": "integer", "minimum": 1}, key
        assert "headers" not in operation["responses"]["400"], key


async def test_operations_with_a_body_document_413_and_415(client: httpx.AsyncClient) -> None:
    operations = _operations(await _schema(client))
    with_body = {key for key, operation in operations.items() if "requestBody" in operation}
    assert with_body == {
        ("post", "/api/v1/auth/register"),
        ("post", "/api/v1/auth/token"),
        ("post", "/api/v1/bookings"),
        ("post", "/api/v1/bookings/{booking_id}/cancel"),
    }
    for key, operation in operations.items():
        for status in ("413", "415"):
            if key in with_body:
                content = operation["responses"][status]["content"]
                assert content == {"application/problem+json": {"schema": PROBLEM}}, key
            else:
                assert status not in operation["responses"], key


async def test_the_problem_component_has_the_rfc_9457_fields(client: httpx.AsyncClient) -> None:
    problem = (await _schema(client))["components"]["schemas"]["Problem"]
    assert set(problem["required"]) == {"type", "title", "status", "detail"}
    assert {"type", "title", "status", "detail", "instance", "errors"} <= set(problem["properties"])


async def test_bearer_is_required_where_a_guard_needs_sign_in_and_optional_elsewhere(
    client: httpx.AsyncClient,
) -> None:
    schema = await _schema(client)
    assert schema["components"]["securitySchemes"]["bearer"]["type"] == "http"
    assert schema["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    operations = _operations(schema)
    required = {key for key, op in operations.items() if op["security"] == [{"bearer": []}]}
    optional = {key for key, op in operations.items() if op["security"] == [{"bearer": []}, {}]}
    assert required == SIGNED_IN_ONLY
    assert optional == set(operations) - SIGNED_IN_ONLY
    for key in SIGNED_IN_ONLY:
        assert operations[key]["responses"]["401"]["content"] == {
            "application/problem+json": {"schema": PROBLEM}
        }


async def test_a_handlers_own_words_on_a_shared_status_are_kept(
    client: httpx.AsyncClient,
) -> None:
    operations = _operations(await _schema(client))
    booking_400 = operations[("post", "/api/v1/bookings")]["responses"]["400"]
    assert booking_400["description"].endswith("; or a malformed Idempotency-Key")
    token_429 = operations[("post", "/api/v1/auth/token")]["responses"]["429"]
    assert token_429["description"] == "Too many attempts; see Retry-After"
    assert "Retry-After" in token_429["headers"]


def test_documenting_needs_the_problem_component() -> None:
    with pytest.raises(ValueError, match="problem details"):
        document_api({"paths": {}, "components": {"schemas": {}}}, set())
