"""Party branches (党支部) and 支部派单: staff keep a community's branches and mark party
members; a need sent to a branch reaches every member, the first to accept takes it (also
when two accept at once, on either engine), and a member who cannot take it only passes."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from app.errors import Conflict, FieldError, InputError, NotFound, RuleViolation
from app.i18n import set_locale
from app.permissions import Actor
from needs.services import branches, dispatch, helper_tasks
from needs.tables import Need, PartyBranch, Volunteer
from tests.factories import actor_for, make_user
from tests.needs.world import (
    T1,
    T2,
    T3,
    T4,
    World,
    audit_entry,
    events_of,
    file,
    make_volunteer,
    notices,
    reload,
    snapshot,
)
from tests.parallel import at_once

pytestmark = pytest.mark.usefixtures("media")


@dataclass
class Party:
    branch: PartyBranch
    member: Actor
    """刘师傅, the world's volunteer, reads in English."""
    other_member: Actor
    """孙大姐, reads in Chinese."""
    outsider: Actor
    """An approved volunteer of the community who is no party member."""


async def mark(actor: Actor, volunteer: Volunteer, branch: PartyBranch | None) -> None:
    form = branches.MembershipForm(branch=str(branch.id) if branch else "")
    await branches.set_membership(actor, volunteer.id, form, now=T1)


@pytest.fixture
async def party(world: World) -> Party:
    branch = await branches.create_branch(
        world.staff,
        world.home,
        branches.BranchForm(name_zh="八一社区党支部", name_en="Bayi Party Branch"),
        now=T1,
    )
    sun = await make_user("13800000005", name="孙大姐", community=world.home, locale="zh_CN")
    zhou = await make_user("13800000006", name="周老师", community=world.home, locale="en")
    await mark(world.staff, world.volunteer, branch)
    await mark(world.staff, await make_volunteer(sun, world.home), branch)
    await make_volunteer(zhou, world.home)
    return Party(branch, world.helper, await actor_for(sun), await actor_for(zhou))


async def send_to_branch(world: World, party: Party) -> Need:
    need, _token = await file(world.resident)
    form = dispatch.DispatchForm(helper=f"branch:{party.branch.id}")
    return await dispatch.dispatch(world.staff, str(need.id), form, now=T2)


def ids(rows: list[dict]) -> list[str]:
    return [str(row["id"]) for row in rows]


# --- branches and membership ------------------------------------------------------------------


async def test_branches_are_created_renamed_retired_and_audited(world: World) -> None:
    branch = await branches.create_branch(
        world.staff, world.home, branches.BranchForm(name_zh=" 第一党支部 "), now=T1
    )
    assert (branch.name_zh, branch.name_en, branch.active) == ("第一党支部", "", True)
    form = branches.BranchForm(name_zh="第一党支部", name_en="First Branch")
    assert await branches.rename_branch(world.staff, branch.id, form, now=T2) is True
    assert await branches.rename_branch(world.staff, branch.id, form, now=T3) is False
    await branches.set_branch_active(world.staff, branch.id, False, now=T3)
    rows = await branches.branches_of(world.staff, world.home)
    assert [(r["name_en"], r["active"], r["members"]) for r in rows] == [("First Branch", False, 0)]
    assert (await audit_entry("branch.renamed"))["after"] == {
        "name_zh": "第一党支部",
        "name_en": "First Branch",
    }
    assert (await audit_entry("branch.retired"))["before"] == {"active": True}
    with pytest.raises(InputError) as caught:
        await branches.create_branch(world.staff, world.home, branches.BranchForm(), now=T4)
    assert caught.value.errors == [FieldError("name_zh", "Enter the branch's Chinese name.")]


