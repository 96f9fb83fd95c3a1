"""Filing on behalf (代为登记): staff file a need for a resident who walked in or phoned, with
the resident's name and phone and what they agreed to. The need follows the loop like any
other; 回访 (needs.services.followups) is how the resident's word reaches it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from app.communities.services import managed_communities
from app.db import is_unique_violation, write_transaction
from app.errors import Forbidden
from app.formfields import Fields, checked
from app.i18n import _, localized
from app.permissions import Actor, staff_service
from app.settings import SUPPORTED_LOCALES
from app.tables import Community
from needs.logic import loop
from needs.logic.kinds import ReporterKind
from needs.logic.permissions import can_file_for_resident
from needs.services import need_notices
from needs.services.filing import (
    filed_with,
    read_need_text,
    stored_phone,
    texting_problem,
    usable_phone,
)
from needs.services.transitions import add_event, audit_step, lock_key
from needs.tables import Need

MAX_NAME = 40


@dataclass
class WalkInForm:
    community: str = ""
    """A community's slug; asked only of staff of several communities."""
    category: str = ""
    description: str = ""
    place: str = ""
    name: str = ""
    """The resident's name."""
    phone: str = ""
    """The resident's phone number."""
    keep_consent: str = ""
    """Ticked: the resident agreed that the community keeps their name and phone for it."""
    contact_consent: str = ""
    """Ticked: the resident agreed that whoever takes it may contact them."""
    notify_consent: str = ""
    """Ticked: the resident wants text messages about it."""
    language: str = ""
    """The language their text messages are written in (`SUPPORTED_LOCALES`); anything else
    is the `language` the service is given."""
    form_token: str = ""
    """The token of the form's render (`app.form_tokens`); the web layer checks it."""


async def _community(actor: Actor, slug: str, fields: Fields) -> Community | None:
    """The community chosen, or the actor's only one. Someone who serves no community, or
    not the one named, is refused (`Forbidden`); an unknown or missing choice is a field to
    correct."""
    slug = slug.strip()
    if slug:
        chosen = await Community.objects().where(Community.slug == slug).first()
        if chosen is not None and not can_file_for_resident(actor, chosen.id):
            raise Forbidden(_("You can file needs only for residents of your communities."))
    else:
        mine = await managed_communities(actor)
        if not mine:
            raise Forbidden(_("You can file needs only for residents of your communities."))
        chosen = mine[0] if len(mine) == 1 else None
    if chosen is None:
        fields.error("community", _("Choose one of your communities."))
    return chosen


@staff_service
async def file_for_resident(
    actor: Actor,
    form: WalkInForm,
    *,
    language: str,
    now: datetime,
    form_token: str | None = None,
) -> Need:
    """File an open need for a walk-in or phone resident (reporter kind `staff`, no account),
    filed by the actor, in the language chosen on the form, else in `language`. Their
    consent to keeping their name and phone is required and recorded as the actor's; the
    other staff of the community are told as of any new need.

    With `form_token` (checked by the caller), a repeat of the form that filed a need returns
    that need and files nothing; of two submissions at once, the token's unique index keeps
    the first.

    Raises `Forbidden` for a community the actor does not serve, `InputError` naming every
    field to correct, `MalformedRequest` for a token another filed with."""
    fields = Fields()
    category, description, place = read_need_text(
        fields, form.category, form.description, form.place
    )
    community = await _community(actor, form.community, fields)
    name = fields.text(
        form.name,
        "name",
        max_length=MAX_NAME,
        required=_("Enter the resident's name."),
        single_line=True,
    )
    phone = form.phone.strip()
    if not phone:
        fields.error("phone", _("Enter the resident's phone number, such as 13812345678."))
    elif not usable_phone(phone):
        fields.error("phone", _("Enter a phone number such as 13812345678."))
    elif (problem := texting_problem(phone, checked(form.notify_consent))) is not None:
        fields.error("phone", problem)
    if not checked(form.keep_consent):
        fields.error(
            "keep_consent",
            _(
                "Ask the resident first: without their agreement to keep their name and phone, "
                "the need cannot be filed for them."
            ),
        )
    fields.check()
    assert community is not None
    need = Need(
        id=uuid.uuid4(),
        community=community.id,
        category=category,
        description=description,
        place=place,
        photo="",
        status=loop.OPEN,
        reporter=None,
        reporter_kind=ReporterKind.staff.value,
        reporter_name=name,
        reporter_contact=stored_phone(phone),
        filed_by=actor.id,
        language=form.language if form.language in SUPPORTED_LOCALES else language,
        contact_consent=checked(form.contact_consent),
        notify_consent=checked(form.notify_consent),
        consent_recorded_by=actor.id,
        form_token=form_token,
        resources=[],
        created_at=now,
        updated_at=now,
    )
    try:
        return await _save(actor, need, community, now, form_token)
    except Exception as exc:
        if form_token is None or not is_unique_violation(exc):
            raise
        # The same form sent twice at once: the first's insert won.
        earlier = await filed_with(form_token, reporter=None, filed_by=actor.id)
        if earlier is None:
            raise
        return earlier


async def _save(
    actor: Actor, need: Need, community: Community, now: datetime, form_token: str | None
) -> Need:
    """Keep the walk-in's need, its event, the staff's notices and the audit entry, or
    return the need a repeat of the same form filed before."""
    async with write_transaction(lock_key(need.id)):
        if form_token is not None:
            earlier = await filed_with(form_token, reporter=None, filed_by=actor.id)
            if earlier is not None:
                return earlier
        await need.save()
        await add_event(need.id, "filed", actor_id=actor.id, now=now)
        await need_notices.tell_staff(
            need,
            "filed",
            need_notices.FILED,
            now=now,
            skip=actor.id,
            community=lambda: localized(community, "name"),
        )
        await audit_step(
            actor.id,
            "need.filed_for_resident",
            need,
            now=now,
            after={
                "contact_consent": need.contact_consent,
                "notify_consent": need.notify_consent,
            },
        )
    return need
