"""What people do, in a real browser on a phone-sized screen, against a live server with the
demo district (real time: slots are chosen a few days ahead)."""

from __future__ import annotations

import re
import secrets
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.servers import Server

PASSWORD = "linli-demo-2026"
MUSIC_ROOM = "/spaces/caijiaxiang-music-room"
CJK = re.compile(r"[\u3400-\u9fff]")

pytestmark = pytest.mark.e2e


def sign_in(page: Page, server: Server, login: str, password: str = PASSWORD) -> None:
    page.goto(f"{server.url}/account/signin")
    page.fill("#field-login", login)
    page.fill("#field-password", password)
    page.locator("main form button[type=submit]").click()
    expect(page).not_to_have_url(re.compile(r"/account/signin"))


def sign_up(page: Page, server: Server, name: str, community: str = "caijiaxiang") -> str:
    """A new resident, signed in; returns their login."""
    page.goto(f"{server.url}/account/signup")
    login = f"139{secrets.randbelow(10**8):08d}"
    page.fill("#field-login", login)
    page.fill("#field-name", name)
    page.select_option("#field-community", community)
    page.fill("#field-password", "quiet-garden-47-new")
    page.check("#field-accepted_privacy")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("body")).to_contain_text(name)
    return login


def free_slot(page: Page, server: Server, path: str, *, day: int) -> str:
    """Open the space's page, tap the day `day` days from today in its strip (today is the
    first of seven) and choose that day's first free time."""
    page.goto(f"{server.url}{path}")
    if day:
        page.locator("nav.day-strip .strip-day").nth(day).click()
        expect(page.locator("nav.day-strip .strip-day").nth(day)).to_have_attribute(
            "aria-current", "date"
        )
    slot = page.locator("section.day-shown a.slot-free").first
    href = slot.get_attribute("href")
    assert href, "no free time that day"
    slot.click()
    expect(page.locator("#field-duration_minutes")).to_be_visible()
    return href


def test_a_new_resident_signs_up_books_downloads_and_cancels(new_context, server: Server) -> None:
    page = new_context().new_page()
    sign_up(page, server, "陈阿姨")

    free_slot(page, server, MUSIC_ROOM, day=2)
    page.get_by_role("button", name="确认预约").click()
    expect(page.locator("body")).to_contain_text("预约成功，到时见！")
    booking_url = page.url
    assert re.search(r"/bookings/[0-9a-f-]{36}$", booking_url)

    page.goto(f"{server.url}/bookings")
    expect(page.locator(f"a[href='{booking_url.removeprefix(server.url)}']").first).to_be_visible()

    page.goto(booking_url)
    with page.expect_download() as download:
        page.get_by_role("link", name="加入我的日历").click()
    ics = Path(download.value.path()).read_text(encoding="utf-8")
    assert "BEGIN:VEVENT" in ics and booking_url.rsplit("/", 1)[1] in ics

    page.get_by_role("link", name="取消这个预约").click()
    expect(page.locator("h1")).to_have_text("要取消这个预约吗？")
    page.get_by_role("button", name="确认取消").click()
    expect(page.locator(".status").first).to_have_text("已取消")


def test_a_courier_finds_an_open_station_with_water_checks_in_and_reports(
    new_context, server: Server
) -> None:
    context = new_context(
        geolocation={"latitude": 36.1957, "longitude": 113.1172}, permissions=["geolocation"]
    )
    page = context.new_page()
    # With the position allowed, the page searches from it at once.
    page.goto(f"{server.url}/stations")
    page.wait_for_url(re.compile(r"lat=36\.19"))
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.locator("label.chip", has=page.locator("input[value=water]")).click()
    # "Open now" is ticked by default; the form sends it as open_now=0&open_now=1.
    expect(page.locator("input[name=open_now][value='1']")).to_be_checked()
    page.get_by_role("button", name="查找").click()
    page.wait_for_url(re.compile(r"open_now=1"))
    expect(page.locator(".station-card").first).to_contain_text("营业中")
    # Open ones first; closed ones only under "稍后开门", after them.
    expect(
        page.locator("ol:not([aria-labelledby=opening-later]) .station-card", has_text="已关门")
    ).to_have_count(0)
    first = page.locator(".station-card a").first
    expect(first).to_be_visible()
    first.click()
    expect(page.locator("h1")).to_be_visible()
    page.get_by_role("button", name="到站签到").click()
    expect(page.locator("body")).to_contain_text("签到")
    page.locator("input[name=reason][value=no_water]").check()
    page.locator("form[action$='/report'] button[type=submit]").click()
    expect(page.locator(".flash").first).to_be_visible()


