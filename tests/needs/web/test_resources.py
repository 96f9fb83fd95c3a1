"""Staff keeping the resources of their communities: offered by a partner unit, a volunteer
or the community itself; filtered, edited and deactivated."""

from __future__ import annotations

import pytest

from app.tables import Community
from needs.tables import Resource
from tests.fixtures import Browser
from tests.needs.lists_world import (
    audit_entries,
    everything,
    make_resource,
    make_unit,
    make_volunteer,
    rows,
    visible,
)

# --- resources ------------------------------------------------------------------------------


async def test_a_resource_is_added_edited_and_deactivated(staff: Browser, home: Community) -> None:
    unit = await make_unit(home)
    volunteer = await make_volunteer(home, "李师傅")
    response = await staff.submit(
        "/staff/needs/resources/new",
        {
            "community": "guangchang-xi",
            "title_zh": "上门修水管",
            "title_en": "Plumbing repairs at home",
            "description": "小型管道维修，材料费自理。",
            "category": "repairs",
            "availability": "每周六上午",
            "offered_by": f"unit:{unit.id}",
        },
    )
    assert response.status_code == 303
    [resource] = await rows(Resource)
    created = {
        "title_zh": "上门修水管",
        "title_en": "Plumbing repairs at home",
        "description": "小型管道维修，材料费自理。",
        "category": "repairs",
        "availability": "每周六上午",
        "unit": unit.id,
        "volunteer": None,
    }
    assert {key: resource[key] for key in created} == created
    assert (resource["community"], resource["active"]) == (home.id, True)

    response = await staff.submit(
        f"/staff/needs/resources/{resource['id']}/edit",
        {
            **created,
            "category": "elderly_care",
            "offered_by": f"volunteer:{volunteer.id}",
            "unit": "",
            "volunteer": "",
        },
    )
    assert response.status_code == 303
    [resource] = await rows(Resource)
    assert (resource["category"], resource["unit"], resource["volunteer"]) == (
        "elderly_care",
        None,
        volunteer.id,
    )
    await staff.submit(f"/staff/needs/resources/{resource['id']}/deactivate")
    assert (await rows(Resource))[0]["active"] is False
    assert await audit_entries("resource") == [
        {
            "action": "resource.create",
            "subject_id": str(resource["id"]),
            "community": home.id,
            "before": None,
            "after": created,
        },
        {
            "action": "resource.update",
            "subject_id": str(resource["id"]),
            "community": home.id,
            "before": {"category": "repairs", "unit": unit.id, "volunteer": None},
            "after": {"category": "elderly_care", "unit": None, "volunteer": volunteer.id},
        },
        {
            "action": "resource.deactivate",
            "subject_id": str(resource["id"]),
            "community": home.id,
            "before": {"active": True},
            "after": {"active": False},
        },
    ]


async def test_a_resource_keeps_its_unit_deactivated_since(staff: Browser, home: Community) -> None:
    unit = await make_unit(home, active=False)
    resource = await make_resource(home, unit=unit.id)
    edit = await staff.get(f"/staff/needs/resources/{resource.id}/edit")
    assert f'<option value="unit:{unit.id}" selected>As before (no longer active)' in edit.text
    form = {"title_zh": "上门修水管", "category": "repairs", "availability": "周末"}
    response = await staff.submit(
        f"/staff/needs/resources/{resource.id}/edit", {**form, "offered_by": f"unit:{unit.id}"}
    )
    assert response.status_code == 303
    [row] = await rows(Resource)
    assert (row["unit"], row["availability"]) == (unit.id, "周末")
    # A new resource cannot name the deactivated unit.
    response = await staff.submit(
        "/staff/needs/resources/new",
        {**form, "community": "guangchang-xi", "offered_by": f"unit:{unit.id}"},
    )
    assert response.status_code == 400


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"title_zh": ""}, "Enter the title in Chinese."),
        ({"category": "plumbing"}, "Choose a category from the list."),
        ({"offered_by": "unit:other"}, "Choose a partner unit or an approved volunteer"),
        ({"offered_by": "volunteer:other"}, "Choose a partner unit or an approved volunteer"),
        ({"offered_by": "volunteer:applied"}, "Choose a partner unit or an approved volunteer"),
        ({"availability": "早" * 201}, "Use at most 200 characters."),
    ],
)
async def test_bad_resource_input_is_refused(
    staff: Browser, home: Community, other: Community, changes: dict[str, str], message: str
) -> None:
    offers = {
        "unit:other": f"unit:{(await make_unit(other, '八一物业')).id}",
        "volunteer:other": f"volunteer:{(await make_volunteer(other)).id}",
        "volunteer:applied": f"volunteer:{(await make_volunteer(home, status='applied')).id}",
    }
    if "offered_by" in changes:
        changes = {"offered_by": offers[changes["offered_by"]]}
    before = await everything()
    form = {"community": "guangchang-xi", "title_zh": "法律咨询", "category": "neighbours"}
    response = await staff.submit("/staff/needs/resources/new", {**form, **changes})
    assert response.status_code == 400
    assert f"Error: {message}" in visible(response.text)
    assert await everything() == before


async def test_resources_are_filtered_by_category_and_by_who_offers_them(
    staff: Browser, home: Community, other: Community
) -> None:
    unit = await make_unit(home, "城东物业")
    volunteer = await make_volunteer(home, "李师傅")
    await make_resource(home, "上门修水管", "repairs", unit=unit.id)
    await make_resource(home, "陪老人就医", "elderly_care", volunteer=volunteer.id)
    await make_resource(home, "社区活动室", "space_or_tool")
    await make_resource(other, "八一修车", "repairs")

    async def titles(query: str) -> list[str]:
        page = (await staff.get(f"/staff/needs/resources{query}")).text
        shown = ["上门修水管", "陪老人就医", "社区活动室", "八一修车"]
        return [title for title in shown if f'<th scope="row">{title}' in page]

    assert await titles("") == ["上门修水管", "陪老人就医", "社区活动室"]
    assert await titles("?category=repairs") == ["上门修水管"]
    assert await titles(f"?offered_by=unit:{unit.id}") == ["上门修水管"]
    assert await titles(f"?offered_by=volunteer:{volunteer.id}") == ["陪老人就医"]
    assert await titles("?offered_by=own") == ["社区活动室"]
    assert await titles("?category=repairs&offered_by=own") == []


async def test_the_units_page_shows_each_units_resources(staff: Browser, home: Community) -> None:
    first = await make_unit(home, "城东物业")
    second = await make_unit(home, "潞州律师事务所")
    await make_resource(home, "上门修水管", unit=first.id, availability="每周六上午")
    await make_resource(home, "免费法律咨询", "neighbours", unit=second.id)
    page = visible((await staff.get("/staff/needs/units")).text)
    assert "城东物业 Helps with Not said" in page
    assert "Resources 上门修水管 · Repairs · 每周六上午 Edit 城东物业" in page
    assert "Resources 免费法律咨询 · Neighbours Edit 潞州律师事务所" in page
