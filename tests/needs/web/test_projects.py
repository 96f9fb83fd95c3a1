"""Staff keeping the projects of their communities, which bundle resources."""

from __future__ import annotations

import pytest

from app.tables import Community
from needs.tables import Project, ProjectResource, Resource
from tests.factories import NOW
from tests.fixtures import Browser
from tests.needs.lists_world import (
    audit_entries,
    everything,
    make_resource,
    rows,
    visible,
)

# --- projects -------------------------------------------------------------------------------


async def test_a_project_bundles_resources_and_is_edited_and_deactivated(
    staff: Browser, home: Community
) -> None:
    pipes = await make_resource(home, "上门修水管")
    lawyer = await make_resource(home, "免费法律咨询", "neighbours")
    room = await make_resource(home, "社区活动室", "space_or_tool")
    response = await staff.submit(
        "/staff/needs/projects/new",
        {
            "community": "guangchang-xi",
            "title_zh": "邻里和谐计划",
            "title_en": "Good Neighbours",
            "description": "调解邻里纠纷，每月一次议事会。",
            "categories": ["neighbours", "parking"],
            "resources": [str(lawyer.id), str(room.id)],
        },
    )
    assert response.status_code == 303
    [project] = await rows(Project)
    created = {
        "title_zh": "邻里和谐计划",
        "title_en": "Good Neighbours",
        "description": "调解邻里纠纷，每月一次议事会。",
        "categories": "parking,neighbours",
    }
    assert {key: project[key] for key in created} == created
    assert [(r["project"], r["resource"]) for r in await rows(ProjectResource)] == [
        (project["id"], lawyer.id),
        (project["id"], room.id),
    ]
    response = await staff.submit(
        f"/staff/needs/projects/{project['id']}/edit",
        {**created, "categories": ["neighbours", "parking"], "resources": str(pipes.id)},
    )
    assert response.status_code == 303
    assert [r["resource"] for r in await rows(ProjectResource)] == [pipes.id]
    await staff.submit(f"/staff/needs/projects/{project['id']}/deactivate")
    assert (await rows(Project))[0]["active"] is False
    assert await audit_entries("project") == [
        {
            "action": "project.create",
            "subject_id": str(project["id"]),
            "community": home.id,
            "before": None,
            "after": {**created, "resources": [lawyer.id, room.id]},
        },
        {
            "action": "project.update",
            "subject_id": str(project["id"]),
            "community": home.id,
            "before": {"resources": [lawyer.id, room.id]},
            "after": {"resources": [pipes.id]},
        },
        {
            "action": "project.deactivate",
            "subject_id": str(project["id"]),
            "community": home.id,
            "before": {"active": True},
            "after": {"active": False},
        },
    ]
    page = visible((await staff.get("/staff/needs/projects")).text)
    assert "For needs about Parking, Neighbours Resources it bundles 上门修水管" in page


async def test_a_project_keeps_a_bundled_resource_deactivated_since(
    staff: Browser, home: Community
) -> None:
    pipes = await make_resource(home, "上门修水管")
    project = Project(community=home.id, title_zh="修缮计划", created_at=NOW, updated_at=NOW)
    await project.save()
    await ProjectResource.insert(ProjectResource(project=project.id, resource=pipes.id))
    await Resource.update({Resource.active: False}).where(Resource.id == pipes.id)
    form = {"title_zh": "修缮计划", "title_en": "Repairs", "resources": str(pipes.id)}
    response = await staff.submit(f"/staff/needs/projects/{project.id}/edit", form)
    assert response.status_code == 303
    assert [r["resource"] for r in await rows(ProjectResource)] == [pipes.id]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"title_zh": ""}, "Enter the title in Chinese."),
        ({"categories": "gardening"}, "Choose categories from the list."),
        ({"resources": "other"}, "Choose among this community's active resources."),
        ({"resources": "inactive"}, "Choose among this community's active resources."),
        ({"resources": "x"}, "Choose among this community's active resources."),
    ],
)
async def test_bad_project_input_is_refused(
    staff: Browser, home: Community, other: Community, changes: dict[str, str], message: str
) -> None:
    ids = {
        "other": str((await make_resource(other, "八一修车")).id),
        "inactive": str((await make_resource(home, "旧资源", active=False)).id),
        "x": "x",
    }
    if "resources" in changes:
        changes = {"resources": ids[changes["resources"]]}
    before = await everything()
    form = {"community": "guangchang-xi", "title_zh": "邻里和谐计划", "categories": "neighbours"}
    response = await staff.submit("/staff/needs/projects/new", {**form, **changes})
    assert response.status_code == 400
    assert f"Error: {message}" in visible(response.text)
    assert await everything() == before
