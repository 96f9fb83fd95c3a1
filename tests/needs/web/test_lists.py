"""Staff keeping the lists of their communities: partner units (with a contact person's
account), resources and projects; every change stored exactly, audited, scoped to the staff's
own communities, and bad input refused with nothing stored."""

from __future__ import annotations

from app.tables import Community
from needs.queries import assignees
from needs.tables import PartnerUnit, Project
from tests.factories import NOW, PASSWORD, make_user
from tests.fixtures import Browser
from tests.needs.lists_world import (
    UNIT_FORM,
    audit_entries,
    everything,
    make_resource,
    make_unit,
    make_volunteer,
    rows,
    visible,
)

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
