"""The spaces residents see: the list (/spaces) and a space's page (/spaces/{slug}) with one
day's times under a strip of seven days (or the week grid), rules and ratings, and booking
from it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import partial
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.params import (
    FromPath,
    FromQuery,
    QueryParameter,
    URLEncodedBody,
)
from litestar.response import Redirect, Template
from markupsafe import Markup

from app.bounds import day_error
from app.clock import site_date
from app.errors import DomainError, FieldError, InputError, free_instead
from app.form_tokens import checked_token, new_token
from app.i18n import _, current_locale
from app.permissions import Actor
from app.web.context import CurrentActor, CurrentViewer, RequestNow, flash
from app.web.guards import requires_signed_in
from app.web.responses import (
    RenderedPage,
    for_any_visitor,
    html_page,
    large_text,
    page,
    page_or_fragment,
    redirect,
    render,
    render_for_visitors,
    wants_fragment,
)
from app.web.templating import release
from spaces.logic import wording as views
from spaces.logic.bounds import LookWindow, look_window, start_error
from spaces.logic.kinds import KIND_LABELS, SpaceKind
from spaces.logic.wording import site_zone
from spaces.services import (
    bookings,
    catalog,
    ratings,
)
from spaces.services.availability import Availability, get_availability, mine_at
from spaces.tables import Space
from spaces.web import presentation, rendered
from spaces.web.forms import BookForm, read_book_form, read_start

AnyRequest = Request[Any, Any, Any]
WEEK = timedelta(days=7)
_rendered = rendered.rendered
_space_of = rendered.space_of
_TIMES_STAND_IN = "<!-- linli-times-stand-in -->"
"""Where a visitor's page frame (`_visitor_page`) takes the times of the day or week shown."""
"""Rendered parts of space pages, keyed by everything they show (see app.cache,
`_rendered_key` and `rendered.day_times`): the times (week grid or day view) of any page, a
day's chips, and a visitor's whole page and the page around its times, with a stand-in for
the CSRF token, which differs per request."""


