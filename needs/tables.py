"""Tables of the `needs` Piccolo app: the community-needs loop (点单—派单—接单—评单) and the
three lists (三张清单) it draws on: resources, needs and projects.

Needs may point at a booking or a series made for them; those live in `spaces`, so they are
kept here as opaque ids, never as foreign keys into another domain's tables.

Their kinds and statuses are enums in needs.logic.kinds. `id: Serial` annotates Piccolo's
implicit primary key (see app/tables.py).
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
from needs.logic.kinds import Category, NeedStatus, ReporterKind, VolunteerStatus


class PartnerUnit(Table):
    """A partner unit (共建单位): a company, school, office or organisation that helps the
    community. Its contact person may sign in to take needs dispatched to the unit."""

    id: Serial
    community = ForeignKey(references=Community, on_delete=OnDelete.restrict, null=False)
    name_zh = Varchar(length=100)
    name_en = Varchar(length=100, default="")
    kind = Varchar(length=40, default="")
    """What it is, in a few words (物业公司, 律师事务所, …)."""
    contact_name = Varchar(length=60, default="")
    contact_phone = Varchar(length=30, default="")
    contact_user = ForeignKey(references=User, on_delete=OnDelete.set_null, null=True)
    categories = Varchar(length=200, default="")
    """Comma list of the categories it helps with."""
    active = Boolean(default=True)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class PartnerAgreement(Table):
    """A cooperation agreement (共建协议) a community signed with one of its partner units.
    The term runs from `signed_on` to `ends_on`, both days included. An agreement is in force
    on a day of its term unless staff ended it early or renewed it (`ended_on`: from that day
    on it no longer is); past its term it has ended without anyone acting. A unit has at most
    one agreement in force on any day (needs.logic.agreements); earlier ones stay as history."""

    id: Serial
    unit = ForeignKey(references=PartnerUnit, on_delete=OnDelete.cascade, null=False)
    signed_on = Date()
    ends_on = Date()
    """The last day of the term."""
    scope = Varchar(length=200)
    """What the unit and the community agreed to do, in one sentence (shown to staff only)."""
    ended_on = Date(null=True, default=None)
    """The day staff ended it early, or the day its renewal was signed; empty otherwise."""
    end_kind = Varchar(length=10, default="")
    """`ended` (ended early by staff) or `renewed` when `ended_on` is set; empty otherwise."""
    ended_by = ForeignKey(references=User, on_delete=OnDelete.set_null, null=True)
    recorded_by = ForeignKey(references=User, on_delete=OnDelete.set_null, null=True)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class PartyBranch(Table):
    """A party branch (党支部) of the community. Staff mark volunteers as its party members
    and may send a need to the whole branch (支部派单): the first member to accept takes it.
    A retired branch keeps its history but gets no more needs."""

    id: Serial
    community = ForeignKey(references=Community, on_delete=OnDelete.restrict, null=False)
    name_zh = Varchar(length=100)
    name_en = Varchar(length=100, default="")
    active = Boolean(default=True)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class Volunteer(Table):
    """A resident who helps with some categories of needs, once staff approve them."""

    id: Serial
    user = ForeignKey(references=User, on_delete=OnDelete.cascade, null=False)
    community = ForeignKey(references=Community, on_delete=OnDelete.cascade, null=False)
    categories = Varchar(length=200, default="")
    skills = Varchar(length=300, default="")
    """What they can do, in their words."""
    status = Varchar(length=10, choices=VolunteerStatus)
    applied_at = Timestamptz()
    decided_at = Timestamptz(null=True, default=None)
    decided_by = ForeignKey(references=User, on_delete=OnDelete.set_null, null=True)
    branch = ForeignKey(references=PartyBranch, on_delete=OnDelete.set_null, null=True)
    """The branch of the community whose party member they are (党员志愿者), set by its staff;
    shown to them and to the volunteer alone, never publicly (only counts of at least
    `needs.logic.party.MIN_PUBLIC_COUNT` people are)."""


class Resource(Table):
    """Something a partner unit or a volunteer offers (a room, legal advice, repairs, a van
    on Saturdays): the first of the three lists."""

    id: Serial
    community = ForeignKey(references=Community, on_delete=OnDelete.cascade, null=False)
    unit = ForeignKey(references=PartnerUnit, on_delete=OnDelete.cascade, null=True)
    volunteer = ForeignKey(references=Volunteer, on_delete=OnDelete.cascade, null=True)
    title_zh = Varchar(length=100)
    title_en = Varchar(length=100, default="")
    description = Text(default="")
    category = Varchar(length=20, choices=Category)
    availability = Varchar(length=200, default="")
    """When it is available, in words (每周六上午, 工作日 9:00–17:00)."""
    active = Boolean(default=True)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class Project(Table):
    """A standing programme that bundles resources for recurring needs (the third list)."""

    id: Serial
    community = ForeignKey(references=Community, on_delete=OnDelete.cascade, null=False)
    title_zh = Varchar(length=100)
    title_en = Varchar(length=100, default="")
    description = Text(default="")
    categories = Varchar(length=200, default="")
    active = Boolean(default=True)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class ProjectResource(Table):
    id: Serial
    project = ForeignKey(references=Project, on_delete=OnDelete.cascade, null=False)
    resource = ForeignKey(references=Resource, on_delete=OnDelete.cascade, null=False)


class Open311Key(Table):
    """A partner system's key for filing needs through Open311 GeoReport v2 (`api_key`), issued
    by an administrator; only its SHA-256 is stored. Revoked keys stay, so the needs they filed
    still name the system."""

    id: Serial
    name = Varchar(length=80)
    """Who uses it, as the administrator named it (区12345热线, a partner unit's app)."""
    key_hash = Varchar(length=64, unique=True)
    prefix = Varchar(length=12)
    """The first characters of the key, shown so administrators can tell keys apart."""
    community = ForeignKey(references=Community, on_delete=OnDelete.cascade, null=True)
    """The only community it may file into; empty: any community of the district."""
    created_by = ForeignKey(references=User, on_delete=OnDelete.set_null, null=True)
    created_at = Timestamptz()
    last_used_at = Timestamptz(null=True, default=None)
    revoked_at = Timestamptz(null=True, default=None)
    revoked_by = ForeignKey(references=User, on_delete=OnDelete.set_null, null=True)


class Need(Table):
    """A need a resident (or a courier) asked the community to solve: the second list."""

    id = UUID(primary_key=True)
    community = ForeignKey(references=Community, on_delete=OnDelete.restrict, null=False)
    category = Varchar(length=20, choices=Category)
    description = Text()
    place = Varchar(length=200, default="")
    latitude = Float(null=True, default=None)
    longitude = Float(null=True, default=None)
    photo = Varchar(length=200, default="")
    status = Varchar(length=12, choices=NeedStatus)
    reporter = ForeignKey(references=User, on_delete=OnDelete.set_null, null=True)
    reporter_kind = Varchar(length=10, choices=ReporterKind)
    reporter_contact = Varchar(length=100, default="")
    """A phone number left by someone without an account, or by staff for a walk-in (shown
    to staff, and to the helper only with `contact_consent`), or empty."""
    reporter_name = Varchar(length=40, default="")
    """The name of a walk-in or phone resident staff filed for, or the name a partner system
    sent (Open311 `first_name` `last_name`), or empty."""
    reporter_email = Varchar(length=254, default="")
    """The email address a partner system sent (Open311 `email`), shown to staff only, or
    empty."""
    filed_by = ForeignKey(references=User, on_delete=OnDelete.set_null, null=True)
    """The staff member who filed it on someone's behalf (reporter kind `staff`)."""
    language = Varchar(length=8, default="zh_CN")
    """The locale of the page it was filed from: messages to a reporter without an account
    are written in it."""
    notify_consent = Boolean(default=False)
    """The reporter without an account agreed to get text messages about it on
    `reporter_contact`."""
    contact_consent = Boolean(default=False)
    """The reporter agreed that whoever takes the need may see how to reach them."""
    consent_recorded_by = ForeignKey(references=User, on_delete=OnDelete.set_null, null=True)
    """For a need filed on someone's behalf: the staff member who recorded their consent."""
    public_summary = Text(default="")
    """A staff-written summary for public pages; empty until written. The description never
    appears in public."""
    follow_token_hash = Varchar(length=64, null=True, default=None, unique=True)
    """SHA-256 of the secret link's token for someone without an account."""
    media_url = Varchar(length=500, default="")
    """A link to a photo a partner system sent (Open311 `media_url`): shown to staff as a link,
    never fetched, never public."""
    open311_key = ForeignKey(references=Open311Key, on_delete=OnDelete.set_null, null=True)
    """The partner system's key that filed it (reporter kind `system`)."""
    open311_token = Varchar(length=40, null=True, default=None)
    """The token a filing through Open311 answered (`tokens/{token}.json` finds the need).
    Unique (a raw migration's index); empty for needs filed otherwise."""
    station_slug = Varchar(length=64, default="")
    """The rest station it was filed from, if any."""
    form_token = Varchar(length=64, null=True, default=None)
    """The token of the form that filed it (`app.form_tokens`): a repeated submission finds
    this need instead of filing another. Unique (a raw migration's index); empty for needs
    filed before, and for demo ones."""
    volunteer = ForeignKey(references=Volunteer, on_delete=OnDelete.set_null, null=True)
    unit = ForeignKey(references=PartnerUnit, on_delete=OnDelete.set_null, null=True)
    branch = ForeignKey(references=PartyBranch, on_delete=OnDelete.set_null, null=True)
    """The party branch the need was sent to (支部派单), waiting for one of its members while
    `volunteer` is empty; once a volunteer who is a party member accepts it (sent through
    the branch or to them directly), their branch: the needs taken by party members."""
    project = ForeignKey(references=Project, on_delete=OnDelete.set_null, null=True)
    resources = JSON(default=[])
    """Ids of the resources used to solve it."""
    booking_ref = Varchar(length=40, default="")
    """The id of the booking it was turned into (spaces), if any."""
    series_ref = Varchar(length=40, default="")
    """The id of the group series it was turned into (spaces), if any."""
    resolution = Text(default="")
    """What was done, as recorded by whoever did it."""
    rating = Integer(null=True, default=None)
    rating_comment = Varchar(length=500, default="")
    times_reopened = Integer(default=0)
    created_at = Timestamptz()
    updated_at = Timestamptz()
    dispatched_at = Timestamptz(null=True, default=None)
    accepted_at = Timestamptz(null=True, default=None)
    done_at = Timestamptz(null=True, default=None)
    rated_at = Timestamptz(null=True, default=None)
    withdrawn_at = Timestamptz(null=True, default=None)
    followup_method = Varchar(length=10, default="")
    """How the latest 回访 was made (`FollowUpMethod`), or empty."""
    followup_result = Varchar(length=12, default="")
    """What the resident said at the latest 回访 (`FollowUpResult`), or empty."""
    followup_note = Varchar(length=500, default="")
    followed_up_at = Timestamptz(null=True, default=None)
    followed_up_by = ForeignKey(references=User, on_delete=OnDelete.set_null, null=True)
    closed_at = Timestamptz(null=True, default=None)
    """When it last reached a final status (rated, withdrawn, closed); empty while open.
    Personal data of a reporter without an account goes 30 days after."""
    personal_data_erased_at = Timestamptz(null=True, default=None)
    """When the name, phone and photo of a reporter without an account were deleted."""
    sequence = Integer(default=0)


class NeedEvent(Table):
    """One timestamped step of a need: filed, dispatched, accepted, declined, done, rated,
    reopened, turned into a booking, a note."""

    id: Serial
    need = ForeignKey(references=Need, on_delete=OnDelete.cascade, null=False)
    at = Timestamptz()
    actor = ForeignKey(references=User, on_delete=OnDelete.set_null, null=True)
    kind = Varchar(length=20)
    detail = Text(default="")
