"""Staff keeping the lists of their communities: partner units (with a contact person's
account), resources and projects; every change stored exactly, audited, scoped to the staff's
own communities, and bad input refused with nothing stored."""

import html
from typing import Any

import pytest

from app.tables import AuditEntry, Community, Notification
from needs.queries import assignees
from needs.tables import PartnerUnit, Project, ProjectResource, Resource, Volunteer
from tests.factories import NOW, PASSWORD, make_community, make_user
from tests.fixtures import Browser, text_of


def visible(page: str) -> str:
    return html.unescape(text_of(page))


@pytest.fixture
async def home(db: None) -> Community:
    return await make_community(
        "guangchang-xi", name_zh="广场西社区", name_en="Guangchang West Community"
    )


@pytest.fixture
async def other(db: None) -> Community:
    return await make_community("bayi", name_zh="八一社区", name_en="Bayi Community")


@pytest.fixture
async def staff(browser: Browser, home: Community) -> Browser:
    await make_user("staff@west.example", staff_of=[home], locale="en")
    await browser.sign_in("staff@west.example", PASSWORD)
    return browser


async def rows(table: Any) -> list[dict[str, Any]]:
    return await table.select().order_by(table.id).output(load_json=True)


async def audit_entries(subject_type: str) -> list[dict[str, Any]]:
    return [
        {key: row[key] for key in ("action", "subject_id", "community", "before", "after")}
        for row in await AuditEntry.select()
        .where(AuditEntry.subject_type == subject_type)
        .order_by(AuditEntry.id)
        .output(load_json=True)
    ]


async def everything() -> list[Any]:
    """Every row a list change could touch, to prove nothing changed."""
    return [
        await rows(table)
        for table in (
            PartnerUnit,
            Resource,
            Project,
            ProjectResource,
            Volunteer,
            AuditEntry,
            Notification,
        )
    ]


async def make_unit(community: Community, name_zh: str = "城东物业", **columns: Any) -> PartnerUnit:
    unit = PartnerUnit(
        community=community.id, name_zh=name_zh, created_at=NOW, updated_at=NOW, **columns
    )
    await unit.save()
    return unit


async def make_resource(
    community: Community, title_zh: str = "上门修水管", category: str = "repairs", **columns: Any
) -> Resource:
    resource = Resource(
        community=community.id,
        title_zh=title_zh,
        category=category,
        created_at=NOW,
        updated_at=NOW,
        **columns,
    )
    await resource.save()
    return resource


async def make_volunteer(
    community: Community, name: str = "李师傅", status: str = "approved", categories: str = ""
) -> Volunteer:
    user = await make_user(name=name, community=community)
    volunteer = Volunteer(
        user=user.id, community=community.id, categories=categories, status=status, applied_at=NOW
    )
    await volunteer.save()
    return volunteer


UNIT_FORM = {
    "community": "guangchang-xi",
    "name_zh": "潞州区司法局",
    "name_en": "Luzhou Justice Bureau",
    "kind": "机关单位",
    "categories": ["neighbours", "parking"],
    "contact_name": "张科长",
    "contact_phone": "0355 2021234",
    "contact_login": "",
}


# --- partner units --------------------------------------------------------------------------


