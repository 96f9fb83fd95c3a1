"""What the space pages show, derived from the domain: rules and hours in words, the week
or the day shown and the strip of days, the lengths a booking may have, and the helpers
templates use to show bookings and times to the viewer. No database here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import partial
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from markupsafe import Markup, escape

from app.calendar import WEEKDAYS, Interval, format_ranges
from app.clock import site_date
from app.i18n import N_, _, format_month_day, ngettext, weekday_names
from spaces.logic import wording
from spaces.logic.rules import Rules, describe_duration, undo_deadline
from spaces.logic.statuses import STATUS_LABELS, effective_status
from spaces.services import attendance, cancellation, undo
from spaces.services.availability import Availability, SlotView
from spaces.services.catalog import weekly_hours_of, zone_of
from spaces.tables import Space

WEEKDAY_LABELS = (
    N_("Monday"),
    N_("Tuesday"),
    N_("Wednesday"),
    N_("Thursday"),
    N_("Friday"),
    N_("Saturday"),
    N_("Sunday"),
)


def first_day_shown(value: str | None, today: date, chosen: date | None = None) -> date:
    """The first of the seven days to show: the `from` date asked for, else the chosen
    booking's date when it lies beyond this week, else today."""
    if value:
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    if chosen is not None and not today <= chosen < today + timedelta(days=7):
        return chosen
    return today


