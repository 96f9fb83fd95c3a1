"""The spaces' section of a community's public page: its active shared spaces."""

from __future__ import annotations

from datetime import datetime

from app.domains import Panel
from app.i18n import N_
from app.tables import Community
from spaces.logic.kinds import KIND_LABELS
from spaces.services.catalog import list_spaces

LISTED = 20
"""Spaces the community's page lists at most; the rest are a link to the list of spaces."""


async def community_page(community: Community, now: datetime) -> list[Panel]:
    """One section listing the community's spaces (the first `LISTED`), or none when it has
    none."""
    spaces = await list_spaces(community=community.slug)
    if not spaces:
        return []
    rows = [(space, KIND_LABELS.get(space.kind, KIND_LABELS["other"])) for space in spaces]
    context = {"spaces": rows[:LISTED], "more": len(rows) - LISTED, "slug": community.slug}
    return [Panel(N_("Shared spaces"), "spaces/_community.html", context)]
