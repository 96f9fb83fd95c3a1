"""Every staff page is guarded, and a resident is turned away from each of them."""

from __future__ import annotations

import re

from litestar import Litestar
from litestar.routes import HTTPRoute

from app.web.guards import requires_admin, requires_staff
from tests.factories import PASSWORD, make_community, make_user
from tests.fixtures import Browser


def _staff_routes(app: Litestar) -> list[tuple[str, str, object]]:
    found = []
    for route in app.routes:
        if not isinstance(route, HTTPRoute) or not route.path.startswith("/staff"):
            continue
        for handler in route.route_handlers:
            for method in handler.http_methods:
                found.append((method, route.path, handler))
    return found


def test_every_staff_route_requires_staff_or_admin(app: Litestar) -> None:
    routes = _staff_routes(app)
    assert len(routes) > 60
    unguarded = [
        f"{method} {path}"
        for method, path, handler in routes
        if not {requires_staff, requires_admin}
        & {getattr(guard, "func", guard) for guard in handler.resolve_guards()}
    ]
    assert unguarded == []


async def test_a_resident_is_refused_every_staff_route(app: Litestar, browser: Browser) -> None:
    await make_user("resident@example.com", community=await make_community("bayi"))
    await browser.sign_in("resident@example.com", PASSWORD)
    for method, path, _handler in _staff_routes(app):
        url = re.sub(r"\{(\w+):int\}", "1", path)
        url = re.sub(r"\{(\w+):str\}", "x", url)
        if method == "GET":
            response = await browser.get(url)
        elif method == "POST":
            response = await browser.submit(url, {})
        else:
            continue
        assert response.status_code == 403, f"{method} {url}"
