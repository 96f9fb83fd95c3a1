"""Booking rules: what a space allows and why a request is refused. Pure functions.

Every rule is optional except the slot length. All rules must pass (so the strictest one
decides), and each refusal names its rule with a code the API returns (`lead_time`,
`horizon`, `quota_week`, `closed`, …) and a message in the resident's language.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from app.calendar import Calendar, Interval
from app.i18n import _, ngettext
from spaces.logic.availability import HeldUnits, SlotGrid, is_aligned, within_open_hours


@dataclass(frozen=True)
class Rules:
    capacity: int
    slot_minutes: int = 30
    min_duration_minutes: int | None = None
    max_duration_minutes: int | None = None
    lead_time_minutes: int | None = None
    """How long before its start a booking must be made."""
    horizon_days: int | None = None
    """How far ahead a booking may end."""
    cancel_cutoff_minutes: int | None = None
    """How long before its start a resident may still cancel."""
    buffer_minutes: int = 0
    """Turnaround after each booking (cleaning, inspection); the units stay held."""
    quota_day_minutes: int | None = None
    quota_day_count: int | None = None
    quota_week_minutes: int | None = None
    quota_week_count: int | None = None
    max_active_bookings: int | None = None
    """Bookings not yet ended that one resident may hold at once."""
    max_party_size: int | None = None
    requires_approval: bool = False

    @property
    def has_quotas(self) -> bool:
        """Whether any per-resident limit applies (else a resident's bookings need no reading)."""
        return any(
            limit is not None
            for limit in (
                self.quota_day_minutes,
                self.quota_day_count,
                self.quota_week_minutes,
                self.quota_week_count,
                self.max_active_bookings,
            )
        )

    @property
    def buffer(self) -> timedelta:
        return timedelta(minutes=self.buffer_minutes)

    @property
    def slot(self) -> timedelta:
        return timedelta(minutes=self.slot_minutes)


@dataclass(frozen=True)
class Request:
    start: datetime
    end: datetime
    units: int = 1
    party_size: int | None = None

    @property
    def span(self) -> Interval:
        return Interval(self.start, self.end)

    @property
    def minutes(self) -> int:
        return int((self.end - self.start).total_seconds() // 60)


@dataclass(frozen=True)
class Refusal:
    rule: str
    message: str
    field: str = "start"


def _hours(minutes: int) -> str:
    if minutes % 60 == 0:
        return _("%(n)s h", n=minutes // 60)
    if minutes < 60:
        return _("%(n)s min", n=minutes)
    return _("%(h)s h %(m)s min", h=minutes // 60, m=minutes % 60)


def describe_duration(minutes: int) -> str:
    """`90` → "1 h 30 min" in the current language."""
    return _hours(minutes)


def local_week(day: date) -> tuple[date, date]:
    """Monday and the following Monday of the week containing `day`."""
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=7)


def _local_day(moment: datetime, zone: ZoneInfo) -> date:
    return moment.astimezone(zone).date()


def request_shape_refusals(rules: Rules, request: Request, zone: ZoneInfo) -> list[Refusal]:
    """Problems with the request itself, whatever the time of asking."""
    refusals = []
    if request.end <= request.start:
        return [Refusal("duration", _("The end must come after the start."), "end")]
    if not (
        is_aligned(request.start, zone, rules.slot_minutes)
        and is_aligned(request.end, zone, rules.slot_minutes)
    ):
        refusals.append(
            Refusal(
                "alignment",
                _(
                    "Bookings start and end on the %(slot)s-minute grid (for example 09:00, "
                    "09:%(next)s).",
                    slot=rules.slot_minutes,
                    next=f"{rules.slot_minutes % 60:02d}",
                ),
            )
        )
    if not 1 <= request.units <= rules.capacity:
        refusals.append(
            Refusal(
                "units",
                ngettext(
                    "Choose %(capacity)s unit.",
                    "Choose between 1 and %(capacity)s units.",
                    rules.capacity,
                    capacity=rules.capacity,
                ),
                "units",
            )
        )
    if (
        rules.max_party_size is not None
        and request.party_size is not None
        and not 1 <= request.party_size <= rules.max_party_size
    ):
        refusals.append(
            Refusal(
                "party_size",
                ngettext(
                    "At most %(n)s person may use this space at once.",
                    "At most %(n)s people may use this space at once.",
                    rules.max_party_size,
                    n=rules.max_party_size,
                ),
                "party_size",
            )
        )
    if rules.min_duration_minutes and request.minutes < rules.min_duration_minutes:
        refusals.append(
            Refusal(
                "duration",
                _("Book at least %(d)s.", d=_hours(rules.min_duration_minutes)),
                "end",
            )
        )
    if rules.max_duration_minutes and request.minutes > rules.max_duration_minutes:
        refusals.append(
            Refusal(
                "duration",
                _("Book at most %(d)s at a time.", d=_hours(rules.max_duration_minutes)),
                "end",
            )
        )
    return refusals


def timing_refusals(rules: Rules, request: Request, now: datetime) -> list[Refusal]:
    """Problems that depend on when the request is made."""
    if request.start < now:
        return [Refusal("past", _("This time has already begun or passed."))]
    refusals = []
    if rules.lead_time_minutes and request.start - now < timedelta(minutes=rules.lead_time_minutes):
        refusals.append(
            Refusal(
                "lead_time",
                _("Book at least %(d)s before the start.", d=_hours(rules.lead_time_minutes)),
            )
        )
    if rules.horizon_days and request.end > now + timedelta(days=rules.horizon_days):
        refusals.append(
            Refusal(
                "horizon",
                ngettext(
                    "Bookings may be made at most %(n)s day ahead.",
                    "Bookings may be made at most %(n)s days ahead.",
                    rules.horizon_days,
                    n=rules.horizon_days,
                ),
            )
        )
    return refusals


def quota_refusals(
    rules: Rules,
    request: Request,
    zone: ZoneInfo,
    now: datetime,
    mine: Sequence[Interval],
) -> list[Refusal]:
    """Per-resident limits, counting the resident's pending and confirmed bookings here.

    A booking counts towards the day and the week of its local start.
    """
    refusals = []
    day = _local_day(request.start, zone)
    week_start, week_end = local_week(day)
    same_day = [b for b in mine if _local_day(b.start, zone) == day]
    same_week = [b for b in mine if week_start <= _local_day(b.start, zone) < week_end]

    def minutes(spans: Sequence[Interval]) -> int:
        return sum(int(s.duration.total_seconds() // 60) for s in spans)

    checks = [
        ("quota_day", rules.quota_day_minutes, minutes(same_day) + request.minutes, True),
        ("quota_day", rules.quota_day_count, len(same_day) + 1, False),
        ("quota_week", rules.quota_week_minutes, minutes(same_week) + request.minutes, True),
        ("quota_week", rules.quota_week_count, len(same_week) + 1, False),
    ]
    for code, limit, wanted, is_time in checks:
        if limit is None or wanted <= limit:
            continue
        if code == "quota_day":
            message = (
                _("You may book this space for %(d)s a day.", d=_hours(limit))
                if is_time
                else ngettext(
                    "You may book this space %(n)s time a day.",
                    "You may book this space %(n)s times a day.",
                    limit,
                    n=limit,
                )
            )
        else:
            message = (
                _("You may book this space for %(d)s a week.", d=_hours(limit))
                if is_time
                else ngettext(
                    "You may book this space %(n)s time a week.",
                    "You may book this space %(n)s times a week.",
                    limit,
                    n=limit,
                )
            )
        refusals.append(Refusal(code, message))
    if rules.max_active_bookings is not None:
        active = sum(1 for b in mine if b.end > now)
        if active + 1 > rules.max_active_bookings:
            refusals.append(
                Refusal(
                    "active_limit",
                    ngettext(
                        "You already hold %(n)s upcoming booking here, the most allowed. Cancel "
                        "it or wait until it has passed.",
                        "You already hold %(n)s upcoming bookings here, the most allowed. Cancel "
                        "one or wait until one has passed.",
                        active,
                        n=active,
                    ),
                )
            )
    return refusals


def check_request(
    rules: Rules,
    request: Request,
    *,
    zone: ZoneInfo,
    now: datetime,
    open_intervals: Sequence[Interval],
    mine: Sequence[Interval],
) -> list[Refusal]:
    """Every rule the request breaks except capacity, most fundamental first."""
    refusals = request_shape_refusals(rules, request, zone)
    if refusals and refusals[0].rule == "duration" and request.end <= request.start:
        return refusals
    refusals += timing_refusals(rules, request, now)
    if not within_open_hours(request.span, open_intervals):
        refusals.append(closed_refusal(request, open_intervals, zone))
    refusals += quota_refusals(rules, request, zone, now, mine)
    return refusals


def hours_of_day(day: date, open_intervals: Sequence[Interval], zone: ZoneInfo) -> str:
    """The open times of one local day as "09:00–12:00, 14:00–18:00" ("" when closed)."""
    ranges = []
    for interval in open_intervals:
        start, end = interval.start.astimezone(zone), interval.end.astimezone(zone)
        if start.date() <= day <= end.date():
            opens = start.strftime("%H:%M") if start.date() == day else "00:00"
            closes = end.strftime("%H:%M") if end.date() == day else "24:00"
            if opens != closes:
                ranges.append(f"{opens}–{closes}")
    return ", ".join(ranges)


def closed_refusal(request: Request, open_intervals: Sequence[Interval], zone: ZoneInfo) -> Refusal:
    """The `closed` refusal, naming the hours of the day the request starts on."""
    hours = hours_of_day(request.start.astimezone(zone).date(), open_intervals, zone)
    if not hours:
        return Refusal("closed", _("The space is closed that day."))
    return Refusal(
        "closed",
        _("That day the space is open %(hours)s, not for the whole of this time.", hours=hours),
    )


def approval_refusals(
    rules: Rules, request: Request, zone: ZoneInfo, calendar: Calendar | None
) -> list[Refusal]:
    """Why staff may no longer confirm a pending request, capacity apart: its shape against
    the space's rules now (the slot length or the units may have changed), or the space not
    open for the whole of it (a closure, new hours, a holiday)."""
    refusals = request_shape_refusals(rules, request, zone)
    if refusals:
        return refusals
    if calendar is None or not calendar.is_open(request.span):
        return [Refusal("closed", _("The space is not open for the whole of this time."))]
    return []


def can_cancel_in_time(rules: Rules, start: datetime, now: datetime) -> bool:
    """Whether a resident may still cancel a booking that starts at `start`."""
    if start <= now:
        return False
    if rules.cancel_cutoff_minutes is None:
        return True
    return start - now >= timedelta(minutes=rules.cancel_cutoff_minutes)


UNDO_CANCEL_WINDOW = timedelta(seconds=60)
"""How long after cancelling their own booking a resident may take the cancellation back."""


def undo_deadline(cancelled_at: datetime) -> datetime:
    """The last instant a cancellation made at `cancelled_at` may be undone."""
    return cancelled_at + UNDO_CANCEL_WINDOW


def can_undo_in_time(cancelled_at: datetime | None, start: datetime, now: datetime) -> bool:
    """Whether a cancellation made at `cancelled_at` of a booking starting at `start` may
    still be undone `now`: within `UNDO_CANCEL_WINDOW` of it (inclusive), before the start."""
    return cancelled_at is not None and now <= undo_deadline(cancelled_at) and now < start


def waiving_lead_time(rules: Rules) -> Rules:
    """The rules for taking back one's own cancellation: the booking stood a minute ago, so
    the lead time it met when it was made is not asked again; every other rule is."""
    return replace(rules, lead_time_minutes=None)


@dataclass(frozen=True)
class QuotaLeft:
    label: str
    left: str


def quota_left(
    rules: Rules, zone: ZoneInfo, now: datetime, mine: Sequence[Interval], day: date
) -> list[QuotaLeft]:
    """What the resident has left on `day` and its week, in words, for the space page."""
    week_start, week_end = local_week(day)
    same_day = [b for b in mine if _local_day(b.start, zone) == day]
    same_week = [b for b in mine if week_start <= _local_day(b.start, zone) < week_end]

    def used_minutes(spans: Sequence[Interval]) -> int:
        return sum(int(s.duration.total_seconds() // 60) for s in spans)

    result = []
    if rules.quota_day_minutes is not None:
        left = max(0, rules.quota_day_minutes - used_minutes(same_day))
        result.append(QuotaLeft(_("Time left that day"), _hours(left) if left else _("none")))
    if rules.quota_day_count is not None:
        left = max(0, rules.quota_day_count - len(same_day))
        result.append(QuotaLeft(_("Bookings left that day"), str(left)))
    if rules.quota_week_minutes is not None:
        left = max(0, rules.quota_week_minutes - used_minutes(same_week))
        result.append(QuotaLeft(_("Time left that week"), _hours(left) if left else _("none")))
    if rules.quota_week_count is not None:
        left = max(0, rules.quota_week_count - len(same_week))
        result.append(QuotaLeft(_("Bookings left that week"), str(left)))
    if rules.max_active_bookings is not None:
        left = max(0, rules.max_active_bookings - sum(1 for b in mine if b.end > now))
        result.append(QuotaLeft(_("Upcoming bookings you may still add"), str(left)))
    return result


def refusal_reasons(
    grid: SlotGrid,
    rules: Rules,
    open_intervals: list[Interval],
    held: HeldUnits,
    now: datetime,
) -> list[str | None]:
    """For each slot of `grid` (the slots of `held.usage`, as `slot_grid` gives them), why
    one unit cannot be booked from it for the shortest allowed length: `capacity`, `past`,
    `lead_time`, `horizon` or `too_short`; None if it can.

    The same rules as `spaces.rules.timing_refusals`, with their thresholds computed once,
    since a week has hundreds of slots: the slots are in order of their starts, so those
    past, within the lead time and beyond the horizon are runs found by bisection.
    """
    starts, ends, free_units = grid
    length = timedelta(minutes=max(rules.slot_minutes, rules.min_duration_minutes or 0))
    earliest = now + timedelta(minutes=rules.lead_time_minutes or 0)
    past = bisect.bisect_left(starts, now)
    lead = max(past, bisect.bisect_left(starts, earliest))
    beyond = len(starts)  # the first slot whose shortest booking would end past the horizon
    if rules.horizon_days:
        latest_start = now + timedelta(days=rules.horizon_days) - length
        beyond = max(lead, bisect.bisect_right(starts, latest_start))
    reasons: list[str | None] = [
        *(["past"] * past),
        *(["lead_time"] * (lead - past)),
        *(["too_short"] * (beyond - lead)),
        *(["horizon"] * (len(starts) - beyond)),
    ]
    to_check: list[int] = []  # slots inside open hours: their capacity is checked at once
    index = 0
    count = len(open_intervals)
    for i in range(lead, beyond):
        if free_units[i] < 1:
            continue
        start = starts[i]
        while index < count and open_intervals[index].end <= start:
            index += 1
        if index == count:
            break  # no open time from here: the rest stay `too_short`
        if open_intervals[index].start <= start and start + length <= open_intervals[index].end:
            to_check.append(i)
    reasons = [
        "capacity" if free < 1 else reason for free, reason in zip(free_units, reasons, strict=True)
    ]
    if starts and length + held.buffer == ends[0] - starts[0]:
        # A booking of one slot with no buffer needs what the slot's free units count: a
        # unit is free (else the reason is `capacity`), so it fits; no second sweep.
        for i in to_check:
            reasons[i] = None
        return reasons
    spans = [(starts[i], starts[i] + length) for i in to_check]
    for i, fits in zip(to_check, held.fits_each(spans, 1), strict=True):
        if fits:
            reasons[i] = None
    return reasons
