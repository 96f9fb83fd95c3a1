"""Tables of the `app` Piccolo app: the district's structure, accounts and their credentials.

Instants are `Timestamptz` in UTC and are always set explicitly by services (never the
column's default `now()`), so that tests can fix the clock.

Primary keys: a table that declares none gets Piccolo's serial `id`. Every such table says
`id: Serial` as an annotation, which types `row.id` as `int` and `Table.id` as the column
without changing the schema (an assigned `id = Serial(...)` would be a new column to
Piccolo's automatic migrations; tests/app/test_migrations.py checks they find nothing).
"""

from __future__ import annotations

from enum import StrEnum

from piccolo.columns import (
    JSON,
    Boolean,
    Bytea,
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


class LoginKind(StrEnum):
    phone = "phone"
    email = "email"


class District(Table):
    """A district (区) that runs Linli, such as 潞州区."""

    id: Serial
    slug = Varchar(length=64, unique=True)
    name_zh = Varchar(length=100)
    name_en = Varchar(length=100)


class Street(Table):
    """A street office (街道) of a district."""

    id: Serial
    district = ForeignKey(references=District, on_delete=OnDelete.restrict, null=False)
    slug = Varchar(length=64, unique=True)
    name_zh = Varchar(length=100)
    name_en = Varchar(length=100)


class Community(Table):
    """A residents' community (社区): the unit that owns spaces, stations and staff."""

    id: Serial
    street = ForeignKey(references=Street, on_delete=OnDelete.restrict, null=False)
    slug = Varchar(length=64, unique=True)
    name_zh = Varchar(length=100)
    name_en = Varchar(length=100)
    residents_need_approval = Boolean(default=False)
    """Staff confirm each new resident before that resident may book."""
    contact_verification = Boolean(default=False)
    """New residents confirm their phone or email with a one-time code before booking."""
    no_show_limit = Integer(null=True, default=None)
    """No-shows within `no_show_window_days` after which a resident may not book for that
    long; empty: no limit."""
    no_show_window_days = Integer(default=30)
    followup_after_days = Integer(default=3)
    """A need done but not rated for this many days is shown to staff as waiting for a
    follow-up (待回访)."""
    autoclose_after_days = Integer(default=14)
    """A need done and neither rated nor followed up for this many days closes as "closed
    without rating"."""
    latitude = Float(null=True, default=None)
    """The community's centre (WGS-84), where public answers place a need filed without a
    position of its own (Open311 GeoReport); empty: unknown."""
    longitude = Float(null=True, default=None)


class User(Table, tablename="linli_user"):
    """A person with an account: resident, staff member, volunteer or administrator."""

    id: Serial
    login = Varchar(length=254, unique=True)
    """Normalised mainland mobile number (11 digits) or lower-cased email address."""
    login_kind = Varchar(length=8, choices=LoginKind)
    name = Varchar(length=40)
    password_hash = Varchar(length=255)
    community = ForeignKey(references=Community, on_delete=OnDelete.restrict, null=True)
    locale = Varchar(length=8, default="")
    """Chosen language, or empty to follow the browser."""
    large_text = Boolean(default=False)
    is_admin = Boolean(default=False)
    active = Boolean(default=True)
    contact_verified_at = Timestamptz(null=True, default=None)
    resident_approved_at = Timestamptz(null=True, default=None)
    privacy_accepted_at = Timestamptz()
    privacy_version = Varchar(length=16)
    created_at = Timestamptz()
    password_changed_at = Timestamptz()
    last_signin_at = Timestamptz(null=True, default=None)


class StaffMembership(Table):
    """Makes a user staff of one community; unique per (user, community)."""

    id: Serial
    user = ForeignKey(references=User, on_delete=OnDelete.cascade, null=False)
    community = ForeignKey(references=Community, on_delete=OnDelete.cascade, null=False)
    created_at = Timestamptz()


class SignInSession(Table):
    """A signed-in browser. The cookie holds a random token; only its SHA-256 is stored."""

    id: Serial
    token_hash = Varchar(length=64, unique=True)
    user = ForeignKey(references=User, on_delete=OnDelete.cascade, null=False)
    created_at = Timestamptz()
    last_seen_at = Timestamptz()
    expires_at = Timestamptz(index=True)
    user_agent = Varchar(length=200, default="")


class ApiToken(Table):
    """A bearer token for the JSON API; only its SHA-256 is stored."""

    id: Serial
    user = ForeignKey(references=User, on_delete=OnDelete.cascade, null=False)
    name = Varchar(length=60)
    token_hash = Varchar(length=64, unique=True)
    prefix = Varchar(length=12)
    """The first characters of the token, shown so people can tell their tokens apart."""
    created_at = Timestamptz()
    expires_at = Timestamptz()
    last_used_at = Timestamptz(null=True, default=None)
    revoked_at = Timestamptz(null=True, default=None)


class OneTimeCode(Table):
    """A short code sent to a phone or mailbox to reset a password or verify a contact."""

    id: Serial
    user = ForeignKey(references=User, on_delete=OnDelete.cascade, null=False)
    purpose = Varchar(length=20)
    code_hash = Varchar(length=64)
    created_at = Timestamptz()
    expires_at = Timestamptz()
    consumed_at = Timestamptz(null=True, default=None)
    attempts = Integer(default=0)


class ThrottleEvent(Table):
    """One attempt counted in a throttling bucket (a failed sign-in, a sign-up, a code sent,
    a check-in …); see `app.throttle`."""

    id: Serial
    bucket = Varchar(length=100)
    occurred_at = Timestamptz()


class SiteSetting(Table):
    """Values created once and shared by every process, such as the secret key."""

    id: Serial
    key = Varchar(length=64, unique=True)
    value = Text()


class AuditEntry(Table):
    """Who changed what and when, with the state before and after."""

    id: Serial
    actor = ForeignKey(references=User, on_delete=OnDelete.set_null, null=True)
    action = Varchar(length=60)
    subject_type = Varchar(length=40)
    subject_id = Varchar(length=64)
    community = ForeignKey(references=Community, on_delete=OnDelete.set_null, null=True)
    before = JSON(default=None, null=True)
    after = JSON(default=None, null=True)
    occurred_at = Timestamptz(index=True)


class PublicHoliday(Table):
    """A date of the national holiday calendar: a day off, or a make-up working day (调休).

    China's holidays are set by the State Council each year and cannot be computed, so they
    are kept as data that administrators can correct.
    """

    id: Serial
    on_date = Date(unique=True)
    name_zh = Varchar(length=60)
    name_en = Varchar(length=60)
    is_workday = Boolean(default=False)
    """True for a weekend day that is worked to make up for a holiday."""


class Notification(Table):
    """Something a person should know: shown in the app, and sent by email or SMS through
    the outbox (`OutboxMessage`)."""

    id: Serial
    user = ForeignKey(references=User, on_delete=OnDelete.cascade, null=False)
    kind = Varchar(length=40)
    title = Varchar(length=200)
    body = Text(default="")
    link = Varchar(length=300, default="")
    created_at = Timestamptz(index=True)
    read_at = Timestamptz(null=True, default=None)


class OutboxMessage(Table):
    """An email or SMS waiting to go out, going out, sent, or given up on (`app.outbox`).

    Written in the transaction of the change it reports; a worker claims due rows
    (`claimed_by`, `claimed_until`) in a short transaction and sends them outside it, so
    several workers never send one row at once, and a worker that dies leaves its rows to be
    claimed again when the claim runs out (at-least-once delivery)."""

    id: Serial
    channel = Varchar(length=8)
    """`email` or `sms`."""
    to_address = Varchar(length=254, index=True)
    """An email address or a mainland mobile number; not necessarily an account's."""
    subject = Varchar(length=200, default="")
    body = Text(default="")
    """Rendered in the recipient's language when the row was written."""
    notification = ForeignKey(references=Notification, on_delete=OnDelete.set_null, null=True)
    user = ForeignKey(references=User, on_delete=OnDelete.cascade, null=True)
    created_at = Timestamptz()
    next_attempt_at = Timestamptz(index=True)
    attempts = Integer(default=0)
    claimed_by = Varchar(length=64, default="")
    claimed_until = Timestamptz(null=True, default=None)
    sent_at = Timestamptz(null=True, default=None)
    failed_at = Timestamptz(null=True, default=None)
    """Set when the last try failed; the row is not tried again."""
    last_error = Text(default="")


class JobLease(Table):
    """Who runs a scheduled job next: the process that moves `leased_until` forward wins."""

    id: Serial
    name = Varchar(length=60, unique=True)
    holder = Varchar(length=64, default="")
    leased_until = Timestamptz()
    last_run_at = Timestamptz(null=True, default=None)


class FeedKind(StrEnum):
    personal = "personal"
    """The person's own bookings (`/feeds/users/{token}.ics`)."""
    staff = "staff"
    """Everything booked in the person's communities (`/feeds/staff/{token}.ics`)."""


class FeedToken(Table):
    """The secret address of a private calendar feed. The token is derived from the secret
    key and `nonce`, so the account page can show it again; the database keeps only its
    SHA-256 for lookups. A new nonce makes a new address and ends the old one at once."""

    id: Serial
    user = ForeignKey(references=User, on_delete=OnDelete.cascade, null=False)
    kind = Varchar(length=10, choices=FeedKind)
    nonce = Varchar(length=64)
    token_hash = Varchar(length=64, unique=True)
    created_at = Timestamptz()
    last_used_at = Timestamptz(null=True, default=None)


class FeedCache(Table):
    """A built calendar feed, shared by every process: rebuilt only when its fingerprint (the
    versions of what it shows) changes, never once per poll."""

    id: Serial
    key = Varchar(length=200, unique=True)
    fingerprint = Varchar(length=64)
    etag = Varchar(length=64)
    last_modified = Timestamptz()
    body = Text()
    body_br = Bytea()
    """`body` compressed with brotli once per build (empty in rows built before there was)."""
    body_gzip = Bytea()
    """`body` compressed with gzip once per build (empty likewise)."""
    built_at = Timestamptz()


class IdempotentAnswer(Table):
    """The answer to an API request sent with an `Idempotency-Key`, kept per person and key
    for 24 hours so a retry gets it again (IETF draft-ietf-httpapi-idempotency-key-header).

    The row is written, in flight (`status` empty), before the request runs, so a second
    request with the key sees it; unique per (`user`, `key`) by an index of the migration.
    """

    id: Serial
    user = ForeignKey(references=User, on_delete=OnDelete.cascade, null=False)
    key = Varchar(length=255)
    """The key as the client sent it, without the quotes of the structured-field form."""
    target = Varchar(length=300)
    """The method and path the key was first used for, such as `POST /api/v1/bookings`."""
    fingerprint = Varchar(length=64)
    """SHA-256 (hex) of the request body's canonical JSON, or of its bytes if not JSON."""
    claim = Varchar(length=32)
    """A random value of the request that holds the row; a taker-over writes its own."""
    claimed_at = Timestamptz()
    """When the request that holds the row started; in flight past 60 s it is abandoned."""
    expires_at = Timestamptz(index=True)
    status = Integer(null=True, default=None)
    """The answer's status code; empty while the request is still in flight."""
    content_type = Varchar(length=100, default="")
    location = Varchar(length=300, default="")
    body = Bytea(default=b"")


class PhotoVisibility(StrEnum):
    public = "public"
    """A space's or a station's photo: anyone may see it, and caches keep it for a year."""
    private = "private"
    """A need's photo: only those who may read the need see it, and nothing keeps it."""


class Photo(Table):
    """An uploaded photo, cleaned of its metadata (app.photos), kept in the database so that
    every process on every host serves it. A photo never changes: a new upload is a new row
    with a new name, and the row goes when its owner replaces or removes it."""

    id: Serial
    name = Varchar(length=40, unique=True)
    """32 random URL-safe characters and `.jpg`: unguessable, and the file name of photos
    imported from the media folder."""
    visibility = Varchar(length=8, choices=PhotoVisibility)
    body = Bytea()
    """The JPEG as served."""
    etag = Varchar(length=64)
    """SHA-256 (hex) of `body`, sent quoted as the `ETag`."""
    created_at = Timestamptz()