async def test_a_branch_name_is_one_line(world: World) -> None:
    form = branches.BranchForm(name_zh="八一社区\n党支部", name_en="Bayi\tBranch")
    with pytest.raises(InputError) as caught:
        await branches.create_branch(world.staff, world.home, form, now=T1)
    message = "Remove the invisible control characters (line breaks or direction marks)."
    assert caught.value.errors == [FieldError("name_zh", message), FieldError("name_en", message)]
    assert await PartyBranch.count() == 0


async def test_membership_is_set_by_staff_and_audited(world: World, party: Party) -> None:
    volunteer = await reload_volunteer(world.volunteer)
    assert volunteer.branch == party.branch.id
    entry = await audit_entry("volunteer.party_member")
    assert (entry["before"], entry["after"]) == ({"branch": None}, {"branch": party.branch.id})
    await mark(world.staff, world.volunteer, None)
    assert (await reload_volunteer(world.volunteer)).branch is None
    assert (await audit_entry("volunteer.not_party_member"))["after"] == {"branch": None}


@pytest.mark.parametrize("typed", ["²", "٣", "99999999999999999999", "-1", "abc"])
async def test_a_branch_id_that_is_no_branch_is_refused_not_a_500(
    world: World, party: Party, typed: str
) -> None:
    form = branches.MembershipForm(branch=typed)
    with pytest.raises(InputError) as caught:
        await branches.set_membership(world.staff, world.volunteer.id, form, now=T2)
    assert caught.value.errors == [
        FieldError("branch", "Choose an active party branch of the volunteer's community.")
    ]
    assert (await reload_volunteer(world.volunteer)).branch == party.branch.id


async def reload_volunteer(volunteer: Volunteer) -> Volunteer:
    return await Volunteer.objects().where(Volunteer.id == volunteer.id).first()


async def test_a_branch_of_another_community_is_refused(world: World, party: Party) -> None:
    foreign = await branches.create_branch(
        world.other_staff, world.other, branches.BranchForm(name_zh="广场东党支部"), now=T1
    )
    retired = await branches.create_branch(
        world.staff, world.home, branches.BranchForm(name_zh="旧支部"), now=T1
    )
    await branches.set_branch_active(world.staff, retired.id, False, now=T1)
    before = await Volunteer.select().order_by(Volunteer.id)
    for branch in (foreign, retired):
        with pytest.raises(InputError) as caught:
            await mark(world.staff, world.volunteer, branch)
        assert caught.value.errors == [
            FieldError("branch", "Choose an active party branch of the volunteer's community.")
        ]
    with pytest.raises(NotFound):  # staff of the other community cannot reach our volunteer
        await mark(world.other_staff, world.volunteer, foreign)
    assert await Volunteer.select().order_by(Volunteer.id) == before


async def test_a_branch_with_a_need_waiting_is_not_retired(world: World, party: Party) -> None:
    await send_to_branch(world, party)
    with pytest.raises(RuleViolation):
        await branches.set_branch_active(world.staff, party.branch.id, False, now=T3)
    assert (await branches.managed_branch(world.staff, party.branch.id)).active is True


# --- sending a need to a branch ---------------------------------------------------------------


async def test_every_member_sees_and_is_told_of_a_need_sent_to_the_branch(
    world: World, party: Party
) -> None:
    need = await send_to_branch(world, party)
    assert (need.status, need.branch, need.volunteer, need.unit) == (
        "dispatched",
        party.branch.id,
        None,
        None,
    )
    assert (await events_of(need))[-1] == (
        "dispatched_branch",
        T2,
        world.staff.id,
        "八一社区党支部",
    )
    assert ids(await helper_tasks.tasks_of(party.member)) == [str(need.id)]
    assert ids(await helper_tasks.tasks_of(party.other_member)) == [str(need.id)]
    assert await helper_tasks.tasks_of(party.outsider) == []
    with pytest.raises(NotFound):
        await helper_tasks.assigned_need(party.outsider, str(need.id))
    members = (party.member.id, party.other_member.id)
    told = [notice for notice in await notices() if notice[0] in members]
    assert told == [
        (
            party.member.id,
            "need.dispatched",
            "A need was sent to your party branch, Bayi Party Branch (Repairs): Stair light out "
            "in building 3. The first member to accept it takes it.",
        ),
        (
            party.other_member.id,
            "need.dispatched",
            "社区给您所在的八一社区党支部派了一单（维修）：Stair light out in building 3。"
            "先接单的党员负责办理。",
        ),
    ]