def test_staff_close_a_booked_day_and_the_resident_is_told(new_context, server: Server) -> None:
    resident = new_context().new_page()
    sign_in(resident, server, "13800000001")
    href = free_slot(resident, server, MUSIC_ROOM, day=4)
    resident.get_by_role("button", name="确认预约").click()
    expect(resident.locator("body")).to_contain_text("预约成功，到时见！")
    day = re.search(r"start=(\d{4}-\d{2}-\d{2})", href.replace("%3A", ":"))[1]

    staff = new_context().new_page()
    sign_in(staff, server, "staff.caijiaxiang@linli.example")
    staff.goto(f"{server.url}/staff/spaces/caijiaxiang-music-room/closures")
    staff.check("#field-all_day")
    staff.fill("#field-from_date", day)
    staff.fill("#field-reason", "水管维修")
    staff.get_by_role("button", name="看看会影响哪些预约").click()
    expect(staff.locator("body")).to_contain_text("会影响")
    expect(staff.locator("body")).to_contain_text("王阿姨")
    staff.get_by_label("取消这些预约：告知居民原因").check()
    staff.fill("#field-cancel_reason", "水管爆了，这天关闭")
    staff.get_by_role("button", name="确认并保存").click()
    expect(staff.locator(".flash").first).to_contain_text("已取消")

    resident.goto(f"{server.url}/notifications")
    expect(resident.locator("body")).to_contain_text("水管爆了，这天关闭")


def test_two_residents_press_book_on_the_last_unit_at_once(new_context, server: Server) -> None:
    pages = []
    for name in ("张大爷", "李阿姨"):
        page = new_context().new_page()
        sign_up(page, server, name)
        pages.append(page)
    href = free_slot(pages[0], server, MUSIC_ROOM, day=6)
    pages[1].goto(f"{server.url}{href}")
    buttons = [page.get_by_role("button", name="确认预约") for page in pages]
    for button in buttons:
        expect(button).to_be_visible()
    for button in buttons:
        button.click(no_wait_after=True)
    for page in pages:
        page.wait_for_load_state()
        page.wait_for_function("document.readyState === 'complete'")
    texts = [page.locator("body").inner_text() for page in pages]
    won = [t for t in texts if "预约成功，到时见！" in t]
    lost = [t for t in texts if "刚刚有人预约了这个时间" in t]
    assert (len(won), len(lost)) == (1, 1), texts
    loser = pages[texts.index(lost[0])]
    expect(loser.locator("ul.alternatives li").first).to_be_visible()


def test_the_language_switch_turns_the_home_page_into_english(new_context, server: Server) -> None:
    page = new_context().new_page()
    page.goto(server.url)
    assert CJK.search(page.locator("body").inner_text())
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    visible = page.locator("body").inner_text()
    leftovers = [line for line in visible.splitlines() if CJK.search(line)]
    # Only the switch back names its language in that language.
    assert leftovers == ["中文"], leftovers


def test_a_need_goes_round_the_loop(new_context, server: Server) -> None:
    """点单—派单—接单—评单: a resident files it, staff dispatch it to a volunteer, the
    volunteer takes it and closes it, the resident rates it."""
    resident = new_context().new_page()
    sign_up(resident, server, "宋大姐", community="guangchang-xi")
    resident.goto(f"{server.url}/needs/new")
    resident.locator("input[name=category][value=repairs]").check()
    resident.fill("#field-description", "三号楼二单元楼道灯不亮，晚上下楼看不见台阶。")
    resident.fill("#field-place", "三号楼二单元")
    resident.get_by_role("button", name="提交给社区").click()
    resident.wait_for_url(re.compile(r"/needs/[0-9a-f-]{36}$"))
    need_path = resident.url.removeprefix(server.url)
    need_id = need_path.rsplit("/", 1)[1]

    staff = new_context().new_page()
    sign_in(staff, server, "staff.guangchang-xi@linli.example")
    staff.goto(f"{server.url}/staff/needs/{need_id}")
    expect(staff.locator("body")).to_contain_text("楼道灯不亮")
    staff.get_by_label(re.compile("牛师傅")).first.check()
    staff.get_by_role("button", name="确认派单").click()
    expect(staff.locator(".flash").first).to_be_visible()

    volunteer = new_context().new_page()
    sign_in(volunteer, server, "13800000012")
    volunteer.goto(f"{server.url}/needs/tasks/{need_id}")
    volunteer.get_by_role("button", name="接单").click()
    volunteer.fill("#field-resolution", "换了两个感应灯泡，灯亮了。")
    volunteer.get_by_role("button", name="确认办结").click()
    expect(volunteer.locator(".flash").first).to_be_visible()

    resident.goto(f"{server.url}/notifications")
    expect(resident.locator("body")).to_contain_text("评价")
    resident.goto(f"{server.url}{need_path}")
    expect(resident.locator("body")).to_contain_text("换了两个感应灯泡")
    resident.locator("input[name=rating][value='5']").check()
    resident.fill("#field-comment", "修得很快，谢谢牛师傅！")
    resident.get_by_role("button", name="提交评价").click()
    expect(resident.locator(".status").first).to_contain_text("已解决")