async def test_a_unit_is_added_with_its_contact_linked_by_mobile_number(
    staff: Browser, home: Community, other: Community
) -> None:
    # The contact works for the unit but lives in another community.
    contact = await make_user("13912345678", name="张科长", community=other)
    response = await staff.submit(
        "/staff/needs/units/new", {**UNIT_FORM, "contact_login": "+86 139-1234-5678"}
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/staff/needs/units?community=guangchang-xi"
    [unit] = await rows(PartnerUnit)
    values = {
        "name_zh": "潞州区司法局",
        "name_en": "Luzhou Justice Bureau",
        "kind": "机关单位",
        "categories": "parking,neighbours",
        "contact_name": "张科长",
        "contact_phone": "0355 2021234",
        "contact_user": contact.id,
    }
    assert {key: unit[key] for key in values} == values
    assert (unit["community"], unit["active"], unit["created_at"]) == (home.id, True, NOW)
    assert await audit_entries("partner_unit") == [
        {
            "action": "partner_unit.create",
            "subject_id": str(unit["id"]),
            "community": home.id,
            "before": None,
            "after": values,
        }
    ]
    assert await assignees.units_contacted_by(contact.id) == [
        await PartnerUnit.objects().where(PartnerUnit.id == unit["id"]).first()
    ]
    page = visible((await staff.get("/staff/needs/units")).text)
    assert "Luzhou Justice Bureau What it is 机关单位 Helps with Parking, Neighbours" in page
    assert "Linli account 张科长 (139****5678)" in page


async def test_a_unit_is_edited_and_only_the_changes_are_audited(
    staff: Browser, home: Community
) -> None:
    contact = await make_user("contact@unit.example", name="赵主任", community=home)
    unit = await make_unit(home, contact_user=contact.id, categories="repairs")
    edit = await staff.get(f"/staff/needs/units/{unit.id}/edit")
    assert 'value="contact@unit.example"' in edit.text
    response = await staff.submit(
        f"/staff/needs/units/{unit.id}/edit",
        {**UNIT_FORM, "name_zh": "城东物业", "name_en": "Chengdong Property", "categories": []},
    )
    assert response.status_code == 303
    [row] = await rows(PartnerUnit)
    assert (row["name_en"], row["categories"], row["contact_user"]) == (
        "Chengdong Property",
        "",
        None,
    )
    assert await audit_entries("partner_unit") == [
        {
            "action": "partner_unit.update",
            "subject_id": str(unit.id),
            "community": home.id,
            "before": {
                "name_en": "",
                "kind": "",
                "categories": "repairs",
                "contact_name": "",
                "contact_phone": "",
                "contact_user": contact.id,
            },
            "after": {
                "name_en": "Chengdong Property",
                "kind": "机关单位",
                "categories": "",
                "contact_name": "张科长",
                "contact_phone": "0355 2021234",
                "contact_user": None,
            },
        }
    ]


async def test_a_unit_is_deactivated_and_reactivated(staff: Browser, home: Community) -> None:
    unit = await make_unit(home)
    assert (await staff.submit(f"/staff/needs/units/{unit.id}/deactivate")).status_code == 303
    assert (await rows(PartnerUnit))[0]["active"] is False
    assert await assignees.helpers_for(home.id, "repairs") == ([], [])
    assert (await staff.submit(f"/staff/needs/units/{unit.id}/deactivate")).status_code == 303
    assert (await staff.submit(f"/staff/needs/units/{unit.id}/reactivate")).status_code == 303
    assert [
        (e["action"], e["before"], e["after"]) for e in await audit_entries("partner_unit")
    ] == [
        ("partner_unit.deactivate", {"active": True}, {"active": False}),
        ("partner_unit.reactivate", {"active": False}, {"active": True}),
    ]


async def test_a_contact_login_without_an_account_is_refused(staff: Browser) -> None:
    before = await everything()
    response = await staff.submit(
        "/staff/needs/units/new", {**UNIT_FORM, "contact_login": "13800001111"}
    )
    assert response.status_code == 400
    page = visible(response.text)
    assert "Error: Nobody has signed up with this number or email." in page
    assert 'value="13800001111"' in response.text
    assert 'value="潞州区司法局"' in response.text
    assert 'value="parking" checked' in response.text
    assert await everything() == before


async def test_bad_unit_input_is_refused_with_every_message(staff: Browser) -> None:
    before = await everything()
    response = await staff.submit(
        "/staff/needs/units/new",
        {
            **UNIT_FORM,
            "name_zh": "  ",
            "categories": ["repairs", "plumbing"],
            "contact_phone": "call me",
            "contact_login": "not an address",
        },
    )
    assert response.status_code == 400
    page = visible(response.text)
    assert (
        "Please check the following Enter the name in Chinese. Choose categories from the list. "
        "Use digits, spaces, +, - and brackets only, such as 0355-1234567. "
        "Enter the contact's mobile number or email address, or leave it empty."
    ) in page
    assert await everything() == before


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


# --- scoping --------------------------------------------------------------------------------


async def test_staff_of_another_community_can_change_nothing(
    browser: Browser, home: Community, other: Community
) -> None:
    unit = await make_unit(home)
    resource = await make_resource(home, unit=unit.id)
    project = Project(community=home.id, title_zh="修缮计划", created_at=NOW, updated_at=NOW)
    await project.save()
    applicant = await make_volunteer(home, "申请人", status="applied")
    volunteer = await make_volunteer(home, "李师傅")
    await make_user("staff@bayi.example", staff_of=[other], locale="en")
    await browser.sign_in("staff@bayi.example", PASSWORD)
    before = await everything()
    for url in [
        "/staff/needs/units?community=guangchang-xi",
        "/staff/needs/resources?community=guangchang-xi",
        "/staff/needs/projects?community=guangchang-xi",
        "/staff/needs/volunteers?community=guangchang-xi",
        "/staff/needs/units/new?community=guangchang-xi",
        "/staff/needs/resources/new?community=guangchang-xi",
        "/staff/needs/projects/new?community=guangchang-xi",
        f"/staff/needs/units/{unit.id}/edit",
        f"/staff/needs/resources/{resource.id}/edit",
        f"/staff/needs/projects/{project.id}/edit",
    ]:
        assert (await browser.get(url)).status_code == 403, url
    posts = {
        "/staff/needs/units/new": UNIT_FORM,
        "/staff/needs/resources/new": {
            "community": "guangchang-xi",
            "title_zh": "x",
            "category": "repairs",
        },
        "/staff/needs/projects/new": {"community": "guangchang-xi", "title_zh": "x"},
        f"/staff/needs/units/{unit.id}/edit": UNIT_FORM,
        f"/staff/needs/resources/{resource.id}/edit": {"title_zh": "x", "category": "repairs"},
        f"/staff/needs/projects/{project.id}/edit": {"title_zh": "x"},
        f"/staff/needs/volunteers/{applicant.id}/approve": {},
        f"/staff/needs/volunteers/{applicant.id}/decline": {"reason": "不需要"},
        f"/staff/needs/volunteers/{volunteer.id}/retire": {"reason": ""},
    }
    for kind, row_id in (("units", unit.id), ("resources", resource.id), ("projects", project.id)):
        for verb in ("deactivate", "reactivate"):
            posts[f"/staff/needs/{kind}/{row_id}/{verb}"] = {}
    for url, form in posts.items():
        assert (await browser.submit(url, form)).status_code == 403, url
    # Their own lists do not show the other community's entries.
    for url in ("/staff/needs/units", "/staff/needs/resources", "/staff/needs/volunteers"):
        page = (await browser.get(url)).text
        assert "城东物业" not in page and "上门修水管" not in page and "李师傅" not in page
    assert (await browser.get("/staff/needs/units/999/edit")).status_code == 404
    assert await everything() == before


async def test_an_administrator_manages_every_community(
    browser: Browser, home: Community, other: Community
) -> None:
    unit = await make_unit(other, "八一物业")
    await make_user("admin@example.com", is_admin=True, locale="en")
    await browser.sign_in("admin@example.com", PASSWORD)
    chooser = visible((await browser.get("/staff/needs/units/new")).text)
    assert "Which community is it for? Bayi Community Guangchang West Community" in chooser
    assert (await browser.submit(f"/staff/needs/units/{unit.id}/deactivate")).status_code == 303
    assert (await rows(PartnerUnit))[0]["active"] is False
