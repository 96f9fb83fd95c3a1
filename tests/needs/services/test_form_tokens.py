"""A need's form token (app.form_tokens): a repeated submission of one filing form, by a
resident, a courier without an account or staff filing for a walk-in, answers with the need
the first filed and files, tells and counts nothing more; a token of someone else's filing
is refused; of submissions at the same moment, exactly one files."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.errors import FieldError, MalformedRequest
from needs.services import follow_links, walk_ins
from needs.tables import Need, NeedEvent
from tests.needs.services.test_walk_ins import walk_in
from tests.needs.world import T0, T1, World, events_of, file, notices, snapshot
from tests.parallel import at_once

pytestmark = pytest.mark.usefixtures("media")

REFUSED = [
    FieldError(
        "form_token", "This form could not be checked. Look over the values and send it again."
    )
]


async def test_a_residents_repeated_filing_answers_with_the_first_need(world: World) -> None:
    first, token = await file(world.resident, form_token="t-1")
    again, again_token = await file(world.resident, at=T1, form_token="t-1")
    assert (again.id, token, again_token) == (first.id, None, None)
    assert await Need.count() == 1
    assert (await Need.objects().first()).form_token == "t-1"
    assert await events_of(first) == [("filed", T0, world.resident.id, "")]
    assert [user for user, *_ in await notices()] == [world.staff.id]


async def test_a_couriers_repeated_filing_answers_with_the_same_link_and_counts_once(
    world: World,
) -> None:
    first, token = await file(None, community="bayi", contact="13812345678", form_token="t-1")
    again, again_token = await file(
        None, community="bayi", contact="13812345678", at=T1, form_token="t-1"
    )
    assert again.id == first.id
    assert again_token == token == await follow_links.follow_token(first.id)
    assert await Need.count() == 1
    assert await NeedEvent.count() == 1
    assert [user for user, *_ in await notices()] == [world.staff.id]
    # The repeat took no place of the address's five an hour: four more are filed.
    for minute in range(4):
        await file(None, community="bayi", at=T1 + timedelta(minutes=minute))
    assert await Need.count() == 5


async def test_a_repeated_walk_in_filing_answers_with_the_first_need(world: World) -> None:
    first = await walk_ins.file_for_resident(
        world.staff, walk_in(), language="en", now=T0, form_token="t-1"
    )
    again = await walk_ins.file_for_resident(
        world.staff, walk_in(), language="en", now=T1, form_token="t-1"
    )
    assert again.id == first.id
    assert await Need.count() == 1
    assert await events_of(first) == [("filed", T0, world.staff.id, "")]
    assert await notices() == []  # the only staff member of bayi filed it


@pytest.mark.parametrize("second", ["neighbour", "courier", "staff"])
async def test_a_token_someone_else_filed_with_is_refused(world: World, second: str) -> None:
    await file(world.resident, form_token="t-1")
    before = await snapshot()
    with pytest.raises(MalformedRequest) as caught:
        if second == "staff":
            await walk_ins.file_for_resident(
                world.staff, walk_in(), language="en", now=T1, form_token="t-1"
            )
        else:
            actor = world.neighbour if second == "neighbour" else None
            await file(actor, community="bayi", at=T1, form_token="t-1")
    assert caught.value.errors == REFUSED
    assert await snapshot() == before


async def test_a_walk_in_token_of_another_staff_member_is_refused(world: World) -> None:
    await walk_ins.file_for_resident(
        world.staff, walk_in(), language="en", now=T0, form_token="t-1"
    )
    before = await snapshot()
    with pytest.raises(MalformedRequest):
        await walk_ins.file_for_resident(
            world.other_staff,
            walk_in(community="guangchang-dong"),
            language="en",
            now=T1,
            form_token="t-1",
        )
    assert await snapshot() == before


async def test_filings_without_a_token_are_each_filed(world: World) -> None:
    await file(world.resident)
    await file(world.resident)
    assert await Need.count() == 2


@pytest.mark.parametrize("filer", ["resident", "courier", "staff"])
async def test_five_submissions_of_one_form_at_once_file_one_need(world: World, filer: str) -> None:
    async def attempt(index: int) -> str:
        if filer == "staff":
            need = await walk_ins.file_for_resident(
                world.staff, walk_in(), language="en", now=T0, form_token="t-1"
            )
            return str(need.id)
        actor = world.resident if filer == "resident" else None
        need, _token = await file(actor, community="bayi", form_token="t-1")
        return str(need.id)

    # Five: a courier's filings at once, each taking a place of the address's five an hour.
    outcomes = at_once(attempt, attempts=5)
    [need] = await Need.objects()
    assert outcomes == {str(need.id): 5}
    assert await NeedEvent.count() == 1
    assert len(await notices()) == (0 if filer == "staff" else 1)


async def test_a_couriers_repeat_past_the_limit_still_gets_its_link(world: World) -> None:
    for minute in range(4):
        await file(None, community="bayi", at=T0 + timedelta(minutes=minute))
    fifth, token = await file(None, community="bayi", at=T1, form_token="t-5")
    again, again_token = await file(None, community="bayi", at=T1, form_token="t-5")
    assert (again.id, again_token) == (fifth.id, token)
    assert await Need.count() == 5
