"""China's public holidays and make-up working days (调休), kept as data.

They are announced each year by the State Council and cannot be computed. The shipped table
(`app/data/public_holidays_cn.csv`) is loaded once per year by `linli migrate`; after that,
administrators correct and extend it on the staff pages, and a later migrate never undoes
their edits. A new day off that would strand bookings goes through the impact step first
(`add`): the domains say what it hits (`app.domains.DayClosing`), the administrator keeps or
cancels the confirmed bookings, and the residents are told.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from app import audit, domains
from app.bounds import day_error
from app.calendar_exceptions import (
    Confirmation,
    Consequence,
    Impact,
    ImpactRefused,
    check_unchanged,
)
from app.db import write_transaction
from app.errors import Conflict, FieldError, Forbidden, InputError, NotFound
from app.i18n import _
from app.permissions import Actor, can_administer, staff_service
from app.tables import PublicHoliday, SiteSetting

DATA_FILE = Path(__file__).parent / "data" / "public_holidays_cn.csv"
HOLIDAYS_LOCK = "holidays"
LOCK_ATTEMPTS = 3
"""How often `add` takes its locks again when a space began closing on holidays meanwhile."""


@dataclass(frozen=True)
class HolidayRow:
    on_date: date
    is_workday: bool
    name_zh: str
    name_en: str


def shipped_rows() -> list[HolidayRow]:
    with DATA_FILE.open(encoding="utf-8") as data:
        lines = [line for line in data if not line.startswith("#")]
    return [
        HolidayRow(
            date.fromisoformat(row["date"]),
            row["kind"] == "workday",
            row["name_zh"],
            row["name_en"],
        )
        for row in csv.DictReader(lines)
    ]


async def load_shipped() -> list[int]:
    """Insert the shipped dates of each year not loaded before; returns the years loaded."""
    rows = shipped_rows()
    loaded = []
    for year in sorted({row.on_date.year for row in rows}):
        marker = f"holidays_loaded:{year}"
        async with write_transaction(HOLIDAYS_LOCK):
            if await SiteSetting.exists().where(SiteSetting.key == marker):
                continue
            existing = {
                r["on_date"]
                for r in await PublicHoliday.select(PublicHoliday.on_date).where(
                    (PublicHoliday.on_date >= date(year, 1, 1))
                    & (PublicHoliday.on_date <= date(year, 12, 31))
                )
            }
            new = [
                PublicHoliday(
                    on_date=row.on_date,
                    is_workday=row.is_workday,
                    name_zh=row.name_zh,
                    name_en=row.name_en,
                )
                for row in rows
                if row.on_date.year == year and row.on_date not in existing
            ]
            if new:
                await PublicHoliday.insert(*new)
                await _changed()
            await SiteSetting.insert(SiteSetting(key=marker, value="shipped"))
        loaded.append(year)
    return loaded


async def between(first: date, last: date) -> dict[date, bool]:
    """Each holiday or make-up day from `first` to `last`: True for a make-up working day."""
    rows = await PublicHoliday.select(PublicHoliday.on_date, PublicHoliday.is_workday).where(
        (PublicHoliday.on_date >= first) & (PublicHoliday.on_date <= last)
    )
    return {row["on_date"]: bool(row["is_workday"]) for row in rows}


async def of_years(years: list[int]) -> list[PublicHoliday]:
    return (
        await PublicHoliday.objects()
        .where(
            (PublicHoliday.on_date >= date(min(years), 1, 1))
            & (PublicHoliday.on_date <= date(max(years), 12, 31))
        )
        .order_by(PublicHoliday.on_date)
    )


async def _changed() -> None:
    for domain in domains.installed():
        if domain.after_holidays_changed:
            await domain.after_holidays_changed()


def _require_admin(actor: Actor) -> None:
    if not can_administer(actor):
        raise Forbidden(_("Only administrators may do this."))


@dataclass(frozen=True)
class Saved:
    """What `add` did: the date's row, whether anything changed (a confirmation sent twice
    changes nothing the second time), what the new holiday hit and the answer applied."""

    row: PublicHoliday
    changed: bool
    impact: Impact = field(default_factory=Impact)
    choice: str = ""


def _read(on_date_text: str, kind: str, name_zh: str, name_en: str) -> HolidayRow:
    errors = []
    on_date = None
    try:
        on_date = date.fromisoformat(on_date_text.strip())
    except ValueError:
        errors.append(FieldError("on_date", _("Enter a date like 2027-02-06.")))
    else:
        if (bound := day_error(on_date)) is not None:
            errors.append(FieldError("on_date", bound))
    if kind not in {"holiday", "workday"}:
        errors.append(FieldError("kind", _("Choose a day off or a make-up working day.")))
    if not name_zh.strip() or len(name_zh) > 60 or len(name_en) > 60:
        errors.append(FieldError("name_zh", _("Give the holiday's name (at most 60 characters).")))
    if errors:
        raise InputError(errors)
    assert on_date is not None  # an error was raised otherwise
    return HolidayRow(
        on_date, kind == "workday", name_zh.strip(), name_en.strip() or name_zh.strip()
    )


@staff_service
async def add(
    actor: Actor,
    on_date_text: str,
    kind: str,
    name_zh: str,
    name_en: str,
    *,
    now: datetime,
    confirmation: Confirmation | None = None,
) -> Saved:
    """Add or replace the entry of one date (administrators only).

    A day off closes every space that closes on holidays: when that hits confirmed bookings
    or pending requests from `now` on, it needs the administrator's `confirmation` of
    exactly that impact (else `ImpactChanged` with it; `ImpactRefused` when the answer
    cannot be used), applied in the same transaction under every such space's lock."""
    _require_admin(actor)
    entry = _read(on_date_text, kind, name_zh, name_en)
    for _attempt in range(LOCK_ATTEMPTS):
        keys = await _closing_keys()
        async with write_transaction(HOLIDAYS_LOCK, *keys):
            # A space that began closing on holidays since the keys were read is not locked.
            if set(await _closing_keys()) <= set(keys):
                return await _set_locked(actor, entry, confirmation, now)
    raise Conflict(_("Spaces were being changed at the same moment. Try again."), rule="busy")


