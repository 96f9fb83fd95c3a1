"""Space reports for staff: the figures of each space of the actor's communities over a period
of local dates (what each figure means: `spaces.logic.report_figures`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from app.calendar import Calendar
from app.communities.services import managed_community
from app.db import gather
from app.permissions import Actor, staff_service
from app.queries import overlapping
from app.reports import Period
from app.tables import Community
from spaces.logic.report_figures import BookingFacts, SpaceFigures, Span, combined, space_figures
from spaces.queries import bookings as booking_queries
from spaces.services.catalog import calendar_of, managed_spaces, zone_of
from spaces.tables import Booking, Space, SpaceClosure


@dataclass
class SpaceRow:
    space: Space
    """With its community joined."""
    figures: SpaceFigures


@dataclass
class SpaceReport:
    period: Period
    community: Community | None
    """The community chosen, or None for all the viewer's communities."""
    rows: list[SpaceRow]
    total: SpaceFigures


async def _figures_of(space: Space, period: Period, now: datetime) -> SpaceFigures:
    window = period.window(zone_of(space))
    block_query = SpaceClosure.select(
        SpaceClosure.starts_at, SpaceClosure.ends_at, SpaceClosure.units
    ).where(
        (SpaceClosure.space == space.id)
        & overlapping(SpaceClosure.starts_at, SpaceClosure.ends_at, window.start, window.end)
        & SpaceClosure.units.is_not_null()
    )
    booking_query = Booking.select(
        Booking.starts_at, Booking.ends_at, Booking.units, Booking.status, Booking.rating
    ).where(booking_queries.overlapping(space.id, window.start, window.end))
    calendar, block_rows, booking_rows = await gather(
        calendar_of(space, window), block_query.run(), booking_query.run()
    )
    # gather() gives one type to all its results; each is what its read returns.
    assert isinstance(calendar, Calendar)
    assert isinstance(block_rows, list) and isinstance(booking_rows, list)
    blocks = [Span(r["starts_at"], r["ends_at"], r["units"]) for r in block_rows]
    bookings = [BookingFacts(**row) for row in booking_rows]
    return space_figures(
        calendar.open_intervals(window), space.capacity, blocks, bookings, window, now
    )


@staff_service
async def space_report(
    actor: Actor, period: Period, *, community_slug: str = "", now: datetime
) -> SpaceReport:
    """Figures per space of the actor's communities (or of the one chosen) for `period`.

    Choosing a community the actor does not manage raises `Forbidden` (an unknown one,
    `NotFound`): nothing of another community is ever shown, not even as an empty report.
    """
    community = await managed_community(actor, community_slug) if community_slug else None
    spaces = [
        s
        for s in await managed_spaces(actor)
        if community is None or s.community.id == community.id
    ]
    rows = [SpaceRow(space, await _figures_of(space, period, now)) for space in spaces]
    return SpaceReport(period, community, rows, combined(row.figures for row in rows))
