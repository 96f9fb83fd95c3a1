"""Agreements with partner units (共建协议): recording one, renewing the one in force, ending
it early, and reading them, for staff of the unit's community (administrators: all); the
public count and the dashboard read them through `in_force_until` and `needing_attention`.

The rules are needs.logic.agreements. "Today" is the date in the site's zone at `now`. Every
change is written with its audit entry in one transaction, under a lock on the unit, so two
staff recording at once cannot both put an agreement in force on the same day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from app import audit
from app.db import existing, write_transaction
from app.errors import FieldError, InputError, NotFound, RuleViolation
from app.formfields import Fields
from app.i18n import _, format_day
from app.permissions import Actor, staff_service
from app.queries import in_staff_scope
from app.tables import Community
from needs.logic.agreements import (
    SOON_DAYS,
    AgreementForm,
    EndKind,
    Span,
    agreement_values,
    first_overlap,
    in_force,
    last_day,
    needs_attention,
)
from needs.services.lists import community_of, managed, require_editor
from needs.services.reports import report_zone
from needs.tables import PartnerAgreement, PartnerUnit

SUBJECT = "partner_agreement"


def today_at(now: datetime) -> date:
    """The date at `now` in the site's zone, which agreements' days are counted in."""
    return now.astimezone(report_zone()).date()


@dataclass(frozen=True)
class UnitAgreements:
    """A unit's agreements as its staff page shows them."""

    unit: PartnerUnit
    community: Community
    current: dict[str, Any] | None
    """The agreement in force today, with `last_day`."""
    past: list[dict[str, Any]]
    """The others, latest signed first, each with `last_day`."""


def _lock(unit_id: int) -> str:
    return f"needs-agreements:{unit_id}"


async def _of_unit(unit_id: int) -> list[dict[str, Any]]:
    return (
        await PartnerAgreement.select(
            *PartnerAgreement.all_columns(),
            PartnerAgreement.recorded_by.name.as_alias("recorded_by_name"),
            PartnerAgreement.ended_by.name.as_alias("ended_by_name"),
        )
        .where(PartnerAgreement.unit == unit_id)
        .order_by(PartnerAgreement.signed_on, ascending=False)
        .order_by(PartnerAgreement.id, ascending=False)
    )


def _audited(values: dict[str, Any]) -> dict[str, Any]:
    return {
        key: value.isoformat() if isinstance(value, date) else value
        for key, value in values.items()
    }


@staff_service
async def unit_agreements(actor: Actor, unit_id: int, now: datetime) -> UnitAgreements:
    """The unit's agreement in force today and its earlier (or ended) ones."""
    unit = await managed(actor, "unit", unit_id)
    today = today_at(now)
    current, past = None, []
    for row in await _of_unit(unit.id):
        row["last_day"] = last_day(row)
        if current is None and in_force(row, today):
            current = row
        else:
            past.append(row)
    return UnitAgreements(unit, await community_of(unit), current, past)


@staff_service
async def managed_agreement(actor: Actor, agreement_id: int) -> PartnerAgreement:
    """The agreement if the actor keeps its unit's community's lists (404 before 403)."""
    row = await PartnerAgreement.objects().where(PartnerAgreement.id == agreement_id).first()
    if row is None:
        raise NotFound(_("There is no such agreement."))
    unit = existing(await PartnerUnit.objects().where(PartnerUnit.id == row.unit).first())
    require_editor(actor, unit.community)
    return row


def _overlap_error(row: dict[str, Any]) -> InputError:
    message = _(
        "This unit already has an agreement in force from %(first)s to %(last)s. Renew it, "
        "end it, or choose dates outside it.",
        first=format_day(row["signed_on"], with_year=True),
        last=format_day(last_day(row), with_year=True),
    )
    return InputError([FieldError("signed_on", message)])


async def _insert(
    actor: Actor, unit: PartnerUnit, values: dict[str, Any], now: datetime, action: str
) -> PartnerAgreement:
    agreement = PartnerAgreement(
        unit=unit.id, **values, recorded_by=actor.id, created_at=now, updated_at=now
    )
    await agreement.save()
    await audit.record(
        actor_id=actor.id,
        action=f"{SUBJECT}.{action}",
        subject_type=SUBJECT,
        subject_id=agreement.id,
        community_id=unit.community,
        after=_audited({"unit": unit.id, **values}),
        now=now,
    )
    return agreement


@staff_service
async def record_agreement(
    actor: Actor, unit_id: int, form: AgreementForm, *, now: datetime
) -> PartnerAgreement:
    """Record an agreement the unit signed; refused (`InputError`) when its term would
    overlap the days another agreement of the unit is in force."""
    unit = await managed(actor, "unit", unit_id)
    fields = Fields()
    values = agreement_values(fields, form, today_at(now))
    fields.check()
    async with write_transaction(_lock(unit.id)):
        clash = first_overlap(await _of_unit(unit.id), Span(values["signed_on"], values["ends_on"]))
        if clash is not None:
            raise _overlap_error(clash)
        return await _insert(actor, unit, values, now, "create")


