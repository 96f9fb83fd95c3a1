"""Personal data of reporters without an account goes 30 days after their need closes; a
deleted account takes the phone, name and 回访 note of its needs with it."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime, timedelta
from typing import Any

from app import photos
from app.accounts import services
from app.asgi import install_domains
from app.tables import Photo, PhotoVisibility, User
from needs.domain import DOMAIN
from needs.services.erasure import erase_personal_data
from needs.tables import Need
from tests.factories import NOW, PASSWORD, make_community, make_user

KEPT = timedelta(days=30)
SECOND = timedelta(seconds=1)


async def make_need(community_id: int, **columns: Any) -> Need:
    values: dict[str, Any] = {
        "id": uuid.uuid4(),
        "community": community_id,
        "category": "repairs",
        "description": "城隍庙广场东侧的充电桩坏了",
        "status": "rated",
        "reporter": None,
        "reporter_kind": "courier",
        "reporter_name": "",
        "reporter_contact": "13900001234",
        "notify_consent": True,
        "followup_method": "phone",
        "followup_result": "satisfied",
        "followup_note": "电话回访：骑手说已经能充电了",
        "created_at": NOW - timedelta(days=60),
        "updated_at": NOW - timedelta(days=40),
        "closed_at": NOW - KEPT,
        **columns,
    }
    need = Need(**values)
    await need.save()
    return need


async def state(need: Need) -> tuple[str, str, str, str, datetime | None]:
    row = (
        await Need.select(
            Need.reporter_name,
            Need.reporter_contact,
            Need.photo,
            Need.followup_note,
            Need.personal_data_erased_at,
        )
        .where(Need.id == need.id)
        .first()
    )
    assert row is not None
    return (
        row["reporter_name"],
        row["reporter_contact"],
        row["photo"],
        row["followup_note"],
        row["personal_data_erased_at"],
    )


def test_the_erasure_runs_every_day() -> None:
    (job,) = [job for job in DOMAIN.jobs if job.name == "needs.erase_personal_data"]
    assert job.every == timedelta(days=1) and job.run is erase_personal_data


async def test_erasure_takes_name_phone_and_photo_thirty_days_after_closing(db: None) -> None:
    home = await make_community("bayi")
    photo = await photos.store_photo(b"\xff\xd8jpeg", PhotoVisibility.private, now=NOW)
    walk_in = await make_need(
        home.id,
        reporter_kind="staff",
        reporter_name="赵奶奶",
        reporter_contact="0355-2021234",
        photo=photo,
        closed_at=NOW - KEPT,
    )
    courier = await make_need(home.id, closed_at=NOW - KEPT + SECOND)

    assert await erase_personal_data(NOW) == 1

    note = "电话回访：骑手说已经能充电了"
    assert await state(walk_in) == ("", "", "", note, NOW)
    assert await Photo.count() == 0
    assert await state(courier) == ("", "13900001234", "", note, None)
    # One second later the courier's 30 days are over too.
    assert await erase_personal_data(NOW + SECOND) == 1
    assert await state(courier) == ("", "", "", note, NOW + SECOND)


async def test_erasure_leaves_open_needs_and_reporters_with_an_account(db: None) -> None:
    home = await make_community("bayi")
    resident = await make_user("13812345670", community=home)
    reopened = await make_need(home.id, status="open", closed_at=None)
    own = await make_need(
        home.id,
        reporter=resident.id,
        reporter_kind="resident",
        reporter_contact="13812345670",
        closed_at=NOW - timedelta(days=90),
    )
    assert await erase_personal_data(NOW) == 0
    assert (await state(reopened))[1] == "13900001234"
    assert (await state(own))[1:] == ("13812345670", "", "电话回访：骑手说已经能充电了", None)


async def test_erasure_run_twice_or_at_once_erases_each_need_once(db: None) -> None:
    home = await make_community("bayi")
    first = await make_need(home.id, closed_at=NOW - timedelta(days=45))
    second = await make_need(home.id, closed_at=NOW - timedelta(days=31))
    together = await asyncio.gather(erase_personal_data(NOW), erase_personal_data(NOW))
    assert sorted(together) in ([0, 2], [1, 1])
    assert await erase_personal_data(NOW + timedelta(days=1)) == 0
    for need in (first, second):
        assert (await state(need))[1:] == ("", "", "电话回访：骑手说已经能充电了", NOW)


async def test_the_account_export_holds_the_new_personal_fields(db: None) -> None:
    home = await make_community("bayi")
    resident = await make_user("13812345670", community=home)
    need = await make_need(
        home.id,
        reporter=resident.id,
        reporter_kind="resident",
        reporter_contact="13812345670",
        contact_consent=True,
        notify_consent=False,
        language="en",
        public_summary="已修好充电桩",
        followed_up_at=NOW - timedelta(days=31),
        done_at=NOW - timedelta(days=33),
    )
    (exported,) = (await DOMAIN.export_account(resident, NOW))["needs"]  # type: ignore[misc]
    assert exported == {
        "id": str(need.id),
        "community": "bayi",
        "category": "repairs",
        "description": "城隍庙广场东侧的充电桩坏了",
        "place": "",
        "status": "rated",
        "resolution": "",
        "rating": None,
        "rating_comment": "",
        "reporter_name": "",
        "reporter_contact": "13812345670",
        "language": "en",
        "contact_consent": True,
        "notify_consent": False,
        "followup_method": "phone",
        "followup_result": "satisfied",
        "followup_note": "电话回访：骑手说已经能充电了",
        "followed_up_at": (NOW - timedelta(days=31)).isoformat(),
        "created_at": (NOW - timedelta(days=60)).isoformat(),
        "done_at": (NOW - timedelta(days=33)).isoformat(),
        "closed_at": (NOW - KEPT).isoformat(),
    }


async def test_deleting_an_account_clears_phone_name_and_note_of_its_needs(db: None) -> None:
    install_domains()
    home = await make_community("bayi")
    resident = await make_user("13812345670", community=home)
    other = await make_user("13812345671", community=home)
    mine = await make_need(
        home.id,
        reporter=resident.id,
        reporter_kind="resident",
        reporter_name="王阿姨",
        reporter_contact="13812345670",
        contact_consent=True,
        public_summary="已修好充电桩",
    )
    theirs = await make_need(
        home.id, reporter=other.id, reporter_kind="resident", reporter_contact="13812345671"
    )
    before = await Need.select().where(Need.id == mine.id).first()

    await services.delete_account(resident, password=PASSWORD, now=NOW)

    after = await Need.select().where(Need.id == mine.id).first()
    assert before is not None and after is not None
    changed = {key for key in before if before[key] != after[key]}
    assert changed == {"reporter", "reporter_name", "reporter_contact", "followup_note"}
    assert (after["reporter"], after["reporter_contact"], after["followup_note"]) == (None, "", "")
    assert after["public_summary"] == "已修好充电桩" and after["contact_consent"] is True
    assert (await state(theirs))[1:4] == ("13812345671", "", "电话回访：骑手说已经能充电了")
    assert await User.count() == 1
