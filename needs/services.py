"""The needs loop for the person who files a need (a resident, or a courier without an
account): filing it (点单), following it, rating it (评单) and withdrawing it."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from app import photos, throttle
from app.db import write_transaction
from app.errors import NotFound
from app.formfields import Fields
from app.i18n import _, localized
from app.permissions import Actor
from app.tables import Community
from needs import follow, loop, notices
from needs.steps import (
    add_event,
    helper_user_id,
    lock_key,
    locked,
    need_uuid,
    require_status,
    save_step,
    tell_helper,
    tell_staff,
)
from needs.tables import Need, ReporterKind
from needs.views import CATEGORY_LABELS
from stations.logic.refs import StationRef
from stations.services.catalog import station_ref

FILINGS_PER_ADDRESS = throttle.Limit("need-file-address", 5, timedelta(hours=1))
"""Needs filed without an account, per client address and hour."""
_PHONE = re.compile(r"^[0-9+\-\s()]+$")


# --- filing (点单) -----------------------------------------------------------------------------


@dataclass
class Filing:
    category: str = ""
    description: str = ""
    place: str = ""
    community: str = ""
    """A community's slug; only someone without a community of their own chooses."""
    station: str = ""
    """The slug of the rest station it is filed from, if any."""
    contact: str = ""
    """A phone number left by someone without an account."""
    photo: bytes | None = None


def _wait(minutes: int) -> str:
    return _(
        "Too many needs were sent from this network. Please try again in %(minutes)s minutes, "
        "or call the community.",
        minutes=minutes,
    )


async def filing_station(slug: str) -> StationRef | None:
    """The active station a filing comes from; None when unknown."""
    return await station_ref(slug.strip()) if slug.strip() else None


async def _community(
    actor: Actor | None, slug: str, station: StationRef | None, fields: Fields
) -> Community | None:
    if actor is not None and actor.user.community is not None:
        return await Community.objects().where(Community.id == actor.user.community).first()
    slug = slug.strip() or (station.community_slug if station is not None else "")
    community = await Community.objects().where(Community.slug == slug).first() if slug else None
    if community is None:
        fields.error("community", _("Choose the community where it is."))
    return community


def _contact(value: str, fields: Fields) -> str:
    value = value.strip()
    if value and (
        len(value) > loop.MAX_CONTACT
        or not _PHONE.match(value)
        or sum(ch.isdigit() for ch in value) < 5
    ):
        fields.error("contact", _("Enter a phone number such as 13812345678, or leave it empty."))
    return value


async def file_need(
    actor: Actor | None, filing: Filing, *, client_ip: str, now: datetime
) -> tuple[Need, str | None]:
    """File a need (status `open`) and tell the community's staff. Returns the need and, for
    someone without an account, the secret follow token (shown once, never stored).

    Raises `InputError` naming every field to correct, `Throttled` when too many needs came
    from the address without an account."""
    fields = Fields()
    category = filing.category.strip()
    if category not in CATEGORY_LABELS:
        fields.error("category", _("Choose what the need is about."))
    description = fields.text(
        filing.description,
        "description",
        max_length=loop.MAX_DESCRIPTION,
        required=_("Describe the need in a few words."),
    )
    place = fields.text(filing.place, "place", max_length=loop.MAX_PLACE)
    station = await filing_station(filing.station)
    community = await _community(actor, filing.community, station, fields)
    contact = _contact(filing.contact, fields) if actor is None else ""
    cleaned = await photos.checked_upload(filing.photo, fields.errors)
    fields.check()
    assert community is not None
    if actor is None:
        await throttle.check(FILINGS_PER_ADDRESS, client_ip, now, _wait)
    token, token_hash = follow.new_token() if actor is None else (None, None)
    need = Need(
        id=uuid.uuid4(),
        community=community.id,
        category=category,
        description=description,
        place=place,
        photo="",
        status=loop.OPEN,
        reporter=actor.id if actor else None,
        reporter_kind=(ReporterKind.resident if actor else ReporterKind.courier).value,
        reporter_contact=contact,
        follow_token_hash=token_hash,
        station_slug=station.slug if station is not None else "",
        resources=[],
        created_at=now,
        updated_at=now,
    )
    async with photos.stored(cleaned) as photo_name, write_transaction(lock_key(need.id)):
        need.photo = photo_name or ""
        await need.save()
        await add_event(need.id, "filed", actor_id=need.reporter, now=now)
        await tell_staff(
            need,
            "filed",
            notices.FILED,
            now=now,
            skip=need.reporter,
            community=lambda: localized(community, "name"),
        )
        if actor is None:
            await throttle.record(FILINGS_PER_ADDRESS, client_ip, now)
    return need, token


