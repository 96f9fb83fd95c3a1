"""Feedback where the eyes are, and a newcomer who keeps their slot, in a real browser: once
as a 390 px phone in Chinese and once as a 1280 px desktop in English (the `viewer`)."""

from __future__ import annotations

import re
import secrets
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import Viewer
from tests.e2e.servers import Server
from tests.e2e.test_journeys import MUSIC_ROOM, free_slot, sign_up

pytestmark = pytest.mark.e2e

BOOKING_URL = re.compile(r"/bookings/[0-9a-f-]{36}$")


def words(viewer: Viewer, zh: str, en: str) -> str:
    return en if viewer.english else zh


def unknown_number() -> str:
    return f"135{secrets.randbelow(10**8):08d}"


def focused_and_in_view(page: Page, element_id: str) -> None:
    """The element with `element_id` has the focus and lies wholly inside the viewport."""
    expect(page.locator(f"#{element_id}")).to_be_focused()
    assert page.evaluate("document.activeElement.id") == element_id
    box = page.locator(f"#{element_id}").bounding_box()
    viewport = page.viewport_size
    assert box is not None and viewport is not None
    assert box["y"] >= 0 and box["y"] + min(box["height"], viewport["height"]) <= viewport["height"]
    assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"]


def test_a_refused_booking_is_focused_and_a_later_success_leaves_no_fragment(
    viewer: Viewer, server: Server
) -> None:
    page = viewer.context().new_page()
    sign_up(page, server, "周阿姨")
    href = free_slot(page, server, MUSIC_ROOM, day=5)
    book = words(viewer, "确认预约", "Book now")

    # A neighbour takes the same time while this page is open.
    neighbour = viewer.context().new_page()
    sign_up(neighbour, server, "吴大爷")
    neighbour.goto(f"{server.url}{href}")
    neighbour.get_by_role("button", name=book).click()
    neighbour.wait_for_url(BOOKING_URL)

    page.get_by_role("button", name=book).click()
    summary = page.locator("#form-errors")
    expect(summary).to_contain_text(
        words(
            viewer,
            "刚刚有人预约了这个时间",
            "Someone else booked this time just now",
        )
    )
    focused_and_in_view(page, "form-errors")
    assert urlsplit(page.url).fragment == ""
    viewer.screen(page, "feedback-refusal")

    # Take one of the free times offered instead: the booking page has no fragment.
    page.locator("ul.alternatives li a").first.click()
    page.get_by_role("button", name=book).click()
    page.wait_for_url(BOOKING_URL)
    assert "#" not in page.url
    assert page.evaluate("location.hash") == ""
    expect(page.locator("#form-errors")).to_have_count(0)


def test_a_refused_sign_in_is_focused_and_signing_in_leaves_no_fragment(
    viewer: Viewer, server: Server
) -> None:
    page = viewer.context().new_page()
    page.goto(f"{server.url}/account/signin?next=/bookings")
    login = page.locator("#field-login")
    expect(login).to_have_attribute("inputmode", "tel")
    expect(login).to_have_attribute("type", "tel")
    expect(login).to_have_attribute("autocomplete", "tel")
    # An unknown number, so that no account's sign-in failures are counted.
    login.fill(unknown_number())
    page.fill("#field-password", "not-the-password")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("#form-errors")).to_be_visible()
    focused_and_in_view(page, "form-errors")
    viewer.screen(page, "feedback-signin-refused")

    login.fill("13800000001")
    page.fill("#field-password", "linli-demo-2026")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/bookings$"))
    assert page.evaluate("location.hash") == ""

    # Without JavaScript the summary takes the focus all the same (its autofocus attribute).
    plain = viewer.context(java_script_enabled=False).new_page()
    plain.goto(f"{server.url}/account/signin")
    plain.fill("#field-login", unknown_number())
    plain.fill("#field-password", "not-the-password")
    plain.locator("main form button[type=submit]").click()
    focused_and_in_view(plain, "form-errors")

    email = viewer.context().new_page()
    email.goto(f"{server.url}/account/signin")
    email.get_by_role("link", name=words(viewer, "用邮箱登录", "Sign in with email")).click()
    expect(email.locator("#field-login")).to_have_attribute("type", "email")
    expect(email.locator("label[for=field-login]")).to_have_text(words(viewer, "邮箱", "Email"))


def test_a_newcomer_signs_up_and_lands_on_the_booking_form_for_their_slot(
    viewer: Viewer, server: Server
) -> None:
    page = viewer.context().new_page()
    page.goto(f"{server.url}{MUSIC_ROOM}")
    # The strip's last day with a free time (other journeys book and close earlier days).
    free = page.locator("nav.day-strip .strip-day-free")
    day = free.nth(free.count() - 1)
    day.click()
    expect(day).to_have_attribute("aria-current", "date")
    slot = page.locator("section.day-shown a.slot-free").first
    chosen = parse_qs(urlsplit(slot.get_attribute("href") or "").query)["start"][0]
    slot.click()
    page.locator("#book a.button").click()
    page.wait_for_url(re.compile(r"/account/signin\?next="))
    expect(page.locator("#field-login")).to_have_attribute("inputmode", "tel")

    page.get_by_role("link", name=words(viewer, "居民注册", "Sign up as a resident")).click()
    page.wait_for_url(re.compile(r"/account/signup\?next="))
    page.fill("#field-login", f"137{secrets.randbelow(10**8):08d}")
    page.fill("#field-name", "郑奶奶")
    page.select_option("#field-community", "caijiaxiang")
    page.fill("#field-password", "quiet-garden-47-new")
    page.check("#field-accepted_privacy")
    page.locator("main form button[type=submit]").click()

    # Back on the space's booking form for that very time, scrolled to it.
    page.wait_for_url(re.compile(re.escape(MUSIC_ROOM) + r"\?start=.*#book$"))
    expect(page.locator("input[name=start]")).to_have_value(chosen)
    duration = page.locator("#field-duration_minutes")
    expect(duration).to_be_visible()
    expect(duration).not_to_have_value("")
    expect(page.locator("#book")).to_be_in_viewport()
    viewer.screen(page, "feedback-newcomer-form")

    page.get_by_role("button", name=words(viewer, "确认预约", "Book now")).click()
    page.wait_for_url(BOOKING_URL)
    assert page.evaluate("location.hash") == ""
    expect(page.locator("body")).to_contain_text(words(viewer, "预约成功", "Booked"))
