"""Party membership's rules as plain values: the "five or more, or nothing" rule of public
counts, who may take a need waiting in a branch, and the figure of needs party members took."""

from collections import Counter

from needs.logic import party
from needs.logic import report_figures as reports
from needs.logic.report_figures import NeedFacts
from tests.needs.report_world import LATER, at


def test_a_count_of_fewer_than_five_people_is_never_public() -> None:
    assert [party.public_count(n) for n in (0, 1, 4, 5, 6, 40)] == [None, None, None, 5, 6, 40]


def test_a_count_of_things_is_public_only_when_five_people_stand_behind_it() -> None:
    assert party.public_count(12, people=4) is None
    assert party.public_count(12, people=5) == 12
    assert party.public_count(5, people=5) == 5


def test_a_need_waiting_in_a_branch_may_be_taken_by_its_members_only() -> None:
    waiting = party.BranchTask("dispatched", branch=3, volunteer=None)
    assert party.waiting_in_branch(waiting)
    assert party.may_take(waiting, 3)
    assert not party.may_take(waiting, 4)
    assert not party.may_take(waiting, None)
    taken = party.BranchTask("accepted", branch=3, volunteer=7)
    assert not party.waiting_in_branch(taken) and not party.may_take(taken, 3)
    sent_to_a_volunteer = party.BranchTask("dispatched", branch=None, volunteer=7)
    assert not party.waiting_in_branch(sent_to_a_volunteer)
    assert not party.waiting_in_branch(party.BranchTask("open", branch=3, volunteer=None))


def test_it_returns_to_staff_only_once_every_member_passed() -> None:
    assert not party.all_passed({1, 2}, {1})
    assert party.all_passed({1, 2}, {1, 2, 9})  # 9 passed and left the branch since
    assert not party.all_passed(set(), set())


def party_need(taker: int | None) -> NeedFacts:
    return NeedFacts("repairs", "accepted", at(9, 10), at(9, 12), party_taker=taker)


def test_needs_taken_by_party_members_by_hand() -> None:
    few = reports.need_figures(
        [party_need(1), party_need(1), party_need(2), party_need(None), party_need(3)], LATER
    )
    assert few.party_taken == Counter({1: 2, 2: 1, 3: 1})
    assert few.taken_by_party_members == 4
    assert few.party_public is None  # three members: not to be published
    more = reports.need_figures([party_need(4), party_need(5)], LATER)
    total = reports.combined([few, more])
    assert (total.taken_by_party_members, len(total.party_taken)) == (6, 5)
    assert total.party_public == 6


def test_steps_taken_through_a_branch_name_only_the_viewer() -> None:
    def step(kind: str, actor: int, name: str) -> dict:
        return {"kind": kind, "actor": actor, "actor_name": name}

    events = [
        step("filed", 1, "王阿姨"),
        step("dispatched_branch", 2, "李主任"),
        step("accepted", 3, "刘师傅"),
        step("declined", 3, "刘师傅"),
        step("dispatched_branch", 2, "李主任"),
        step("accepted", 4, "周老师"),
        step("declined", 4, "周老师"),
        step("dispatched", 2, "李主任"),
        step("accepted", 5, "孙大姐"),
    ]
    shown = party.unnamed_in_branch(events, viewer_id=4)
    assert [event["actor_name"] for event in shown] == [
        "王阿姨", "李主任", "", "", "李主任", "周老师", "周老师", "李主任", "孙大姐",
    ]  # fmt: skip