def strip_first_day(day: date, today: date) -> date:
    """The first of the seven days in the strip that shows `day`: today, or a whole number of
    weeks before or after it, so that a day and the week from its strip's first day share
    one computed availability."""
    return today + timedelta(days=7 * ((day - today).days // 7))


@dataclass(frozen=True)
class StripDay:
    """One day of the day strip: what its link says and whether it may be asked for."""

    day: date
    weekday: str
    """ "周一" / "Mon"."""
    date_text: str
    """ "3月2日" / "Mar 2"."""
    state: str
    """`free` (some time can be booked), `full` (open, none free), `closed`, or `past`."""
    free_slots: int
    """How many slots of the day can start a booking."""
    in_window: bool
    """Whether the space page may show this day (see `spaces.logic.bounds.look_window`)."""


class FreeWords(dict[int, str]):
    """ "3 free" for each number of free units a page shows, worded once and escaped for HTML
    (a week of a space with several units shows it on hundreds of chips)."""

    def __missing__(self, count: int) -> str:
        text = self[count] = str(escape(_("%(n)s free", n=count)))
        return text


class Chip(NamedTuple):
    """One time of a day as the week grid and the day view show it, each text escaped for
    HTML already (`chip_items` puts them in their markup as they are)."""

    kind: str
    """`free`, `taken` (linked too: its page offers the waitlist) or `closed`."""
    time: str
    state: str
    label: str = ""
    """What a linked chip says to a screen reader: the day, the time and the state."""
    href: str = ""


def day_chips(
    day_slots: list[SlotView],
    *,
    day_text: str,
    space_url: str,
    capacity: int,
    zone: ZoneInfo,
    viewer_zone: ZoneInfo,
) -> list[Chip]:
    """The chips of a day's slots that are not over, worded in the current language and
    escaped for HTML: what every chip repeats is worded and escaped once (a week has hundreds
    of chips), and a chip's label is made of the escaped parts it repeats."""
    day_html = escape(day_text)
    url_html = escape(space_url)
    free_word = str(escape(_("free")))
    free_counts = FreeWords()
    booked_word = str(escape(_("booked")))
    booked_label = escape(_("booked: join the waitlist"))
    reasons = {
        "past": str(escape(_("past"))),
        "lead_time": str(escape(_("too soon"))),
        "horizon": str(escape(_("not open yet"))),
        "too_short": str(escape(_("gap too short"))),
    }
    not_bookable = str(escape(_("not bookable")))
    chips = []
    shown = [slot for slot in day_slots if slot.reason != "past"]
    # Each start in the space's zone once: worded, and in the link.
    walls = [slot.start.astimezone(zone) for slot in shown]
    times = wording.local_times(walls, zone, viewer_zone)
    for slot, wall, time_text in zip(shown, walls, times, strict=True):
        time = str(escape(time_text))
        if slot.bookable or slot.free_units == 0:
            # An ISO time in a query: ":" may stand as it is (RFC 3986), "+" would read as
            # a space. Digits, "-", ":", "T" and "%2B" need no escaping in HTML.
            start = wall.isoformat().replace("+", "%2B")
            href = f"{url_html}?start={start}#book"
            if slot.bookable:
                state = free_word if capacity == 1 else free_counts[slot.free_units]
                chips.append(Chip("free", time, state, f"{day_html} {time}, {state}", href))
            else:
                label = f"{day_html} {time}, {booked_label}"
                chips.append(Chip("taken", time, booked_word, label, href))
        else:
            chips.append(Chip("closed", time, reasons.get(slot.reason or "", not_bookable)))
    return chips


LINKED_CHIP = (
    '<li><a class="slot slot-%s" href="%s" aria-label="%s"><b>%s</b> <small>%s</small></a></li>\n'
)
CHIP = '<li><span class="slot slot-%s"><b>%s</b> <small>%s</small></span></li>\n'
"""A chip as templates/spaces/partials/day_times.html lists it: linked (free or taken) or not.
Formatted here rather than in a loop of the template: a week has hundreds of chips, and the
template's loop took more than all else of a day's rendering."""


def chip_items(chips: list[Chip]) -> Markup:
    """The list items of `chips`, whose texts are escaped already (`day_chips`)."""
    return Markup(
        "".join(
            LINKED_CHIP % (kind, href, label, time, state) if href else CHIP % (kind, time, state)
            for kind, time, state, label, href in chips
        )
    )


def is_past_day(day: date, day_slots: list[SlotView], today: date) -> bool:
    """Whether the whole of `day` is over, as the week grid and the day view say "Past"."""
    return day < today or bool(day_slots and day_slots[-1].reason == "past")


def day_strip(
    availability: Availability, today: date, first_allowed: date, last_allowed: date
) -> list[StripDay]:
    """The days of `availability` as the strip shows them, with their free counts."""
    weekdays = weekday_names()
    strip = []
    for day, day_slots in availability.days:
        free = sum(1 for slot in day_slots if slot.bookable)
        if is_past_day(day, day_slots, today):
            state = "past"
        elif not day_slots:
            state = "closed"
        else:
            state = "free" if free else "full"
        strip.append(
            StripDay(
                day,
                weekdays[day.weekday()],
                format_month_day(day),
                state,
                free,
                first_allowed <= day <= last_allowed,
            )
        )
    return strip


def slots_of_day(availability: Availability, day: date) -> list[SlotView]:
    """The slots of `day`, one of the days `availability` covers."""
    return availability.days[(day - availability.first_day).days][1]


def rules_in_words(space: Space, rules: Rules) -> list[str]:
    """Every rule of the space as a sentence, in the current language."""
    lines = [_("Bookings start and end on a %(n)s-minute grid.", n=rules.slot_minutes)]
    if rules.min_duration_minutes:
        lines.append(_("Shortest booking: %(d)s.", d=describe_duration(rules.min_duration_minutes)))
    if rules.max_duration_minutes:
        lines.append(_("Longest booking: %(d)s.", d=describe_duration(rules.max_duration_minutes)))
    if rules.lead_time_minutes:
        lines.append(
            _("Book at least %(d)s before the start.", d=describe_duration(rules.lead_time_minutes))
        )
    if rules.horizon_days:
        lines.append(
            ngettext(
                "Book up to %(n)s day ahead.",
                "Book up to %(n)s days ahead.",
                rules.horizon_days,
                n=rules.horizon_days,
            )
        )
    if rules.cancel_cutoff_minutes:
        lines.append(
            _(
                "Cancel up to %(d)s before the start.",
                d=describe_duration(rules.cancel_cutoff_minutes),
            )
        )
    if rules.buffer_minutes:
        lines.append(
            _(
                "After each booking, %(d)s are kept free for cleaning and checks.",
                d=describe_duration(rules.buffer_minutes),
            )
        )
    if rules.quota_day_minutes:
        lines.append(
            _("Each resident: up to %(d)s a day.", d=describe_duration(rules.quota_day_minutes))
        )
    if rules.quota_day_count:
        lines.append(
            ngettext(
                "Each resident: up to %(n)s booking a day.",
                "Each resident: up to %(n)s bookings a day.",
                rules.quota_day_count,
                n=rules.quota_day_count,
            )
        )
    if rules.quota_week_minutes:
        lines.append(
            _("Each resident: up to %(d)s a week.", d=describe_duration(rules.quota_week_minutes))
        )
    if rules.quota_week_count:
        lines.append(
            ngettext(
                "Each resident: up to %(n)s booking a week.",
                "Each resident: up to %(n)s bookings a week.",
                rules.quota_week_count,
                n=rules.quota_week_count,
            )
        )
    if rules.max_active_bookings:
        lines.append(
            ngettext(
                "Each resident: at most %(n)s upcoming booking at once.",
                "Each resident: at most %(n)s upcoming bookings at once.",
                rules.max_active_bookings,
                n=rules.max_active_bookings,
            )
        )
    if rules.max_party_size:
        lines.append(
            ngettext(
                "At most %(n)s person at once.",
                "At most %(n)s people at once.",
                rules.max_party_size,
                n=rules.max_party_size,
            )
        )
    if rules.requires_approval:
        lines.append(_("Staff approve each request; a request holds nothing until approved."))
    if space.closed_on_holidays:
        lines.append(_("Closed on public holidays."))
    if not space.open_to_all_communities:
        lines.append(_("For residents of this community."))
    return lines


@dataclass(frozen=True)
class DayHours:
    label: str
    hours: str


def weekly_in_words(space: Space) -> list[DayHours]:
    weekly = weekly_hours_of(space)
    return [
        DayHours(_(WEEKDAY_LABELS[i]), format_ranges(weekly.days[i]) or _("closed"))
        for i in range(len(WEEKDAYS))
    ]


def duration_choices(availability: Availability, start: datetime) -> list[tuple[int, str]]:
    """Lengths a booking starting at `start` may have: whole slots, within the rules and
    within the open interval that contains the start."""
    rules = availability.rules
    shortest = max(rules.slot_minutes, rules.min_duration_minutes or 0)
    longest = rules.max_duration_minutes or 8 * 60
    opening: list[Interval] = availability.open_intervals
    interval = next((i for i in opening if i.start <= start < i.end), None)
    if interval is None:
        return []
    room = int((interval.end - start).total_seconds() // 60)
    choices = []
    minutes = shortest
    while minutes <= min(longest, room):
        if minutes % rules.slot_minutes == 0:
            choices.append((minutes, describe_duration(minutes)))
        minutes += rules.slot_minutes
    return choices


def is_taken(availability: Availability, start: datetime) -> bool:
    """Whether every unit is taken at the slot starting at `start` (a waitlist can help)."""
    return any(
        slot.start == start and slot.free_units == 0
        for _day, day_slots in availability.days
        for slot in day_slots
    )


def booking_helpers(now: datetime) -> dict[str, Any]:
    """What templates listing a person's bookings need to show them as of `now`."""
    return {
        "now": now,
        "viewer_zone": wording.site_zone(),
        "status_of": lambda b: effective_status(b, now),
        "status_labels": STATUS_LABELS,
        "local_time": wording.local_time,
        "day_label": partial(wording.day_label, today=site_date(now)),
        "zone_of": zone_of,
        "can_cancel": lambda b, space: cancellation.resident_may_cancel(b, space, now),
        "can_check_in": lambda b: attendance.may_check_in(b, now),
        "can_undo": lambda b: undo.undo_offered(b, now),
        "undo_deadline": lambda b: undo_deadline(b.cancelled_at),
    }


def time_helpers(space: Space, now: datetime) -> dict[str, Any]:
    """What staff templates need to show times of the space to the viewer."""
    zone = zone_of(space)
    viewer_zone = wording.site_zone()
    today = site_date(now)
    return {
        "now": now,
        "zone": zone,
        "viewer_zone": viewer_zone,
        "local_time": wording.local_time,
        "day_label": partial(wording.day_label, today=today),
        "span_text": partial(wording.span_text, zone=zone, viewer_zone=viewer_zone, today=today),
        "status_labels": STATUS_LABELS,
    }
