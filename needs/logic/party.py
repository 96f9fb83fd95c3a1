"""Party-member volunteers (党员志愿者) and their branches (党支部), as plain values: who may
see a need sent to a branch, who may take it, and the rule that keeps party membership
private. No database, no HTTP.

Party membership is personal: staff of the community see it, the volunteer sees their own;
anywhere else (public pages, figures that may be published) only a count is shown, and only
when at least `MIN_PUBLIC_COUNT` people are counted, so nobody can be singled out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from needs.logic.loop import DISPATCHED

MIN_PUBLIC_COUNT = 5
"""The fewest people a count of party members may stand for when it is shown publicly."""
MAX_BRANCH_NAME = 100


def public_count(count: int, people: int | None = None) -> int | None:
    """`count` when it may be shown publicly, else None (show nothing, not even "fewer than").

    `people` is how many distinct people the count stands for (the party members who took
    `count` needs); without it the count is of people itself. At least `MIN_PUBLIC_COUNT`
    people must be counted.
    """
    counted = count if people is None else people
    return count if counted >= MIN_PUBLIC_COUNT else None


@dataclass(frozen=True)
class BranchTask:
    """What decides whether a branch member sees a need sent to their branch."""

    status: str
    branch: int | None
    volunteer: int | None


def waiting_in_branch(task: BranchTask) -> bool:
    """Sent to a branch and not taken yet: every member may accept it."""
    return task.status == DISPATCHED and task.branch is not None and task.volunteer is None


def may_take(task: BranchTask, member_branch: int | None) -> bool:
    """A member of the need's branch may take it while it waits there."""
    return waiting_in_branch(task) and member_branch == task.branch


def all_passed(members: set[int], passed: set[int]) -> bool:
    """Every current member of the branch said they cannot take it (and there was one)."""
    return bool(members) and members <= passed


HELPER_STEPS = frozenset({"accepted", "declined", "passed", "done"})
"""The steps a helper takes on a need (the others are staff's or the reporter's)."""


def unnamed_in_branch(events: list[dict[str, Any]], viewer_id: int) -> list[dict[str, Any]]:
    """A need's steps as a helper reads them: from a dispatch to a party branch up to the
    next dispatch, a helper's step taken by someone else does not name them (whoever took
    a need through the branch is a party member, which is for the staff to know)."""
    shown = []
    via_branch = False
    for event in events:
        if event["kind"] in ("dispatched", "dispatched_branch"):
            via_branch = event["kind"] == "dispatched_branch"
        elif via_branch and event["kind"] in HELPER_STEPS and event["actor"] != viewer_id:
            event = {**event, "actor_name": ""}
        shown.append(event)
    return shown
