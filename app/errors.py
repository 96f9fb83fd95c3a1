"""Domain errors raised by services: refusals a person can understand.

Services raise the errors below and know nothing of HTTP; `app.web.problems` turns each
into problem details for the API or a translated error page, with the status it names.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app.i18n import _

PROBLEM_JSON = "application/problem+json"


@dataclass
class FieldError:
    field: str
    message: str


class DomainError(Exception):
    """A refusal a person can understand; `detail` is already translated."""

    status_code = 400
    slug = "bad-request"

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail

    def title(self) -> str:
        return _("The request could not be completed")

    def extra(self) -> dict[str, Any]:
        return {}

    def by_field(self) -> dict[str, str]:
        """The messages for a re-rendered form, by field; a refusal of the whole form goes
        under `""` (its error summary)."""
        return {"": self.detail}


class InputError(DomainError):
    """One or more fields hold values that cannot be used."""

    status_code = 422
    slug = "invalid-input"

    def __init__(self, errors: list[FieldError], detail: str | None = None) -> None:
        super().__init__(detail or _("Please correct the marked fields."))
        self.errors = errors

    def title(self) -> str:
        return _("Some values need correcting")

    def extra(self) -> dict[str, Any]:
        return {"errors": [{"field": e.field, "message": e.message} for e in self.errors]}

    def by_field(self) -> dict[str, str]:
        return {e.field: e.message for e in self.errors}

    def detail_of(self, field: str) -> str:
        return self.by_field().get(field, self.detail)


class NotFound(DomainError):
    status_code = 404
    slug = "not-found"

    def title(self) -> str:
        return _("Not found")


class Forbidden(DomainError):
    status_code = 403
    slug = "forbidden"

    def title(self) -> str:
        return _("Not allowed")


@dataclass
class Alternative:
    start: str
    end: str


def free_instead(refusal: DomainError | None) -> list[dict[str, datetime]]:
    """A refusal's free times as `{"start", "end"}` datetimes (at the space's own offset),
    for a page that lists them; none for any other error."""
    alternatives = getattr(refusal, "alternatives", None) or []
    return [
        {"start": datetime.fromisoformat(a.start), "end": datetime.fromisoformat(a.end)}
        for a in alternatives
    ]


class Conflict(DomainError):
    """Someone else holds what was asked for; `alternatives` are free instead."""

    status_code = 409
    slug = "conflict"

    def __init__(
        self, detail: str, *, rule: str = "capacity", alternatives: list[Alternative] | None = None
    ) -> None:
        super().__init__(detail)
        self.rule = rule
        self.alternatives = alternatives or []

    def title(self) -> str:
        return _("Already taken")

    def extra(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "alternatives": [{"start": a.start, "end": a.end} for a in self.alternatives],
        }


class InFlight(Conflict):
    """An earlier request with the same `Idempotency-Key` is still running (409)."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail, rule="idempotency_in_flight")

    def title(self) -> str:
        return _("Request still in progress")


class RuleViolation(DomainError):
    """A rule such as lead time or quota refuses the request; `rule` is its code."""

    status_code = 422
    slug = "rule-violation"

    def __init__(
        self, rule: str, detail: str, alternatives: list[Alternative] | None = None
    ) -> None:
        super().__init__(detail)
        self.rule = rule
        self.alternatives = alternatives or []

    def title(self) -> str:
        return _("A rule does not allow this")

    def extra(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "alternatives": [{"start": a.start, "end": a.end} for a in self.alternatives],
        }


class Throttled(DomainError):
    status_code = 429
    slug = "throttled"

    def __init__(self, detail: str, retry_after_s: int) -> None:
        super().__init__(detail)
        self.retry_after_s = max(1, retry_after_s)

    def title(self) -> str:
        return _("Too many attempts")


class UnsupportedMediaType(DomainError):
    """The API reads JSON only; a body declared as anything else is not read (415)."""

    status_code = 415
    slug = "unsupported-media-type"

    def __init__(self) -> None:
        super().__init__(_("Send the body as JSON, with Content-Type: application/json."))

    def title(self) -> str:
        return _("Unsupported content type")


class MalformedRequest(InputError):
    """The request cannot be read as sent, such as a header of the wrong form (400)."""

    status_code = 400
    slug = "malformed"
