"""Stored photos over HTTP, with an `ETag` (a 304 when the client's copy is current).

Space and station photos are public at `/media/photos/{name}` (the address older versions
gave out), cached for a year: a photo never changes, a new upload gets a new name. A need's
photo is never served there: the needs domain serves it at `/needs/{id}/photo` and
`/needs/follow/{token}/photo` after checking who asks (needs.services.need_photos), through
`photo_answer` with `private, no-store`.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get
from litestar.params import FromPath

from app import photos
from app.errors import NotFound
from app.i18n import _
from app.tables import PhotoVisibility
from app.web.responses import etag_matches

PUBLIC_CACHE = f"public, max-age={photos.CACHE_SECONDS}, immutable"
PRIVATE_CACHE = "private, no-store"


async def photo_answer(
    request: Request[Any, Any, Any], name: str, visibility: PhotoVisibility
) -> Response[bytes]:
    """The stored photo called `name` if it has this visibility (404 otherwise, so a need's
    photo is not found at the public address): 200 with the JPEG, or 304."""
    head = await photos.photo_head(name)
    if head is None or head.visibility != visibility:
        raise NotFound(_("There is no photo at this address."))
    etag = f'"{head.etag}"'
    headers = {
        "ETag": etag,
        "Cache-Control": PUBLIC_CACHE if visibility == PhotoVisibility.public else PRIVATE_CACHE,
        "X-Content-Type-Options": "nosniff",
    }
    if etag_matches(request, etag):
        return Response(b"", status_code=304, headers=headers)
    body = await photos.photo_body(name)
    if body is None:  # replaced between the two reads
        raise NotFound(_("There is no photo at this address."))
    return Response(body, media_type="image/jpeg", headers=headers)


@get("/media/photos/{file_name:str}", name="media:photo", include_in_schema=False)
async def serve_photo(request: Request[Any, Any, Any], file_name: FromPath[str]) -> Response[Any]:
    """A space's or a station's photo, cached for a year."""
    return await photo_answer(request, file_name, PhotoVisibility.public)
