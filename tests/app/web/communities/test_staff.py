import re

import pytest

from app.communities import services
from app.errors import Forbidden, NotFound
from app.tables import AuditEntry, Community, StaffMembership, User
from tests.factories import NOW, PASSWORD, actor_for, make_community, make_user
from tests.fixtures import Browser


async def test_anonymous_visitors_are_sent_to_sign_in(browser: Browser) -> None:
    response = await browser.get("/staff")
    assert response.status_code == 303
    assert response.headers["location"] == "/account/signin?next=%2Fstaff"


async def test_a_resident_cannot_open_staff_pages(browser: Browser) -> None:
    bayi = await make_community("bayi")
    await make_user("13812345678", community=bayi)
    await browser.sign_in("13812345678", PASSWORD)
    for path in ("/staff", "/staff/communities/bayi", "/staff/people", "/staff/audit"):
        response = await browser.get(path)
        assert response.status_code == 403, path
        assert "您的账户没有权限打开这个页面。" in response.text


async def test_staff_see_only_their_own_communities(browser: Browser) -> None:
    bayi = await make_community("bayi", name_zh="八一社区")
    await make_community("caijiaxiang", name_zh="蔡家巷社区")
    await make_user("staff@example.com", staff_of=[bayi])
    await browser.sign_in("staff@example.com", PASSWORD)
    index = await browser.get("/staff")
    assert "八一社区" in index.text and "蔡家巷社区" not in index.text
    assert (await browser.get("/staff/communities/bayi")).status_code == 200
    assert (await browser.get("/staff/communities/caijiaxiang")).status_code == 403
    assert (await browser.get("/staff/communities/nowhere")).status_code == 404
    assert (await browser.get("/staff/people")).status_code == 403


async def test_staff_of_one_community_cannot_change_another(browser: Browser) -> None:
    bayi = await make_community("bayi")
    await make_community("caijiaxiang")
    await make_user("staff@example.com", staff_of=[bayi])
    await browser.sign_in("staff@example.com", PASSWORD)
    response = await browser.submit(
        "/staff/communities/caijiaxiang/settings", {"residents_need_approval": "1"}
    )
    assert response.status_code == 403
    assert (
        await Community.objects().where(Community.slug == "caijiaxiang").first()
    ).residents_need_approval is False
    assert await AuditEntry.count() == 0


async def test_staff_change_settings_and_it_is_audited(browser: Browser) -> None:
    bayi = await make_community("bayi")
    staff = await make_user("staff@example.com", staff_of=[bayi])
    await browser.sign_in("staff@example.com", PASSWORD)
    response = await browser.submit(
        "/staff/communities/bayi/settings", {"residents_need_approval": "1"}
    )
    assert response.status_code == 303
    stored = await Community.objects().where(Community.slug == "bayi").first()
    assert (stored.residents_need_approval, stored.contact_verification) == (True, False)
    entry = await AuditEntry.objects().output(load_json=True).first()
    assert (entry.actor, entry.action, entry.community, entry.before, entry.after) == (
        staff.id,
        "community.settings",
        bayi.id,
        {"residents_need_approval": False},
        {"residents_need_approval": True},
    )


async def test_staff_confirm_a_waiting_resident(browser: Browser) -> None:
    bayi = await make_community("bayi", residents_need_approval=True)
    await make_user("staff@example.com", staff_of=[bayi])
    resident = await make_user(
        "13812345678", name="李大爷", community=bayi, resident_approved=False
    )
    await browser.sign_in("staff@example.com", PASSWORD)
    page = await browser.get("/staff/communities/bayi")
    assert "李大爷" in page.text and "138****5678" in page.text
    response = await browser.submit(f"/staff/communities/bayi/residents/{resident.id}/approve")
    assert response.status_code == 303
    assert (
        await User.objects().where(User.id == resident.id).first()
    ).resident_approved_at is not None
    assert "李大爷 现在可以预约了。" in (await browser.get("/staff/communities/bayi")).text


async def test_approving_a_resident_of_another_community_is_not_found(db: None) -> None:
    bayi = await make_community("bayi", residents_need_approval=True)
    other = await make_community("caijiaxiang", residents_need_approval=True)
    staff = await actor_for(await make_user(staff_of=[bayi]))
    stranger = await make_user(community=other, resident_approved=False)
    with pytest.raises(NotFound):
        await services.approve_resident(staff, bayi, stranger.id, now=NOW)
    with pytest.raises(Forbidden):
        await services.approve_resident(staff, other, stranger.id, now=NOW)
    assert (await User.objects().where(User.id == stranger.id).first()).resident_approved_at is None


async def test_admin_grants_and_removes_staff_roles(browser: Browser) -> None:
    bayi = await make_community("bayi")
    await make_user("admin@example.com", is_admin=True)
    person = await make_user("13812345678", name="李大爷")
    await browser.sign_in("admin@example.com", PASSWORD)
    found = await browser.get("/staff/people", params={"login": "138 1234 5678"})
    assert "李大爷" in found.text
    await browser.submit(f"/staff/people/{person.id}/staff", {"community": "bayi"})
    assert await StaffMembership.count().where(StaffMembership.user == person.id) == 1
    await browser.submit(f"/staff/people/{person.id}/staff/bayi/revoke")
    assert await StaffMembership.count().where(StaffMembership.user == person.id) == 0
    actions = [
        e["action"] for e in await AuditEntry.select(AuditEntry.action).order_by(AuditEntry.id)
    ]
    assert actions == ["staff.granted", "staff.revoked"]
    assert bayi.id is not None
    audit = await browser.get("/staff/audit")
    assert "staff.granted" in audit.text


