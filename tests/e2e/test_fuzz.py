"""The JSON API fuzzed over HTTP from its own OpenAPI schema (Schemathesis), with data that
fits the schema (positive) and data that breaks it (negative), anonymous and signed in as a
demo resident and a demo staff member, against the live server (`LINLI_SIGNUPS_PER_HOUR=0`,
so registering many accounts is never throttled). No answer is a 5xx, every answer matches
the schema (status, content type, headers, body), bad input is refused, methods an operation
does not have answer 405 with `Allow`, and operations that need a token refuse requests
without one. Bounded: a fixed seed (derandomized) and a cap on examples per operation.

One check is left out: `positive_data_acceptance` ("data that fits the schema is accepted").
A schema cannot say that a booking must start within a space's opening hours or on its slot
grid, fit its capacity, or lie between the years 2000 and 2099; Linli refuses such data with
422 problem details, which the schema documents."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.request import Request, urlopen

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import CHECKS, load_all_checks, positive_data_acceptance
from schemathesis.generation import GenerationMode
from schemathesis.generation.meta import CoverageScenario

from tests.e2e.servers import Server

EXAMPLES = 20
"""Per operation, mode and identity: 13 operations × 2 modes × 3 identities take about 75 s."""
DEMO_PASSWORD = "linli-demo-2026"
IDENTITIES = {
    "anonymous": None,
    "resident": "13800000001",
    "staff": "staff.caijiaxiang@linli.example",
}

pytestmark = pytest.mark.e2e


def every_check_but_acceptance() -> list:
    load_all_checks()
    return [check for check in CHECKS.get_all() if check is not positive_data_acceptance]


def _token(server: Server, login: str) -> str:
    """A bearer token of a demo account, through the API itself."""
    request = Request(
        f"{server.url}/api/v1/auth/token",
        data=json.dumps({"login": login, "password": DEMO_PASSWORD, "name": "fuzz"}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urlopen(request) as response:
        return json.loads(response.read())["token"]


def _get(server: Server, path: str, headers: dict[str, str] | None = None) -> Any:
    with urlopen(Request(f"{server.url}{path}", headers=headers or {})) as response:
        return json.loads(response.read())


@dataclass
class Names:
    """What exists in the demo district, so that positive cases also reach past "not found"."""

    spaces: list[str]
    stations: list[str]
    bookings: list[str]


@pytest.fixture(scope="module")
def names(server: Server, authorizations: dict[str, dict[str, str]]) -> Names:
    spaces = [space["slug"] for space in _get(server, "/api/v1/spaces?limit=100")["items"]]
    nearby = _get(server, "/api/v1/stations/nearby?lat=36.195&lon=113.116&radius_m=5000&limit=20")
    stations = [feature["properties"]["slug"] for feature in nearby["features"]]
    mine = _get(server, "/api/v1/bookings?limit=100", authorizations["resident"])["items"]
    # The resident's runs may cancel these; cancelling again is still a valid request.
    assert spaces and stations and mine
    return Names(spaces, stations, [booking["id"] for booking in mine])


def _on_the_hour(days: int, hour: int, hours: int) -> tuple[str, str]:
    """A local (UTC+8) span starting `days` from today at `hour`, as ISO 8601 text."""
    zone = timezone(timedelta(hours=8))
    day = datetime.now(zone).replace(minute=0, second=0, microsecond=0)
    start = day.replace(hour=hour) + timedelta(days=days)
    return start.isoformat(), (start + timedelta(hours=hours)).isoformat()


def real_names(names: Names) -> Any:
    """A `flatmap_case` hook: half of the positive cases name a real space, station or
    booking (and a booking's times fall on the hour in the coming week) instead of random
    text, which would only ever meet 404."""

    def with_real_names(context: Any, case: Any) -> Any:
        if not case.meta.generation.mode.is_positive:
            return st.just(case)
        path = case.operation.path
        pool = names.stations if path.startswith("/api/v1/stations/") else names.spaces
        choices: dict[str, Any] = {"real": st.booleans()}
        if case.path_parameters and "slug" in case.path_parameters:
            choices["slug"] = st.sampled_from(pool)
        if case.path_parameters and "booking_id" in case.path_parameters:
            choices["booking_id"] = st.sampled_from(names.bookings)
        if isinstance(case.body, dict) and "space" in case.body:
            choices["space"] = st.sampled_from(names.spaces)
            choices["span"] = st.builds(
                _on_the_hour, st.integers(1, 6), st.integers(7, 20), st.integers(1, 2)
            )

        def apply(drawn: dict[str, Any]) -> Any:
            if not drawn.pop("real"):
                return case
            for name in ("slug", "booking_id"):
                if name in drawn:
                    case.path_parameters[name] = drawn[name]
            if "space" in drawn:
                case.body["space"] = drawn["space"]
                case.body["start"], case.body["end"] = drawn["span"]
            return case

        return st.fixed_dictionaries(choices).map(apply)

    return with_real_names


@pytest.fixture(scope="module")
def authorizations(server: Server) -> dict[str, dict[str, str]]:
    """The headers of each identity, fetched before fuzzing: fuzzing the token operation
    with wrong passwords soon reaches the per-address limit of failed sign-ins."""
    return {
        identity: {"Authorization": f"Bearer {_token(server, login)}"} if login else {}
        for identity, login in IDENTITIES.items()
    }


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
@pytest.mark.parametrize("identity", list(IDENTITIES))
def test_the_api_never_fails_and_always_matches_its_schema(
    server: Server,
    authorizations: dict[str, dict[str, str]],
    names: Names,
    identity: str,
    mode: GenerationMode,
) -> None:
    schema = schemathesis.openapi.from_url(f"{server.url}/schema/openapi.json")
    schema.hook("flatmap_case")(real_names(names))
    headers = authorizations[identity]
    checks = every_check_but_acceptance()
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 10
    failures: dict[str, BaseException] = {}
    for operation in operations:
        # The token is given, not generated, so negative cases never drop or mangle it.
        @given(case=operation.as_strategy(generation_mode=mode, headers=headers or None))
        @settings(
            max_examples=EXAMPLES,
            derandomize=True,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def check(case) -> None:
            case.call_and_validate(base_url=server.url, headers=headers, checks=checks)

        try:
            check()
        except Unsatisfiable:
            # Nothing of this operation can break the schema (GET /api/v1/spaces/{slug} with
            # its token given takes one free-form string in the path).
            assert mode is GenerationMode.NEGATIVE, operation.label
        # Every operation runs and the failures are reported together (Schemathesis raises
        # a BaseExceptionGroup of them).
        except (Exception, BaseExceptionGroup) as exc:
            failures[operation.label] = exc
    assert not failures, "\n\n".join(f"{label}:\n{exc}" for label, exc in failures.items())


def test_methods_an_operation_lacks_answer_405_and_options_tells_them(server: Server) -> None:
    """Schemathesis's coverage cases for methods the schema does not list (OPTIONS
    included): 405 problem details with an `Allow` header, and OPTIONS whose `Allow` names
    exactly the documented methods (found by this test: Litestar's OPTIONS answer named
    only POST for /api/v1/bookings)."""
    schema = schemathesis.openapi.from_url(f"{server.url}/schema/openapi.json")
    checks = every_check_but_acceptance()
    sent = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        for case in schema.iter_coverage_cases(
            operation,
            generation_modes=[GenerationMode.NEGATIVE],
            generation_config=schema.config.generation_for(operation=operation),
        ):
            if case.meta.phase.data.scenario is CoverageScenario.UNSPECIFIED_HTTP_METHOD:
                case.call_and_validate(base_url=server.url, checks=checks)
                sent += 1
    assert sent >= 10