class SpacesController(Controller):
    path = "/spaces"
    include_in_schema = False

    @get("", name="spaces:index")
    async def index(
        self, request: AnyRequest, community: FromQuery[str] = "", kind: FromQuery[str] = ""
    ) -> Template:
        return page(
            request,
            "spaces/index.html",
            spaces=await catalog.list_spaces(community=community or None, kind=kind or None),
            communities=await catalog.communities_with_spaces(),
            kinds=[(k.value, KIND_LABELS[k.value]) for k in SpaceKind],
            chosen_community=community,
            chosen_kind=kind,
            kind_labels=KIND_LABELS,
        )

    async def _space_view(
        self,
        request: AnyRequest,
        slug: str,
        viewer: Actor | None,
        now: datetime,
        *,
        first: str | None,
        start: str | None,
        day: str | None = None,
        view: str | None = None,
        form: BookForm | None = None,
        errors: dict[str, str] | None = None,
        refusal: DomainError | None = None,
        space: Space | None = None,
        times_only: bool = False,
    ) -> tuple[Space, Markup, dict[str, Any]]:
        """The space (looked up unless given), its times rendered (one day with the strip of
        days, or the week grid), and what the rest of its page shows; with `times_only`,
        without its hours and rules in words (`_words`), which only the page around the
        times shows (a visitor's is rendered once: `_visitor_page`)."""
        space = space or await catalog.get_space(slug)
        zone = catalog.zone_of(space)
        viewer_zone = site_zone()
        today = now.astimezone(zone).date()
        shown = _times_asked(space, now, first=first, start=start, day=day, view=view)
        chosen_start = shown.chosen_start
        first_day = shown.first_day
        # The day view reads the same seven days as the week from its strip's first day.
        availability = await get_availability(
            space, first_day, 7, now=now, user_id=viewer.id if viewer else None
        )
        form = form or BookForm(start=start or "")
        # A new token on every render, a re-render after an error too: a token stands for
        # one submission of what the page shows, and a repeated one returns its booking.
        # Only a chosen start shows the form (a page of times has none to fill).
        form.form_token = new_token() if chosen_start else ""
        window = look_window(today, space.horizon_days)
        context: dict[str, Any] = {
            "space": space,
            "availability": availability,
            "first_day": first_day,
            # None at either end of the window: the week past it would be refused (400).
            "previous_from": _strip_neighbour(first_day, -WEEK, window),
            "next_from": _strip_neighbour(first_day, WEEK, window),
            "week_from": max(first_day, window.first),
            "today": today,
            "now": now,
            "zone": zone,
            "viewer_zone": viewer_zone,
            "day_times": partial(
                rendered.day_times,
                request,
                space,
                today=today,
                now=now,
                zone=zone,
                viewer_zone=viewer_zone,
            ),
            "kind_label": KIND_LABELS[space.kind],
            "chosen_start": chosen_start,
            "durations": presentation.duration_choices(availability, chosen_start)
            if chosen_start
            else [],
            "chosen_taken": chosen_start is not None
            and presentation.is_taken(availability, chosen_start),
            "form": form,
            "errors": errors or {},
            "refusal": refusal,
            "alternatives": free_instead(refusal),
            "local_time": views.local_time,
            "day_label": partial(views.day_label, today=site_date(now)),
            "week_view": shown.day is None,
            "mine": await mine_at(viewer.id, space, now) if viewer else [],
        }
        if not times_only:
            context.update(_words(space, availability))
        times_key = _rendered_key("times", space, shown, today, now, viewer)
        times_html = _rendered.get(times_key)
        if not isinstance(times_html, Markup):
            if shown.day is None:
                times_html = Markup(render(request, "spaces/partials/week.html", **context))
            else:
                day_context = {
                    "day": shown.day,
                    "day_slots": presentation.slots_of_day(availability, shown.day),
                    "strip": presentation.day_strip(availability, today, window.first, window.last),
                    "previous_day": context["previous_from"],
                    "next_day": context["next_from"],
                }
                times_html = Markup(
                    render(request, "spaces/partials/day.html", **context, **day_context)
                )
            _rendered.put(times_key, times_html)
        return space, times_html, context

    async def _space_page(
        self,
        request: AnyRequest,
        space: Space,
        times_html: Markup,
        context: dict[str, Any],
        *,
        status_code: int = 200,
    ) -> Template:
        return page(
            request,
            "spaces/detail.html",
            status_code=status_code,
            times_html=times_html,
            ratings=await ratings.ratings_of(space),
            **context,
        )

    @get("/{slug:str}", name="spaces:detail")
    async def detail(
        self,
        request: AnyRequest,
        slug: FromPath[str],
        viewer: CurrentViewer,
        now: RequestNow,
        first: Annotated[str | None, QueryParameter(name="from", max_length=10)] = None,
        start: Annotated[str | None, QueryParameter(max_length=40)] = None,
        day: Annotated[str | None, QueryParameter(max_length=40)] = None,
        view: Annotated[str | None, QueryParameter(max_length=40)] = None,
    ) -> Template | Response[str] | Response[bytes]:
        """The space's page: one day's times under a strip of seven days (`day`, default
        today), or the week grid (`view=week`, from `from`); htmx asking for another day or
        week gets the page's `times` block alone. A malformed `day` or `view`, or a `day`,
        `from` or `start` outside the window (see `spaces.logic.bounds`), answers 400 with a
        link to today, before any calendar is read."""
        visitor = not start and not wants_fragment(request) and for_any_visitor(request)
        # Every page starts from the space's stamp (a narrow read by key): a visitor's page
        # comes from memory by it, and so does the whole space any other page shows.
        asked = await catalog.space_stamp(slug)
        try:
            shown = _times_asked(
                asked, now, first=first, start=start, day=day, view=view, strict=True
            )
        except InputError as exc:
            return page(
                request,
                "spaces/out_of_window.html",
                status_code=400,
                space=asked,
                message=exc.detail,
                week_view=view == "week",
            )
        if visitor:
            return await self._visitor_page(request, asked, shown, now, first, day, view)
        space, times_html, context = await self._space_view(
            request,
            slug,
            viewer,
            now,
            first=first,
            start=start,
            day=day,
            view=view,
            space=await _space_of(asked),
        )
        # An htmx swap of the times renders them alone: the ratings are read for a whole page.
        rated = None if wants_fragment(request) else await ratings.ratings_of(space)
        return page_or_fragment(
            request, "spaces/detail.html", "times", times_html=times_html, ratings=rated, **context
        )

    async def _visitor_page(
        self,
        request: AnyRequest,
        stamp: catalog.SpaceStamp,
        shown: _Shown,
        now: datetime,
        first: str | None,
        day: str | None,
        view: str | None,
    ) -> Response[bytes]:
        """A signed-out visitor's page without a chosen time: the same for every visitor
        but for the CSRF token, so it is rendered once per minute and key, found by the
        space's stamp, and only the token is put in per request."""
        today = now.astimezone(catalog.zone_of(stamp)).date()
        key = (
            *_rendered_key("page", stamp, shown, today, now, None),
            stamp.community_names,
            large_text(request),
        )
        rendered = _rendered.get(key)
        if not isinstance(rendered, RenderedPage):
            space, times_html, context = await self._space_view(
                request,
                stamp.slug,
                None,
                now,
                first=first,
                start=None,
                day=day,
                view=view,
                space=await _space_of(stamp),
                times_only=True,
            )
            # Around the times a visitor's page is the same for every day and week shown.
            frame_key = (
                *_rendered_key("frame", stamp, None, today, now, None),
                stamp.community_names,
                large_text(request),
            )
            frame = _rendered.get(frame_key)
            if not isinstance(frame, RenderedPage):
                frame = render_for_visitors(
                    request,
                    "spaces/detail.html",
                    **context,
                    **_words(space, context["availability"]),
                    times_html=Markup(_TIMES_STAND_IN),
                    ratings=await ratings.ratings_of(space),
                )
                _rendered.put(frame_key, frame)
            rendered = frame.with_text(_TIMES_STAND_IN, times_html)
            _rendered.put(key, rendered)
        return html_page(request, rendered, headers={"Vary": "HX-Request"})

    @post("/{slug:str}/book", name="spaces:book", guards=[requires_signed_in])
    async def book(
        self,
        request: AnyRequest,
        slug: FromPath[str],
        data: URLEncodedBody[BookForm],
        actor: CurrentActor,
        now: RequestNow,
    ) -> Template | Redirect:
        try:
            token = checked_token(data.form_token)
            result = await bookings.book(
                actor,
                slug,
                read_book_form(data, now),
                now=now,
                note=data.note,
                idempotency_key=f"form:{token}",
            )
        except DomainError as exc:
            try:
                read_start(data.start)
            except InputError:
                data.start = ""
            space, times_html, context = await self._space_view(
                request,
                slug,
                actor,
                now,
                first=None,
                start=data.start or None,
                form=data,
                errors=exc.by_field() if isinstance(exc, InputError) else {},
                refusal=exc,
            )
            return await self._space_page(
                request, space, times_html, context, status_code=exc.status_code
            )
        booking = result.booking
        if booking.status == "pending":
            flash(request, _("Your request was sent. Staff will approve or reject it."))
        else:
            flash(request, _("Booked. See you there!"))
        return redirect(request.app.route_reverse("bookings:detail", booking_id=str(booking.id)))


