"""Tables of the `spaces` Piccolo app: spaces, their dated hours and closures, bookings.

`id: Serial` annotates Piccolo's implicit primary key (see app/tables.py).
"""

from __future__ import annotations

from piccolo.columns import (
    JSON,
    UUID,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Integer,
    OnDelete,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table

from app.tables import Community, User
from spaces.logic.kinds import SpaceKind
from spaces.logic.statuses import BookingStatus, SkipReason, WaitlistStatus


class Space(Table):
    """A bookable thing: a room, a court, a corner, or one item of a tool cabinet."""

    id: Serial
    slug = Varchar(length=64, unique=True)
    community = ForeignKey(references=Community, on_delete=OnDelete.restrict, null=False)
    kind = Varchar(length=20, choices=SpaceKind)
    name_zh = Varchar(length=100)
    name_en = Varchar(length=100)
    description_zh = Text(default="")
    description_en = Text(default="")
    location_zh = Varchar(length=200, default="")
    location_en = Varchar(length=200, default="")
    latitude = Float(null=True, default=None)
    longitude = Float(null=True, default=None)
    photo = Varchar(length=200, default="")
    """File name of the photo under the photo folder, or empty."""
    capacity = Integer(default=1)
    """Units that can be held at once: a court 1, a cabinet's two drills 2."""
    max_party_size = Integer(null=True, default=None)
    timezone = Varchar(length=64, default="Asia/Shanghai")
    weekly_hours = JSON(default={})
    """`{"mon": "09:00-12:00, 14:00-21:00", …}`; missing days are closed."""
    closed_on_holidays = Boolean(default=False)
    open_to_all_communities = Boolean(default=False)
    """False: only residents of the space's own community may book."""
    active = Boolean(default=True)
    # Rules; empty means "no such limit".
    slot_minutes = Integer(default=30)
    min_duration_minutes = Integer(null=True, default=None)
    max_duration_minutes = Integer(null=True, default=None)
    lead_time_minutes = Integer(null=True, default=None)
    horizon_days = Integer(null=True, default=None)
    cancel_cutoff_minutes = Integer(null=True, default=None)
    buffer_minutes = Integer(default=0)
    quota_day_minutes = Integer(null=True, default=None)
    quota_day_count = Integer(null=True, default=None)
    quota_week_minutes = Integer(null=True, default=None)
    quota_week_count = Integer(null=True, default=None)
    max_active_bookings = Integer(null=True, default=None)
    requires_approval = Boolean(default=False)
    checkin_grace_minutes = Integer(null=True, default=None)
    waitlist_offer_minutes = Integer(default=30)
    """How long a freed-up place is held for the first resident on the waitlist."""
    """If set, a confirmed booking not checked in this long after its start is released and
    counted as a no-show."""
    created_at = Timestamptz()
    updated_at = Timestamptz()
    version = Integer(default=0)
    """Grows with every change to its bookings or calendar; keys the caches of availability."""


class SpaceClosure(Table):
    """A dated closure (whole local days, or a time range) or a maintenance block, with a
    reason. A closure shuts the space; a block takes `units` out of use and leaves the rest
    bookable."""

    id: Serial
    space = ForeignKey(references=Space, on_delete=OnDelete.cascade, null=False)
    starts_at = Timestamptz()
    ends_at = Timestamptz()
    all_day = Boolean(default=False)
    reason = Varchar(length=200, default="")
    units = Integer(null=True, default=None)
    """None: the space is closed. A number: a block holding that many units."""
    created_by = ForeignKey(references=User, on_delete=OnDelete.set_null, null=True)
    created_at = Timestamptz()


class SpaceSpecialHours(Table):
    """Hours that replace the weekly ones on one local date (empty: closed that day)."""

    id: Serial
    space = ForeignKey(references=Space, on_delete=OnDelete.cascade, null=False)
    on_date = Date()
    hours = Varchar(length=200, default="")
    note = Varchar(length=200, default="")


class BookingSeries(Table):
    """A standing weekly slot (a group's Tuesday and Thursday mornings): the pattern, booked
    as one `Booking` per occurrence. Dates without an occurrence are `SeriesSkip` rows;
    occurrences edited on their own are `detached` and keep their own time."""

    id = UUID(primary_key=True)
    space = ForeignKey(references=Space, on_delete=OnDelete.cascade, null=False)
    user = ForeignKey(references=User, on_delete=OnDelete.set_null, null=True)
    """The resident it is booked for, if any."""
    group_name = Varchar(length=100, default="")
    weekdays = Varchar(length=30)
    """Comma list of day keys as in weekly hours: `tue,thu`."""
    start_time = Varchar(length=5)
    """Local wall time `HH:MM`."""
    end_time = Varchar(length=5)
    starts_on = Date()
    ends_on = Date()
    """The last date the pattern may fall on (computed from a count when one was given)."""
    repeat_count = Integer(null=True, default=None)
    """How many times, when the series was given a count rather than a last date."""
    units = Integer(default=1)
    note = Varchar(length=300, default="")
    created_by = ForeignKey(references=User, on_delete=OnDelete.set_null, null=True)
    created_at = Timestamptz()
    updated_at = Timestamptz()
    sequence = Integer(default=0)
    cancelled_at = Timestamptz(null=True, default=None)
    form_token = Varchar(length=64, null=True, default=None)
    """The token of the staff form that created it, unique per `created_by`: a repeated
    submission of that form finds this series instead of booking another."""


class SeriesSkip(Table):
    """A date of the pattern without an occurrence (an iCalendar EXDATE)."""

    id: Serial
    series = ForeignKey(references=BookingSeries, on_delete=OnDelete.cascade, null=False)
    on_date = Date()
    reason = Varchar(length=12, choices=SkipReason)
    created_at = Timestamptz()


class Booking(Table):
    """A resident's booking or request. The id is a random UUID, never sequential."""

    id = UUID(primary_key=True)
    space = ForeignKey(references=Space, on_delete=OnDelete.cascade, null=False)
    user = ForeignKey(references=User, on_delete=OnDelete.set_null, null=True)
    starts_at = Timestamptz()
    ends_at = Timestamptz()
    units = Integer(default=1)
    party_size = Integer(null=True, default=None)
    status = Varchar(length=12, choices=BookingStatus)
    note = Varchar(length=300, default="")
    """What the resident wrote (for staff, never public)."""
    idempotency_key = Varchar(length=100, null=True, default=None)
    created_at = Timestamptz()
    updated_at = Timestamptz()
    sequence = Integer(default=0)
    """Grows with every change of time, place or status (iCalendar SEQUENCE)."""
    decided_at = Timestamptz(null=True, default=None)
    decided_by = ForeignKey(references=User, on_delete=OnDelete.set_null, null=True)
    decision_note = Varchar(length=300, default="")
    cancelled_at = Timestamptz(null=True, default=None)
    cancelled_by = ForeignKey(references=User, on_delete=OnDelete.set_null, null=True)
    cancel_reason = Varchar(length=300, default="")
    rating = Integer(null=True, default=None)
    rating_comment = Varchar(length=500, default="")
    rated_at = Timestamptz(null=True, default=None)
    rating_hidden = Boolean(default=False)
    """Staff hid the comment (abuse); it stays for the audit log, never shown."""
    checked_in_at = Timestamptz(null=True, default=None)
    reminded_at = Timestamptz(null=True, default=None)
    booked_by = ForeignKey(references=User, on_delete=OnDelete.set_null, null=True)
    """The staff member who booked on the resident's behalf (代约), if any."""
    series = ForeignKey(references=BookingSeries, on_delete=OnDelete.set_null, null=True)
    occurrence_on = Date(null=True, default=None)
    """The local date of the series pattern this occurrence stands for (RECURRENCE-ID)."""
    detached = Boolean(default=False)
    """Edited on its own: edits of the whole series leave its time alone."""


class WaitlistEntry(Table):
    """A resident queuing for a taken time; the first in line gets a time-limited offer."""

    id = UUID(primary_key=True)
    space = ForeignKey(references=Space, on_delete=OnDelete.cascade, null=False)
    user = ForeignKey(references=User, on_delete=OnDelete.cascade, null=False)
    starts_at = Timestamptz()
    ends_at = Timestamptz()
    units = Integer(default=1)
    status = Varchar(length=10, choices=WaitlistStatus)
    created_at = Timestamptz()
    updated_at = Timestamptz()
    offered_at = Timestamptz(null=True, default=None)
    offer_expires_at = Timestamptz(null=True, default=None)
    booking = ForeignKey(references=Booking, on_delete=OnDelete.set_null, null=True)


class FeedEventText(Table):
    """One event's iCalendar text as a feed shows it: a booking, or a series with its
    overrides, for one audience (public, personal, staff), language and site address.
    `inputs` is a digest of everything the text is made from; a feed uses the text only
    while the digest still matches, so a change makes it stale without touching this row.
    Unique per (owner, audience, locale, base_url) by an index of the migration."""

    id: Serial
    owner = Varchar(length=60)
    """`booking:<id>` or `series:<id>`."""
    space = ForeignKey(references=Space, on_delete=OnDelete.cascade, null=False)
    audience = Varchar(length=10)
    locale = Varchar(length=10)
    base_url = Varchar(length=200)
    """The site address its links start with (empty in public texts, which have none)."""
    person = Integer(null=True, default=None, index=True)
    """The user whose booking it is: their texts go when their account does."""
    inputs = Varchar(length=100)
    text = Text()


class FeedTextDue(Table):
    """A space whose stored event texts may be stale, queued after the commit of the change
    for the job that rebuilds them (`spaces.services.feed_texts`); claimed like the outbox."""

    id: Serial
    space = Integer(unique=True)
    changes = Integer(default=1)
    """Grows with every change queued; the job deletes the row only if it did not grow."""
    claimed_until = Timestamptz(null=True, default=None)
