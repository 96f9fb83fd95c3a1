"""Who a need is, or may be, sent to: approved volunteers and the contact people of partner
units. Reads shared by the steps of the loop, the need's pages and the staff's lists.

- `helper_user_id(need)`: the account acting for whoever has the need now.
- `helper_of(need)`: `(kind, name)` of whoever has it now, for the pages (a party branch
  while it waits there for one of its members).
- `helpers_for(community_id, category)` → `(volunteers, units)`: the community's approved
  volunteers (with their `user` row loaded) and active partner units, those whose categories
  include `category` first, each list sorted by name.
- `units_contacted_by(user_id)`: the active partner units, of any community, whose contact
  person (`PartnerUnit.contact_user`) is this user.
- `branch_members(branch_ids)`: branch id → user ids of its members who may take its needs.
- `volunteer_of(user_id, community_id)`: the user's approved `Volunteer` row there, or None.
"""

from __future__ import annotations

from app.i18n import localized
from needs.logic.kinds import VolunteerStatus
from needs.logic.labels import categories_of
from needs.tables import Need, PartnerUnit, PartyBranch, Volunteer


async def helper_user_id(need: Need) -> int | None:
    """The account that acts for the need's helper: the volunteer, or the unit's contact."""
    if need.volunteer is not None:
        row = await Volunteer.select(Volunteer.user).where(Volunteer.id == need.volunteer).first()
        return row["user"] if row else None
    if need.unit is not None:
        row = (
            await PartnerUnit.select(PartnerUnit.contact_user)
            .where(PartnerUnit.id == need.unit)
            .first()
        )
        return row["contact_user"] if row else None
    return None


async def helper_of(need: Need) -> tuple[str, str]:
    """(`volunteer`, `unit` or `branch`, name) of whoever has the need now; ("", "") for
    nobody."""
    if need.volunteer is not None:
        row = (
            await Volunteer.select(Volunteer.user.name.as_alias("name"))
            .where(Volunteer.id == need.volunteer)
            .first()
        )
        return "volunteer", row["name"] if row else ""
    if need.unit is not None:
        row = (
            await PartnerUnit.select(PartnerUnit.name_zh, PartnerUnit.name_en)
            .where(PartnerUnit.id == need.unit)
            .first()
        )
        return "unit", localized(row, "name") if row else ""
    if need.branch is not None:
        row = (
            await PartyBranch.select(PartyBranch.name_zh, PartyBranch.name_en)
            .where(PartyBranch.id == need.branch)
            .first()
        )
        return "branch", localized(row, "name") if row else ""
    return "", ""


async def helpers_for(
    community_id: int, category: str
) -> tuple[list[Volunteer], list[PartnerUnit]]:
    """Approved volunteers (active accounts) and active units of the community; those whose
    categories include `category` come first, each group sorted by name."""
    volunteers = await Volunteer.objects(Volunteer.user).where(
        (Volunteer.community == community_id)
        & (Volunteer.status == VolunteerStatus.approved.value)
        & (Volunteer.user.active == True)  # noqa: E712
    )
    units = await PartnerUnit.objects().where(
        (PartnerUnit.community == community_id) & (PartnerUnit.active == True)  # noqa: E712
    )
    volunteers.sort(key=lambda v: (category not in categories_of(v.categories), v.user.name, v.id))
    units.sort(key=lambda u: (category not in categories_of(u.categories), u.name_zh, u.id))
    return volunteers, units


async def units_contacted_by(user_id: int) -> list[PartnerUnit]:
    """The active units, of any community, whose contact person is this user."""
    return (
        await PartnerUnit.objects()
        .where((PartnerUnit.contact_user == user_id) & (PartnerUnit.active == True))  # noqa: E712
        .order_by(PartnerUnit.community, PartnerUnit.name_zh, PartnerUnit.id)
    )


async def volunteer_of(user_id: int, community_id: int) -> Volunteer | None:
    """The user's approved volunteer row in that community, or None."""
    return (
        await Volunteer.objects()
        .where(
            (Volunteer.user == user_id)
            & (Volunteer.community == community_id)
            & (Volunteer.status == VolunteerStatus.approved.value)
        )
        .first()
    )


async def branch_members(branch_ids: list[int]) -> dict[int, list[int]]:
    """Branch id → user ids of its members who are approved volunteers (active accounts)."""
    rows = await Volunteer.select(Volunteer.branch, Volunteer.user).where(
        Volunteer.branch.is_in(branch_ids or [-1])
        & (Volunteer.status == VolunteerStatus.approved.value)
        & (Volunteer.user.active == True)  # noqa: E712
    )
    members: dict[int, list[int]] = {branch_id: [] for branch_id in branch_ids}
    for row in rows:
        members[row["branch"]].append(row["user"])
    return members