def _not_in_force() -> RuleViolation:
    return RuleViolation(
        "agreement_not_in_force",
        _("This agreement is no longer in force. Record a new agreement instead."),
    )


@staff_service
async def renew_agreement(
    actor: Actor, agreement_id: int, form: AgreementForm, *, now: datetime
) -> PartnerAgreement:
    """Record the renewal of the agreement in force: from the day the renewal was signed
    the old one stops (`renewed`) and the new one is in force."""
    old = await managed_agreement(actor, agreement_id)
    unit = existing(await PartnerUnit.objects().where(PartnerUnit.id == old.unit).first())
    fields = Fields()
    values = agreement_values(fields, form, today_at(now))
    signed_on = values["signed_on"]
    if signed_on is not None and signed_on <= old.signed_on:
        fields.error(
            "signed_on",
            _(
                "A renewal is signed after the agreement it renews (signed on %(day)s).",
                day=format_day(old.signed_on, with_year=True),
            ),
        )
    fields.check()
    async with write_transaction(_lock(unit.id)):
        rows = await _of_unit(unit.id)
        current = next(row for row in rows if row["id"] == old.id)
        if not in_force(current, today_at(now)):
            raise _not_in_force()
        others = [row for row in rows if row["id"] != old.id]
        clash = first_overlap(
            [*others, {**current, "ended_on": signed_on}], Span(signed_on, values["ends_on"])
        )
        if clash is not None:
            raise _overlap_error(clash)
        await _stop(actor, unit, current, signed_on, EndKind.renewed, now)
        return await _insert(actor, unit, values, now, "create")


async def _stop(
    actor: Actor,
    unit: PartnerUnit,
    row: dict[str, Any],
    day: date,
    kind: EndKind,
    now: datetime,
) -> None:
    await PartnerAgreement.update(
        {
            PartnerAgreement.ended_on: day,
            PartnerAgreement.end_kind: kind.value,
            PartnerAgreement.ended_by: actor.id,
            PartnerAgreement.updated_at: now,
        }
    ).where(PartnerAgreement.id == row["id"])
    await audit.record(
        actor_id=actor.id,
        action=f"{SUBJECT}.{'renew' if kind is EndKind.renewed else 'end'}",
        subject_type=SUBJECT,
        subject_id=row["id"],
        community_id=unit.community,
        before={"ended_on": None, "end_kind": ""},
        after=_audited({"ended_on": day, "end_kind": kind.value}),
        now=now,
    )


@staff_service
async def end_agreement(actor: Actor, agreement_id: int, *, now: datetime) -> PartnerUnit:
    """End the agreement in force early: from today on it no longer is. Returns its unit."""
    agreement = await managed_agreement(actor, agreement_id)
    unit = existing(await PartnerUnit.objects().where(PartnerUnit.id == agreement.unit).first())
    async with write_transaction(_lock(unit.id)):
        row = existing(
            await PartnerAgreement.select().where(PartnerAgreement.id == agreement.id).first()
        )
        if not in_force(row, today_at(now)):
            raise _not_in_force()
        await _stop(actor, unit, row, today_at(now), EndKind.ended, now)
    return unit


async def in_force_until(unit_ids: list[int], now: datetime) -> dict[int, date]:
    """The last day of the agreement in force today of each of `unit_ids` that has one."""
    if not unit_ids:
        return {}
    today = today_at(now)
    rows = await PartnerAgreement.select().where(
        PartnerAgreement.unit.is_in(unit_ids)
        & (PartnerAgreement.signed_on <= today)
        & (PartnerAgreement.ends_on >= today)
    )
    return {row["unit"]: last_day(row) for row in rows if in_force(row, today)}


async def needing_attention(actor: Actor, now: datetime) -> list[dict[str, Any]]:
    """Agreements of active units of the actor's communities whose term ends within
    `SOON_DAYS` days (`attention` `ending`), or ran out that recently with no agreement in
    force since (`lapsed`); soonest end first."""
    today = today_at(now)
    window = today.toordinal()
    rows = await PartnerAgreement.select(
        *PartnerAgreement.all_columns(),
        PartnerAgreement.unit.name_zh.as_alias("unit_name_zh"),
        PartnerAgreement.unit.name_en.as_alias("unit_name_en"),
        PartnerAgreement.unit._.community._.name_zh.as_alias("community_name_zh"),
        PartnerAgreement.unit._.community._.name_en.as_alias("community_name_en"),
    ).where(
        in_staff_scope(actor, PartnerAgreement.unit._.community)
        & (PartnerAgreement.unit._.active == True)  # noqa: E712
        & (PartnerAgreement.ends_on >= date.fromordinal(window - SOON_DAYS))
        & (PartnerAgreement.ends_on <= date.fromordinal(window + SOON_DAYS))
    )
    covered = set(await in_force_until([row["unit"] for row in rows], now))
    found = []
    for row in rows:
        attention = needs_attention(row, today, renewed=row["unit"] in covered)
        if attention is not None:
            found.append({**row, "attention": attention})
    return sorted(found, key=lambda row: (row["ends_on"], row["unit_name_zh"], row["id"]))
