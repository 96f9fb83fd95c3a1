"""POST /api/v1/auth/register, POST /api/v1/auth/token, GET /api/v1/me."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import msgspec
from litestar import Request, get, post
from litestar.openapi.spec import Example
from litestar.params import BodyKwarg, JSONBody

from app.accounts import services, sessions
from app.communities.services import community_of
from app.permissions import booking_block_reason
from app.web.api import problem_responses
from app.web.context import CurrentActor, RequestNow, client_ip
from app.web.guards import requires_signed_in

AnyRequest = Request[Any, Any, Any]

Text = Annotated[str, msgspec.Meta(max_length=254)]
Secret = Annotated[str, msgspec.Meta(max_length=256)]


class RegisterIn(msgspec.Struct, forbid_unknown_fields=False):
    login: Text
    """A mainland mobile number (11 digits) or an email address."""
    name: Annotated[str, msgspec.Meta(max_length=100)]
    password: Secret
    community: Annotated[str, msgspec.Meta(max_length=64)]
    """The slug of the resident's community (see GET /api/v1/communities)."""
    accept_privacy: bool = True
    """Registering through the API accepts the privacy notice at /privacy; clients must show it."""


class AccountOut(msgspec.Struct):
    name: str
    login: str
    community: str | None
    role: str
    can_book: bool
    """False until the community's verification or approval is complete."""
    waiting_for: str | None
    """`contact_unverified` or `awaiting_approval` while `can_book` is false."""


class TokenIn(msgspec.Struct, forbid_unknown_fields=False):
    login: Text
    password: Secret
    name: Annotated[str, msgspec.Meta(max_length=60)] = "API"
    """A label shown on the account page, where the token can be revoked."""


class TokenOut(msgspec.Struct):
    token: str
    expires_at: datetime


async def _account(user: Any, role: str) -> AccountOut:
    community = await community_of(user)
    block = booking_block_reason(user, community)
    return AccountOut(
        name=user.name,
        login=user.login,
        community=community.slug if community else None,
        role=role,
        can_book=block is None,
        waiting_for=block,
    )


@post(
    "/api/v1/auth/register",
    name="api:register",
    tags=["auth"],
    status_code=201,
    responses=problem_responses(400, 422, 429),
)
async def register(
    request: AnyRequest,
    data: Annotated[
        RegisterIn,
        BodyKwarg(
            examples=[
                Example(
                    value={
                        "login": "13812345678",
                        "name": "王阿姨",
                        "password": "band-rehearsal-tuesday",
                        "community": "caijiaxiang",
                    }
                )
            ]
        ),
    ],
    now: RequestNow,
) -> AccountOut:
    """Create a resident account. 422 lists each field to correct; 429 when too many
    accounts were created from this address in the last hour."""
    user = await services.register(
        services.Registration(
            login=data.login,
            name=data.name,
            password=data.password,
            community=data.community,
            accepted_privacy=data.accept_privacy,
        ),
        client_ip=client_ip(request),
        now=now,
    )
    return await _account(user, "resident")


@post(
    "/api/v1/auth/token",
    name="api:token",
    tags=["auth"],
    status_code=201,
    responses=problem_responses(400, 401, 422, 429),
)
async def token(request: AnyRequest, data: JSONBody[TokenIn], now: RequestNow) -> TokenOut:
    """Exchange credentials for a bearer token (90 days). Only failed attempts count
    towards throttling: 429 with Retry-After after repeated failures."""
    user = await services.authenticate(
        data.login, data.password, client_ip=client_ip(request), now=now
    )
    row, plain = await sessions.create_api_token(user, data.name, now)
    return TokenOut(token=plain, expires_at=row.expires_at)


@get(
    "/api/v1/me",
    name="api:me",
    tags=["auth"],
    guards=[requires_signed_in],
    responses=problem_responses(401),
)
async def me(request: AnyRequest, actor: CurrentActor) -> AccountOut:
    """The account behind the bearer token."""
    return await _account(actor.user, actor.role)