def _words(space: Space, availability: Availability) -> dict[str, Any]:
    """The space's hours and rules in words, shown around its times."""
    return {
        "rules": presentation.rules_in_words(space, availability.rules),
        "hours": presentation.weekly_in_words(space),
    }


@dataclass(frozen=True)
class _Shown:
    """What the space page shows of its times."""

    chosen_start: datetime | None
    first_day: date
    """The first of the seven days read: the week's, or that of the strip around `day`."""
    day: date | None
    """The one day shown under the strip; None for the week grid."""


_DAY_FORMAT = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


def _times_asked(
    space: Space | catalog.SpaceStamp,
    now: datetime,
    *,
    first: str | None,
    start: str | None,
    day: str | None,
    view: str | None,
    strict: bool = False,
) -> _Shown:
    """What to show for the query. A malformed `day` or `view`, or a `start`, `from` or
    `day` outside the window, raises `InputError` naming it when `strict`, and is otherwise
    ignored. Only comparisons happen before the bounds are checked, so any year is safe."""
    zone = catalog.zone_of(space)
    today = now.astimezone(zone).date()
    window = look_window(today, space.horizon_days)
    if view not in (None, "", "day", "week"):
        if strict:
            views_known = _("Show the times as a day or as a week.")
            raise InputError([FieldError("view", views_known)], views_known)
        view = None
    chosen_start = None
    if start:
        try:
            chosen_start = read_start(start)
        except InputError:
            chosen_start = None
    if chosen_start is not None and (message := start_error(chosen_start, window, zone)):
        if strict:
            raise InputError([FieldError("start", message)], message)
        chosen_start = None
    chosen_day = chosen_start.astimezone(zone).date() if chosen_start else None
    first_day = presentation.first_day_shown(first, today, chosen_day)
    if (message := day_error(first_day, window.first, window.last)) is not None:
        if strict:
            raise InputError([FieldError("from", message)], message)
        first_day = today
    if view == "week":
        return _Shown(chosen_start, first_day, None)
    shown = _day_asked(day, window, strict=strict)
    if shown is None:
        # Without a `day`: the `from` asked for, else the chosen start's day, else today.
        shown = first_day if _asked_from(first) else chosen_day or today
    return _Shown(chosen_start, presentation.strip_first_day(shown, today), shown)


