"""What the needs domain gives a person's data export."""

from __future__ import annotations

import uuid

from needs.services.accounts import export_account
from needs.tables import Need
from tests.factories import NOW, make_community, make_user


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
