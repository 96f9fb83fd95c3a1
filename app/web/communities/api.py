"""GET /api/v1/communities."""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import get
from litestar.params import QueryParameter

from app.communities.services import community_page
from app.i18n import localized
from app.web.api import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, ItemsPage, next_url, problem_responses


class CommunityOut(msgspec.Struct):
    slug: str
    name: str
    """In the language of the request (Accept-Language)."""
    street: str
    """The street office's name, in the language of the request."""
    street_slug: str
    name_zh: str
    name_en: str


@get(
    "/api/v1/communities",
    name="api:communities",
    tags=["communities"],
    responses=problem_responses(422),
)
async def list_communities(
    limit: Annotated[int, QueryParameter(ge=1, le=MAX_PAGE_SIZE)] = DEFAULT_PAGE_SIZE,
    after: Annotated[str | None, QueryParameter(max_length=64)] = None,
) -> ItemsPage[CommunityOut]:
    """The district's communities ordered by slug; follow `next` for more."""
    rows = await community_page(after=after, limit=limit + 1)
    items = [
        CommunityOut(
            slug=row["slug"],
            name=localized(row, "name"),
            street=localized(
                {"name_zh": row["street_name_zh"], "name_en": row["street_name_en"]}, "name"
            ),
            street_slug=row["street_slug"],
            name_zh=row["name_zh"],
            name_en=row["name_en"],
        )
        for row in rows[:limit]
    ]
    more = len(rows) > limit
    return ItemsPage(
        items=items,
        next=next_url("/api/v1/communities", after=items[-1].slug, limit=limit) if more else None,
    )