def _rendered_key(
    part: str,
    space: Space | catalog.SpaceStamp,
    shown: _Shown | None,
    today: date,
    now: datetime,
    viewer: Actor | None,
) -> tuple[Any, ...]:
    """Everything a rendered part of a space page depends on: the space's version (which
    its hours, closures, rules, bookings, ratings and the public holidays it closes on all
    bump), the days shown (None for a part that is the same whatever they are), the minute,
    the language, the zone times are shown in, whether someone is signed in, and the release
    (the templates)."""
    return (
        part,
        space.id,
        space.created_at,  # an id may be reused after a space is deleted
        space.version,
        shown.first_day if shown else None,
        shown.day if shown else None,
        today,
        now.replace(second=0, microsecond=0),
        current_locale(),
        site_zone().key,
        viewer is None,
        release(),
    )


def _day_asked(day: str | None, window: LookWindow, *, strict: bool) -> date | None:
    """The `day` asked for, if any and well formed and inside `window`."""
    if not day:
        return None
    try:
        if not _DAY_FORMAT.match(day):
            raise ValueError(day)
        asked = date.fromisoformat(day)
    except ValueError:
        if strict:
            how = _("Write the day as year-month-day, for example 2026-03-02.")
            raise InputError([FieldError("day", how)], how) from None
        return None
    if (message := day_error(asked, window.first, window.last)) is not None:
        if strict:
            raise InputError([FieldError("day", message)], message)
        return None
    return asked


def _asked_from(first: str | None) -> bool:
    """Whether `from` names a date (a malformed one is ignored, as it always was)."""
    if not first:
        return False
    try:
        date.fromisoformat(first)
    except ValueError:
        return False
    return True


def _strip_neighbour(first_day: date, step: timedelta, window: LookWindow) -> date | None:
    """The first day of the strip before or after the one from `first_day`, when any of its
    days lies inside `window`; the day view links to it."""
    if step < timedelta(0):
        last = first_day - timedelta(days=1)
        return max(first_day + step, window.first) if last >= window.first else None
    neighbour = first_day + step
    return neighbour if neighbour <= window.last else None
