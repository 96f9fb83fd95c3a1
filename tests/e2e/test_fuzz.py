"""The JSON API fuzzed over HTTP from its own OpenAPI schema (Schemathesis): no answer is a
5xx, and every answer matches the schema (status, content type, body, headers), for
anonymous and signed-in clients. Bounded: a fixed seed (derandomized) and a cap on examples
per operation.

One check is left out: "schema-valid data is accepted". A schema cannot say that a booking
must start in a space's opening hours, or on its slot grid, or that a time lies between the
years 2000 and 2099; Linli refuses those with 422 problem details, which the schema
documents."""

from __future__ import annotations

import json
import secrets
from urllib.request import Request, urlopen

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import positive_data_acceptance

from tests.e2e.servers import Server

EXAMPLES = 40

pytestmark = pytest.mark.e2e


def _token(server: Server) -> str:
    """A new resident's bearer token, through the API itself."""
    login = f"139{secrets.randbelow(10**8):08d}"
    password = "fuzzing-garden-47"
    for path, body in (
        (
            "/api/v1/auth/register",
            {"login": login, "name": "模糊测试", "password": password, "community": "caijiaxiang"},
        ),
        ("/api/v1/auth/token", {"login": login, "password": password}),
    ):
        request = Request(
            f"{server.url}{path}",
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with urlopen(request) as response:
            answer = json.loads(response.read())
    return answer["token"]


@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "signed-in"])
def test_the_api_never_fails_and_always_matches_its_schema(server: Server, signed_in: bool) -> None:
    schema = schemathesis.openapi.from_url(f"{server.url}/schema/openapi.json")
    headers = {"Authorization": f"Bearer {_token(server)}"} if signed_in else {}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 10
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            derandomize=True,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def check(case) -> None:
            case.call_and_validate(
                base_url=server.url, headers=headers, excluded_checks=[positive_data_acceptance]
            )

        check()
