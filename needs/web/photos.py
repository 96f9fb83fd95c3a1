"""The photo sent with a need, over HTTP: `/needs/{id}/photo` for the signed-in filer, the
staff of its community and its helper, `/needs/follow/{token}/photo` for the holder of the
follow link. Never cached (`private, no-store`); 404 for anyone else, as for a need that
does not exist."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get
from litestar.params import FromPath

from app.tables import PhotoVisibility
from app.web.context import CurrentViewer
from app.web.photos import photo_answer
from needs.services import need_photos

AnyRequest = Request[Any, Any, Any]


@get("/needs/{need_id:str}/photo", name="needs:photo", include_in_schema=False)
async def need_photo(
    request: AnyRequest, viewer: CurrentViewer, need_id: FromPath[str]
) -> Response[Any]:
    name = await need_photos.photo_for(viewer, need_id)
    return await photo_answer(request, name, PhotoVisibility.private)


@get("/needs/follow/{token:str}/photo", name="needs:follow.photo", include_in_schema=False)
async def followed_need_photo(request: AnyRequest, token: FromPath[str]) -> Response[Any]:
    name = await need_photos.photo_for_follower(token)
    return await photo_answer(request, name, PhotoVisibility.private)
