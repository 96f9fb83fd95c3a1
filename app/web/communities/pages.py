"""The public page of a community, /communities/{slug}: what each domain shows of it (its
spaces, its stations, its partner units, resources, projects, figures and needs), in the
order the domains were installed. Anyone may read it; nothing on it depends on who asks."""

from __future__ import annotations

from typing import Any

from litestar import Request, get
from litestar.params import FromPath
from litestar.response import Template

from app.communities.services import get_community
from app.domains import community_sections
from app.web.context import RequestNow
from app.web.responses import page

AnyRequest = Request[Any, Any, Any]


@get("/communities/{slug:str}", name="communities:page", include_in_schema=False)
async def community_page(request: AnyRequest, now: RequestNow, slug: FromPath[str]) -> Template:
    """The community's public page; an unknown slug answers the 404 page."""
    community = await get_community(slug)
    sections = await community_sections(community, now)
    return page(request, "communities/page.html", community=community, sections=sections)