async def test_the_last_admin_keeps_the_role(browser: Browser) -> None:
    admin = await make_user("admin@example.com", is_admin=True)
    await browser.sign_in("admin@example.com", PASSWORD)
    await browser.submit(f"/staff/people/{admin.id}/admin", {"is_admin": ""})
    assert (await User.objects().where(User.id == admin.id).first()).is_admin is True
    assert "邻里至少要保留一位管理员。" in (await browser.get(f"/staff/people/{admin.id}")).text


async def test_the_audit_log_shows_changes_in_plain_text(browser: Browser) -> None:
    bayi = await make_community("bayi")
    await make_user("admin@example.com", is_admin=True)
    staff = await make_user("staff@example.com", staff_of=[bayi], name="刘主任")
    await AuditEntry(
        actor=staff.id,
        action="space.update",
        subject_type="space",
        subject_id="hall",
        community=bayi.id,
        before={"name_zh": "活动室"},
        after={"name_zh": "党群活动室", "capacity": 2},
        occurred_at=NOW,
    ).save()
    await browser.sign_in("admin@example.com", PASSWORD)
    page = await browser.get("/staff/audit")
    assert "<code>name_zh</code>: 党群活动室" in page.text
    assert "<code>capacity</code>: 2" in page.text
    assert "刘主任" in page.text


async def test_the_dashboard_and_holiday_table_use_the_sites_date(
    browser: Browser, frozen_clock: list
) -> None:
    from datetime import UTC, datetime

    # 31 December 2026, 17:30 UTC is already 1 January 2027, 01:30 in Shanghai.
    frozen_clock[0] = datetime(2026, 12, 31, 17, 30, tzinfo=UTC)
    await make_user("admin@example.com", is_admin=True)
    await browser.sign_in("admin@example.com", PASSWORD)
    index = await browser.get("/staff")
    assert re.search(r'class="lead">([^<]*)<', index.text)[1] == "今天是2027年1月1日周五"
    table = await browser.get("/staff/holidays")
    assert "2027" in table.text and "2028" in table.text
    assert ">2026<" not in table.text


async def test_staff_set_and_clear_the_community_centre(browser: Browser) -> None:
    bayi = await make_community("bayi")
    staff = await make_user("staff@example.com", staff_of=[bayi], locale="en")
    await browser.sign_in("staff@example.com", PASSWORD)
    page = await browser.get("/staff/communities/bayi")
    assert "Public answers (Open311) place a need without its own position at this point." in (
        page.text
    )
    form = {"followup_after_days": "3", "autoclose_after_days": "14"}
    response = await browser.submit(
        "/staff/communities/bayi/settings",
        {**form, "latitude": " 36.1950 ", "longitude": "１１３.1160"},
    )
    assert response.status_code == 303
    stored = await Community.objects().where(Community.slug == "bayi").first()
    assert (stored.latitude, stored.longitude) == (36.195, 113.116)
    entry = await AuditEntry.objects().output(load_json=True).first()
    assert (entry.actor, entry.before, entry.after) == (
        staff.id,
        {"latitude": None, "longitude": None},
        {"latitude": 36.195, "longitude": 113.116},
    )
    page = await browser.get("/staff/communities/bayi")
    assert 'name="latitude" type="text" value="36.195"' in page.text
    # A form without the two fields (an older page) keeps the centre.
    await browser.submit("/staff/communities/bayi/settings", form)
    kept = await Community.objects().where(Community.slug == "bayi").first()
    assert (kept.latitude, kept.longitude) == (36.195, 113.116)
    await browser.submit(
        "/staff/communities/bayi/settings", {**form, "latitude": "", "longitude": ""}
    )
    cleared = await Community.objects().where(Community.slug == "bayi").first()
    assert (cleared.latitude, cleared.longitude) == (None, None)


@pytest.mark.parametrize(
    ("latitude", "longitude", "errors"),
    [
        ("36.1950", "", {"longitude": "Enter both the latitude and the longitude"}),
        ("", "113.1160", {"latitude": "Enter both the latitude and the longitude"}),
        ("91", "113.1160", {"latitude": "Enter decimal degrees from -90 to 90"}),
        ("36.1950", "-180.5", {"longitude": "Enter decimal degrees from -180 to 180"}),
        ("nan", "inf", {"latitude": "from -90 to 90", "longitude": "from -180 to 180"}),
        ("北纬36", "113.1160", {"latitude": "Enter decimal degrees from -90 to 90"}),
    ],
)
async def test_a_bad_community_centre_re_renders_as_typed(
    browser: Browser, latitude: str, longitude: str, errors: dict[str, str]
) -> None:
    bayi = await make_community("bayi")
    await Community.update({Community.latitude: 36.0, Community.longitude: 113.0}).where(
        Community.id == bayi.id
    )
    await make_user("staff@example.com", staff_of=[bayi], locale="en")
    await browser.sign_in("staff@example.com", PASSWORD)
    response = await browser.submit(
        "/staff/communities/bayi/settings",
        {
            "followup_after_days": "3",
            "autoclose_after_days": "14",
            "latitude": latitude,
            "longitude": longitude,
        },
    )
    assert response.status_code == 400
    for field, message in errors.items():
        assert re.search(rf'id="error-{field}">.*{re.escape(message)}', response.text), field
    assert f'name="latitude" type="text" value="{latitude}"' in response.text
    assert f'name="longitude" type="text" value="{longitude}"' in response.text
    stored = await Community.objects().where(Community.slug == "bayi").first()
    assert (stored.latitude, stored.longitude) == (36.0, 113.0)
    assert await AuditEntry.count() == 0
