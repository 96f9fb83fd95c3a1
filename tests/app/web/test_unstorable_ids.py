"""A whole-number id that no database column can hold (past 2³¹ for PostgreSQL's `integer`,
past 2⁶³ for SQLite) names nothing: every route that takes one answers 404, never a 500
from the engine. The routes come from the application itself, so a new one is covered."""

from __future__ import annotations

import re

import httpx
import pytest
from litestar import Litestar
from litestar.routes import HTTPRoute

from tests.factories import PASSWORD, make_community, make_user
from tests.fixtures import Browser

_INT = re.compile(r"\{(\w+):int\}")
_OTHER = re.compile(r"\{(\w+):\w+\}")


def int_routes(app: Litestar) -> list[tuple[str, str]]:
    """(method, path template) of every route with a whole-number path parameter."""
    found = []
    for route in app.routes:
        if isinstance(route, HTTPRoute) and _INT.search(route.path):
            for method in sorted(route.methods - {"HEAD", "OPTIONS"}):
                found.append((method, route.path))
    return found


def test_the_sweep_covers_the_routes_that_take_ids(app: Litestar) -> None:
    paths = {path for _method, path in int_routes(app)}
    assert "/staff/open311/keys/{key_id:int}/revoke" in paths
    assert "/account/tokens/{token_id:int}/revoke" in paths
    assert len(paths) >= 20


@pytest.mark.parametrize("value", [2**31, 2**70, -(2**31) - 1])
async def test_every_route_answers_404_for_an_id_no_table_holds(
    app: Litestar, client: httpx.AsyncClient, value: int
) -> None:
    home = await make_community("caijiaxiang")
    await make_user("admin@linli.example", is_admin=True, staff_of=[home], locale="en")
    browser = Browser(client)
    await browser.sign_in("admin@linli.example", PASSWORD)
    answers = {}
    for method, template in int_routes(app):
        path = _OTHER.sub(
            lambda match: str(value) if match.group(0).endswith(":int}") else "caijiaxiang",
            template,
        )
        if method == "GET":
            response = await browser.get(path)
        else:
            response = await browser.submit(path, {})
        answers[f"{method} {template}"] = response.status_code
    assert {route: status for route, status in answers.items() if status != 404} == {}
