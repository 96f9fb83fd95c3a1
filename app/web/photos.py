"""Stored photos over HTTP: `/media/photos/{name}`, cached for a year."""

from __future__ import annotations

import asyncio
from typing import Any

from litestar import Response, get
from litestar.params import FromPath

from app.errors import NotFound
from app.i18n import _
from app.photos import CACHE_SECONDS, is_photo_name, photos_dir


@get("/media/photos/{file_name:str}", name="media:photo", include_in_schema=False)
async def serve_photo(file_name: FromPath[str]) -> Response[Any]:
    """A stored photo, cached for a year (its name changes whenever the photo does)."""
    if not is_photo_name(file_name):
        raise NotFound(_("There is no photo at this address."))
    try:
        body = await asyncio.to_thread((photos_dir() / file_name).read_bytes)
    except FileNotFoundError as exc:
        raise NotFound(_("There is no photo at this address.")) from exc
    return Response(
        body,
        media_type="image/jpeg",
        headers={
            "Cache-Control": f"public, max-age={CACHE_SECONDS}, immutable",
            "X-Content-Type-Options": "nosniff",
        },
    )
