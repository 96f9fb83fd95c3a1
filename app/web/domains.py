"""How a domain plugs into the HTTP edge: its route handlers and the links to its pages in
the site header, on the home page and in the staff console's menu. Each domain's `web`
package describes them in one `WebDomain`; `app.asgi` installs them with the domains."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

ErrorAnswer = Callable[[Any, Exception], Any]
"""`(request, exception) -> Response`: how the paths under a prefix answer failures."""


@dataclass(frozen=True)
class Link:
    route_name: str
    label: str
    """A message id; translated when shown."""
    description: str = ""
    audience: str = "everyone"
    """`everyone`, `signed_in`, `staff` or `admin` (administrators only)."""


@dataclass(frozen=True)
class WebDomain:
    name: str
    route_handlers: Sequence[Any] = ()
    nav: Sequence[Link] = ()
    """Links in the site header."""
    home: Sequence[Link] = ()
    """Entries on the home page, with a description."""
    staff: Sequence[Link] = ()
    """Links in the staff console's menu."""
    error_answers: Sequence[tuple[str, ErrorAnswer]] = ()
    """(path prefix, answer): failures under a prefix that speaks a protocol of its own
    (Open311's error list) are answered in it, routing's 404 and 405 included."""


@dataclass
class _Installed:
    domains: list[WebDomain] = field(default_factory=list)


_installed = _Installed()


def install(domains: Sequence[WebDomain]) -> None:
    """Make `domains` known to the pages that link to them (idempotent)."""
    _installed.domains = list(domains)


def links(kind: str) -> list[Link]:
    """All installed domains' links of one kind: `nav`, `home` or `staff`."""
    return [link for domain in _installed.domains for link in getattr(domain, kind)]


def error_answer_for(path: str) -> ErrorAnswer | None:
    """How failures under `path` are answered, when a domain speaks a protocol there."""
    for domain in _installed.domains:
        for prefix, answer in domain.error_answers:
            if path.startswith(prefix):
                return answer
    return None
