"""Staff dispatching needs (派单): the queue, candidates, and what staff of another community
cannot reach."""

from __future__ import annotations

import pytest

from app.errors import FieldError, InputError, NotFound
from needs.services import (
    convert,
    dispatch,
)
from spaces.tables import Booking
from tests.factories import make_space
from tests.needs.world import (
    T0,
    T1,
    T2,
    T3,
    World,
    file,
    make_unit,
    make_volunteer,
    snapshot,
)

pytestmark = pytest.mark.usefixtures("media")


async def test_dispatching_to_a_helper_of_another_community_is_refused(world: World) -> None:
    need, _ = await file(world.resident)
    foreign_unit = await make_unit(world.other, contact=world.stranger.user)
    retired_unit = await make_unit(world.home, active=False)
    applied = await make_volunteer(world.neighbour.user, world.home, status="applied")
    before = await snapshot()
    refusals = {
        f"volunteer:{world.stranger_volunteer.id}": "This volunteer is not an approved "
        "volunteer of the need's community.",
        f"volunteer:{applied.id}": "This volunteer is not an approved volunteer of the need's "
        "community.",
        f"unit:{foreign_unit.id}": "This partner unit is not an active partner of the need's "
        "community.",
        f"unit:{retired_unit.id}": "This partner unit is not an active partner of the need's "
        "community.",
        "": "Choose a volunteer, a partner unit or a party branch.",
        "volunteer:999": "This volunteer is not an approved volunteer of the need's community.",
    }
    for helper, message in refusals.items():
        with pytest.raises(InputError) as caught:
            await dispatch.dispatch(
                world.staff, str(need.id), dispatch.DispatchForm(helper=helper), now=T1
            )
        assert caught.value.errors == [FieldError("helper", message)], helper
    assert await snapshot() == before


@pytest.mark.parametrize(
    ("form", "field", "message"),
    [
        (dispatch.DispatchForm(helper="branch:²"), "helper", "Choose a volunteer, a partner "
         "unit or a party branch."),
        (dispatch.DispatchForm(helper="volunteer:99999999999999999999"), "helper", "Choose a "
         "volunteer, a partner unit or a party branch."),
        (dispatch.DispatchForm(helper="unit:٣"), "helper", "Choose a volunteer, a partner unit "
         "or a party branch."),
        (dispatch.DispatchForm(project="99999999999999999999"), "project", "Choose a project "
         "of the need's community."),
        (dispatch.DispatchForm(resources=["²"]), "resources", "Choose resources of the need's "
         "community."),
    ],
)  # fmt: skip
async def test_ids_no_column_holds_are_refused_not_a_500(
    world: World, form: dispatch.DispatchForm, field: str, message: str
) -> None:
    need, _ = await file(world.resident)
    if field != "helper":
        form.helper = f"volunteer:{world.volunteer.id}"
    before = await snapshot()
    with pytest.raises(InputError) as caught:
        await dispatch.dispatch(world.staff, str(need.id), form, now=T1)
    assert caught.value.errors == [FieldError(field, message)]
    assert await snapshot() == before


async def test_staff_of_another_community_reach_nothing(world: World) -> None:
    need, _ = await file(world.resident)
    await make_space(world.home, "music-room")
    before = await snapshot()
    foreign = world.other_staff
    with pytest.raises(NotFound):
        await dispatch.managed_need(foreign, str(need.id))
    with pytest.raises(NotFound):
        await dispatch.dispatch(
            foreign,
            str(need.id),
            dispatch.DispatchForm(helper=f"volunteer:{world.stranger_volunteer.id}"),
            now=T1,
        )
    with pytest.raises(NotFound):
        await dispatch.withdraw(foreign, str(need.id), reason="Not ours", now=T1)
    with pytest.raises(NotFound):
        await convert.to_booking(
            foreign,
            str(need.id),
            convert.BookingForm(
                space="music-room", on_date="2026-03-03", start_time="10:00", end_time="11:00"
            ),
            now=T1,
        )
    with pytest.raises(NotFound):
        await convert.to_series(foreign, str(need.id), convert.SeriesForm(), now=T1)
    assert await dispatch.queue(foreign, dispatch.QueueFilter(status="all")) == []
    assert await snapshot() == before
    assert await Booking.count() == 0


async def test_the_queue_puts_open_needs_first_oldest_first(world: World) -> None:
    first, _ = await file(world.resident, at=T0)
    second, _ = await file(world.neighbour, at=T1, category="environment", description="Rubbish")
    third, _ = await file(world.resident, at=T2, category="parking", description="Cars")
    form = dispatch.DispatchForm(helper=f"volunteer:{world.volunteer.id}")
    await dispatch.dispatch(world.staff, str(first.id), form, now=T3)
    rows = await dispatch.queue(world.staff, dispatch.QueueFilter())
    assert [(row["id"], row["status"]) for row in rows] == [
        (second.id, "open"),
        (third.id, "open"),
        (first.id, "dispatched"),
    ]
    assert rows[2]["volunteer_name"] == "刘师傅"
    parking = await dispatch.queue(world.staff, dispatch.QueueFilter(category="parking"))
    assert [row["id"] for row in parking] == [third.id]
    sent = await dispatch.queue(world.staff, dispatch.QueueFilter(status="dispatched"))
    assert [row["id"] for row in sent] == [first.id]


async def test_candidates_matching_the_category_come_first(world: World) -> None:
    need, _ = await file(world.resident, category="environment", description="Rubbish")
    unit = await make_unit(world.home, categories="environment")
    await make_unit(world.other, categories="environment", name_zh="别的社区单位")
    matching, others = await dispatch.candidates(need)
    assert [(c.key, c.name) for c in matching] == [
        (f"unit:{unit.id}", "Luzhou Property Management")
    ]
    assert [(c.key, c.name) for c in others] == [(f"volunteer:{world.volunteer.id}", "刘师傅")]
