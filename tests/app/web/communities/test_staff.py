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
