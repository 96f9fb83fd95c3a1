"""回访 and what follows a need left unrated: recording a follow-up, the 待回访 list per
community, the hourly auto-close job and its boundary, rating after closing."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

import pytest

from app import demo as app_demo
from app.accounts import services as accounts
from app.asgi import install_domains
from app.errors import Conflict, FieldError, InputError, NotFound
from app.tables import Community, User
from needs.domain import DOMAIN
from needs.services import (
    autoclose,
    dashboard,
    dispatch,
    followups,
    helper_tasks,
    need_details,
    reporter,
)
from needs.services.demo import loader as demo_loader
from needs.tables import Need
from tests.factories import PASSWORD, actor_for, make_user
from tests.needs.world import (
    LIGHT,
    T0,
    T1,
    T2,
    T3,
    World,
    audit_entry,
    events_of,
    file,
    notices,
    reload,
    snapshot,
)

pytestmark = pytest.mark.usefixtures("media")
DAY = timedelta(days=1)
LATER = T3 + 5 * DAY
"""Five days after the need was done: a 回访 call."""


async def done_need(world: World, *, done_at: datetime = T3) -> Need:
    """A need of `world.home` filed by the resident and done by the volunteer at `done_at`."""
    need, _token = await file(world.resident, at=done_at - 3 * timedelta(hours=1))
    form = dispatch.DispatchForm(helper=f"volunteer:{world.volunteer.id}")
    await dispatch.dispatch(world.staff, str(need.id), form, now=done_at - timedelta(hours=2))
    await helper_tasks.accept(world.helper, str(need.id), now=done_at - timedelta(hours=1))
    await helper_tasks.finish(world.helper, str(need.id), resolution="New bulb.", now=done_at)
    return await reload(need)


def form(
    method: str = "phone", result: str = "satisfied", note: str = ""
) -> followups.FollowUpForm:
    return followups.FollowUpForm(method=method, result=result, note=note)


# --- 回访 -------------------------------------------------------------------------------------


@pytest.mark.parametrize("result", ["satisfied", "fairly"])
async def test_a_satisfied_followup_solves_the_need(world: World, result: str) -> None:
    need = await done_need(world)
    done = await followups.record_followup(
        world.staff, str(need.id), form("phone", result, "Light works, thanks"), now=LATER
    )
    assert (done.status, done.closed_at, done.updated_at, done.sequence) == (
        "rated",
        LATER,
        LATER,
        need.sequence + 1,
    )
    assert (done.followup_method, done.followup_result, done.followup_note) == (
        "phone",
        result,
        "Light works, thanks",
    )
    assert (done.followed_up_at, done.followed_up_by, done.times_reopened) == (
        LATER,
        world.staff.id,
        0,
    )
    assert (done.rating, done.volunteer) == (None, world.volunteer.id)
    assert (await events_of(need))[-1] == (
        "followup",
        LATER,
        world.staff.id,
        f"phone/{result} · Light works, thanks",
    )
    entry = await audit_entry("need.followed_up")
    assert (entry["actor"], entry["subject_id"], entry["community"], entry["occurred_at"]) == (
        world.staff.id,
        str(need.id),
        world.home.id,
        LATER,
    )
    assert entry["before"] == {
        "status": "done",
        "followup_method": "",
        "followup_result": "",
        "followup_note": "",
    }
    assert entry["after"] == {
        "status": "rated",
        "followup_method": "phone",
        "followup_result": result,
        "followup_note": "Light works, thanks",
    }


async def test_a_dissatisfied_followup_reopens_the_need_for_staff(world: World) -> None:
    need = await done_need(world)
    told_before = len(await notices())
    reopened = await followups.record_followup(
        world.staff, str(need.id), form("visit", "dissatisfied", "Flickers again"), now=LATER
    )
    assert (reopened.status, reopened.times_reopened, reopened.closed_at) == ("open", 1, None)
    assert (reopened.volunteer, reopened.unit, reopened.followup_result) == (
        None,
        None,
        "dissatisfied",
    )
    assert (await events_of(need))[-2:] == [
        ("followup", LATER, world.staff.id, "visit/dissatisfied · Flickers again"),
        ("reopened", LATER, world.staff.id, ""),
    ]
    # The staff who recorded it already know; nobody else serves the community here.
    assert len(await notices()) == told_before
    colleague = await _colleague(world)
    again = await done_need(world, done_at=LATER + DAY)
    await followups.record_followup(
        world.staff, str(again.id), form("phone", "dissatisfied"), now=LATER + 2 * DAY
    )
    assert (await notices())[-1] == (
        colleague,
        "need.reopened",
        f"At the follow-up the resident was dissatisfied; the need is open again: {LIGHT}",
    )
    # It is on the dashboard among the reopened ones, as after a low rating.
    panel, _waiting = await dashboard.dashboard(world.staff, LATER + 2 * DAY)
    assert [row["id"] for row in panel.context["reopened"]] == [again.id, need.id]


async def _colleague(world: World) -> int:
    user = await make_user(
        "colleague@example.com", name="周干事", staff_of=[world.home], locale="en"
    )
    return user.id


async def test_a_followup_after_closing_or_rating_is_allowed(world: World) -> None:
    closed = await done_need(world)
    await autoclose.close_unrated(T3 + 14 * DAY)
    assert (await reload(closed)).status == "closed"
    solved = await followups.record_followup(
        world.staff, str(closed.id), form("visit", "fairly"), now=T3 + 15 * DAY
    )
    assert (solved.status, solved.closed_at) == ("rated", T3 + 15 * DAY)

    rated = await done_need(world, done_at=T3 + DAY)
    access = await reporter.reporter_access(world.resident, str(rated.id))
    await reporter.rate(access, stars="4", comment="", now=T3 + 2 * DAY)
    again = await followups.record_followup(
        world.staff, str(rated.id), form("phone", "satisfied"), now=T3 + 3 * DAY
    )
    # Already closed by the rating: the 回访 does not move when it closed.
    assert (again.status, again.closed_at, again.rating) == ("rated", T3 + 2 * DAY, 4)
    assert again.followed_up_at == T3 + 3 * DAY


async def test_a_followup_before_the_need_is_done_is_refused(world: World) -> None:
    need, _token = await file(world.resident)
    before = await snapshot()
    with pytest.raises(Conflict) as refusal:
        await followups.record_followup(world.staff, str(need.id), form(), now=T1)
    assert refusal.value.detail == "A follow-up is recorded once the need is done."
    assert await snapshot() == before


async def test_a_followup_with_bad_input_names_every_field(world: World) -> None:
    need = await done_need(world)
    before = await snapshot()
    with pytest.raises(InputError) as refusal:
        await followups.record_followup(
            world.staff, str(need.id), form("email", "happy", "x" * 501), now=LATER
        )
    assert refusal.value.errors == [
        FieldError("method", "Choose how you reached the resident: by phone or a visit."),
        FieldError("result", "Choose what the resident said."),
        FieldError("note", "Use at most 500 characters."),
    ]
    assert await snapshot() == before


async def test_another_communitys_staff_cannot_follow_up(world: World) -> None:
    need = await done_need(world)
    before = await snapshot()
    for actor in (world.other_staff, world.resident):
        with pytest.raises(NotFound):
            await followups.record_followup(actor, str(need.id), form(), now=LATER)
    assert await snapshot() == before


async def test_the_reporter_sees_the_followup_result_but_not_its_note(world: World) -> None:
    need = await done_need(world)
    await followups.record_followup(
        world.staff, str(need.id), form("phone", "fairly", "Call back in spring"), now=LATER
    )
    [event] = [e for e in await need_details.timeline(need.id) if e["kind"] == "followup"]
    assert (event["method_label"], event["result_label"], event["note"]) == (
        "By phone",
        "Fairly satisfied",
        "Call back in spring",
    )


async def test_a_deleted_account_takes_its_followup_notes_from_the_timeline(world: World) -> None:
    """The note is cleared from the need with the account; the timeline keeps a copy in its
    event, which must go too (the method and result stay for the figures)."""
    install_domains()
    need = await done_need(world)
    theirs, _token = await file(world.neighbour, at=T0)
    await followups.record_followup(
        world.staff, str(need.id), form("visit", "satisfied", "王阿姨说谢谢刘师傅"), now=LATER
    )
    user = await User.objects().where(User.id == world.resident.id).first()
    assert user is not None

    await accounts.delete_account(user, password=PASSWORD, now=LATER + DAY)

    followed = [event for event in await events_of(need) if event[0] == "followup"]
    assert [(kind, detail) for kind, _at, _actor, detail in followed] == [
        ("followup", "visit/satisfied")
    ]
    [event] = [e for e in await need_details.timeline(need.id) if e["kind"] == "followup"]
    assert (event["result_label"], event["note"]) == ("Satisfied", "")
    assert (await reload(need)).followup_result == "satisfied"
    assert len(await events_of(theirs)) == 1


# --- 待回访 ------------------------------------------------------------------------------------


async def test_the_dashboard_lists_needs_waiting_for_a_followup_per_community(
    world: World,
) -> None:
    await Community.update({Community.followup_after_days: 5}).where(Community.id == world.other.id)
    older = await done_need(world, done_at=T3)
    newer = await done_need(world, done_at=T3 + DAY)
    now = T3 + 3 * DAY  # `older` is due to the second; `newer` a day later
    _helpers, waiting = await dashboard.dashboard(world.staff, now)
    assert (waiting.title, waiting.count) == ("Waiting for a follow-up", 1)
    assert [row["id"] for row in waiting.context["oldest"]] == [older.id]
    _helpers, waiting = await dashboard.dashboard(world.staff, now + DAY)
    assert [row["id"] for row in waiting.context["oldest"]] == [older.id, newer.id]
    assert waiting.count == 2
    _helpers, waiting = await dashboard.dashboard(world.staff, now + DAY - timedelta(seconds=1))
    assert waiting.count == 1
    # A rated one or one followed up no longer waits; the other community sees none of them.
    access = await reporter.reporter_access(world.resident, str(newer.id))
    await reporter.rate(access, stars="5", comment="", now=now)
    await followups.record_followup(world.staff, str(older.id), form(), now=now)
    _helpers, waiting = await dashboard.dashboard(world.staff, now + DAY)
    assert (waiting.count, waiting.context["oldest"]) == (0, [])
    _helpers, theirs = await dashboard.dashboard(world.other_staff, now + DAY)
    assert theirs.count == 0


async def test_each_community_waits_its_own_days_for_a_followup(world: World) -> None:
    await Community.update({Community.followup_after_days: 5}).where(Community.id == world.other.id)
    theirs_resident = await actor_for(await make_user("13800000011", community=world.other))
    need, _token = await file(theirs_resident, at=T0)
    form_ = dispatch.DispatchForm(helper=f"volunteer:{world.stranger_volunteer.id}")
    await dispatch.dispatch(world.other_staff, str(need.id), form_, now=T1)
    await helper_tasks.accept(world.stranger, str(need.id), now=T2)
    await helper_tasks.finish(world.stranger, str(need.id), resolution="Done.", now=T3)
    ours = await done_need(world, done_at=T3 - timedelta(hours=1))
    admin = await actor_for(await make_user("admin@example.com", is_admin=True))
    _helpers, waiting = await dashboard.dashboard(admin, T3 + 3 * DAY)
    assert [row["id"] for row in waiting.context["oldest"]] == [ours.id]
    _helpers, waiting = await dashboard.dashboard(admin, T3 + 5 * DAY)
    assert [row["id"] for row in waiting.context["oldest"]] == [ours.id, need.id]
    queue = await dispatch.queue(
        world.other_staff, dispatch.QueueFilter(status="followup"), now=T3 + 5 * DAY
    )
    assert [row["id"] for row in queue] == [need.id]
    queue = await dispatch.queue(
        world.other_staff, dispatch.QueueFilter(status="followup"), now=T3 + 4 * DAY
    )
    assert queue == []


# --- closing needs left unrated ----------------------------------------------------------------


def test_the_autoclose_job_runs_every_hour() -> None:
    [job] = [job for job in DOMAIN.jobs if job.name == "needs.autoclose"]
    assert (job.every, job.run) == (timedelta(hours=1), autoclose.close_unrated)


async def test_a_need_left_unrated_closes_on_the_second_and_not_before(world: World) -> None:
    need = await done_need(world)
    later = await done_need(world, done_at=T3 + timedelta(seconds=1))
    due_at = T3 + 14 * DAY
    assert await autoclose.close_unrated(due_at - timedelta(seconds=1)) == 0
    assert (await reload(need)).status == "done"
    assert await autoclose.close_unrated(due_at) == 1  # `later` is a second short
    closed = await reload(need)
    assert (closed.status, closed.closed_at, closed.updated_at) == ("closed", due_at, due_at)
    assert (await events_of(need))[-1] == ("closed_unrated", due_at, None, "")
    assert (await reload(later)).status == "done"
    told = await notices()
    assert await autoclose.close_unrated(due_at + timedelta(seconds=1)) == 1
    assert (await reload(later)).closed_at == due_at + timedelta(seconds=1)
    # Again: nothing more happens.
    assert await autoclose.close_unrated(due_at + timedelta(hours=1)) == 0
    assert (await reload(need)).updated_at == due_at
    assert [e[0] for e in await events_of(need)].count("closed_unrated") == 1
    assert await notices() == told  # nobody is told


async def test_two_processes_closing_at_once_close_each_need_once(world: World) -> None:
    first = await done_need(world, done_at=T3)
    second = await done_need(world, done_at=T3 + timedelta(minutes=1))
    now = T3 + 15 * DAY
    counts = await asyncio.gather(autoclose.close_unrated(now), autoclose.close_unrated(now))
    assert sum(counts) == 2
    for need in (first, second):
        assert (await reload(need)).status == "closed"
        assert [e[0] for e in await events_of(need)].count("closed_unrated") == 1


async def test_rated_followed_up_and_other_communities_needs_stay(world: World) -> None:
    await Community.update({Community.autoclose_after_days: 20}).where(
        Community.id == world.home.id
    )
    need = await done_need(world)
    assert await autoclose.close_unrated(T3 + 19 * DAY) == 0
    assert await autoclose.close_unrated(T3 + 20 * DAY) == 1
    rated = await done_need(world, done_at=T3 + DAY)
    access = await reporter.reporter_access(world.resident, str(rated.id))
    await reporter.rate(access, stars="5", comment="", now=T3 + 2 * DAY)
    followed = await done_need(world, done_at=T3 + DAY)
    await followups.record_followup(world.staff, str(followed.id), form(), now=T3 + 2 * DAY)
    assert await autoclose.close_unrated(T3 + 40 * DAY) == 0
    assert [(await reload(n)).status for n in (need, rated, followed)] == [
        "closed",
        "rated",
        "rated",
    ]


async def test_a_reporter_may_still_rate_a_need_closed_without_rating(world: World) -> None:
    need = await done_need(world)
    await autoclose.close_unrated(T3 + 14 * DAY)
    access = await reporter.reporter_access(world.resident, str(need.id))
    rated = await reporter.rate(access, stars="5", comment="Late, sorry", now=T3 + 16 * DAY)
    assert (rated.status, rated.rating, rated.closed_at) == ("rated", 5, T3 + 16 * DAY)
    low = await done_need(world, done_at=T3 + DAY)
    await autoclose.close_unrated(T3 + 15 * DAY)
    access = await reporter.reporter_access(world.resident, str(low.id))
    reopened = await reporter.rate(access, stars="1", comment="", now=T3 + 16 * DAY)
    assert (reopened.status, reopened.times_reopened, reopened.closed_at) == ("open", 1, None)


async def test_the_job_closes_no_demo_need_then_or_three_days_later(db: None) -> None:
    """The demo's figures hold after the job ran: nothing done in it waits 14 days unrated."""
    await app_demo.load(T0)
    await demo_loader.load(T0)
    before = await Need.select(Need.id, Need.status).order_by(Need.id)
    assert await autoclose.close_unrated(T0) == 0
    assert await autoclose.close_unrated(T0 + 3 * DAY) == 0
    assert await Need.select(Need.id, Need.status).order_by(Need.id) == before
