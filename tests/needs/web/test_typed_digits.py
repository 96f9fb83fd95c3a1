"""Characters Python counts as digits but no id or rating is ("²", "٣"): the resource and
project forms, the resources list's filter and the rating form treat them as bad input (a
form shown again, or no match), never as a 500."""

from __future__ import annotations

import uuid

from app.tables import Community
from needs.tables import Need, Project, Resource
from tests.factories import NOW, make_user
from tests.fixtures import Browser, text_of
from tests.needs.web.conftest import OpenBrowser


async def test_resource_and_project_forms_refuse_superscript_ids(
    staff: Browser, home: Community
) -> None:
    resource = await staff.submit(
        "/staff/needs/resources/new",
        {
            "community": "guangchang-xi",
            "title_zh": "上门修水管",
            "category": "repairs",
            "offered_by": "unit:²",
        },
    )
    assert resource.status_code == 400
    assert await Resource.count() == 0
    project = await staff.submit(
        "/staff/needs/projects/new",
        {
            "community": "guangchang-xi",
            "title_zh": "暖心驿站",
            "categories": "repairs",
            "resources": "٣",
        },
    )
    assert project.status_code == 400
    assert await Project.count() == 0
    listed = await staff.get("/staff/needs/resources", params={"offered_by": "unit:²"})
    assert listed.status_code == 200


async def test_a_rating_of_a_superscript_two_is_refused(
    open_browser: OpenBrowser, home: Community, frozen_clock: list
) -> None:
    resident = await make_user("13800000071", community=home)
    need = Need(
        id=uuid.uuid4(),
        community=home.id,
        category="repairs",
        description="楼道灯不亮",
        status="done",
        reporter=resident.id,
        reporter_kind="resident",
        created_at=NOW,
        updated_at=NOW,
        done_at=NOW,
    )
    await need.save()
    browser = await open_browser("13800000071")
    response = await browser.submit(f"/needs/{need.id}/rate", {"rating": "²"})
    assert response.status_code == 400
    assert "Choose from 1 to 5 stars." in text_of(response.text)
    stored = await Need.objects().where(Need.id == need.id).first()
    assert (stored.status, stored.rating) == ("done", None)
