"""Dated exceptions to a weekly calendar, shared by spaces and stations: closures (whole days
or a time range) and special hours for one date, with the impact step that comes before a
closure is written.

- **Forms.** `ClosureForm` and `SpecialHoursForm` hold what staff typed; `read_closure` and
  `read_special_hours` check it and return values, or raise one `InputError` naming every
  field to correct. A domain with more fields (a space's maintenance block) reads them into
  the same `Fields` first, so every mistake is shown at once.
- **Impact.** Staff first see what a change would hit (a space's closure, weekly hours,
  special hours, buffer or capacity; a station's closures hit nothing): the `Impact` lists
  the confirmed bookings outside the new opening time (staff keep them or cancel them with a
  reason: there is no default), the pending requests there (refused with the reason either
  way) and the confirmed bookings a larger buffer or a lower capacity leaves over capacity
  (no "keep": staff tick which to cancel). The confirmation carries the `fingerprint()` of
  what the preview showed; the domain recomputes the impact inside its write transaction and
  `check_unchanged()` refuses with `ImpactChanged` when it differs, so nobody confirms a
  consequence they did not see.
- **Imports.** `split_known()` leaves out closures that already exist (or came earlier in
  the same calendar file).

Pure functions: text in, values or `InputError` out; no database.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from app.calendar import Interval
from app.errors import Conflict, FieldError, InputError
from app.formfields import Fields, checked
from app.hours_form import read_day_hours
from app.i18n import _, ngettext

MAX_CLOSURE_DAYS = 366
"""The longest one closure may last."""
NOTE_MAX_LENGTH = 200
KEEP = "keep"
"""What a closure hits stands; the people concerned are told."""
CANCEL = "cancel"
"""What a closure hits is cancelled (or refused) with a reason."""


@dataclass
class ClosureForm:
    """A closure as typed: whole days from `from_date` to `to_date`, or a time range."""

    from_date: str = ""
    from_time: str = ""
    to_date: str = ""
    to_time: str = ""
    all_day: str = ""
    reason: str = ""


@dataclass(frozen=True)
class ClosureDraft:
    """A checked closure, not yet written: `[start, end)` in UTC."""

    start: datetime
    end: datetime
    all_day: bool
    reason: str

    @property
    def span(self) -> Interval:
        return Interval(self.start, self.end)


def read_closure(
    form: ClosureForm,
    zone: ZoneInfo,
    now: datetime,
    *,
    reason_required: str,
    fields: Fields | None = None,
) -> ClosureDraft:
    """The closure `form` describes in `zone`: whole days from `from_date` to `to_date`
    (inclusive; one day when empty) when `all_day` is ticked, else from `from_time` on the
    first day to `to_time` on the last. It must end after it starts, in the future, and last
    at most `MAX_CLOSURE_DAYS`. `reason_required` is the message for an empty reason (it
    names who reads it). Problems already in `fields` are raised with these."""
    fields = fields if fields is not None else Fields()
    all_day = checked(form.all_day)
    first = fields.day(form.from_date, "from_date")
    last = fields.day(form.to_date, "to_date", required=False) or first
    if all_day:
        start = fields.instant(first, time(), zone, "from_date") if first else None
        end = fields.instant(last + timedelta(days=1), time(), zone, "to_date") if last else None
    else:
        start = fields.instant(first, fields.clock(form.from_time, "from_time"), zone, "from_time")
        end = fields.instant(last, fields.clock(form.to_time, "to_time"), zone, "to_time")
    reason = fields.text(
        form.reason, "reason", max_length=NOTE_MAX_LENGTH, required=reason_required
    )
    if start is not None and end is not None:
        if end <= start:
            fields.error("to_date" if all_day else "to_time", _("The end must be after the start."))
        elif end - start > timedelta(days=MAX_CLOSURE_DAYS):
            fields.error(
                "to_date",
                ngettext(
                    "A closure can last at most %(n)s day.",
                    "A closure can last at most %(n)s days.",
                    MAX_CLOSURE_DAYS,
                    n=MAX_CLOSURE_DAYS,
                ),
            )
        elif end <= now:
            fields.error("to_date", _("This time is already over."))
    fields.check()
    assert start is not None and end is not None  # fields.check() raised otherwise
    return ClosureDraft(start, end, all_day, reason)


@dataclass
class SpecialHoursForm:
    """Hours for one date, as typed (`hours` empty: closed all day)."""

    on_date: str = ""
    hours: str = ""
    note: str = ""


@dataclass(frozen=True)
class SpecialHours:
    on_date: date
    hours: str
    """The hours as stored text (`08:00-12:00, 14:00-18:00`); empty: closed all day."""
    note: str


def read_special_hours(form: SpecialHoursForm, today: date) -> SpecialHours:
    """Hours replacing the weekly ones on one date, `today` (in the calendar's zone) or
    later; they win over a public-holiday rule."""
    fields = Fields()
    day = fields.day(form.on_date, "on_date")
    if day is not None and day < today:
        fields.error("on_date", _("This date is already over."))
    hours, hour_errors = read_day_hours(form.hours, "hours")
    fields.errors += hour_errors
    note = fields.text(form.note, "note", max_length=NOTE_MAX_LENGTH)
    fields.check()
    assert day is not None  # fields.check() raised otherwise
    return SpecialHours(day, hours, note)


D = TypeVar("D", bound=ClosureDraft)


def split_known(
    drafts: Sequence[D], known: Iterable[tuple[datetime, datetime]]
) -> tuple[list[D], list[D]]:
    """The drafts to add and those to skip: the same span as a closure `known` already, or
    as an earlier draft."""
    taken = set(known)
    fresh: list[D] = []
    skipped: list[D] = []
    for draft in drafts:
        span = (draft.start, draft.end)
        (skipped if span in taken else fresh).append(draft)
        taken.add(span)
    return fresh, skipped


# --- the impact step ---------------------------------------------------------------------


@dataclass(frozen=True)
class Consequence:
    """What happens to what a closure hits: `KEEP` or `CANCEL`, with the reason given."""

    choice: str
    cancel_reason: str


def read_consequence(
    choice: str, cancel_reason: str, *, choice_needed: bool = True, reason_needed: bool = False
) -> Consequence:
    """The staff's choice on the preview, or an `InputError` on `choice`/`cancel_reason`.

    There is no default: when `choice_needed` (confirmed bookings are hit), an empty choice
    is an error; otherwise the choice is left empty. `reason_needed`: the reason must be
    given (something is cancelled or refused and no other reason stands in)."""
    fields = Fields()
    if choice_needed and choice not in {KEEP, CANCEL}:
        fields.error("choice", _("Choose what happens to the bookings."))
    reason = fields.text(
        cancel_reason,
        "cancel_reason",
        max_length=300,
        required=_("Say why, for residents to read.") if reason_needed else None,
    )
    fields.check()
    return Consequence(choice if choice_needed else "", reason)


def fingerprint(ids: Iterable[Any]) -> str:
    """What the preview showed, carried by the confirmation: the sorted ids it hits."""
    return ",".join(sorted(str(one) for one in ids))


@dataclass(frozen=True)
class Impact:
    """What a change of a calendar or of its units hits from now on, earliest first.

    `outside`: confirmed bookings outside the new opening time (kept or cancelled, as staff
    choose); `requests`: pending requests outside it (refused with the reason either way);
    `over`: confirmed bookings over capacity with a larger buffer or a lower capacity (no
    keep: staff choose which to cancel until what remains fits). Items have an `id`."""

    outside: list[Any] = field(default_factory=list)
    requests: list[Any] = field(default_factory=list)
    over: list[Any] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.outside or self.requests or self.over)

    def keys(self) -> list[str]:
        """Each id with the list it is in."""
        return [
            *(f"outside:{one.id}" for one in self.outside),
            *(f"request:{one.id}" for one in self.requests),
            *(f"over:{one.id}" for one in self.over),
        ]

    def fingerprint(self) -> str:
        """What the preview showed, for the confirmation to carry."""
        return fingerprint(self.keys())

    def read(self, choice: str, cancel_reason: str) -> Consequence:
        """The staff's choice: keep or cancel when confirmed bookings are outside (no
        default), and a reason whenever something is cancelled or refused."""
        refuses = bool(self.requests or self.over) or (bool(self.outside) and choice == CANCEL)
        return read_consequence(
            choice, cancel_reason, choice_needed=bool(self.outside), reason_needed=refuses
        )


T = TypeVar("T")


def open_time_within(span: Interval, open_intervals: Iterable[Interval]) -> timedelta:
    """How much of `span` the open intervals cover."""
    covered = timedelta(0)
    for interval in open_intervals:
        start, end = max(span.start, interval.start), min(span.end, interval.end)
        if start < end:
            covered += end - start
    return covered


def losing_open_time(
    items: Iterable[T],
    span_of: Callable[[T], Interval],
    before: Sequence[Interval],
    after: Sequence[Interval],
) -> list[T]:
    """The items whose span the `after` opening time covers less of than `before` did: a
    change of hours hits a booking when it takes away any of its time, also a booking that
    was already partly outside (kept through an earlier closure) and loses more now."""
    return [
        item
        for item in items
        if open_time_within(span_of(item), after) < open_time_within(span_of(item), before)
    ]


def chosen(ticked: Iterable[str], listed: Iterable[Any]) -> list[Any]:
    """The listed items (with an `id`) whose id was ticked; other ids are ignored."""
    wanted = {one.strip() for one in ticked}
    return [one for one in listed if str(one.id) in wanted]


@dataclass(frozen=True)
class Confirmation:
    """What staff sent from the impact step: the choice, the reason, the `fingerprint` of
    what the step showed, and the ids of the bookings ticked to cancel."""

    choice: str = ""
    cancel_reason: str = ""
    expected: str = ""
    ticked: tuple[str, ...] = ()


def ticked_values(value: Sequence[str] | str) -> tuple[str, ...]:
    """A form's ticked boxes as a tuple, whether one value or several arrived."""
    return (value,) if isinstance(value, str) else tuple(value)


class ImpactChanged(Conflict):
    """What a change hits changed between the preview and the confirmation (or it hits
    something and nobody saw a preview); `affected` is what it hits now (a list, or an
    `Impact`), for a new preview."""

    def __init__(self, affected: Sequence[Any] | Impact) -> None:
        super().__init__(
            _("Bookings changed since you looked. Check the list again, then confirm."),
            rule="impact_changed",
        )
        self.affected: Any = affected if isinstance(affected, Impact) else list(affected)


class ImpactRefused(InputError):
    """The staff's answer on the impact step cannot be used (no choice, no reason, too few
    bookings ticked); `impact` is what the step shows again with the errors."""

    def __init__(self, errors: list[FieldError], impact: Impact) -> None:
        super().__init__(errors)
        self.impact = impact


def check_unchanged(expected: str, affected: Sequence[Any] | Impact, ids: Iterable[Any]) -> None:
    """Refuse with `ImpactChanged(affected)` unless `ids` are what the preview showed."""
    if fingerprint(ids) != expected:
        raise ImpactChanged(affected)
