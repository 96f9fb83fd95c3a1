"""Words for the needs domain: category, status and volunteer-status labels (message ids,
translated when shown)."""

from __future__ import annotations

from app.i18n import N_
from needs.logic.kinds import (
    Category,
    FollowUpMethod,
    FollowUpResult,
    NeedStatus,
    VolunteerStatus,
)

CATEGORY_LABELS = {
    Category.repairs.value: N_("Repairs"),
    Category.environment.value: N_("Environment and hygiene"),
    Category.parking.value: N_("Parking"),
    Category.neighbours.value: N_("Neighbours"),
    Category.space_or_tool.value: N_("A space or a tool"),
    Category.elderly_care.value: N_("Elderly care"),
    Category.other.value: N_("Something else"),
}
STATUS_LABELS = {
    NeedStatus.open.value: N_("Waiting for the community"),
    NeedStatus.dispatched.value: N_("Sent to a helper"),
    NeedStatus.accepted.value: N_("Being handled"),
    NeedStatus.done.value: N_("Done: please rate it"),
    NeedStatus.rated.value: N_("Solved"),
    NeedStatus.withdrawn.value: N_("Withdrawn or closed"),
    NeedStatus.closed.value: N_("Closed without rating"),
}
PUBLIC_STATUS_LABELS = {**STATUS_LABELS, NeedStatus.done.value: N_("Work done, not yet rated")}
"""The statuses as anyone reading a community's public list of needs sees them."""
FOLLOWUP_METHOD_LABELS = {
    FollowUpMethod.phone.value: N_("By phone"),
    FollowUpMethod.visit.value: N_("Home visit"),
}
FOLLOWUP_RESULT_LABELS = {
    FollowUpResult.satisfied.value: N_("Satisfied"),
    FollowUpResult.fairly_satisfied.value: N_("Fairly satisfied"),
    FollowUpResult.dissatisfied.value: N_("Dissatisfied"),
}
VOLUNTEER_STATUS_LABELS = {
    VolunteerStatus.applied.value: N_("Waiting for staff to confirm"),
    VolunteerStatus.approved.value: N_("Volunteer"),
    VolunteerStatus.declined.value: N_("Not accepted"),
    VolunteerStatus.retired.value: N_("No longer volunteering"),
}
"""In the order staff see them: waiting offers first."""


def categories_of(text: str) -> list[str]:
    """`"repairs,parking"` → the known categories it names, in the order of the list."""
    chosen = {part.strip() for part in text.split(",")}
    return [key for key in CATEGORY_LABELS if key in chosen]
