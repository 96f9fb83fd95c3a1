"""Residents volunteering for their own community: offering, changing, withdrawing; staff
approving, declining with a reason, retiring; notifications at each step."""

import html
from typing import Any

import pytest

from app.errors import Forbidden
from app.tables import AuditEntry, Community, Notification
from needs.queries import assignees
from needs.services import volunteers
from needs.tables import Volunteer
from tests.factories import NOW, PASSWORD, actor_for, make_community, make_user
from tests.fixtures import Browser, text_of


def visible(page: str) -> str:
    return html.unescape(text_of(page))


@pytest.fixture
async def home(db: None) -> Community:
    return await make_community(
        "guangchang-dong", name_zh="广场东社区", name_en="Guangchang East Community"
    )


@pytest.fixture
async def other(db: None) -> Community:
    return await make_community("bayi", name_zh="八一社区", name_en="Bayi Community")


async def volunteer_rows() -> list[dict[str, Any]]:
    return await Volunteer.select().order_by(Volunteer.id)


async def notices() -> list[tuple[int, str, str, str]]:
    return [
        (row["user"], row["kind"], row["title"], row["link"])
        for row in await Notification.select().order_by(Notification.id)
    ]


async def audit_trail() -> list[tuple[str, Any, Any]]:
    return [
        (row["action"], row["before"], row["after"])
        for row in await AuditEntry.select()
        .where(AuditEntry.subject_type == "volunteer")
        .order_by(AuditEntry.id)
        .output(load_json=True)
    ]


async def everything() -> list[Any]:
    return [await volunteer_rows(), await notices(), await audit_trail()]


async def switch_to(browser: Browser, login: str) -> None:
    browser.client.cookies.clear()
    await browser.sign_in(login, PASSWORD)


async def test_an_offer_is_approved_and_then_offered_first_for_its_category(
    browser: Browser, home: Community
) -> None:
    staff = await make_user("staff@east.example", staff_of=[home], locale="en")
    resident = await make_user("13912340001", name="刘师傅", community=home, locale="en")
    # Another volunteer, approved earlier, who helps with something else.
    other_person = await make_user(name="陈阿姨", community=home)
    await Volunteer.insert(
        Volunteer(
            user=other_person.id,
            community=home.id,
            categories="elderly_care",
            status="approved",
            applied_at=NOW,
        )
    )
    await browser.sign_in("13912340001", PASSWORD)
    form = visible((await browser.get("/needs/volunteer")).text)
    assert "Offer to volunteer I can help with Choose at least one." in form
    response = await browser.submit(
        "/needs/volunteer",
        {
            "community": "guangchang-dong",
            "categories": ["repairs", "elderly_care"],
            "skills": "电工，退休，工作日上午有空",
        },
    )
    assert response.status_code == 303
    [_earlier, row] = await volunteer_rows()
    assert {key: row[key] for key in ("user", "community", "categories", "skills", "status")} == {
        "user": resident.id,
        "community": home.id,
        "categories": "repairs,elderly_care",
        "skills": "电工，退休，工作日上午有空",
        "status": "applied",
    }
    assert row["applied_at"] == NOW
    assert await notices() == [
        (
            staff.id,
            "needs.volunteer_applied",
            "刘师傅 offers to volunteer in Guangchang East Community. Please confirm or decline.",
            "/staff/needs/volunteers",
        )
    ]
    assert "Waiting for staff to confirm" in visible((await browser.get("/needs/volunteer")).text)
    assert await assignees.volunteer_of(resident.id, home.id) is None

    await switch_to(browser, "staff@east.example")
    listing = visible((await browser.get("/staff/needs/volunteers")).text)
    assert (
        "Offers waiting for a decision 刘师傅 Account 139****0001 Helps with Repairs, Elderly care"
        in listing
    )
    response = await browser.submit(f"/staff/needs/volunteers/{row['id']}/approve")
    assert response.status_code == 303
    [_earlier, row] = await volunteer_rows()
    assert (row["status"], row["decided_at"], row["decided_by"]) == ("approved", NOW, staff.id)
    assert (await notices())[-1] == (
        resident.id,
        "needs.volunteer_approved",
        "You are now a volunteer of Guangchang East Community. Staff may send you needs you "
        "can help with.",
        "/needs/volunteer",
    )
    volunteers_found, _units = await assignees.helpers_for(home.id, "elderly_care")
    assert [v.user.name for v in volunteers_found] == ["刘师傅", "陈阿姨"]
    volunteers_found, _units = await assignees.helpers_for(home.id, "repairs")
    assert [v.user.name for v in volunteers_found] == ["刘师傅", "陈阿姨"]
    volunteers_found, _units = await assignees.helpers_for(home.id, "parking")
    assert [v.user.name for v in volunteers_found] == ["刘师傅", "陈阿姨"]
    found = await assignees.volunteer_of(resident.id, home.id)
    assert found is not None and found.id == row["id"]
    assert await audit_trail() == [
        (
            "volunteer.apply",
            None,
            {
                "categories": "repairs,elderly_care",
                "skills": "电工，退休，工作日上午有空",
                "status": "applied",
            },
        ),
        ("volunteer.approve", {"status": "applied"}, {"status": "approved"}),
    ]


