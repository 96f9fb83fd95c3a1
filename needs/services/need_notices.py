"""What people are told at each step of a need, and telling them: the reporter, the helper,
the community's staff, each in their own language.

The messages are message ids, translated per recipient: `%(summary)s` is the start of the
need's description, `%(category)s` its category."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from app.i18n import N_, _
from app.notifications import notify_user
from app.tables import StaffMembership
from needs.logic import loop
from needs.logic.labels import CATEGORY_LABELS
from needs.tables import Need

FILED = N_("New need in %(community)s (%(category)s): %(summary)s")
DISPATCHED_TO_HELPER = N_("A need was sent to you (%(category)s): %(summary)s")
DISPATCHED_TO_REPORTER = N_("Your need was sent to a helper: %(summary)s")
TAKEN_BACK = N_("A need sent to you was given to someone else: %(summary)s")
ACCEPTED = N_("A helper is handling your need: %(summary)s")
DECLINED = N_("A helper declined a need, it is waiting again: %(summary)s. Reason: %(reason)s")
DONE = N_("Your need was done: %(summary)s. Please rate how it went.")
RATED = N_("Your help was rated %(stars)s of 5: %(summary)s")
REOPENED = N_("A need was rated %(stars)s of 5 and is open again: %(summary)s")
REOPENED_AFTER_FOLLOWUP = N_(
    "At the follow-up the resident was dissatisfied; the need is open again: %(summary)s"
)
WITHDRAWN_BY_STAFF = N_("The community closed your need: %(summary)s. Reason: %(reason)s")
WITHDRAWN_FOR_HELPER = N_("A need sent to you was closed: %(summary)s")
WITHDRAWN_BY_REPORTER = N_("A need was withdrawn by the person who filed it: %(summary)s")
CONVERTED = N_("Your need was solved with a booking: %(resolution)s Please rate how it went.")


def reporter_link(need: Need) -> str:
    return f"/needs/{need.id}"


def staff_link(need: Need) -> str:
    return f"/staff/needs/{need.id}"


def task_link(need: Need) -> str:
    return f"/needs/tasks/{need.id}"


async def staff_user_ids(community_id: int) -> list[int]:
    rows = await StaffMembership.select(StaffMembership.user).where(
        StaffMembership.community == community_id
    )
    return sorted({row["user"] for row in rows})


async def tell(
    user_id: int | None,
    kind: str,
    message: str,
    need: Need,
    *,
    link: str,
    now: datetime,
    **params: Any,
) -> None:
    """One notification about `need`, in the recipient's language."""
    category = need.category
    await notify_user(
        user_id,
        f"need.{kind}",
        message,
        link=link,
        now=now,
        summary=loop.summary(need.description),
        category=lambda: _(CATEGORY_LABELS.get(category, category)),
        **params,
    )


async def tell_reporter(
    need: Need, kind: str, message: str, *, now: datetime, **params: Any
) -> None:
    """The signed-in reporter; someone without an account sees it on their secret link."""
    await tell(need.reporter, kind, message, need, link=reporter_link(need), now=now, **params)


async def tell_staff(
    need: Need, kind: str, message: str, *, now: datetime, skip: int | None = None, **params: Any
) -> None:
    """Every staff member of the need's community (but `skip`, who did it)."""
    for user_id in await staff_user_ids(need.community):
        if user_id != skip:
            await tell(user_id, kind, message, need, link=staff_link(need), now=now, **params)


async def tell_helper(
    user_id: int | None, need: Need, kind: str, message: str, *, now: datetime, **params: Any
) -> None:
    await tell(user_id, kind, message, need, link=task_link(need), now=now, **params)
