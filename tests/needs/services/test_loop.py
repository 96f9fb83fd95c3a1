"""The needs loop through its services: 点单 (file) — 派单 (dispatch) — 接单 (accept, decline,
record done) — 评单 (rate), and withdrawing; each refusal leaves nothing behind."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.errors import Conflict, FieldError, InputError, NotFound
from app.tables import Notification
from needs.services import (
    dashboard,
    dispatch,
    helper_tasks,
    reporter,
)
from tests.factories import actor_for, make_user
from tests.needs.world import (
    LIGHT,
    T0,
    T1,
    T2,
    T3,
    T4,
    T5,
    World,
    audit_entry,
    events_of,
    file,
    make_unit,
    make_volunteer,
    notices,
    reload,
    snapshot,
)

# --- the whole loop ------------------------------------------------------------------------

pytestmark = pytest.mark.usefixtures("media")


async def test_the_whole_loop_from_filing_to_a_good_rating(world: World) -> None:
    need, token = await file(world.resident)
    assert token is None  # a signed-in resident follows it under "My needs"
    assert (need.status, need.reporter, need.reporter_kind, need.community) == (
        "open",
        world.resident.id,
        "resident",
        world.home.id,
    )
    await dispatch.dispatch(
        world.staff,
        str(need.id),
        dispatch.DispatchForm(helper=f"volunteer:{world.volunteer.id}", helper_note="Bring a bulb"),
        now=T1,
    )
    await helper_tasks.accept(world.helper, str(need.id), now=T2)
    await helper_tasks.finish(world.helper, str(need.id), resolution="Changed the bulb.", now=T3)
    access = await reporter.reporter_access(world.resident, str(need.id))
    rated = await reporter.rate(access, stars="5", comment="Quick, thank you", now=T4)

    assert rated.status == "rated"
    assert (rated.created_at, rated.dispatched_at, rated.accepted_at, rated.done_at) == (
        T0,
        T1,
        T2,
        T3,
    )
    assert (rated.rated_at, rated.updated_at, rated.sequence) == (T4, T4, 4)
    assert (rated.rating, rated.rating_comment, rated.resolution) == (
        5,
        "Quick, thank you",
        "Changed the bulb.",
    )
    assert (rated.volunteer, rated.unit, rated.times_reopened) == (world.volunteer.id, None, 0)
    assert await events_of(need) == [
        ("filed", T0, world.resident.id, ""),
        ("dispatched", T1, world.staff.id, "刘师傅: Bring a bulb"),
        ("accepted", T2, world.helper.id, ""),
        ("done", T3, world.helper.id, "Changed the bulb."),
        ("rated", T4, world.resident.id, "5/5 · Quick, thank you"),
    ]
    assert await notices() == [
        (world.staff.id, "need.filed", f"New need in Bayi Community (Repairs): {LIGHT}"),
        (world.helper.id, "need.dispatched", f"A need was sent to you (Repairs): {LIGHT}"),
        (world.resident.id, "need.dispatched", f"Your need was sent to a helper: {LIGHT}"),
        (world.resident.id, "need.accepted", f"A helper is handling your need: {LIGHT}"),
        (
            world.resident.id,
            "need.done",
            f"Your need was done: {LIGHT}. Please rate how it went.",
        ),
        (world.helper.id, "need.rated", f"Your help was rated 5 of 5: {LIGHT}"),
    ]
    links = await Notification.select(Notification.link).order_by(Notification.id)
    assert [row["link"] for row in links] == [
        f"/staff/needs/{need.id}",
        f"/needs/tasks/{need.id}",
        f"/needs/{need.id}",
        f"/needs/{need.id}",
        f"/needs/{need.id}",
        f"/needs/tasks/{need.id}",
    ]
    entry = await audit_entry("need.dispatched")
    assert (entry["actor"], entry["subject_id"], entry["community"], entry["occurred_at"]) == (
        world.staff.id,
        str(need.id),
        world.home.id,
        T1,
    )
    assert entry["after"] == {"status": "dispatched", "volunteer": world.volunteer.id}
    assert entry["before"] == {"status": "open", "volunteer": None}


async def test_decline_returns_the_need_to_the_queue(world: World) -> None:
    contact = await actor_for(await make_user("13800000009", name="物业小周", community=world.home))
    unit = await make_unit(world.home, contact=contact.user)
    need, _ = await file(world.resident)
    form = dispatch.DispatchForm(helper=f"unit:{unit.id}")
    await dispatch.dispatch(world.staff, str(need.id), form, now=T1)
    await helper_tasks.accept(contact, str(need.id), now=T2)
    await helper_tasks.decline(contact, str(need.id), reason="  Not our building  ", now=T3)

    back = await reload(need)
    assert (back.status, back.unit, back.volunteer, back.sequence) == ("open", None, None, 3)
    assert (back.dispatched_at, back.accepted_at, back.updated_at) == (T1, T2, T3)
    assert [kind for kind, *_ in await events_of(need)] == [
        "filed",
        "dispatched",
        "accepted",
        "declined",
    ]
    assert (await events_of(need))[-1] == ("declined", T3, contact.id, "Not our building")
    assert (await notices())[-1] == (
        world.staff.id,
        "need.declined",
        f"A helper declined a need, it is waiting again: {LIGHT}. Reason: Not our building",
    )
    assert await helper_tasks.tasks_of(contact) == []  # no longer theirs …
    queue = await dispatch.queue(world.staff, dispatch.QueueFilter())
    assert [row["id"] for row in queue] == [need.id]  # … but back in the staff's queue
    with pytest.raises(NotFound):
        await helper_tasks.accept(contact, str(need.id), now=T4)
    # Staff send it to someone else.
    volunteer_form = dispatch.DispatchForm(helper=f"volunteer:{world.volunteer.id}")
    again = await dispatch.dispatch(world.staff, str(need.id), volunteer_form, now=T4)
    assert (again.status, again.volunteer, again.dispatched_at) == (
        "dispatched",
        world.volunteer.id,
        T4,
    )


async def test_a_low_rating_reopens_the_need_for_staff(world: World) -> None:
    need, _ = await file(world.resident)
    form = dispatch.DispatchForm(helper=f"volunteer:{world.volunteer.id}")
    await dispatch.dispatch(world.staff, str(need.id), form, now=T1)
    await helper_tasks.accept(world.helper, str(need.id), now=T2)
    await helper_tasks.finish(world.helper, str(need.id), resolution="Changed the bulb.", now=T3)
    access = await reporter.reporter_access(world.resident, str(need.id))
    reopened = await reporter.rate(access, stars="2", comment="Still dark at night", now=T4)

    assert (reopened.status, reopened.times_reopened, reopened.volunteer) == ("open", 1, None)
    assert (reopened.rating, reopened.rating_comment, reopened.rated_at) == (
        2,
        "Still dark at night",
        T4,
    )
    assert (await events_of(need))[-2:] == [
        ("rated", T4, world.resident.id, "2/5 · Still dark at night"),
        ("reopened", T4, world.resident.id, ""),
    ]
    assert (await notices())[-2:] == [
        (world.helper.id, "need.rated", f"Your help was rated 2 of 5: {LIGHT}"),
        (
            world.staff.id,
            "need.reopened",
            f"A need was rated 2 of 5 and is open again: {LIGHT}",
        ),
    ]
    # The dashboard shows it among the reopened ones; the helper's list no longer has it open.
    panel, _followups = await dashboard.dashboard(world.staff, T5)
    assert panel.count == 1
    assert [row["id"] for row in panel.context["reopened"]] == [need.id]
    assert [row["id"] for row in panel.context["oldest"]] == [need.id]
    assert await dashboard.dashboard(world.other_staff, T5) != []
    other_panel, _followups = await dashboard.dashboard(world.other_staff, T5)
    assert (other_panel.count, other_panel.context["reopened"]) == (0, [])
    # Sent again and done again, it can be rated again.
    await dispatch.dispatch(world.staff, str(need.id), form, now=T5)
    await helper_tasks.accept(world.helper, str(need.id), now=T5)
    await helper_tasks.finish(world.helper, str(need.id), resolution="New fitting.", now=T5)
    done = await reporter.rate(access, stars="4", comment="", now=T5 + timedelta(hours=1))
    assert (done.status, done.rating, done.times_reopened) == ("rated", 4, 1)


async def test_rating_is_refused_before_done_twice_or_for_someone_else(world: World) -> None:
    need, _ = await file(world.resident)
    access = await reporter.reporter_access(world.resident, str(need.id))
    before = await snapshot()
    with pytest.raises(Conflict) as early:
        await reporter.rate(access, stars="5", comment="", now=T1)
    assert early.value.detail == "You can rate it once it is done."
    with pytest.raises(NotFound):
        await reporter.reporter_access(world.neighbour, str(need.id))
    with pytest.raises(NotFound):
        await reporter.reporter_access(world.staff, str(need.id))  # staff use their own pages
    with pytest.raises(NotFound):
        await reporter.reporter_access(world.resident, "not-a-need")
    assert await snapshot() == before

    form = dispatch.DispatchForm(helper=f"volunteer:{world.volunteer.id}")
    await dispatch.dispatch(world.staff, str(need.id), form, now=T1)
    await helper_tasks.accept(world.helper, str(need.id), now=T2)
    await helper_tasks.finish(world.helper, str(need.id), resolution="Done.", now=T3)
    before = await snapshot()
    for stars in ("0", "6", "", "five"):
        with pytest.raises(InputError) as caught:
            await reporter.rate(access, stars=stars, comment="", now=T4)
        assert caught.value.errors == [FieldError("rating", "Choose from 1 to 5 stars.")]
    with pytest.raises(InputError) as long_comment:
        await reporter.rate(access, stars="4", comment="x" * 501, now=T4)
    assert long_comment.value.errors == [FieldError("comment", "Use at most 500 characters.")]
    assert await snapshot() == before
    await reporter.rate(access, stars="4", comment="", now=T4)
    before = await snapshot()
    with pytest.raises(Conflict) as twice:
        await reporter.rate(access, stars="1", comment="", now=T5)
    assert twice.value.detail == "It was already rated. Thank you!"
    assert await snapshot() == before


# --- who may act ---------------------------------------------------------------------------


async def test_only_the_assigned_helper_acts_and_only_in_the_right_order(world: World) -> None:
    need, _ = await file(world.resident)
    with pytest.raises(NotFound):  # not sent to anyone yet
        await helper_tasks.accept(world.helper, str(need.id), now=T1)
    form = dispatch.DispatchForm(helper=f"volunteer:{world.volunteer.id}")
    await dispatch.dispatch(world.staff, str(need.id), form, now=T1)
    other_volunteer = await actor_for(world.neighbour.user)
    await make_volunteer(world.neighbour.user, world.home)
    before = await snapshot()
    for actor in (other_volunteer, world.stranger, world.staff, world.resident):
        with pytest.raises(NotFound):
            await helper_tasks.accept(actor, str(need.id), now=T2)
        with pytest.raises(NotFound):
            await helper_tasks.decline(actor, str(need.id), reason="No", now=T2)
        with pytest.raises(NotFound):
            await helper_tasks.finish(actor, str(need.id), resolution="Done", now=T2)
    with pytest.raises(Conflict) as early:
        await helper_tasks.finish(world.helper, str(need.id), resolution="Done", now=T2)
    assert early.value.detail == "Accept it first, then record what was done."
    with pytest.raises(InputError) as no_reason:
        await helper_tasks.decline(world.helper, str(need.id), reason=" ", now=T2)
    assert no_reason.value.errors == [
        FieldError("reason", "Tell the staff why, so they can find someone else.")
    ]
    assert await snapshot() == before
    await helper_tasks.accept(world.helper, str(need.id), now=T2)
    before = await snapshot()
    with pytest.raises(Conflict) as twice:
        await helper_tasks.accept(world.helper, str(need.id), now=T3)
    assert twice.value.detail == (
        "This cannot be done any more: the need is now “Being handled”. Reload the page to see "
        "where it stands."
    )
    with pytest.raises(InputError) as empty:
        await helper_tasks.finish(world.helper, str(need.id), resolution="", now=T3)
    assert empty.value.errors == [FieldError("resolution", "Say in a few words what was done.")]
    with pytest.raises(Conflict):  # staff cannot send it elsewhere once accepted
        await dispatch.dispatch(world.staff, str(need.id), form, now=T3)
    assert await snapshot() == before
    assert [row["id"] for row in await helper_tasks.tasks_of(world.helper)] == [need.id]
    assert await helper_tasks.tasks_of(other_volunteer) == []
    assert await helper_tasks.is_helper(world.helper) and not await helper_tasks.is_helper(
        world.resident
    )


async def test_withdrawing_by_the_reporter_and_by_staff(world: World) -> None:
    mine, _ = await file(world.resident)
    access = await reporter.reporter_access(world.resident, str(mine.id))
    withdrawn = await reporter.withdraw_own(access, now=T1)
    assert (withdrawn.status, withdrawn.withdrawn_at, withdrawn.sequence) == ("withdrawn", T1, 1)
    assert (await notices())[-1] == (
        world.staff.id,
        "need.withdrawn",
        f"A need was withdrawn by the person who filed it: {LIGHT}",
    )

    other, _ = await file(
        world.resident, description="Parking on the fire lane", category="parking"
    )
    form = dispatch.DispatchForm(helper=f"volunteer:{world.volunteer.id}")
    await dispatch.dispatch(world.staff, str(other.id), form, now=T1)
    await helper_tasks.accept(world.helper, str(other.id), now=T2)
    access = await reporter.reporter_access(world.resident, str(other.id))
    before = await snapshot()
    with pytest.raises(Conflict):
        await reporter.withdraw_own(access, now=T3)
    with pytest.raises(InputError) as no_reason:
        await dispatch.withdraw(world.staff, str(other.id), reason="", now=T3)
    assert no_reason.value.errors == [
        FieldError("reason", "Tell the person who filed it why it is closed.")
    ]
    assert await snapshot() == before
    closed = await dispatch.withdraw(
        world.staff, str(other.id), reason="The police handle parking", now=T3
    )
    assert (closed.status, closed.withdrawn_at) == ("withdrawn", T3)
    assert (await notices())[-2:] == [
        (
            world.resident.id,
            "need.withdrawn",
            "The community closed your need: Parking on the fire lane. Reason: The police "
            "handle parking",
        ),
        (
            world.helper.id,
            "need.withdrawn",
            "A need sent to you was closed: Parking on the fire lane",
        ),
    ]
    entry = await audit_entry("need.withdrawn")
    assert (entry["before"], entry["after"]) == (
        {"status": "accepted"},
        {"status": "withdrawn", "reason": "The police handle parking"},
    )
