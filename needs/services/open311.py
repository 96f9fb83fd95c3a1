"""Community needs through Open311 GeoReport v2: what a city system, a partner unit's app or a
courier platform may read of the needs of a community (or of the whole district), and how
it files one.

Reading is public and shows only what the community's public page shows: the category, the
status, the staff-written public summary, who is responsible (the community or the partner
unit, never a volunteer's name), the dates, and a coarse position — the centre of the 250 m
cell of the need's position, or the community's centre. Never the description, the place,
the photo or its link, the reporter, their contact, or the exact position.

Filing goes through `needs.services.filing.file_need`: the same checks, limits and notices
as the need form. A partner system files with its key (`needs.services.open311_keys`), a
resident with their API bearer token.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from email_validator import EmailNotValidError, validate_email

from app.errors import FieldError, Forbidden, InputError, NotFound
from app.formfields import Fields
from app.i18n import _, ngettext
from app.permissions import Actor
from app.settings import get_settings
from app.tables import Community, District
from needs.logic import open311 as rules
from needs.logic.labels import CATEGORY_LABELS
from needs.services.filing import Filing, Open311Source, file_need
from needs.tables import Need, Open311Key

MAX_MEDIA_URL = 500
MAX_EMAIL = 254
MAX_NAME = 40


class InvalidKey(Forbidden):
    """An `api_key` that is not one in use (wrong, or revoked)."""

    def __init__(self) -> None:
        super().__init__(_("The api_key is not valid, or it was revoked."))


@dataclass(frozen=True)
class Jurisdiction:
    """A community (its slug as `jurisdiction_id`), or the whole district (`community`
    None: no `jurisdiction_id`, or the district's slug)."""

    community: Community | None


async def jurisdiction(jurisdiction_id: str | None) -> Jurisdiction:
    """The jurisdiction `jurisdiction_id` names; `NotFound` for an unknown one."""
    slug = (jurisdiction_id or "").strip()
    if not slug:
        return Jurisdiction(None)
    community = await Community.objects().where(Community.slug == slug).first()
    if community is not None:
        return Jurisdiction(community)
    if await District.exists().where(District.slug == slug):
        return Jurisdiction(None)
    raise NotFound(_("jurisdiction_id %(id)s was not found.", id=slug[:64]))


def service_code(code: str) -> str:
    """A category, as Open311's `service_code`; `NotFound` for an unknown one."""
    if code not in CATEGORY_LABELS:
        raise NotFound(_("service_code %(code)s was not found.", code=code[:40]))
    return code


@dataclass(frozen=True)
class PublicRequest:
    """What anyone may read of one need, in Open311's terms."""

    id: str
    service_code: str
    linli_status: str
    public_summary: str
    community: dict[str, str]
    """`name_zh`, `name_en`, `slug`, and its street's `street_name_zh`, `street_name_en`."""
    unit: dict[str, str] | None
    """The partner unit responsible (`name_zh`, `name_en`), if one was sent."""
    requested: datetime
    updated: datetime
    position: tuple[float, float] | None
    token: str | None = None
    """Only when asked for by token: the token itself."""

    @property
    def status(self) -> str:
        return rules.OPEN311_STATUS[self.linli_status]


_COLUMNS = (
    Need.id,
    Need.category,
    Need.status,
    Need.public_summary,
    Need.latitude,
    Need.longitude,
    Need.created_at,
    Need.updated_at,
    Need.unit,
    Need.open311_token,
    Need.unit.name_zh.as_alias("unit_name_zh"),
    Need.unit.name_en.as_alias("unit_name_en"),
    Need.community.slug.as_alias("community_slug"),
    Need.community.name_zh.as_alias("community_name_zh"),
    Need.community.name_en.as_alias("community_name_en"),
    Need.community.latitude.as_alias("community_latitude"),
    Need.community.longitude.as_alias("community_longitude"),
    Need.community.street.name_zh.as_alias("street_name_zh"),  # type: ignore[union-attr]
    Need.community.street.name_en.as_alias("street_name_en"),  # type: ignore[union-attr]
)


def _position(row: dict[str, Any]) -> tuple[float, float] | None:
    if row["latitude"] is not None and row["longitude"] is not None:
        return rules.grid_cell(row["latitude"], row["longitude"])
    if row["community_latitude"] is not None and row["community_longitude"] is not None:
        return round(row["community_latitude"], 5), round(row["community_longitude"], 5)
    return None


def _public(row: dict[str, Any], *, with_token: bool = False) -> PublicRequest:
    return PublicRequest(
        id=str(row["id"]),
        service_code=row["category"],
        linli_status=row["status"],
        public_summary=row["public_summary"],
        community={
            "slug": row["community_slug"],
            "name_zh": row["community_name_zh"],
            "name_en": row["community_name_en"],
            "street_name_zh": row["street_name_zh"],
            "street_name_en": row["street_name_en"],
        },
        unit=(
            {"name_zh": row["unit_name_zh"], "name_en": row["unit_name_en"]}
            if row["unit"] is not None
            else None
        ),
        requested=row["created_at"],
        updated=row["updated_at"],
        position=_position(row),
        token=row["open311_token"] if with_token else None,
    )


def _uuids(values: list[str]) -> list[uuid.UUID]:
    found = []
    for value in values:
        try:
            found.append(uuid.UUID(value))
        except ValueError:
            continue  # names no need: nothing to answer for it
    return found


@dataclass(frozen=True)
class RequestQuery:
    """The parameters of `GET requests`, as sent."""

    jurisdiction_id: str | None = None
    service_request_id: str | None = None
    service_code: str | None = None
    start_date: str | None = None
    end_date: str | None = None
    status: str | None = None
    page: str | None = None
    """The extension most servers implement: which page of `page_size` requests, from 1."""
    page_size: str | None = None


def _whole(value: str | None, name: str, low: int, high: int, default: int) -> int:
    if value is None or not value.strip():
        return default
    try:
        number = int(value)
    except ValueError:
        number = low - 1
    if not low <= number <= high:
        raise rules.Open311Problem(
            _("%(name)s is a whole number from %(low)s to %(high)s.", name=name, low=low, high=high)
        )
    return number


def zone() -> ZoneInfo:
    """The district's time zone: Open311 times carry its offset."""
    return ZoneInfo(get_settings().site.timezone)


async def requests(query: RequestQuery, now: datetime) -> list[PublicRequest]:
    """`GET requests`: needs by id (the other filters then ignored, as the specification
    says), or filed within the window of `start_date`/`end_date` (the last 90 days by
    default, at most 90 days), of the `service_code`s and `status`es given, newest first, at
    most `MAX_ANSWERED` (or a `page` of `page_size`, the common extension). Raises `NotFound`
    for an unknown jurisdiction, `Open311Problem` for parameters the specification refuses."""
    place = await jurisdiction(query.jurisdiction_id)
    page_size = _whole(query.page_size, "page_size", 1, rules.MAX_ANSWERED, rules.MAX_ANSWERED)
    page = _whole(query.page, "page", 1, rules.MAX_PAGE, 1)
    where: Any = None

    def narrow(condition: Any) -> None:
        nonlocal where
        where = condition if where is None else where & condition

    if place.community is not None:
        narrow(Need.community == place.community.id)
    ids = rules.comma_list(query.service_request_id)
    if ids:
        if len(ids) > rules.MAX_IDS:
            raise rules.Open311Problem(_("Ask for at most 100 service_request_id at once."))
        wanted = _uuids(ids)
        if not wanted:
            return []
        narrow(Need.id.is_in(wanted))
    else:
        codes = rules.comma_list(query.service_code)
        unknown = [code for code in codes if code not in CATEGORY_LABELS]
        if unknown:
            raise rules.Open311Problem(
                _("service_code %(code)s was not found.", code=unknown[0][:40])
            )
        statuses = rules.comma_list(query.status)
        if any(status not in ("open", "closed") for status in statuses):
            raise rules.Open311Problem(_("status is open, closed, or both separated by a comma."))
        span = rules.window(
            _moment(query.start_date, "start_date"), _moment(query.end_date, "end_date"), now
        )
        narrow((Need.created_at >= span.start) & (Need.created_at < span.end))
        if codes:
            narrow(Need.category.is_in(codes))
        if statuses:
            narrow(Need.status.is_in(rules.linli_statuses(statuses)))
    rows = (
        await Need.select(*_COLUMNS)
        .where(where)
        .order_by(Need.created_at, ascending=False)
        .order_by(Need.id)
        .offset((page - 1) * page_size)
        .limit(page_size)
    )
    return [_public(row) for row in rows]


def _moment(value: str | None, name: str) -> datetime | None:
    if value is None or not value.strip():
        return None
    try:
        return rules.parse_moment(value, zone())
    except ValueError:
        raise rules.Open311Problem(
            _("%(name)s is not a w3 date and time such as 2026-12-01T00:00:00+08:00.", name=name)
        ) from None


async def request(request_id: str, jurisdiction_id: str | None) -> PublicRequest:
    """`GET requests/{id}`: one need; `NotFound` for an unknown id (or one of another
    community than the jurisdiction named)."""
    place = await jurisdiction(jurisdiction_id)
    found = _uuids([request_id])
    where: Any = Need.id == found[0] if found else None
    if where is not None and place.community is not None:
        where &= Need.community == place.community.id
    row = await Need.select(*_COLUMNS).where(where).first() if where is not None else None
    if row is None:
        raise NotFound(_("service_request_id %(id)s was not found.", id=request_id[:64]))
    return _public(row)


async def request_of_token(token: str, jurisdiction_id: str | None) -> PublicRequest:
    """`GET tokens/{token}`: the need a filing's token names; `NotFound` for an unknown
    token."""
    place = await jurisdiction(jurisdiction_id)
    where: Any = Need.open311_token == token[:40]
    if place.community is not None:
        where &= Need.community == place.community.id
    row = await Need.select(*_COLUMNS).where(where).first() if token else None
    if row is None:
        raise NotFound(_("token %(token)s was not found.", token=token[:40]))
    return _public(row, with_token=True)


# Filing.

_FIELD_NAMES = {
    "category": "service_code",
    "contact": "phone",
    "community": "jurisdiction_id",
    "place": "address_string",
}
"""The need form's field names in Open311's words, for the errors a filing answers."""


def _float(fields: Fields, value: str, name: str, low: float, high: float) -> float | None:
    try:
        number = float(value)
    except ValueError:
        number = None
    if number is None or not low <= number <= high:
        fields.error(
            name, _("%(name)s is a number from %(low)s to %(high)s.", name=name, low=low, high=high)
        )
        return None
    return number


def _media_url(fields: Fields, value: str) -> str:
    value = value.strip()
    if not value:
        return ""
    parts = urlsplit(value)
    if (
        len(value) > MAX_MEDIA_URL
        or parts.scheme not in ("http", "https")
        or not parts.netloc
        or any(ch.isspace() or ord(ch) < 32 for ch in value)
    ):
        fields.error(
            "media_url",
            ngettext(
                "media_url is an http or https link of at most %(n)s character.",
                "media_url is an http or https link of at most %(n)s characters.",
                MAX_MEDIA_URL,
                n=MAX_MEDIA_URL,
            ),
        )
        return ""
    return value


def _email(fields: Fields, value: str) -> str:
    value = value.strip()
    if not value:
        return ""
    try:
        if len(value) > MAX_EMAIL:
            raise EmailNotValidError(value[:40])
        return validate_email(value, check_deliverability=False).normalized
    except EmailNotValidError:
        fields.error("email", _("email is not a valid email address."))
        return ""


def repeat_token(
    key: Open311Key | None, actor: Actor | None, idempotency_key: str | None
) -> str | None:
    """The form token (`Need.form_token`) of a filing sent with `Idempotency-Key`: the same for
    every repeat by the same key or resident, unlike anyone else's."""
    if not idempotency_key:
        return None
    owner = f"key:{key.id}" if key is not None else f"user:{actor.id if actor else ''}"
    return hashlib.sha256(f"open311:{owner}:{idempotency_key}".encode()).hexdigest()


def person_name(first: str, last: str) -> str:
    """Open311's `first_name` and `last_name` as one name: a Chinese name family name first
    and without a space (王 + 芳 → 王芳), any other given name first (John Smith)."""
    first, last = first.strip(), last.strip()
    if any("\u4e00" <= ch <= "\u9fff" for ch in first + last):
        return last + first
    return " ".join(part for part in (first, last) if part)


def _place(form: Mapping[str, str]) -> str:
    parts = [form.get("address_string", "").strip(), form.get("attribute[place]", "").strip()]
    return " · ".join(part for part in parts if part)


async def file_request(
    form: Mapping[str, str],
    *,
    key: Open311Key | None,
    actor: Actor | None,
    client_ip: str,
    now: datetime,
    idempotency_key: str | None = None,
) -> tuple[Need, str]:
    """`POST requests`: file a need from the fields of an Open311 request, with a partner
    system's `key` or as the resident `actor`. Returns the need and the token it answers.

    With an `Idempotency-Key`, a repeat by the same key (or resident) answers the need the
    first filed, whatever its body, and files nothing: a system that retries after a lost
    answer files once. Two at once: the need's unique form token lets one insert win.

    `Forbidden` without either, `Open311Problem` with both; `InputError` naming each field
    (in Open311's words) to correct; `Throttled` when the key filed too many."""
    if key is None and actor is None:
        raise Forbidden(_("api_key was not provided."))
    if key is not None and actor is not None:
        # Whose filing would it be? A key limited to one community must not file into the
        # resident's, nor a system's name and email stand beside a resident's account.
        raise rules.Open311Problem(_("Send either an api_key or a bearer token, not both."))
    fields = Fields()
    place = await _filing_jurisdiction(form.get("jurisdiction_id", ""), key, actor, fields)
    latitude = longitude = None
    lat, lon = form.get("lat", "").strip(), form.get("long", "").strip()
    if lat or lon:
        latitude = _float(fields, lat, "lat", -90.0, 90.0)
        longitude = _float(fields, lon, "long", -180.0, 180.0)
    elif not (form.get("address_string", "").strip() or form.get("address_id", "").strip()):
        fields.error(
            "lat",
            _("Give the location: lat and long, or address_string, or address_id."),
        )
    source = Open311Source(
        token=secrets.token_urlsafe(18), media_url=_media_url(fields, form.get("media_url", ""))
    )
    if key is not None:
        name = person_name(form.get("first_name", ""), form.get("last_name", ""))
        source = Open311Source(
            token=source.token,
            media_url=source.media_url,
            key=key,
            name=fields.text(name, "first_name", max_length=MAX_NAME, single_line=True),
            email=_email(fields, form.get("email", "")),
        )
    filing = Filing(
        category=form.get("service_code", ""),
        description=form.get("description", ""),
        place=_place(form),
        community=place.slug if place is not None else "",
        contact=form.get("phone", "") if key is not None else "",
        latitude=latitude,
        longitude=longitude,
    )
    try:
        need, _token = await file_need(
            actor,
            filing,
            client_ip=client_ip,
            now=now,
            form_token=repeat_token(key, actor, idempotency_key),
            open311=source,
            checked=fields,
        )
    except InputError as exc:
        raise InputError(
            [
                FieldError(_FIELD_NAMES.get(error.field, error.field), error.message)
                for error in exc.errors
            ],
            exc.detail,
        ) from None
    return need, need.open311_token or source.token


async def _filing_jurisdiction(
    jurisdiction_id: str, key: Open311Key | None, actor: Actor | None, fields: Fields
) -> Community | None:
    """The community a filing goes to: the resident's own; else the one named, which a key
    limited to one community must name (or leave out)."""
    slug = jurisdiction_id.strip()
    if actor is not None and actor.user.community is not None:
        own = await Community.objects().where(Community.id == actor.user.community).first()
        if own is not None and slug and slug != own.slug:
            fields.error("community", _("A resident files needs in their own community only."))
        return own
    if key is not None and key.community is not None:
        limited = await Community.objects().where(Community.id == key.community).first()
        if limited is not None and slug and slug != limited.slug:
            fields.error(
                "community",
                _("This api_key files needs in %(community)s only.", community=limited.slug),
            )
        return limited
    if not slug:
        fields.error(
            "community",
            _("Not provided: name the community by its slug, as in /communities/{slug}."),
        )
        return None
    community = await Community.objects().where(Community.slug == slug).first()
    if community is None:
        fields.error("community", _("jurisdiction_id %(id)s was not found.", id=slug[:64]))
    return community
