"""Route guards built on the named predicates of `app.permissions`: a page or endpoint that
needs a signed-in person, staff or an administrator says so once, on its route.

They are coroutines although they wait for nothing: Litestar runs a plain function guard in
a worker thread, two thread trips per request (the body gate runs the guards too)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from litestar.exceptions import NotAuthorizedException, PermissionDeniedException

from app.permissions import can_administer, can_use_staff_console
from app.web.context import actor_of

if TYPE_CHECKING:
    from litestar.connection import ASGIConnection
    from litestar.handlers.base import BaseRouteHandler


async def requires_signed_in(
    connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler
) -> None:
    if actor_of(connection) is None:
        raise NotAuthorizedException()


async def requires_staff(
    connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler
) -> None:
    actor = actor_of(connection)
    if actor is None:
        raise NotAuthorizedException()
    if not can_use_staff_console(actor):
        raise PermissionDeniedException()


async def requires_admin(
    connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler
) -> None:
    actor = actor_of(connection)
    if actor is None:
        raise NotAuthorizedException()
    if not can_administer(actor):
        raise PermissionDeniedException()
