"""Reading a space's closure or maintenance block as staff typed it: the shared closure fields
(`app.calendar_exceptions`) plus what only spaces have, a block's units, and the choice made
on the impact preview. Closures imported from a calendar file become drafts too. Pure."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from app.calendar_exceptions import ClosureDraft, ClosureForm, read_closure
from app.formfields import Fields
from app.i18n import _
from app.ics_import import ImportedEvent

CLOSURE = "closure"
"""Shuts the whole space."""
BLOCK = "block"
"""Takes some units out of use (maintenance) and leaves the rest bookable."""


@dataclass
class SpaceClosureForm(ClosureForm):
    """A closure or block as typed, with the preview's choice once staff confirm."""

    kind: str = CLOSURE
    """`closure` (the whole space) or `block` (some units)."""
    units: str = ""
    choice: str = ""
    """`keep` or `cancel` what the closure hits (`app.calendar_exceptions`)."""
    cancel_reason: str = ""
    expected: str = ""
    """The fingerprint of the bookings the preview showed."""


@dataclass(frozen=True)
class SpaceClosureDraft(ClosureDraft):
    """A checked closure (`units` None) or block of `units`, not yet written."""

    units: int | None = None


def read_space_closure(
    form: SpaceClosureForm, zone: ZoneInfo, capacity: int, now: datetime
) -> SpaceClosureDraft:
    """The closure or block the form describes in the space's `zone`, or an `InputError`
    naming every bad field (a block's units among them)."""
    fields = Fields()
    units = None
    if form.kind == BLOCK:
        units = fields.whole(form.units, "units", low=1, high=capacity, required=True)
    elif form.kind != CLOSURE:
        fields.error("kind", _("Choose a closure or a block."))
    draft = read_closure(
        form, zone, now, reason_required=_("Say why, for residents to read."), fields=fields
    )
    return SpaceClosureDraft(draft.start, draft.end, draft.all_day, draft.reason, units)


def drafts_of(events: Iterable[ImportedEvent]) -> list[SpaceClosureDraft]:
    """Closures of the whole space, one for each imported calendar event."""
    return [SpaceClosureDraft(e.start, e.end, e.all_day, e.summary) for e in events]