async def test_a_declined_applicant_is_told_why_and_may_offer_again(
    browser: Browser, home: Community
) -> None:
    staff = await make_user("staff@east.example", staff_of=[home], locale="en")
    resident = await make_user("13912340001", name="刘师傅", community=home, locale="en")
    await volunteers.offer(
        await actor_for(resident),
        "guangchang-dong",
        volunteers.VolunteerForm(categories="parking"),
        now=NOW,
    )
    [row] = await volunteer_rows()
    await browser.sign_in("staff@east.example", PASSWORD)
    response = await browser.submit(
        f"/staff/needs/volunteers/{row['id']}/decline?community=guangchang-dong",
        {"reason": "停车问题已由物业负责"},
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/staff/needs/volunteers?community=guangchang-dong"
    [row] = await volunteer_rows()
    assert (row["status"], row["decided_by"]) == ("declined", staff.id)
    assert (await notices())[-1] == (
        resident.id,
        "needs.volunteer_declined",
        "Your offer to volunteer in Guangchang East Community was not accepted: 停车问题已由物业负责",
        "/needs/volunteer",
    )
    assert (await audit_trail())[-1] == (
        "volunteer.decline",
        {"status": "applied"},
        {"status": "declined", "reason": "停车问题已由物业负责"},
    )

    await switch_to(browser, "13912340001")
    page = visible((await browser.get("/needs/volunteer")).text)
    assert (
        "Not accepted Staff did not accept your offer. Their reason: 停车问题已由物业负责" in page
    )
    response = await browser.submit(
        "/needs/volunteer", {"community": "guangchang-dong", "categories": "neighbours"}
    )
    assert response.status_code == 303
    [row] = await volunteer_rows()
    assert (row["status"], row["categories"], row["decided_at"], row["decided_by"]) == (
        "applied",
        "neighbours",
        None,
        None,
    )
    assert [n[1] for n in await notices()] == [
        "needs.volunteer_applied",
        "needs.volunteer_declined",
        "needs.volunteer_applied",
    ]


async def test_declining_without_a_reason_changes_nothing(
    browser: Browser, home: Community
) -> None:
    await make_user("staff@east.example", staff_of=[home], locale="en")
    resident = await make_user(name="刘师傅", community=home)
    await Volunteer.insert(
        Volunteer(
            user=resident.id,
            community=home.id,
            categories="repairs",
            status="applied",
            applied_at=NOW,
        )
    )
    [row] = await volunteer_rows()
    await browser.sign_in("staff@east.example", PASSWORD)
    before = await everything()
    response = await browser.submit(f"/staff/needs/volunteers/{row['id']}/decline", {"reason": " "})
    assert response.status_code == 400
    assert "Error: Say why, for the applicant to read." in visible(response.text)
    assert await everything() == before


async def test_staff_retire_a_volunteer_and_cannot_decide_twice(
    browser: Browser, home: Community
) -> None:
    staff = await make_user("staff@east.example", staff_of=[home], locale="en")
    resident = await make_user(name="刘师傅", community=home, locale="en")
    await Volunteer.insert(
        Volunteer(
            user=resident.id,
            community=home.id,
            categories="repairs",
            status="approved",
            applied_at=NOW,
        )
    )
    [row] = await volunteer_rows()
    await browser.sign_in("staff@east.example", PASSWORD)
    response = await browser.submit(
        f"/staff/needs/volunteers/{row['id']}/retire", {"reason": "已搬离本社区"}
    )
    assert response.status_code == 303
    [row] = await volunteer_rows()
    assert (row["status"], row["decided_by"]) == ("retired", staff.id)
    assert await notices() == [
        (
            resident.id,
            "needs.volunteer_retired",
            "Staff of Guangchang East Community ended your volunteering: 已搬离本社区",
            "/needs/volunteer",
        )
    ]
    assert await assignees.helpers_for(home.id, "repairs") == ([], [])
    before = await everything()
    response = await browser.submit(f"/staff/needs/volunteers/{row['id']}/approve")
    assert response.status_code == 303
    page = visible((await browser.get("/staff/needs/volunteers")).text)
    assert "Problem: This was already decided; the list shows where it stands now." in page
    assert "Declined or retired Name Status Since 刘师傅 No longer volunteering" in page
    assert await everything() == before


async def test_a_resident_changes_categories_and_retires(browser: Browser, home: Community) -> None:
    resident = await make_user("13912340001", name="刘师傅", community=home, locale="en")
    await Volunteer.insert(
        Volunteer(
            user=resident.id,
            community=home.id,
            categories="repairs",
            skills="电工",
            status="approved",
            applied_at=NOW,
        )
    )
    await browser.sign_in("13912340001", PASSWORD)
    page = visible((await browser.get("/needs/volunteer")).text)
    assert "Volunteer You are a volunteer of Guangchang East Community." in page
    response = await browser.submit(
        "/needs/volunteer",
        {"community": "guangchang-dong", "categories": ["repairs", "parking"], "skills": "电工"},
    )
    assert response.status_code == 303
    [row] = await volunteer_rows()
    assert (row["status"], row["categories"]) == ("approved", "repairs,parking")
    assert await notices() == []  # staff are told of new offers only
    assert (await browser.submit("/needs/volunteer/retire")).status_code == 303
    [row] = await volunteer_rows()
    assert (row["status"], row["decided_by"]) == ("retired", resident.id)
    page = visible((await browser.get("/needs/volunteer")).text)
    assert (
        "No longer volunteering You are not volunteering at the moment. Offer to volunteer again"
        in page
    )
    assert await audit_trail() == [
        ("volunteer.update", {"categories": "repairs"}, {"categories": "repairs,parking"}),
        ("volunteer.retire", {"status": "approved"}, {"status": "retired"}),
    ]


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"categories": []}, "Choose at least one category."),
        ({"categories": ["repairs", "babysitting"]}, "Choose categories from the list."),
        ({"categories": "repairs", "skills": "修" * 301}, "Use at most 300 characters."),
    ],
)
async def test_bad_offers_are_refused_with_what_was_typed(
    browser: Browser, home: Community, form: dict[str, Any], message: str
) -> None:
    await make_user("13912340001", community=home, locale="en")
    await browser.sign_in("13912340001", PASSWORD)
    response = await browser.submit("/needs/volunteer", {"community": "guangchang-dong", **form})
    assert response.status_code == 400
    assert f"Error: {message}" in visible(response.text)
    if "skills" in form:
        assert "修" * 301 in response.text
        assert 'value="repairs" checked' in response.text
    assert await everything() == [[], [], []]