async def test_a_branch_without_members_elsewhere_or_retired_is_refused(
    world: World, party: Party
) -> None:
    empty = await branches.create_branch(
        world.staff, world.home, branches.BranchForm(name_zh="空支部"), now=T1
    )
    foreign = await branches.create_branch(
        world.other_staff, world.other, branches.BranchForm(name_zh="广场东党支部"), now=T1
    )
    need, _token = await file(world.resident)
    before = await snapshot()
    refusals = {
        empty.id: "This branch has no party-member volunteers to take the need.",
        foreign.id: "This branch is not an active party branch of the need's community.",
    }
    for branch_id, message in refusals.items():
        with pytest.raises(InputError) as caught:
            form = dispatch.DispatchForm(helper=f"branch:{branch_id}")
            await dispatch.dispatch(world.staff, str(need.id), form, now=T2)
        assert caught.value.errors == [FieldError("helper", message)]
    assert await snapshot() == before


async def test_a_branch_retired_while_a_need_is_being_sent_to_it_does_not_get_it(
    world: World, party: Party, monkeypatch: pytest.MonkeyPatch
) -> None:
    need, _token = await file(world.resident)
    read_project = dispatch._read_project

    async def retired_meanwhile(*args: object) -> int | None:
        # Another staff member retires the branch after the form was read, before it is sent.
        await branches.set_branch_active(world.staff, party.branch.id, False, now=T2)
        return await read_project(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(dispatch, "_read_project", retired_meanwhile)
    form = dispatch.DispatchForm(helper=f"branch:{party.branch.id}")
    with pytest.raises(InputError) as caught:
        await dispatch.dispatch(world.staff, str(need.id), form, now=T2)
    assert caught.value.errors == [
        FieldError("helper", "This branch is not an active party branch of the need's community.")
    ]
    back = await reload(need)
    assert (back.status, back.branch) == ("open", None)


async def test_the_first_member_to_accept_takes_it_the_second_is_told(
    world: World, party: Party
) -> None:
    need = await send_to_branch(world, party)
    await helper_tasks.accept(party.other_member, str(need.id), now=T3)
    taken = await reload(need)
    member = await Volunteer.objects().where(Volunteer.user == party.other_member.id).first()
    assert (taken.status, taken.volunteer, taken.branch) == ("accepted", member.id, party.branch.id)
    assert await helper_tasks.tasks_of(party.member) == []
    assert ids(await helper_tasks.tasks_of(party.other_member)) == [str(need.id)]
    before = await snapshot()
    with pytest.raises(Conflict) as caught:
        await helper_tasks.accept(party.member, str(need.id), now=T4)
    assert caught.value.rule == helper_tasks.TAKEN_BY_ANOTHER
    assert caught.value.detail == "Another member of your party branch took this need first."
    assert await snapshot() == before


async def test_two_members_accepting_at_once_one_wins(world: World, party: Party) -> None:
    need = await send_to_branch(world, party)
    members = (party.member, party.other_member)

    async def attempt(index: int) -> str | None:
        set_locale("en")  # each process reads in the test's language
        try:
            await helper_tasks.accept(members[index], str(need.id), now=T3)
        except Conflict as exc:  # the loser is told another member took it
            return f"{exc.rule}: {exc.detail}"
        return None

    assert at_once(attempt, attempts=2, processes=2) == {
        "ok": 1,
        "taken: Another member of your party branch took this need first.": 1,
    }
    taken = await reload(need)
    assert taken.status == "accepted" and taken.sequence == 2
    kinds = [event[0] for event in await events_of(need)]
    assert kinds == ["filed", "dispatched_branch", "accepted"]
    winner = (await events_of(need))[-1][2]
    assert winner in (party.member.id, party.other_member.id)
    volunteer = await Volunteer.objects().where(Volunteer.id == taken.volunteer).first()
    assert volunteer.user == winner


async def test_a_member_accepting_while_staff_send_it_elsewhere_one_wins(
    world: World, party: Party
) -> None:
    need = await send_to_branch(world, party)
    outsider = await Volunteer.objects().where(Volunteer.user == party.outsider.id).first()

    async def attempt(index: int) -> str:
        set_locale("en")
        try:
            if index == 0:
                await helper_tasks.accept(party.member, str(need.id), now=T3)
                return "accepted"
            form = dispatch.DispatchForm(helper=f"volunteer:{outsider.id}")
            await dispatch.dispatch(world.staff, str(need.id), form, now=T3)
            return "sent"
        except (Conflict, NotFound, RuleViolation) as exc:
            return type(exc).__name__

    outcome = at_once(attempt, attempts=2, processes=2)
    taken = await reload(need)
    if outcome.get("accepted"):  # the member won: staff may not send an accepted need
        assert outcome == {"accepted": 1, "Conflict": 1}
        member = world.volunteer.id
        assert (taken.status, taken.volunteer, taken.branch) == (
            "accepted",
            member,
            party.branch.id,
        )
    else:  # staff won: the member's need left their list
        assert outcome == {"sent": 1, "NotFound": 1}
        assert (taken.status, taken.volunteer, taken.branch) == ("dispatched", outsider.id, None)


async def test_a_member_who_passes_only_leaves_it_to_the_others(world: World, party: Party) -> None:
    need = await send_to_branch(world, party)
    await helper_tasks.decline(party.member, str(need.id), reason="出差一周", now=T3)
    waiting = await reload(need)
    assert (waiting.status, waiting.branch, waiting.volunteer) == (
        "dispatched",
        party.branch.id,
        None,
    )
    assert await helper_tasks.tasks_of(party.member) == []
    assert ids(await helper_tasks.tasks_of(party.other_member)) == [str(need.id)]
    with pytest.raises(NotFound):
        await helper_tasks.accept(party.member, str(need.id), now=T3)
    assert not [n for n in await notices() if n[1] == "need.returned"]

    await helper_tasks.decline(party.other_member, str(need.id), reason="腿不方便", now=T4)
    back = await reload(need)
    assert (back.status, back.branch, back.volunteer) == ("open", None, None)
    assert [event[0] for event in await events_of(need)] == [
        "filed",
        "dispatched_branch",
        "passed",
        "passed",
        "returned",
    ]
    assert [n[:2] for n in await notices() if n[1] == "need.returned"] == [
        (world.staff.id, "need.returned")
    ]


async def test_a_member_who_took_it_and_gives_it_back_returns_it_to_staff(
    world: World, party: Party
) -> None:
    need = await send_to_branch(world, party)
    await helper_tasks.accept(party.member, str(need.id), now=T3)
    await helper_tasks.decline(party.member, str(need.id), reason="临时有事", now=T4)
    back = await reload(need)
    assert (back.status, back.branch, back.volunteer) == ("open", None, None)
    assert await helper_tasks.tasks_of(party.other_member) == []


async def test_a_party_member_sent_a_need_directly_takes_it_as_a_party_member(
    world: World, party: Party
) -> None:
    need, _token = await file(world.resident)
    form = dispatch.DispatchForm(helper=f"volunteer:{world.volunteer.id}")
    await dispatch.dispatch(world.staff, str(need.id), form, now=T2)
    assert (await reload(need)).branch is None
    await helper_tasks.accept(party.member, str(need.id), now=T3)
    assert (await reload(need)).branch == party.branch.id
