"""Agreements with partner units, below the pages: recordings racing for the same days, and
the demo's agreements (广场东: all 14 units under agreement, one ending within 30 days)."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import date

from app import demo as app_demo
from app.errors import InputError
from app.tables import Community, User
from needs.logic.agreements import AgreementForm, term_end
from needs.services import agreements, public
from needs.services.demo import loader as demo
from needs.tables import PartnerAgreement, PartnerUnit
from tests.factories import NOW, actor_for, make_community, make_user


async def test_two_recordings_at_once_put_one_agreement_in_force(db: None) -> None:
    home = await make_community("guangchang-xi")
    staff = await actor_for(await make_user("staff@west.example", staff_of=[home]))
    unit = PartnerUnit(community=home.id, name_zh="城东物业", created_at=NOW, updated_at=NOW)
    await unit.save()
    forms = [
        AgreementForm("2026-01-01", "2026-12-31", "甲"),
        AgreementForm("2026-02-01", "2027-01-31", "乙"),
        AgreementForm("2025-12-01", "2026-11-30", "丙"),
    ]
    outcomes = await asyncio.gather(
        *(agreements.record_agreement(staff, unit.id, form, now=NOW) for form in forms),
        return_exceptions=True,
    )
    assert sorted(type(outcome).__name__ for outcome in outcomes) == [
        "InputError",
        "InputError",
        "PartnerAgreement",
    ]
    assert all(
        set(outcome.by_field()) == {"signed_on"}
        for outcome in outcomes
        if isinstance(outcome, InputError)
    )
    assert await PartnerAgreement.count() == 1


async def test_two_renewals_at_once_renew_it_once(db: None) -> None:
    home = await make_community("guangchang-xi")
    staff = await actor_for(await make_user("staff@west.example", staff_of=[home]))
    unit = PartnerUnit(community=home.id, name_zh="城东物业", created_at=NOW, updated_at=NOW)
    await unit.save()
    old = await agreements.record_agreement(
        staff, unit.id, AgreementForm("2025-06-01", "2026-05-31", "甲"), now=NOW
    )
    forms = [
        AgreementForm("2026-03-02", "2027-03-01", "乙"),
        AgreementForm("2026-03-01", "2027-02-28", "丙"),
    ]
    outcomes = await asyncio.gather(
        *(agreements.renew_agreement(staff, old.id, form, now=NOW) for form in forms),
        return_exceptions=True,
    )
    assert sorted(type(outcome).__name__ for outcome in outcomes) == [
        "PartnerAgreement",
        "RuleViolation",
    ], outcomes
    rows = await PartnerAgreement.select(
        PartnerAgreement.scope, PartnerAgreement.ended_on
    ).order_by(PartnerAgreement.id)
    assert len(rows) == 2 and rows[0]["scope"] == "甲" and rows[0]["ended_on"] is not None


async def test_the_demo_puts_every_unit_of_guangchang_east_under_agreement(db: None) -> None:
    await app_demo.load(NOW)
    await demo.load(NOW)
    east = await Community.objects().where(Community.slug == "guangchang-dong").first()
    west = await Community.objects().where(Community.slug == "guangchang-xi").first()
    bayi = await Community.objects().where(Community.slug == "bayi").first()
    assert await public.units_under_agreement(east, NOW) == 14
    assert await public.units_under_agreement(west, NOW) == 2
    assert await public.units_under_agreement(bayi, NOW) == 0
    rows = await PartnerAgreement.select(
        PartnerAgreement.signed_on, PartnerAgreement.ends_on, PartnerAgreement.unit.name_zh
    ).where(PartnerAgreement.unit._.community == east.id)
    assert len(rows) == 15
    # Signed within the last two years, for terms of one to three years.
    assert min(row["signed_on"] for row in rows) == date(2024, 4, 1)
    assert max(row["signed_on"] for row in rows) == date(2026, 1, 1)
    terms = Counter(
        years
        for row in rows
        for years in (1, 2, 3)
        if row["ends_on"] == term_end(row["signed_on"], years)
    )
    assert terms == {1: 6, 2: 6, 3: 3}
    staff = await actor_for(
        await User.objects().where(User.login == "staff.guangchang-dong@linli.example").first()
    )
    attention = await agreements.needing_attention(staff, NOW)
    assert [
        (row["unit_name_zh"], row["signed_on"], row["ends_on"], row["scope"], row["attention"])
        for row in attention
    ] == [
        (
            "潞州区交警大队太行东街中队",
            date(2025, 3, 17),
            date(2026, 3, 16),
            "共建文明停车秩序，每月联合巡查一次",
            "ending",
        )
    ]
    # Loading again, even days later, adds nothing.
    count = await PartnerAgreement.count()
    await demo.load(NOW.replace(day=9))
    assert await PartnerAgreement.count() == count
