"""A need's photo is the filer's: it is shown only to the person who filed the need (signed
in, or holding the follow link), to the staff of its community and to the helper it is sent
to now. To anyone else it does not exist (404), so an address reveals nothing."""

from __future__ import annotations

from collections.abc import Sequence

from app.errors import NotFound
from app.i18n import _
from app.permissions import Actor
from needs.logic.permissions import can_see_need_photo
from needs.queries.assignees import helper_user_id
from needs.services import reporter
from needs.services.transitions import need_uuid
from needs.tables import Need


def _no_photo() -> NotFound:
    return NotFound(_("There is no photo at this address."))


async def photo_for(actor: Actor | None, need_id: str) -> str:
    """The stored name of the need's photo, if `actor` may see it; else `NotFound`."""
    try:
        need = await Need.objects().where(Need.id == need_uuid(need_id)).first()
    except NotFound as exc:
        raise _no_photo() from exc
    if need is None or not need.photo or actor is None:
        raise _no_photo()
    helper = await helper_user_id(need)
    if not can_see_need_photo(actor, need.community, reporter_id=need.reporter, helper_id=helper):
        raise _no_photo()
    return need.photo


async def photo_for_follower(token: str) -> str:
    """The stored name of the photo of the need the follow link leads to; else `NotFound`."""
    try:
        access = await reporter.follow_access(token)
    except NotFound as exc:
        raise _no_photo() from exc
    if not access.need.photo:
        raise _no_photo()
    return access.need.photo


async def private_photo_names(names: Sequence[str]) -> set[str]:
    """Which of these photo names are needs' photos (for the import of the media folder)."""
    if not names:
        return set()
    rows = await Need.select(Need.photo).where(Need.photo.is_in(list(names)))
    return {row["photo"] for row in rows}