async def _set_locked(
    actor: Actor, entry: HolidayRow, confirmation: Confirmation | None, now: datetime
) -> Saved:
    existing = await PublicHoliday.objects().where(PublicHoliday.on_date == entry.on_date).first()
    if existing is not None and (existing.is_workday, existing.name_zh, existing.name_en) == (
        entry.is_workday,
        entry.name_zh,
        entry.name_en,
    ):
        return Saved(existing, changed=False)
    parts = [] if entry.is_workday else await _closing_impact(entry.on_date, now)
    impact = Impact(
        outside=[hit for _closing, part in parts for hit in part.outside],
        requests=[hit for _closing, part in parts for hit in part.requests],
    )
    answer = confirmation or Confirmation()
    check_unchanged(answer.expected, impact, impact.keys())
    consequence = Consequence("", "")
    if impact:
        try:
            consequence = impact.read(answer.choice, answer.cancel_reason)
        except InputError as exc:
            raise ImpactRefused(exc.errors, impact) from exc
    await PublicHoliday.delete().where(PublicHoliday.on_date == entry.on_date)
    row = PublicHoliday(
        on_date=entry.on_date,
        is_workday=entry.is_workday,
        name_zh=entry.name_zh,
        name_en=entry.name_en,
    )
    await row.save()
    await _changed()
    done = [
        await closing.settle(actor, part, consequence, row, now) for closing, part in parts if part
    ]
    await audit.record(
        actor_id=actor.id,
        action="holiday.set",
        subject_type="holiday",
        subject_id=entry.on_date.isoformat(),
        after={
            "kind": "workday" if entry.is_workday else "holiday",
            "name_zh": row.name_zh,
            "name_en": row.name_en,
            **({"impact": done} if impact else {}),
        },
        now=now,
    )
    return Saved(row, True, impact, consequence.choice)


async def _closing_keys() -> list[str]:
    """The write locks of everything a day off closes, as the domains name them."""
    keys: set[str] = set()
    for domain in domains.installed():
        if domain.day_closing is not None:
            keys.update(await domain.day_closing.lock_keys())
    return sorted(keys)


async def _closing_impact(day: date, now: datetime) -> list[tuple[domains.DayClosing, Impact]]:
    """What closing `day` hits in each domain, from `now` on."""
    return [
        (domain.day_closing, await domain.day_closing.impact(day, now))
        for domain in domains.installed()
        if domain.day_closing is not None
    ]


@staff_service
async def remove(actor: Actor, holiday_id: int, *, now: datetime) -> None:
    """Take one date out of the table (administrators only)."""
    _require_admin(actor)
    async with write_transaction(HOLIDAYS_LOCK):
        row = await PublicHoliday.objects().where(PublicHoliday.id == holiday_id).first()
        if row is None:
            raise NotFound(_("There is no such date in the holiday table."))
        await PublicHoliday.delete().where(PublicHoliday.id == holiday_id)
        await audit.record(
            actor_id=actor.id,
            action="holiday.removed",
            subject_type="holiday",
            subject_id=row.on_date.isoformat(),
            before={"kind": "workday" if row.is_workday else "holiday", "name_zh": row.name_zh},
            now=now,
        )
        await _changed()
