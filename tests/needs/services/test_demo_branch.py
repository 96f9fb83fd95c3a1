"""八一's party branch in the demo (支部派单): five party-member volunteers, one need taken by
a member and one waiting in the branch; and the upgrade of a demo from before the branch."""

from __future__ import annotations

import pytest

from app import demo as app_demo
from app.tables import Community, User
from needs.services import branches, helper_tasks
from needs.services.demo import bayi, guangchang_dong, guangchang_xi, loader
from needs.services.demo.shapes import DemoCommunity
from needs.tables import Need, NeedEvent, PartyBranch, Volunteer
from tests.factories import NOW, actor_for
from tests.needs.services.test_demo_figures import figures_of, table_counts


async def party_members(branch: PartyBranch) -> list[str]:
    rows = await Volunteer.select(Volunteer.user.login.as_alias("login")).where(
        (Volunteer.branch == branch.id) & (Volunteer.status == "approved")
    )
    return sorted(row["login"] for row in rows)


async def check_bayi_branch() -> None:
    community = await Community.objects().where(Community.slug == "bayi").first()
    [branch] = await PartyBranch.objects().where(PartyBranch.community == community.id)
    assert (branch.name_zh, branch.name_en, branch.active) == (
        "八一社区党支部",
        "Bayi Community Party Branch",
        True,
    )
    assert await party_members(branch) == [
        "13800000032",
        "13800000037",
        "13800000038",
        "13800000039",
        "13800000043",
    ]
    assert await branches.public_party_members(community.id) == 5
    needs = await Need.select(Need.id, Need.status, Need.volunteer).where(Need.branch == branch.id)
    by_status = {row["status"]: row for row in needs}
    assert sorted(by_status) == ["accepted", "dispatched"]
    assert by_status["dispatched"]["volunteer"] is None
    taker = await Volunteer.objects(Volunteer.user).get(
        Volunteer.id == by_status["accepted"]["volunteer"]
    )
    assert taker.user.login == "13800000038"
    sent = await NeedEvent.select(NeedEvent.detail).where(
        (NeedEvent.need == by_status["dispatched"]["id"]) & (NeedEvent.kind == "dispatched_branch")
    )
    assert sent == [{"detail": "八一社区党支部"}]
    # Every member sees the need waiting in the branch among their tasks.
    for login in await party_members(branch):
        user = await User.objects().get(User.login == login)
        tasks = [str(row["id"]) for row in await helper_tasks.tasks_of(await actor_for(user))]
        assert str(by_status["dispatched"]["id"]) in tasks
    figures = (await figures_of("bayi"))["all"]
    assert (figures.taken_by_party_members, figures.party_public) == (1, None)


async def test_bayi_has_a_branch_of_five_party_members(db: None) -> None:
    await app_demo.load(NOW)
    await loader.load(NOW)
    await check_bayi_branch()


BEFORE_BRANCHES = (
    DemoCommunity("bayi", bayi.PEOPLE[:8], bayi.UNITS, bayi.PROJECTS, bayi.NEEDS[:-2]),
    guangchang_xi.COMMUNITY,
    guangchang_dong.COMMUNITY,
)
"""The demo before party branches: 八一 without its branch, the three volunteers who joined
with it and the two needs sent through it."""


async def test_the_demo_upgrades_one_from_before_the_branch(
    db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    await app_demo.load(NOW)
    with monkeypatch.context() as patch:
        patch.setattr(loader, "COMMUNITIES", BEFORE_BRANCHES)
        await loader.load(NOW)
    assert await PartyBranch.count() == 0
    lines = await loader.load(NOW)
    assert lines[0] == "needs bayi: 7 units, 17 resources, 27 needs (added 2 needs, 0 units)"
    await check_bayi_branch()
    counts = await table_counts()
    assert await loader.load(NOW) == []
    assert await table_counts() == counts
