"""What people are told at each step of a need, and telling them: the reporter, the helper,
the community's staff, each in their own language; a reporter without an account who agreed
to it, by a text message in the language of the page they filed from.

The messages are message ids, translated per recipient: `%(summary)s` is the start of the
need's description, `%(category)s` its category."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from app import outbox
from app.i18n import N_, _, current_locale, localized, set_locale
from app.notifications import notify_user
from app.tables import Community, StaffMembership
from needs.logic import loop
from needs.logic.labels import CATEGORY_LABELS
from needs.services import follow_links
from needs.tables import Need
from stations.services.catalog import station_ref

FILED = N_("New need in %(community)s (%(category)s): %(summary)s")
DISPATCHED_TO_HELPER = N_("A need was sent to you (%(category)s): %(summary)s")
DISPATCHED_TO_BRANCH = N_(
    "A need was sent to your party branch, %(branch)s (%(category)s): %(summary)s. The first "
    "member to accept it takes it."
)
BRANCH_RETURNED = N_(
    "No member of the party branch can take a need; it is waiting again: %(summary)s"
)
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

TEXT_DISPATCHED = N_(
    "[Linli] Your report at %(place)s, “%(summary)s”, was sent to a helper. Follow it: %(url)s"
)
TEXT_DONE = N_("[Linli] Your report at %(place)s, “%(summary)s”, is done. Please rate it: %(url)s")
TEXT_LINK = N_("[Linli] The link to follow your report “%(summary)s”: %(url)s")
TEXT_SUMMARY_CHARS = 20
"""How much of the description a text message quotes: with the rest of it, about 70
characters before the link."""


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


# --- text messages to a reporter without an account ------------------------------------------


@contextmanager
def _in_language(locale: str) -> Iterator[None]:
    previous = current_locale()
    set_locale(locale)
    try:
        yield
    finally:
        set_locale(previous)


async def _where_filed(need: Need) -> str:
    """The station it was filed at, else its community, in the current language."""
    station = await station_ref(need.station_slug) if need.station_slug else None
    if station is not None:
        return localized(station, "name")
    row = await Community.objects().where(Community.id == need.community).first()
    return localized(row, "name") if row is not None else ""


def may_text(need: Need) -> bool:
    """The reporter has no account, left a phone number and agreed to text messages."""
    return need.reporter is None and need.notify_consent and bool(need.reporter_contact)


async def send_text(need: Need, message: str, *, now: datetime) -> None:
    """Queue one SMS to the phone that filed `need`, in the need's language, carrying its
    follow link (which rotates an old random link: see follow_links.follow_url). Call in the
    step's transaction."""
    url = await follow_links.follow_url(need)
    with _in_language(need.language):
        body = _(
            message,
            place=await _where_filed(need),
            summary=loop.summary(need.description, TEXT_SUMMARY_CHARS),
            url=url,
        )
    await outbox.enqueue("sms", need.reporter_contact, body, now=now)


async def text_reporter(need: Need, message: str, *, now: datetime) -> None:
    """`send_text`, only to a reporter `may_text`."""
    if may_text(need):
        await send_text(need, message, now=now)