async def test_a_resident_of_another_community_cannot_offer_to_this_one(
    browser: Browser, home: Community, other: Community
) -> None:
    await make_user("staff@east.example", staff_of=[home])
    neighbour = await make_user("13912340002", community=other, locale="en")
    await browser.sign_in("13912340002", PASSWORD)
    response = await browser.submit(
        "/needs/volunteer", {"community": "guangchang-dong", "categories": "repairs"}
    )
    assert response.status_code == 403
    with pytest.raises(Forbidden):
        await volunteers.offer(
            await actor_for(neighbour),
            "guangchang-dong",
            volunteers.VolunteerForm(categories="repairs"),
            now=NOW,
        )
    assert await everything() == [[], [], []]


async def test_someone_without_a_community_is_told_they_cannot_volunteer(
    browser: Browser, home: Community
) -> None:
    await make_user("13912340003", locale="en")
    await browser.sign_in("13912340003", PASSWORD)
    page = visible((await browser.get("/needs/volunteer")).text)
    assert "Your account does not belong to a community" in page
    assert "I can help with" not in page


async def test_the_volunteer_page_needs_signing_in(client: Any, home: Community) -> None:
    response = await client.get("/needs/volunteer")
    assert response.status_code == 303
    assert response.headers["location"] == "/account/signin?next=%2Fneeds%2Fvolunteer"


async def test_the_account_page_links_residents_to_volunteering(
    browser: Browser, home: Community
) -> None:
    await make_user("13912340001", community=home, locale="en")
    await browser.sign_in("13912340001", PASSWORD)
    assert 'href="/needs/volunteer"' in (await browser.get("/account")).text
