"""What another domain may know of a station: its public facts, as a plain value."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class StationRef:
    slug: str
    name_zh: str
    name_en: str
    community_id: int
    community_slug: str
