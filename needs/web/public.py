"""/communities/{slug}/needs: the community's needs as anyone may see them, page by page
(the first page is also on the community's public page)."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, get
from litestar.params import FromPath, QueryParameter
from litestar.response import Template

from app.communities.services import get_community
from app.web import responses
from needs.services.public import LIST_LABELS, MAX_PUBLIC_PAGES, public_needs

AnyRequest = Request[Any, Any, Any]


@get("/communities/{slug:str}/needs", name="communities:needs", include_in_schema=False)
async def community_needs(
    request: AnyRequest,
    slug: FromPath[str],
    page: Annotated[int, QueryParameter(ge=1, le=MAX_PUBLIC_PAGES)] = 1,
) -> Template:
    """One page of the list; a page past the last answers the 404 page."""
    community = await get_community(slug)
    listing = await public_needs(community, page)
    return responses.page(
        request,
        "needs/public/needs.html",
        listing=listing,
        category_labels=LIST_LABELS["category_labels"],
        status_labels=LIST_LABELS["status_labels"],
    )
