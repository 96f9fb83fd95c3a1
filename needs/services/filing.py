"""Filing a need (点单): a resident, or a courier without an account who follows it through a
secret link (following, rating and withdrawing it are needs.services.reporter)."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from app import photos, throttle
from app.accounts.validation import mainland_mobile
from app.communities.services import StreetGroup, communities_by_street, community_of
from app.db import is_unique_violation, write_transaction
from app.form_tokens import token_refused
from app.formfields import Fields
from app.i18n import _, current_locale, localized, ngettext
from app.permissions import Actor
from app.tables import Community, PhotoVisibility
from app.uploads import Upload
from needs.logic import follow_tokens, loop
from needs.logic.kinds import ReporterKind
from needs.logic.labels import CATEGORY_LABELS
from needs.services import follow_links, need_notices
from needs.services.open311_keys import reserve_filing
from needs.services.transitions import add_event, lock_key
from needs.tables import Need, Open311Key
from stations.logic.refs import StationRef
from stations.services.catalog import station_ref

FILINGS_PER_ADDRESS = throttle.Limit("need-file-address", 5, timedelta(hours=1))
"""Needs filed without an account, per client address and hour."""
_PHONE = re.compile(r"^[0-9+\-\s()]+$")


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
    notify_consent: bool = False
    """Someone without an account asks for a text message at dispatch and when done."""
    contact_consent: bool = False
    """Whoever takes the need may see how to reach the reporter."""
    photo: Upload | None = None
    latitude: float | None = None
    """Where it is (WGS-84), when the filer's system knows (Open311 `lat`, `long`): shown to
    staff; public answers show only the 250 m cell it lies in."""
    longitude: float | None = None


@dataclass(frozen=True)
class Open311Source:
    """A filing through Open311 GeoReport (needs.services.open311): the token it answers, a
    photo's link, and for a partner system its key and what it sent about the person."""

    token: str
    media_url: str = ""
    key: Open311Key | None = None
    """The partner system's key; None for a resident with their bearer token."""
    name: str = ""
    email: str = ""


@dataclass(frozen=True)
class FilingPlace:
    """Where a filing form is for: the person's own community, or the station it comes from
    and the streets and communities to choose among."""

    own_community: Community | None
    station: StationRef | None
    streets: list[StreetGroup]
    """`app.communities.services.communities_by_street()`; empty for a person whose own
    community it is."""


async def filing_place(viewer: Actor | None, station_slug: str) -> FilingPlace:
    """What the filing form offers `viewer` (None for someone without an account)."""
    own = await community_of(viewer.user) if viewer is not None else None
    return FilingPlace(
        own_community=own,
        station=await filing_station(station_slug),
        streets=[] if own else await communities_by_street(),
    )