# --- the reporter: see, rate (评单), withdraw --------------------------------------------------


@dataclass(frozen=True)
class ReporterAccess:
    """The need as its reporter reaches it: signed in, or through the secret link."""

    need: Need
    user_id: int | None
    """The signed-in reporter, or None for the holder of the follow link."""


async def reporter_access(actor: Actor, need_id: str) -> ReporterAccess:
    """The actor's own need; anyone else's is a need that does not exist (404)."""
    need = await Need.objects().where(Need.id == need_uuid(need_id)).first()
    if need is None or need.reporter is None or need.reporter != actor.id:
        raise NotFound(_("There is no such need."))
    return ReporterAccess(need, actor.id)


async def follow_access(token: str) -> ReporterAccess:
    return ReporterAccess(await follow.need_of(token), None)


def _stars(value: str, fields: Fields) -> int | None:
    value = value.strip()
    if not value.isdigit() or not 1 <= int(value) <= 5:
        fields.error("rating", _("Choose from 1 to 5 stars."))
        return None
    return int(value)


def rating_detail(stars: int, comment: str) -> str:
    """The timeline's record of a rating: `4/5`, then the comment."""
    return f"{stars}/5" + (f" · {comment}" if comment else "")


async def rate(access: ReporterAccess, *, stars: str, comment: str, now: datetime) -> Need:
    """Rate a done need 1–5 with an optional comment. 3–5 close the loop (`rated`); 1–2
    reopen it for staff (`open`, `times_reopened` + 1, no helper assigned). The helper and,
    on a reopening, the staff are told."""
    fields = Fields()
    rating = _stars(stars, fields)
    comment = fields.text(comment, "comment", max_length=loop.MAX_COMMENT)
    fields.check()
    assert rating is not None
    async with write_transaction(lock_key(access.need.id)):
        need = await locked(access.need.id)
        require_status(
            need,
            loop.MAY_RATE,
            _("It was already rated. Thank you!")
            if need.status == loop.RATED
            else _("You can rate it once it is done."),
        )
        helper = await helper_user_id(need)
        status = loop.status_after_rating(rating)
        values: dict[Any, Any] = {
            Need.status: status,
            Need.rating: rating,
            Need.rating_comment: comment,
            Need.rated_at: now,
        }
        if status == loop.OPEN:
            values.update(
                {
                    Need.times_reopened: Need.times_reopened + 1,
                    Need.volunteer: None,
                    Need.unit: None,
                }
            )
        await save_step(need.id, values, now)
        await add_event(
            need.id,
            "rated",
            actor_id=access.user_id,
            now=now,
            detail=rating_detail(rating, comment),
        )
        await tell_helper(helper, need, "rated", notices.RATED, now=now, stars=rating)
        if status == loop.OPEN:
            await add_event(need.id, "reopened", actor_id=access.user_id, now=now)
            await tell_staff(
                need, "reopened", notices.REOPENED, now=now, skip=access.user_id, stars=rating
            )
        return await locked(need.id)


async def withdraw_own(access: ReporterAccess, *, now: datetime) -> Need:
    """The reporter takes the need back while nobody has started on it."""
    async with write_transaction(lock_key(access.need.id)):
        need = await locked(access.need.id)
        require_status(
            need,
            loop.MAY_REPORTER_WITHDRAW,
            _("A helper is already on it or it is finished, so it can no longer be withdrawn."),
        )
        helper = await helper_user_id(need)
        await save_step(need.id, {Need.status: loop.WITHDRAWN, Need.withdrawn_at: now}, now)
        await add_event(need.id, "withdrawn", actor_id=access.user_id, now=now)
        await tell_staff(
            need, "withdrawn", notices.WITHDRAWN_BY_REPORTER, now=now, skip=access.user_id
        )
        await tell_helper(helper, need, "withdrawn", notices.WITHDRAWN_FOR_HELPER, now=now)
        return await locked(need.id)


async def needs_of(user_id: int) -> list[Need]:
    """What a resident filed, newest first."""
    return (
        await Need.objects()
        .where(Need.reporter == user_id)
        .order_by(Need.created_at, ascending=False)
        .limit(200)
    )
