"""China's public holidays and make-up working days (调休), kept as data.

They are announced each year by the State Council and cannot be computed. The shipped table
(`app/data/public_holidays_cn.csv`) is loaded once per year by `linli migrate`; after that,
administrators correct and extend it on the staff pages, and a later migrate never undoes
their edits.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from app import audit, domains
from app.bounds import day_error
from app.db import write_transaction
from app.errors import FieldError, Forbidden, InputError, NotFound
from app.i18n import _
from app.permissions import Actor, can_administer, staff_service
from app.tables import PublicHoliday, SiteSetting

DATA_FILE = Path(__file__).parent / "data" / "public_holidays_cn.csv"


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
        async with write_transaction("holidays"):
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


@staff_service
async def add(
    actor: Actor, on_date_text: str, kind: str, name_zh: str, name_en: str, *, now: datetime
) -> PublicHoliday:
    """Add or replace the entry of one date (administrators only)."""
    _require_admin(actor)
    errors = []
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
    async with write_transaction("holidays"):
        await PublicHoliday.delete().where(PublicHoliday.on_date == on_date)
        row = PublicHoliday(
            on_date=on_date,
            is_workday=kind == "workday",
            name_zh=name_zh.strip(),
            name_en=name_en.strip() or name_zh.strip(),
        )
        await row.save()
        await audit.record(
            actor_id=actor.id,
            action="holiday.set",
            subject_type="holiday",
            subject_id=on_date.isoformat(),
            after={"kind": kind, "name_zh": row.name_zh, "name_en": row.name_en},
            now=now,
        )
        await _changed()
    return row


@staff_service
async def remove(actor: Actor, holiday_id: int, *, now: datetime) -> None:
    """Take one date out of the table (administrators only)."""
    _require_admin(actor)
    async with write_transaction("holidays"):
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
