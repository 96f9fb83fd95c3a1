"""The staff station list's filters: what each query parameter means, and which stations a
combination keeps. Plain values only, so the rules are tested without a database."""

from __future__ import annotations

from dataclasses import dataclass

OPEN_STATES = ("open", "closed")
"""`open` keeps stations open at the moment of the request; `closed` every other one
(closed, or no hours recorded)."""


@dataclass(frozen=True)
class StationFilters:
    """The list's GET parameters, as typed; unknown choices mean "any"."""

    q: str = ""
    community: str = ""
    open: str = ""
    reports: str = ""

    def cleaned(self) -> StationFilters:
        return StationFilters(
            q=self.q.strip(),
            community=self.community.strip(),
            open=self.open if self.open in OPEN_STATES else "",
            reports="open" if self.reports == "open" else "",
        )

    @property
    def any(self) -> bool:
        """Whether any filter narrows the list."""
        cleaned = self.cleaned()
        return bool(cleaned.q or cleaned.community or cleaned.open or cleaned.reports)


@dataclass(frozen=True)
class StationFacts:
    """What the filters look at for one station."""

    texts: tuple[str, ...]
    """Names, slug, host and address in both languages, matched by the search text."""
    community: str
    """The community's slug."""
    is_open: bool
    open_reports: int


def keeps(facts: StationFacts, filters: StationFilters) -> bool:
    """Whether a station passes every filter; the search text matches any part of any of
    its texts, ignoring case."""
    filters = filters.cleaned()
    if filters.q:
        wanted = filters.q.casefold()
        if not any(wanted in text.casefold() for text in facts.texts):
            return False
    if filters.community and facts.community != filters.community:
        return False
    if filters.open and facts.is_open != (filters.open == "open"):
        return False
    return not (filters.reports and facts.open_reports == 0)
