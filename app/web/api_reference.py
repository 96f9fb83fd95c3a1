"""The API reference at `/schema`: the vendored Swagger UI (app/static/swagger-ui, pinned in
its VERSION file), served from this site under the same Content-Security-Policy as every
page, so it works offline and loads nothing from elsewhere."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.openapi.plugins import OpenAPIRenderPlugin

from app.web.responses import render


class ApiReferencePlugin(OpenAPIRenderPlugin):
    def __init__(self) -> None:
        super().__init__(path="/swagger")

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        spec_url = self.get_openapi_json_route(request)
        return render(request, "api/reference.html", spec_url=spec_url).encode()
