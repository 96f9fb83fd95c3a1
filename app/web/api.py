"""Shared pieces of the JSON API under /api/v1: paging and the problem-details schema."""

from __future__ import annotations

from typing import Generic, TypeVar
from urllib.parse import urlencode

import msgspec
from litestar.openapi import ResponseSpec

T = TypeVar("T")

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 100


class ItemsPage(msgspec.Struct, Generic[T]):
    """Every list answers this: the items, and the relative URL of the next page or null."""

    items: list[T]
    next: str | None


class FieldProblem(msgspec.Struct):
    field: str
    message: str


class AlternativeSlot(msgspec.Struct):
    start: str
    end: str


class Problem(msgspec.Struct, omit_defaults=True):
    """RFC 9457 problem details, as every error of the API answers (the `Problem` component
    of the schema)."""

    type: str
    """A URN naming the kind of problem, such as `urn:linli:problem:invalid-input`."""
    title: str
    status: int
    detail: str
    instance: str | None = None
    """Not sent by Linli today; RFC 9457 allows it, so clients may meet it."""
    errors: list[FieldProblem] = []
    """Input errors: which field, and what is wrong with it."""
    rule: str | None = None
    """Refusals: the rule that refused, such as `lead_time`, `quota_week` or `capacity`."""
    alternatives: list[AlternativeSlot] = []
    """Refusals: the nearest free slots instead."""


_DESCRIPTIONS = {
    400: "Malformed request (the body is not valid JSON)",
    401: "No valid bearer token, or wrong credentials",
    403: "Not allowed for this account",
    404: "Not found, or not yours",
    409: "Taken by someone else in the meantime",
    422: "Invalid input or a rule refuses the request",
    429: "Too many attempts; see Retry-After",
}


def problem_responses(*statuses: int) -> dict[int, ResponseSpec]:
    """OpenAPI entries for the problem details a handler may answer."""
    return {
        status: ResponseSpec(
            data_container=Problem,
            description=_DESCRIPTIONS[status],
            media_type="application/problem+json",
        )
        for status in statuses
    }


def next_url(path: str, **params: object) -> str:
    return f"{path}?{urlencode({k: v for k, v in params.items() if v is not None})}"
