"""Staff journeys of issue 14 in a real browser: a notice read in the resident's language
whatever the staff member's, competing requests after one is approved, the station list's
search and filters, and dispatch offering matching helpers first."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import Viewer, save_screen
from tests.e2e.servers import Server
from tests.e2e.test_journeys import CJK, free_slot, sign_in, sign_up

pytestmark = pytest.mark.e2e

STAFF = "staff.caijiaxiang@linli.example"
LATIN = re.compile(r"[A-Za-z]")


def choose_language(page: Page, name: str) -> None:
    """Press the footer's language switch; signed in, it is kept on the account."""
    page.get_by_role("button", name=name).click()
    expect(page.locator("html")).to_have_attribute("lang", "en" if name == "English" else "zh-CN")


def book(page: Page, server: Server, space: str, *, day: int, button: str) -> str:
    """Book the first free time `day` days ahead; returns the booking's path."""
    free_slot(page, server, f"/spaces/{space}", day=day)
    page.get_by_role("button", name=button).click()
    page.wait_for_url(re.compile(r"/bookings/[0-9a-f-]{36}$"))
    return page.url.removeprefix(server.url)


def cancel_as_staff(page: Page, server: Server, booking: str, reason: str, button: str) -> None:
    page.goto(f"{server.url}{booking}")
    page.fill("#field-reason", reason)
    page.get_by_role("button", name=button).click()


def test_a_notice_is_in_the_residents_language_whatever_the_staffs(
    new_context, server: Server
) -> None:
    # A resident reading Chinese books the sewing machine.
    chinese = new_context("zh-CN").new_page()
    sign_up(chinese, server, "邱阿姨")
    booking = book(chinese, server, "caijiaxiang-tool-sewing-machine", day=3, button="确认预约")

    # The staff member works in English (their account's language).
    staff = new_context("zh-CN").new_page()
    sign_in(staff, server, STAFF)
    choose_language(staff, "English")
    cancel_as_staff(staff, server, booking, "缝纫机送修", "Cancel this booking")
    expect(staff.locator(".status").first).to_have_text("Cancelled")

    chinese.goto(f"{server.url}/notifications")
    notice = chinese.locator("main li", has_text="缝纫机送修").first
    expect(notice.get_by_role("link")).to_have_text(
        re.compile(r"^您预约的缝纫机（\d{4}年\d+月\d+日周. \d\d:\d\d）已被取消：缝纫机送修$")
    )
    text = notice.inner_text()
    assert LATIN.findall(text) == [], text
    save_screen(chinese, "staff-en-notice-zh")

    # And the reverse: the staff member back in Chinese, a resident reading English.
    english = new_context("en").new_page()
    sign_up(english, server, "Lucy Wang")
    choose_language(english, "English")
    booking = book(english, server, "caijiaxiang-tool-ladder", day=3, button="Book now")
    choose_language(staff, "中文")
    cancel_as_staff(staff, server, booking, "Ladder sent for repair", "取消这个预约")
    expect(staff.locator(".status").first).to_have_text("已取消")

    english.goto(f"{server.url}/notifications")
    notice = english.locator("main li", has_text="Ladder sent for repair").first
    expect(notice.get_by_role("link")).to_have_text(
        re.compile(
            r"^Your booking of Step ladder on \w{3}, \w{3} \d+, \d{4} \d\d:\d\d was cancelled: "
            r"Ladder sent for repair$"
        )
    )
    assert CJK.findall(notice.inner_text()) == []
    save_screen(english, "staff-zh-notice-en")


