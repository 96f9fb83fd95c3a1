"""What the needs domain gives a person's data export."""

from __future__ import annotations

import uuid

from needs.services.accounts import export_account
from needs.tables import Need, PartyBranch, Volunteer
from tests.factories import NOW, make_community, make_user
from tests.needs.world import make_volunteer


async def test_a_persons_data_export_includes_their_needs(db: None) -> None:
    home = await make_community("bayi")
    resident = await make_user("13812345670", community=home)
    await Need(
        id=uuid.uuid4(),
        community=home.id,
        category="repairs",
        description="楼道灯坏了",
        status="open",
        reporter=resident.id,
        reporter_kind="resident",
        created_at=NOW,
        updated_at=NOW,
    ).save()
    exported = await export_account(resident, NOW)
    (need,) = exported["needs"]
    assert (need["community"], need["description"], need["status"]) == (
        "bayi",
        "楼道灯坏了",
        "open",
    )
    assert exported["volunteering"] == []


async def test_a_volunteers_data_export_includes_the_party_branch_staff_marked(db: None) -> None:
    home = await make_community("bayi")
    volunteer = await make_user("13812345671", community=home)
    other = await make_user("13812345672", community=home)
    branch = PartyBranch(community=home.id, name_zh="八一社区党支部", name_en="Bayi Party Branch")
    await branch.save()
    for user, branch_id in ((volunteer, branch.id), (other, None)):
        await make_volunteer(user, home)
        await Volunteer.update({Volunteer.branch: branch_id}).where(Volunteer.user == user.id)
    (marked,) = (await export_account(volunteer, NOW))["volunteering"]
    assert (marked["community"], marked["party_branch"]) == ("bayi", "八一社区党支部")
    (unmarked,) = (await export_account(other, NOW))["volunteering"]
    assert unmarked["party_branch"] is None
