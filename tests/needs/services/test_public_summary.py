"""The public summary refuses a phone number however staff write it: a mobile number with
spaces, dashes or dots, full-width digits, or a landline with its area code."""

from __future__ import annotations

import pytest

from app.errors import InputError
from needs.services.public_summary import write_public_summary
from needs.tables import Need
from tests.needs.world import T1, World, file, reload

pytestmark = pytest.mark.usefixtures("media")
REFUSED = "Anyone can read the public summary: leave out phone numbers."


@pytest.mark.parametrize(
    "summary",
    [
        "已修好，有问题打13812345678",
        "有问题打 138.1234.5678",
        "有问题打１３８１２３４５６７８",
        "物业电话 0355-2021234",
        "物业电话（0355）2021234",
        "物业电话 0355 20212345",
    ],
)
async def test_a_summary_with_a_phone_number_is_refused(world: World, summary: str) -> None:
    need, _token = await file(world.resident)
    with pytest.raises(InputError) as caught:
        await write_public_summary(world.staff, str(need.id), summary, now=T1)
    assert caught.value.by_field() == {"public_summary": REFUSED}
    assert (await reload(need)).public_summary == ""


@pytest.mark.parametrize(
    "summary",
    ["2026-12-07 换了 3 盏楼道灯", "已修好 12 号楼 301 室门口的灯", "共 1000 元，由物业承担"],
)
async def test_dates_rooms_and_sums_are_not_phone_numbers(world: World, summary: str) -> None:
    need, _token = await file(world.resident)
    saved: Need = await write_public_summary(world.staff, str(need.id), summary, now=T1)
    assert saved.public_summary == summary
