"""The loop closed for a walk-in, in a real browser: staff file a need for a resident who
came to the office (代为登记), send it to a volunteer, who sees the resident's phone (they
agreed), accepts and finishes it; staff then record a 回访 by phone, 满意, with a note, and
the need reads Solved with the 回访 in its timeline. Once as a 390 px phone in Chinese and
once as a 1280 px desktop in English (the `viewer`)."""

from __future__ import annotations

import re
import secrets

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import Viewer
from tests.e2e.servers import Server
from tests.e2e.test_journeys import sign_in

pytestmark = pytest.mark.e2e

STAFF = "staff.guangchang-xi@linli.example"
VOLUNTEER = "13800000012"
"""牛师傅, an approved volunteer of 广场西社区 for repairs."""
NEED_PAGE = re.compile(r"/staff/needs/[0-9a-f-]{36}$")


def words(viewer: Viewer, zh: str, en: str) -> str:
    return en if viewer.english else zh


def test_staff_file_for_a_walk_in_and_record_a_followup(viewer: Viewer, server: Server) -> None:
    phone = f"139{secrets.randbelow(10**8):08d}"
    resident = "Grandma Sun" if viewer.english else "孙奶奶"

    staff = viewer.context().new_page()
    sign_in(staff, server, STAFF)
    staff.goto(f"{server.url}/staff/needs")
    staff.get_by_role("link", name=words(viewer, "代为登记", "File for a resident")).click()
    staff.wait_for_url(re.compile(r"/staff/needs/new$"))
    for name in ("keep_consent", "contact_consent", "notify_consent"):
        expect(staff.locator(f"#field-{name}")).not_to_be_checked()
    staff.locator("input[name=category][value=repairs]").check()
    staff.fill("#field-description", "厨房水龙头漏水，关不紧。")
    staff.fill("#field-place", "五号楼二单元301")
    staff.fill("#field-name", resident)
    staff.fill("#field-phone", phone)
    staff.check("#field-keep_consent")
    staff.check("#field-contact_consent")
    viewer.screen(staff, "followup-walk-in-form")
    staff.locator("main form.need-form button[type=submit]").click()
    staff.wait_for_url(NEED_PAGE)
    need_path = staff.url.removeprefix(server.url)
    need_id = need_path.rsplit("/", 1)[1]
    expect(staff.locator("main")).to_contain_text(resident)
    expect(staff.locator(f'main a[href="tel:{phone}"]')).to_be_visible()

    # Sent to 牛师傅, who does repairs.
    staff.locator("#field-helper").get_by_label(re.compile("牛师傅")).check()
    staff.locator("form[action$='/dispatch'] button[type=submit]").click()
    staff.wait_for_url(NEED_PAGE)

    volunteer = viewer.context().new_page()
    sign_in(volunteer, server, VOLUNTEER)
    volunteer.goto(f"{server.url}/needs/tasks/{need_id}")
    call = volunteer.locator(f'a[href="tel:{phone}"]')
    expect(call).to_have_text(phone)
    expect(volunteer.locator("main")).to_contain_text(resident)
    viewer.screen(volunteer, "followup-helper-sees-phone")
    volunteer.locator("form[action$='/accept'] button[type=submit]").click()
    volunteer.fill("#field-resolution", "换了新的阀芯，不漏了。")
    volunteer.locator("form[action$='/done'] button[type=submit]").click()
    expect(volunteer.locator("form[action$='/done']")).to_have_count(0)
    expect(volunteer.locator("main")).to_contain_text("换了新的阀芯，不漏了。")

    # The 回访: by phone, satisfied, with a note (a fresh load: the page is still open).
    staff.goto(f"{server.url}/staff/needs?status=done")
    staff.goto(f"{server.url}{need_path}#followup")
    form = staff.locator("form#followup")
    expect(form).to_be_visible()
    form.locator("input[name=method][value=phone]").check()
    form.locator("input[name=result][value=satisfied]").check()
    form.locator("#field-note").fill("孙奶奶说修得很好。")
    viewer.screen(staff, "followup-form")
    form.locator("button[type=submit]").click()
    staff.wait_for_url(NEED_PAGE)
    expect(staff.locator("main .status").first).to_have_text(words(viewer, "已解决", "Solved"))
    timeline = staff.locator("ol.need-timeline")
    step = timeline.locator("li", has_text=words(viewer, "电话回访", "By phone"))
    expect(step).to_contain_text(words(viewer, "回访", "Follow-up call or visit"))
    expect(step).to_contain_text(words(viewer, "满意", "Satisfied"))
    expect(step).to_contain_text("孙奶奶说修得很好。")
    step.scroll_into_view_if_needed()
    viewer.screen(staff, "followup-solved")
