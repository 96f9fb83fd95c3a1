"""The demo is faithful to the report: its figures, computed here from the rows with the
issue's one definition of each, and its upgrade from the demo before issue 15."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

import pytest

from app import demo as app_demo
from app.asgi import all_jobs, install_domains
from app.tables import Community, User
from needs.logic.report_figures import NeedFigures
from needs.services import reports
from needs.services.demo import guangchang_dong, guangchang_xi, loader
from needs.services.demo.shapes import DemoCommunity
from needs.services.erasure import erase_personal_data
from needs.tables import (
    Need,
    NeedEvent,
    PartnerAgreement,
    PartnerUnit,
    Project,
    Resource,
    Volunteer,
)
from tests.factories import NOW

TABLES = (User, PartnerUnit, Resource, Project, Volunteer, Need, NeedEvent, PartnerAgreement)


async def figures_of(slug: str) -> dict[str, NeedFigures]:
    """The community's figures by the one definition (needs.logic.report_figures), after one
    pass of every scheduled job: what the public page shows."""
    for job in all_jobs(install_domains()):
        await job.run(NOW)
    community = await Community.objects().where(Community.slug == slug).first()
    return await reports.community_figures(community, NOW)


async def needs_of(slug: str) -> list[dict[str, Any]]:
    community = await Community.objects().where(Community.slug == slug).first()
    return await Need.select().where(Need.community == community.id)


async def load_demo(now: datetime = NOW) -> None:
    await app_demo.load(now)
    await loader.load(now)


async def test_bayi_solves_95_percent_some_through_follow_up(db: None) -> None:
    await load_demo()
    assert await erase_personal_data(NOW) == 0  # the demo is as the daily job leaves it
    figures = (await figures_of("bayi"))["all"]
    assert (figures.total, figures.withdrawn, figures.counted, figures.solved) == (27, 1, 20, 19)
    assert figures.solved_rate == 0.95
    assert round(figures.satisfaction or 0, 4) == 0.85
    needs = await needs_of("bayi")
    followed = [need for need in needs if need["followed_up_at"] is not None]
    assert len(followed) == 7
    assert {need["status"] for need in followed} == {"rated"}
    assert {need["followup_result"] for need in followed} <= {"satisfied", "fairly"}
    assert {need["followup_method"] for need in followed} == {"phone", "visit"}
    walk_ins = [need for need in needs if need["reporter_kind"] == "staff"]
    assert len(walk_ins) == 7
    staff = await User.objects().where(User.login == "staff.bayi@linli.example").first()
    for need in walk_ins:
        assert need["reporter"] is None
        assert need["filed_by"] == need["consent_recorded_by"] == staff.id
        kept = need["closed_at"] is None or need["closed_at"] > NOW - timedelta(days=30)
        assert bool(need["reporter_name"]) == bool(need["reporter_contact"]) == kept
        assert (need["personal_data_erased_at"] is None) == kept
    couriers = [need for need in needs if need["reporter_kind"] == "courier"]
    assert len(couriers) == 6 and all(need["notify_consent"] for need in couriers)
    assert all(need["station_slug"].startswith("bayi-") for need in couriers)
    assert [need["status"] for need in needs].count("closed") == 1


async def test_the_other_communities_hold_the_reports_numbers(db: None) -> None:
    await load_demo()
    east = await figures_of("guangchang-dong")
    assert (east["all"].solved, east["all"].partner_units) == (12, 14)
    year = NOW - timedelta(days=365)
    assert (
        await Need.count().where(
            (Need.community.slug == "guangchang-dong") & (Need.created_at < year)
        )
        == 0
    )  # so all twelve were solved within the year
    dong = await Community.objects().where(Community.slug == "guangchang-dong").first()
    assert await PartnerUnit.count().where(PartnerUnit.community == dong.id) == 14
    xi = await Community.objects().where(Community.slug == "guangchang-xi").first()
    assert await PartnerUnit.count().where(PartnerUnit.community == xi.id) == 8
    assert await Resource.count().where(Resource.community == xi.id) == 35
    assert await Need.count().where(Need.community == xi.id) == 23
    assert await Need.count().where(Need.created_at > NOW - timedelta(days=90)) >= 10


async def test_no_demo_need_is_due_for_auto_close(db: None) -> None:
    """Every done need waiting for a rating or 回访 was done at most 10 days ago, well
    inside the 14 days after which the job closes it."""
    await load_demo()
    waiting = await Need.select(Need.done_at).where(
        (Need.status == "done") & Need.rated_at.is_null() & Need.followed_up_at.is_null()
    )
    assert len(waiting) == 3
    assert all(row["done_at"] > NOW - timedelta(days=10) for row in waiting)


async def table_counts() -> list[int]:
    return [await table.count() for table in TABLES]


async def test_loading_the_demo_twice_adds_nothing(db: None) -> None:
    await load_demo()
    counts = await table_counts()
    assert await loader.load(NOW + timedelta(days=3)) == []
    assert await table_counts() == counts


PREVIOUS = (
    replace(guangchang_xi.COMMUNITY, agreements=()),
    DemoCommunity(
        "guangchang-dong",
        guangchang_dong.PEOPLE,
        guangchang_dong.UNITS,
        guangchang_dong.PROJECTS,
        guangchang_dong.FIRST_NEEDS,
    ),
)
"""The demo before issue 15: 广场西 as now but without agreements, 广场东 with five needs,
nothing for 八一."""


async def load_previous_demo(monkeypatch: pytest.MonkeyPatch, now: datetime) -> None:
    """The rows the loader before issue 15 wrote: the same units, resources, projects,
    volunteers and needs of its two communities, with no `closed_at` (the column was new)."""
    await app_demo.load(now)
    with monkeypatch.context() as patch:
        patch.setattr(loader, "COMMUNITIES", PREVIOUS)
        await loader.load(now)
    await Need.update({Need.closed_at: None}, force=True)


async def test_the_demo_upgrades_the_previous_one_without_duplicates(
    db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    await load_previous_demo(monkeypatch, NOW - timedelta(days=20))
    assert await Need.count() == 23 + 5
    lines = await loader.load(NOW)
    assert lines[:3] == [
        "needs bayi: 7 units, 17 resources, 27 needs (added 27 needs, 7 units)",
        "needs guangchang-xi: 8 units, 35 resources, 23 needs, 2 agreements "
        "(added 0 needs, 0 units, 2 agreements)",
        "needs guangchang-dong: 14 units, 22 resources, 15 needs, 15 agreements "
        "(added 10 needs, 0 units, 15 agreements)",
    ]
    for slug, expected in (
        ("bayi", (7, 17, 27)),
        ("guangchang-xi", (8, 35, 23)),
        ("guangchang-dong", (14, 22, 15)),
    ):
        community = await Community.objects().where(Community.slug == slug).first()
        assert (
            await PartnerUnit.count().where(PartnerUnit.community == community.id),
            await Resource.count().where(Resource.community == community.id),
            await Need.count().where(Need.community == community.id),
        ) == expected
        descriptions = [row["description"] for row in await needs_of(slug)]
        assert len(set(descriptions)) == len(descriptions)
    assert await Volunteer.count() == 4 + 2 + 7
    assert await Project.count() == 5
    # What was final before the upgrade is closed from its last step on.
    unclosed = await Need.count().where(
        Need.status.is_in(["rated", "withdrawn", "closed"]) & Need.closed_at.is_null()
    )
    assert unclosed == 0
    counts = await table_counts()
    assert await loader.load(NOW) == []
    assert await table_counts() == counts
    fresh_users = {row["login"] for row in await User.select(User.login)}
    assert len(fresh_users) == await User.count()
