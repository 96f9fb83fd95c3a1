"""What space pages keep rendered, in one cache: a visitor's whole page and the page around
its times, the times (week grid or day view) of any page, and the chips of one day, which the
day view and every week that contains the day share. Each key holds everything its part
shows."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from markupsafe import Markup

from app.cache import VersionedCache
from app.clock import site_date
from app.i18n import current_locale
from app.web.responses import RenderedPage, render
from app.web.templating import release
from spaces.logic import wording
from spaces.queries.spaces import instant
from spaces.services import catalog
from spaces.services.availability import SlotView
from spaces.tables import Space
from spaces.web.presentation import chip_items, day_chips, is_past_day


class DayTimes(NamedTuple):
    """A day's chips rendered, with the very list of slots they were rendered from."""

    day_slots: list[SlotView]
    html: Markup


rendered: VersionedCache[Markup | RenderedPage | DayTimes] = VersionedCache(max_entries=512)
"""Rendered parts of space pages, keyed by everything they show. A week's page is about
90 kB and a day's chips about 10 kB: 512 entries bound what a crawl of every day can take to
about 45 MB a process."""

spaces_by_stamp: VersionedCache[Space] = VersionedCache(max_entries=256)
"""Whole spaces as a space's page reads them, keyed by their `catalog.SpaceStamp`."""


async def space_of(stamp: catalog.SpaceStamp) -> Space:
    """The whole space whose stamp is `stamp`, read once per stamp: a space's page that is
    not in memory (another day or week, or a signed-in person's) needs the rows the stamp
    leaves out. The stamp is a sound key: every change to a space's row bumps its version,
    and it carries the community's names, all a space's page shows of the community. The
    pages it feeds are rendered only from what they read; nothing on that path changes the
    space (a change reads the space afresh, inside its transaction)."""
    space = spaces_by_stamp.get(stamp)
    if space is None:
        space = await catalog.get_space(stamp.slug)
        # Kept only when it is the row the stamp names (no write came between the reads).
        if stamp_of(space) == stamp:
            spaces_by_stamp.put(stamp, space)
    return space


def stamp_of(space: Space) -> catalog.SpaceStamp:
    """The stamp of a space read whole (with its community)."""
    community = space.community
    return catalog.SpaceStamp(
        space.id,
        instant(space.created_at),
        space.version,
        space.slug,
        space.name_zh,
        space.name_en,
        space.timezone,
        space.horizon_days,
        (community.slug, community.name_zh, community.name_en),
    )


def day_times(
    request: Any,
    space: Space,
    day: date,
    day_slots: list[SlotView],
    *,
    today: date,
    now: datetime,
    zone: ZoneInfo,
    viewer_zone: ZoneInfo,
) -> Markup:
    """The chips of `day` (free, booked, or why not), rendered once for every page that shows
    the same slots the same way: keyed by the list of the slots itself rather than by the week
    read, so the day view and the seven weeks containing the day share one rendering (the
    slots of a day are cached once per space version and minute, and pages read that list).

    The list is known by its identity, not by hashing its hundreds of datetimes: the entry
    holds the list, so no other list can take its id while the entry lives, and a list of
    slots is never changed once made. Another list of the same slots renders again."""
    key = (
        "day-times",
        space.id,
        space.created_at,  # an id may be reused after a space is deleted
        space.slug,
        space.capacity,
        day,
        today,
        site_date(now),  # the year is named when the day is not in the viewer's year
        id(day_slots),  # the slots: start, end, free units, bookable, reason
        zone.key,
        viewer_zone.key,
        current_locale(),
        release(),
    )
    found = rendered.get(key)
    if isinstance(found, DayTimes) and found.day_slots is day_slots:
        return found.html
    past = is_past_day(day, day_slots, today)
    chips = (
        day_chips(
            day_slots,
            day_text=wording.day_label(day, today=site_date(now)),
            space_url=str(request.app.route_reverse("spaces:detail", slug=space.slug)),
            capacity=space.capacity,
            zone=zone,
            viewer_zone=viewer_zone,
        )
        if day_slots and not past
        else []
    )
    html = Markup(
        render(
            request,
            "spaces/partials/day_times.html",
            past=past,
            chips=chips,
            items=chip_items(chips),
        )
    )
    rendered.put(key, DayTimes(day_slots, html))
    return html
