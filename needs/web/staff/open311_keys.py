"""The administrators' page of partner systems' Open311 keys: `GET /staff/open311/keys` lists
them (never the key itself), its form issues one and shows it once, and each key in use has a
button that revokes it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect, Template

from app.communities.services import communities_by_street
from app.errors import InputError
from app.i18n import _
from app.permissions import Actor
from app.web.context import CurrentActor, RequestNow, flash
from app.web.guards import requires_admin
from app.web.responses import page, redirect
from needs.services import open311_keys

AnyRequest = Request[Any, Any, Any]
OPEN311_REQUESTS = "/open311/v2/requests.json"
"""Where partner systems file needs (GeoReport v2), told to the administrators."""
SHOWN_ONCE_HEADERS = {"Cache-Control": "no-store"}
"""The page that shows a new key is never kept by a browser or a proxy."""


@dataclass
class KeyForm:
    name: str = ""
    community: str = ""
    """A community's slug, or empty for every community of the district."""


async def _keys_page(
    request: AnyRequest,
    actor: Actor,
    *,
    form: KeyForm | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
    **context: Any,
) -> Template:
    return page(
        request,
        "needs/staff/open311_keys.html",
        status_code=status_code,
        headers=headers,
        keys=await open311_keys.list_keys(actor),
        form=form or KeyForm(),
        errors=errors or {},
        streets=await communities_by_street(),
        endpoint=str(request.base_url).rstrip("/") + OPEN311_REQUESTS,
        **context,
    )


class StaffOpen311KeysController(Controller):
    path = "/staff/open311/keys"
    guards = [requires_admin]
    include_in_schema = False

    @get("", name="staff:open311.keys")
    async def index(self, request: AnyRequest, actor: CurrentActor) -> Template:
        return await _keys_page(request, actor)

    @post("", name="staff:open311.keys.issue")
    async def issue(
        self,
        request: AnyRequest,
        data: URLEncodedBody[KeyForm],
        actor: CurrentActor,
        now: RequestNow,
    ) -> Template:
        try:
            key, plain = await open311_keys.issue_key(actor, data.name, data.community, now=now)
        except InputError as exc:
            return await _keys_page(
                request, actor, form=data, errors=exc.by_field(), status_code=400
            )
        # Shown once on this page: never put in a redirect, a flash or a cache.
        return await _keys_page(
            request,
            actor,
            headers=SHOWN_ONCE_HEADERS,
            new_key=plain,
            new_key_name=key.name,
        )

    @post("/{key_id:int}/revoke", name="staff:open311.keys.revoke")
    async def revoke(
        self, request: AnyRequest, key_id: FromPath[int], actor: CurrentActor, now: RequestNow
    ) -> Redirect:
        key = await open311_keys.revoke_key(actor, key_id, now=now)
        flash(
            request,
            _(
                "The key of %(name)s was revoked: its filings are refused from now on.",
                name=key.name,
            ),
        )
        return redirect(request.app.route_reverse("staff:open311.keys"))
