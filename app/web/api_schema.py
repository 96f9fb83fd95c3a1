"""What every operation of the JSON API shares, written into the OpenAPI schema in one place
instead of on each handler.

Litestar documents what a handler declares; some answers come from the edge for any
operation instead: 400 for a body that is not JSON or nests too deeply, 429 from a limit, 503
while the database cannot be reached, and for operations that take a body 413 (too large) and
415 (not declared as JSON). `document_api` adds those (problem details, with `Retry-After` on
429 and 503) and the bearer-token security scheme to the generated schema, and
`ApiSchemaPlugin` serves the result at `/schema/openapi.json`, which the API reference reads
too.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from litestar.openapi.plugins import JsonRenderPlugin
from litestar.routes import HTTPRoute

from app.web.guards import requires_admin, requires_signed_in, requires_staff

if TYPE_CHECKING:
    from litestar import Litestar, Request

PROBLEM_JSON = "application/problem+json"
PROBLEM_REF = "#/components/schemas/Problem"
BEARER = "bearer"
HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}
SIGNED_IN_GUARDS = {requires_signed_in, requires_staff, requires_admin}

_RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds to wait before trying again.",
        "required": True,
        "schema": {"type": "integer", "minimum": 1},
    }
}
_SHARED: dict[str, tuple[str, dict[str, Any]]] = {
    "400": ("Malformed request (the body is not valid JSON, or nests too deeply)", {}),
    "429": ("Too many attempts; wait the seconds in Retry-After", _RETRY_AFTER),
    "503": (
        "The database cannot be reached just now and nothing was changed; try again after "
        "the seconds in Retry-After",
        _RETRY_AFTER,
    ),
}
_WITH_BODY: dict[str, tuple[str, dict[str, Any]]] = {
    "413": ("The body is larger than Linli accepts", {}),
    "415": ("The body is not declared as JSON (Content-Type: application/json)", {}),
}
_SECURITY_SCHEME = {
    "type": "http",
    "scheme": "bearer",
    "description": (
        "An API token from POST /api/v1/auth/token, sent as `Authorization: Bearer <token>`. "
        "Required where an operation says so (a missing or unknown token answers 401); "
        "elsewhere optional, choosing the language of the answer (and, for availability, "
        "the person whose own bookings count)."
    ),
}


def _problem(description: str, headers: dict[str, Any]) -> dict[str, Any]:
    response: dict[str, Any] = {
        "description": description,
        "content": {PROBLEM_JSON: {"schema": {"$ref": PROBLEM_REF}}},
    }
    if headers:
        response["headers"] = copy.deepcopy(headers)
    return response


def _is_problem(response: dict[str, Any]) -> bool:
    return PROBLEM_JSON in response.get("content", {})


def signed_in_operations(app: Litestar) -> set[tuple[str, str]]:
    """`(method, path)` of every operation whose guards need a signed-in person, with the
    method in lower case and the path as the schema writes it."""
    found: set[tuple[str, str]] = set()
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        for handler in route.route_handlers:
            # The guards as declared on the handler and the layers above it (resolve_guards()
            # wraps them).
            guards = {guard for layer in handler.ownership_layers for guard in layer.guards or ()}
            if SIGNED_IN_GUARDS & guards:
                found.update((method.lower(), route.path_format) for method in handler.http_methods)
    return found


def document_api(schema: dict[str, Any], signed_in_only: set[tuple[str, str]]) -> dict[str, Any]:
    """A copy of the generated `schema` in which every operation documents 400, 429 and 503
    problem details (Retry-After on the last two), those with a body 413 and 415 too, and
    bearer security: required for the operations in `signed_in_only` (which also answer
    401), optional for the others."""
    documented = copy.deepcopy(schema)
    components = documented.setdefault("components", {})
    if "Problem" not in components.get("schemas", {}):
        raise ValueError("no API handler declares problem details (app.web.api.problem_responses)")
    components.setdefault("securitySchemes", {})[BEARER] = dict(_SECURITY_SCHEME)
    for path, item in documented.get("paths", {}).items():
        for method, operation in item.items():
            if method not in HTTP_METHODS:
                continue
            responses = operation.setdefault("responses", {})
            shared = {**_SHARED, **_WITH_BODY} if "requestBody" in operation else _SHARED
            for status, (description, headers) in shared.items():
                existing = responses.get(status)
                if existing and _is_problem(existing):
                    # Keep what the handler says of it (such as a malformed Idempotency-Key).
                    existing.setdefault("headers", {}).update(copy.deepcopy(headers))
                    if not existing["headers"]:
                        del existing["headers"]
                else:
                    responses[status] = _problem(description, headers)
            if (method, path) in signed_in_only:
                operation["security"] = [{BEARER: []}]
                responses.setdefault("401", _problem("No valid bearer token", {}))
            else:
                operation["security"] = [{BEARER: []}, {}]
    return documented


class ApiSchemaPlugin(JsonRenderPlugin):
    """Serves `document_api` of the generated schema at /schema/openapi.json, worked out
    once per process."""

    def __init__(self) -> None:
        super().__init__()
        self._documented: tuple[int, bytes] | None = None

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        # Litestar builds the schema once and hands the same dict to every request.
        if self._documented is None or self._documented[0] != id(openapi_schema):
            documented = document_api(openapi_schema, signed_in_operations(request.app))
            self._documented = (id(openapi_schema), self.render_json(request, documented))
        return self._documented[1]
