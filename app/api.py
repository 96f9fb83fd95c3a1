"""Shared pieces of the JSON API under /api/v1: paging and the problem-details schema."""

from __future__ import annotations

from typing import Generic, TypeVar
from urllib.parse import urlencode

import msgspec

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


class ProblemDetails(msgspec.Struct, omit_defaults=True):
    """RFC 9457 problem details, as every error of the API answers."""

    type: str
    title: str
    status: int
    detail: str
    errors: list[FieldProblem] = []


def next_url(path: str, **params: object) -> str:
    return f"{path}?{urlencode({k: v for k, v in params.items() if v is not None})}"
