"""The spaces and bookings JSON API under /api/v1 (see DESIGN.md for the contract)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

import msgspec
from litestar import Request, Response, get, post
from litestar.params import FromPath, JSONBody, QueryParameter

from app.errors import FieldError, InputError
from app.i18n import _, localized
from app.web.api import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, ItemsPage, next_url, problem_responses
from app.web.context import CurrentActor, CurrentViewer, RequestNow
from app.web.guards import requires_signed_in
from app.web.idempotency import (
    IDEMPOTENT,
    IdempotencyKeyHeader,
    booking_key_of,
    idempotent_responses,
)
from spaces.logic import statuses
from spaces.logic.bounds import MAX_DAYS_SHOWN, check_first_day, look_window
from spaces.logic.rules import Request as BookingRequest
from spaces.services import bookings, cancellation, catalog
from spaces.services.availability import get_availability
from spaces.tables import Booking, Space

AnyRequest = Request[Any, Any, Any]
MAX_AVAILABILITY_DAYS = MAX_DAYS_SHOWN


class RulesOut(msgspec.Struct):
    min_duration_minutes: int | None
    max_duration_minutes: int | None
    lead_time_minutes: int | None
    horizon_days: int | None
    cancel_cutoff_minutes: int | None
    buffer_minutes: int
    quota_day_minutes: int | None
    quota_day_count: int | None
    quota_week_minutes: int | None
    quota_week_count: int | None
    max_active_bookings: int | None
    max_party_size: int | None
    closed_on_holidays: bool
    open_to_all_communities: bool


class SpaceOut(msgspec.Struct):
    slug: str
    name: str
    kind: str
    community: str
    capacity: int
    timezone: str
    slot_minutes: int
    requires_approval: bool
    name_zh: str
    name_en: str
    description: str
    location: str
    latitude: float | None
    longitude: float | None
    weekly_hours: dict[str, str]
    rules: RulesOut


class SlotOut(msgspec.Struct):
    start: datetime
    end: datetime
    free_units: int
    bookable: bool


class AvailabilityOut(msgspec.Struct):
    timezone: str
    slots: list[SlotOut]


class BookingIn(msgspec.Struct):
    space: Annotated[str, msgspec.Meta(max_length=64)]
    start: datetime
    """ISO 8601 with the UTC offset, e.g. 2026-03-02T09:00:00+08:00."""
    end: datetime
    units: Annotated[int, msgspec.Meta(ge=1, le=10_000)] = 1
    party_size: Annotated[int, msgspec.Meta(ge=1, le=10_000)] | None = None
    note: Annotated[str, msgspec.Meta(max_length=300)] = ""


class BookingOut(msgspec.Struct):
    id: str
    space: str
    start: datetime
    end: datetime
    units: int
    status: str
    party_size: int | None
    note: str
    cancel_reason: str
    decision_note: str
    rating: int | None


class CancelIn(msgspec.Struct):
    reason: Annotated[str, msgspec.Meta(max_length=300)] = ""


def space_out(space: Space) -> SpaceOut:
    community = space.community
    return SpaceOut(
        slug=space.slug,
        name=localized(space, "name"),
        kind=space.kind,
        community=community.slug if hasattr(community, "slug") else str(community),
        capacity=space.capacity,
        timezone=space.timezone,
        slot_minutes=space.slot_minutes,
        requires_approval=space.requires_approval,
        name_zh=space.name_zh,
        name_en=space.name_en,
        description=localized(space, "description"),
        location=localized(space, "location"),
        latitude=space.latitude,
        longitude=space.longitude,
        weekly_hours=catalog.weekly_spec(space),
        rules=RulesOut(
            min_duration_minutes=space.min_duration_minutes,
            max_duration_minutes=space.max_duration_minutes,
            lead_time_minutes=space.lead_time_minutes,
            horizon_days=space.horizon_days,
            cancel_cutoff_minutes=space.cancel_cutoff_minutes,
            buffer_minutes=space.buffer_minutes,
            quota_day_minutes=space.quota_day_minutes,
            quota_day_count=space.quota_day_count,
            quota_week_minutes=space.quota_week_minutes,
            quota_week_count=space.quota_week_count,
            max_active_bookings=space.max_active_bookings,
            max_party_size=space.max_party_size,
            closed_on_holidays=space.closed_on_holidays,
            open_to_all_communities=space.open_to_all_communities,
        ),
    )


def booking_out(booking: Booking, space: Space, now: datetime) -> BookingOut:
    zone = catalog.zone_of(space)
    return BookingOut(
        id=str(booking.id),
        space=space.slug,
        start=booking.starts_at.astimezone(zone),
        end=booking.ends_at.astimezone(zone),
        units=booking.units,
        status=statuses.effective_status(booking, now),
        party_size=booking.party_size,
        note=booking.note,
        cancel_reason=booking.cancel_reason,
        decision_note=booking.decision_note,
        rating=booking.rating,
    )


@get(
    "/api/v1/spaces",
    name="api:spaces",
    tags=["spaces"],
    responses=problem_responses(422),
)
async def list_spaces(
    community: Annotated[str | None, QueryParameter(max_length=64)] = None,
    kind: Annotated[str | None, QueryParameter(max_length=20)] = None,
    limit: Annotated[int, QueryParameter(ge=1, le=MAX_PAGE_SIZE)] = DEFAULT_PAGE_SIZE,
    after: Annotated[str | None, QueryParameter(max_length=64)] = None,
) -> ItemsPage[SpaceOut]:
    """Active spaces ordered by slug, optionally of one community or kind."""
    spaces = sorted(await catalog.list_spaces(community=community, kind=kind), key=lambda s: s.slug)
    if after:
        spaces = [s for s in spaces if s.slug > after]
    page_items = spaces[:limit]
    more = len(spaces) > limit
    return ItemsPage(
        items=[space_out(s) for s in page_items],
        next=next_url(
            "/api/v1/spaces", community=community, kind=kind, after=page_items[-1].slug, limit=limit
        )
        if more
        else None,
    )


@get(
    "/api/v1/spaces/{slug:str}",
    name="api:space",
    tags=["spaces"],
    responses=problem_responses(404),
)
async def get_space(slug: FromPath[str]) -> SpaceOut:
    return space_out(await catalog.get_space(slug))


@get(
    "/api/v1/spaces/{slug:str}/availability",
    name="api:availability",
    tags=["spaces"],
    responses=problem_responses(404, 422),
)
async def availability(
    slug: FromPath[str],
    viewer: CurrentViewer,
    now: RequestNow,
    from_: Annotated[date | None, QueryParameter(name="from")] = None,
    days: Annotated[int, QueryParameter(ge=1, le=MAX_AVAILABILITY_DAYS)] = 7,
) -> AvailabilityOut:
    """Slots of `days` (1 to 31) local days from `from` (default: today in the space's zone),
    which lies from today − 366 days to today + max(horizon, 366 days); outside → 422."""
    space = await catalog.get_space(slug)
    zone = catalog.zone_of(space)
    today = now.astimezone(zone).date()
    first = (
        today if from_ is None else check_first_day(from_, look_window(today, space.horizon_days))
    )
    result = await get_availability(
        space,
        first,
        days,
        now=now,
        user_id=viewer.id if viewer else None,
    )
    return AvailabilityOut(
        timezone=space.timezone,
        slots=[
            SlotOut(
                start=slot.start.astimezone(zone),
                end=slot.end.astimezone(zone),
                free_units=slot.free_units,
                bookable=slot.bookable,
            )
            for _day, day_slots in result.days
            for slot in day_slots
        ],
    )


def _need_offset(data: BookingIn) -> None:
    errors = [
        FieldError(name, _("Give the time with its UTC offset, like 2026-03-02T09:00:00+08:00."))
        for name, value in (("start", data.start), ("end", data.end))
        if value.tzinfo is None
    ]
    if errors:
        raise InputError(errors)


@post(
    "/api/v1/bookings",
    name="api:bookings.create",
    tags=["bookings"],
    status_code=201,
    guards=[requires_signed_in],
    responses=idempotent_responses(400, 401, 404, 409, 422),
    opt=IDEMPOTENT,
)
async def create_booking(
    request: AnyRequest,
    data: JSONBody[BookingIn],
    actor: CurrentActor,
    now: RequestNow,
    idempotency_key: IdempotencyKeyHeader = None,
) -> Response[BookingOut]:
    """Book (or, where staff approve, request) `units` of a space from `start` to `end`.

    **Holds.** A confirmed booking or a waitlist offer holds its units over its span plus the
    space's turnaround buffer (`buffer_minutes`); a maintenance block holds its units over its
    span exactly; a pending request holds nothing. A booking fits when its units, held over
    its span and its own buffer, never take the units held at any instant above `capacity`:
    an hour just before someone's booking is refused when the buffer would run into it.

    **Bounds** (checked before any other work): `start` no earlier than now − 1 day; `end` no
    later than now + the space's horizon (366 days without one); the length at most the
    space's maximum (31 days without one). Refusals keep their rule (`past`, `horizon`,
    `duration`) and offer alternatives inside that window only.

    **Answers.** 201 created; 409 `capacity` when the units are taken; 422 naming the rule that
    refuses (`rule`), both with `alternatives`. With an `Idempotency-Key`, a retry with the
    same body gets the first final answer again byte for byte (24 hours); another body 422;
    while the first is still running 409."""
    _need_offset(data)
    result = await bookings.book(
        actor,
        data.space,
        BookingRequest(data.start, data.end, data.units, data.party_size),
        now=now,
        note=data.note,
        idempotency_key=booking_key_of(request),
    )
    booking, space = result.booking, result.space
    if not result.created:  # found by its key: read as it is now, with its own space
        booking, space = await bookings.get_booking(actor, str(booking.id))
    return Response(booking_out(booking, space, now), status_code=201)


@get(
    "/api/v1/bookings",
    name="api:bookings",
    tags=["bookings"],
    guards=[requires_signed_in],
    responses=problem_responses(401, 422),
)
async def list_bookings(
    actor: CurrentActor,
    now: RequestNow,
    limit: Annotated[int, QueryParameter(ge=1, le=MAX_PAGE_SIZE)] = DEFAULT_PAGE_SIZE,
    offset: Annotated[int, QueryParameter(ge=0, le=1_000_000)] = 0,
) -> ItemsPage[BookingOut]:
    """My bookings, latest start first."""
    mine = await bookings.bookings_of(actor.id)
    window = mine[offset : offset + limit]
    more = len(mine) > offset + limit
    return ItemsPage(
        items=[booking_out(b, b.space, now) for b in window],
        next=next_url("/api/v1/bookings", offset=offset + limit, limit=limit) if more else None,
    )


@get(
    "/api/v1/bookings/{booking_id:str}",
    name="api:booking",
    tags=["bookings"],
    guards=[requires_signed_in],
    responses=problem_responses(401, 404),
)
async def get_booking(
    booking_id: FromPath[str],
    actor: CurrentActor,
    now: RequestNow,
) -> BookingOut:
    """One of my bookings (or, for staff, one of their communities'); otherwise 404."""
    booking, space = await bookings.get_booking(actor, booking_id)
    return booking_out(booking, space, now)


@post(
    "/api/v1/bookings/{booking_id:str}/cancel",
    name="api:booking.cancel",
    tags=["bookings"],
    status_code=200,
    guards=[requires_signed_in],
    responses=idempotent_responses(401, 404, 422),
    opt=IDEMPOTENT,
)
async def cancel_booking(
    booking_id: FromPath[str],
    actor: CurrentActor,
    now: RequestNow,
    data: JSONBody[CancelIn | None] = None,
    idempotency_key: IdempotencyKeyHeader = None,
) -> BookingOut:
    """Cancel; cancelling again changes nothing and answers the booking as it is."""
    await cancellation.cancel(actor, booking_id, reason=data.reason if data else "", now=now)
    booking, space = await bookings.get_booking(actor, booking_id)
    return booking_out(booking, space, now)


ROUTES = [
    list_spaces,
    get_space,
    availability,
    create_booking,
    list_bookings,
    get_booking,
    cancel_booking,
]
