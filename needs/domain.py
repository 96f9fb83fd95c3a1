"""What the needs domain contributes: the resident's, courier's, helper's and staff pages of
the community-needs loop, its links, demo data and its part of a person's data export."""

from __future__ import annotations

from app.domains import Domain

DOMAIN = Domain(
    name="needs",
    route_handlers=[],
    nav=[],
    home=[],
    staff=[],
)
