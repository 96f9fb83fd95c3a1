"""The rules of the needs loop (点单—派单—接单—评单) as plain values: which step may follow
which status, what a rating does, the limits of what people type, and the words of the
timeline. No database, no HTTP."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from app.formfields import typed_id
from app.i18n import N_
from needs.logic.kinds import FollowUpResult, NeedStatus

MAX_DESCRIPTION = 1000
MAX_PLACE = 200
MAX_CONTACT = 30
MAX_RESOLUTION = 1000
MAX_REASON = 500
MAX_COMMENT = 500
MAX_NOTE = 500
LOW_RATING = 2
"""A rating of this many stars or fewer reopens the need."""
SUMMARY_CHARS = 40
"""How much of the description a notification quotes."""

OPEN = NeedStatus.open.value
DISPATCHED = NeedStatus.dispatched.value
ACCEPTED = NeedStatus.accepted.value
DONE = NeedStatus.done.value
RATED = NeedStatus.rated.value
WITHDRAWN = NeedStatus.withdrawn.value
CLOSED = NeedStatus.closed.value

FINAL = (RATED, WITHDRAWN, CLOSED)
"""The loop is over: `closed_at` is set, and a reporter without an account keeps their name,
phone and photo only for a while after it."""
ACTIVE = (OPEN, DISPATCHED, ACCEPTED)
"""Not finished: staff, helpers or the reporter still have something to do."""
MAY_DISPATCH = (OPEN, DISPATCHED)
"""Staff may send it (again): nobody has accepted it yet."""
MAY_CONVERT = ACTIVE
MAY_STAFF_WITHDRAW = ACTIVE
MAY_REPORTER_WITHDRAW = (OPEN, DISPATCHED)
MAY_ACCEPT = (DISPATCHED,)
MAY_DECLINE = (DISPATCHED, ACCEPTED)
MAY_FINISH = (ACCEPTED,)
MAY_RATE = (DONE, CLOSED)
"""A need closed without rating may still be rated: the resident's word closes it anew."""
MAY_FOLLOW_UP = (DONE, CLOSED, RATED)
"""Staff record a 回访 once the work is done, also after it closed or was rated."""
SATISFIED_RESULTS = (FollowUpResult.satisfied.value, FollowUpResult.fairly_satisfied.value)

EVENT_LABELS = {
    "filed": N_("Filed"),
    "dispatched": N_("Sent to a helper"),
    "dispatched_branch": N_("Sent to a party branch"),
    "passed": N_("A branch member cannot take it"),
    "returned": N_("Returned by the branch"),
    "accepted": N_("Accepted by the helper"),
    "declined": N_("Declined by the helper"),
    "done": N_("Done"),
    "rated": N_("Rated"),
    "reopened": N_("Reopened after a low rating"),
    "withdrawn": N_("Withdrawn or closed"),
    "converted": N_("Solved with a booking"),
    "note": N_("Note"),
    "followup": N_("Follow-up call or visit"),
    "closed_unrated": N_("Closed without rating"),
}
REPORTER_EVENT_LABELS = {
    **EVENT_LABELS,
    "dispatched_branch": N_("Sent to a helper"),
    "declined": N_("Returned to the community"),
    "returned": N_("Returned to the community"),
}
"""What the reporter reads: a helper's reasons for declining stay with the staff, and a need
sent to a party branch reads as sent to a helper (whoever comes is not shown to be a party
member)."""
REPORTER_SEES_DETAIL = frozenset({"done", "rated", "withdrawn", "converted"})
HELPER_SEES_DETAIL = frozenset(EVENT_LABELS) - {"followup"}
HIDDEN_FROM_HELPER = frozenset({"passed"})
"""Steps a helper's page leaves out: which other members of a branch passed on a need (who
is a party member is for the staff to know)."""
HIDDEN_FROM_REPORTER = frozenset({"passed"})
"""Steps the reporter's page leaves out: a branch member passing is the branch's matter."""
"""What the helper reads on their task page: every step's text but a 回访's note, which is
what the resident told the staff (the helper reads its method and result)."""


def status_after_rating(stars: int) -> str:
    """A low rating reopens the need for staff; a good one closes the loop."""
    return OPEN if stars <= LOW_RATING else RATED


def status_after_followup(result: str) -> str:
    """满意 or 基本满意 closes the loop; 不满意 reopens the need for staff, as a low rating."""
    return RATED if result in SATISFIED_RESULTS else OPEN


def followup_detail(method: str, result: str, note: str) -> str:
    """The timeline's record of a 回访: `phone/satisfied`, then the note (the method and the
    result are translated when shown, so the record keeps their keys)."""
    return f"{method}/{result}" + (f" · {note}" if note else "")


def read_followup_detail(detail: str) -> tuple[str, str, str]:
    """`followup_detail()` read back: method, result and note."""
    keys, _sep, note = detail.partition(" · ")
    method, _slash, result = keys.partition("/")
    return method, result, note


def rating_detail(stars: int, comment: str) -> str:
    """The timeline's record of a rating: `4/5`, then the comment."""
    return f"{stars}/5" + (f" · {comment}" if comment else "")


def resource_ids(value: Any) -> list[int]:
    """The ids in a need's `resources` column (a JSON list, read as text by `objects()`)."""
    if isinstance(value, str):
        try:
            value = json.loads(value or "[]")
        except ValueError:
            return []
    return [int(item) for item in value or [] if str(item).isdigit()]


def summary(description: str, limit: int = SUMMARY_CHARS) -> str:
    """The start of a description on one line, for notifications and lists."""
    flat = " ".join(description.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def queue_order(status: str, created_at: object) -> tuple[int, object]:
    """Open needs first, then the other active ones, then the rest; oldest first within."""
    rank = 0 if status == OPEN else 1 if status in ACTIVE else 2
    return rank, created_at


HELPER_KINDS = ("volunteer", "unit", "branch")
"""Whom staff send a need to: a volunteer, a partner unit, or a party branch (支部派单)."""


def helper_key(kind: str, row_id: int) -> str:
    """How a dispatch form names a helper: `volunteer:3`, `unit:7`, `branch:2`."""
    return f"{kind}:{row_id}"


def parse_helper_key(value: str) -> tuple[str, int] | None:
    kind, _sep, number = value.strip().partition(":")
    found = typed_id(number)
    if kind not in HELPER_KINDS or found is None:
        return None
    return kind, found


PERSONAL_DATA_KEPT = timedelta(days=30)
"""How long after a need closes the name, phone and photo of a reporter without an account
are kept (invariant 4): long enough for a late question, no longer."""


def personal_data_due(closed_at: datetime | None, now: datetime) -> bool:
    """Whether a closed need of a reporter without an account must lose their personal data."""
    return closed_at is not None and closed_at <= now - PERSONAL_DATA_KEPT