def _wait(minutes: int) -> str:
    return ngettext(
        "Too many needs were sent from this network. Please try again in %(minutes)s minute, or "
        "call the community.",
        "Too many needs were sent from this network. Please try again in %(minutes)s minutes, or "
        "call the community.",
        minutes,
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


def usable_phone(value: str) -> bool:
    """A phone number as the filing form takes it (already stripped)."""
    return (
        len(value) <= loop.MAX_CONTACT
        and bool(_PHONE.match(value))
        and sum(ch.isdigit() for ch in value) >= 5
    )


def stored_phone(value: str) -> str:
    """How a phone number left on a need is kept: a mainland mobile number as its 11 digits,
    so that a link can be texted to it again (needs.services.follow_resend finds it by
    equality); anything else, such as a landline, as typed."""
    return mainland_mobile(value) or value


def texting_problem(phone: str, notify_consent: bool) -> str | None:
    """Why text messages cannot be promised to `phone` (stripped), if they cannot."""
    if not notify_consent:
        return None
    if not phone:
        return _("Enter the phone number to text, or untick “Text me at this number”.")
    if mainland_mobile(phone) is None:
        return _(
            "Text messages need a mobile number such as 13812345678. Enter one, or untick "
            "“Text me at this number”."
        )
    return None


def _contact(value: str, notify_consent: bool, fields: Fields) -> str:
    value = value.strip()
    if value and not usable_phone(value):
        fields.error("contact", _("Enter a phone number such as 13812345678, or leave it empty."))
    elif (problem := texting_problem(value, notify_consent)) is not None:
        fields.error("contact", problem)
    return stored_phone(value)


def read_need_text(
    fields: Fields, category: str, description: str, place: str
) -> tuple[str, str, str]:
    """The category, description and place of a filing, each checked (every filing form
    asks for them)."""
    category = category.strip()
    if category not in CATEGORY_LABELS:
        fields.error("category", _("Choose what the need is about."))
    description = fields.text(
        description,
        "description",
        max_length=loop.MAX_DESCRIPTION,
        required=_("Describe the need in a few words."),
    )
    place = fields.text(place, "place", max_length=loop.MAX_PLACE)
    return category, description, place


async def filed_with(form_token: str, *, reporter: int | None, filed_by: int | None) -> Need | None:
    """The need a form with `form_token` filed, or None. The token is the filer's: a resident
    (`reporter`), staff filing on someone's behalf (`filed_by`), or someone without an
    account (neither). A need of anyone else is refused (`app.form_tokens.token_refused`)."""
    need = await Need.objects().where(Need.form_token == form_token).first()
    if need is None:
        return None
    if need.reporter != reporter or need.filed_by != filed_by:
        raise token_refused()
    return need


async def _answer(need: Need, actor: Actor | None) -> tuple[Need, str | None]:
    """What a filing answers: the need and, without an account, its follow token, which is
    derived from the need's id and the secret key, so a repeat gets the same link."""
    return need, await follow_links.follow_token(need.id) if actor is None else None


async def file_need(
    actor: Actor | None,
    filing: Filing,
    *,
    client_ip: str,
    now: datetime,
    form_token: str | None = None,
    open311: Open311Source | None = None,
    checked: Fields | None = None,
) -> tuple[Need, str | None]:
    """File a need (status `open`) in the current page's language and tell the community's
    staff. Returns the need and, for someone without an account, the secret follow token
    (derived from the need's id and the secret key; only its hash is stored).

    With `form_token` (checked by the caller), a repeat of the form that filed a need returns
    that need and its token, files nothing, tells nobody and takes no place of the address's
    limit. Two submissions at once: the token's unique index refuses the second insert,
    which then answers with the first's need.

    Through Open311 (`open311`), by a partner system's key or a resident's token: the need
    keeps the token answered, the photo's link and what the system sent about the person
    (staff only: helpers never see it); the key's hourly limit counts instead of the address's.
    `checked` holds what the caller already found wrong with its own fields.

    Raises `InputError` naming every field to correct, `Throttled` when too many needs came
    from the address without an account (or from the key), `MalformedRequest` for someone
    else's token."""
    reporter_id = actor.id if actor else None
    system = open311.key if open311 is not None else None
    fields = checked if checked is not None else Fields()
    category, description, place = read_need_text(
        fields, filing.category, filing.description, filing.place
    )
    station = await filing_station(filing.station)
    community = await _community(actor, filing.community, station, fields)
    contact = _contact(filing.contact, filing.notify_consent, fields) if actor is None else ""
    if form_token is not None:
        # A repeat answers before the limit: a courier's fifth filing tapped twice still
        # gets its link. The lookup is made again in the transaction, for one made meanwhile.
        earlier = await filed_with(form_token, reporter=reporter_id, filed_by=None)
        if earlier is not None:
            return await _answer(earlier, actor)
    # The limit comes before the photo is decoded, so a refused filer costs no decoding;
    # a filing refused for its fields gives its place back.
    if system is not None:
        held = await reserve_filing(system, now)
    elif actor is None:
        held = await throttle.reserve(FILINGS_PER_ADDRESS, client_ip, now, _wait)
    else:
        held = throttle.Reservation()
    try:
        cleaned = await photos.checked_upload(filing.photo, fields.errors)
        fields.check()
    except BaseException:
        await throttle.release(held)
        raise
    assert community is not None
    need_id = uuid.uuid4()
    token = await follow_links.follow_token(need_id) if actor is None and system is None else None
    if system is not None:
        kind = ReporterKind.system
    else:
        kind = ReporterKind.resident if actor else ReporterKind.courier
    need = Need(
        id=need_id,
        community=community.id,
        category=category,
        description=description,
        place=place,
        photo="",
        status=loop.OPEN,
        reporter=reporter_id,
        reporter_kind=kind.value,
        reporter_contact=contact,
        reporter_name=open311.name if open311 is not None else "",
        reporter_email=open311.email if open311 is not None else "",
        language=current_locale(),
        notify_consent=actor is None and filing.notify_consent,
        contact_consent=filing.contact_consent and system is None,
        follow_token_hash=follow_tokens.token_hash(token) if token else None,
        station_slug=station.slug if station is not None else "",
        form_token=form_token,
        latitude=filing.latitude,
        longitude=filing.longitude,
        media_url=open311.media_url if open311 is not None else "",
        open311_key=system.id if system is not None else None,
        open311_token=open311.token if open311 is not None else None,
        resources=[],
        created_at=now,
        updated_at=now,
    )
    try:
        async with write_transaction(lock_key(need.id)):
            if form_token is not None:
                earlier = await filed_with(form_token, reporter=reporter_id, filed_by=None)
                if earlier is not None:
                    await throttle.release(held)  # a repeat: it does not count
                    return await _answer(earlier, actor)
            need.photo = await photos.stored(cleaned, PhotoVisibility.private, now=now) or ""
            await need.save()
            await add_event(
                need.id,
                "filed",
                actor_id=need.reporter,
                now=now,
                detail=f"Open311 · {system.name}" if system is not None else "",
            )
            await need_notices.tell_staff(
                need,
                "filed",
                need_notices.FILED,
                now=now,
                skip=need.reporter,
                community=lambda: localized(community, "name"),
            )
    except BaseException as exc:
        await throttle.release(held)  # not filed: it does not count
        if form_token is not None and isinstance(exc, Exception) and is_unique_violation(exc):
            # The same form sent twice at once: the first's insert won.
            earlier = await filed_with(form_token, reporter=reporter_id, filed_by=None)
            if earlier is not None:
                return await _answer(earlier, actor)
        raise
    return need, token