def test_after_one_competing_request_is_approved_the_other_offers_no_approve(
    viewer: Viewer, server: Server
) -> None:
    send = "Send request" if viewer.english else "提交申请"
    names = ("Ann Li", "Bo Zhao") if viewer.english else ("贺大妈", "薛大爷")
    day = 5 if viewer.english else 6
    first = None
    for name in names:
        page = viewer.context().new_page()
        sign_up(page, server, name, community="bayi")
        if first is None:
            first = free_slot(page, server, "/spaces/bayi-activity-room", day=day)
        else:
            page.goto(f"{server.url}{first}")
        page.get_by_role("button", name=send).click()
        page.wait_for_url(re.compile(r"/bookings/[0-9a-f-]{36}$"))

    staff = viewer.context().new_page()
    sign_in(staff, server, "staff.bayi@linli.example")
    staff.goto(f"{server.url}/staff/spaces/requests")
    one, other = (
        staff.locator("article.request", has=staff.locator("h2 + p", has_text=name))
        for name in names
    )
    expect(one).to_contain_text(names[1])  # the competing request is named beside it
    approve = "Approve" if viewer.english else "批准"
    expect(other.get_by_role("button", name=re.compile(approve))).to_be_visible()
    other.scroll_into_view_if_needed()
    viewer.screen(staff, "staff-competing-before")

    one.get_by_role("button", name=re.compile(approve)).click()
    expect(one).to_have_count(0)
    expect(other.get_by_role("button", name=re.compile(approve))).to_have_count(0)
    no_longer = "No longer fits" if viewer.english else "已经排不下"
    expect(other).to_contain_text(no_longer)
    expect(other.get_by_role("button", name="Reject" if viewer.english else "驳回")).to_be_visible()
    other.scroll_into_view_if_needed()
    viewer.screen(staff, "staff-competing-after")


def test_staff_find_a_station_by_name_and_narrow_by_filters(viewer: Viewer, server: Server) -> None:
    page = viewer.context().new_page()
    sign_in(page, server, "staff.bayi@linli.example")
    page.goto(f"{server.url}/staff/stations")
    status = page.get_by_role("status")
    every = status.inner_text()
    search = "Chenghuangmiao" if viewer.english else "城隍庙"
    rider_home = "Riders' home, Chenghuangmiao" if viewer.english else "骑手之家（城隍庙店）"
    page.fill("#field-q", search)
    page.locator("form.filters button[type=submit]").click()
    found = page.locator("ul.plain-list > li")
    expect(found.filter(has_text=rider_home)).to_have_count(1)
    # Fewer than all (the search also reads addresses and hosts), and the count says so.
    listed = found.count()
    assert listed < int(re.findall(r"\d+", every)[0]), every
    expect(status).to_have_text(
        re.compile(
            rf"^{listed} of \d+ stations" if viewer.english else rf"^\d+ 个驿站中的 {listed} 个"
        )
    )
    viewer.screen(page, "staff-stations-search")

    # Open 24 hours: "Closed now" drops it, "Open now" keeps it.
    page.select_option("#field-open", "closed")
    page.locator("form.filters button[type=submit]").click()
    expect(page.locator("#field-open")).to_have_value("closed")
    expect(found.filter(has_text=rider_home)).to_have_count(0)
    expect(found.filter(has_text="open now" if viewer.english else "现在开门")).to_have_count(0)
    page.select_option("#field-open", "open")
    page.locator("form.filters button[type=submit]").click()
    expect(found.filter(has_text=rider_home)).to_have_count(1)
    expect(found.filter(has_text="closed now" if viewer.english else "现在关门")).to_have_count(0)
    viewer.screen(page, "staff-stations-open")


def test_dispatch_lists_matching_helpers_first_and_folds_the_rest(
    viewer: Viewer, server: Server
) -> None:
    resident = viewer.context().new_page()
    sign_up(resident, server, "Mei Guo" if viewer.english else "郭大姐", community="guangchang-xi")
    resident.goto(f"{server.url}/needs/new")
    resident.locator("input[name=category][value=repairs]").check()
    resident.fill("#field-description", "五号楼一单元的楼道灯坏了，晚上看不见台阶。")
    resident.fill("#field-place", "五号楼一单元")
    resident.locator("main form button[type=submit]").click()
    resident.wait_for_url(re.compile(r"/needs/[0-9a-f-]{36}$"))
    need_id = resident.url.rsplit("/", 1)[1]

    staff = viewer.context().new_page()
    sign_in(staff, server, "staff.guangchang-xi@linli.example")
    staff.goto(f"{server.url}/staff/needs/{need_id}")
    helpers = staff.locator("#field-helper")
    # 牛师傅 repairs: offered at once; 申老师 (elderly care) is folded away.
    expect(helpers.get_by_label(re.compile("牛师傅"))).to_be_visible()
    others = helpers.locator("details.other-choices")
    expect(others).not_to_have_attribute("open", "")
    expect(helpers.get_by_label(re.compile("申老师"))).to_be_hidden()
    helpers.scroll_into_view_if_needed()
    viewer.screen(staff, "staff-dispatch-folded")
    others.locator("summary").click()
    expect(helpers.get_by_label(re.compile("申老师"))).to_be_visible()
