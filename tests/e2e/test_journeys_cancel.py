"""Cancelling as a resident meets it, on a phone in Chinese and a desktop in English: asked
once, then offered to undo it for a minute; My bookings in its groups."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import Viewer
from tests.e2e.servers import Server
from tests.e2e.test_journeys import MUSIC_ROOM, free_slot, sign_up

pytestmark = pytest.mark.e2e

WORDS = {
    "zh": {
        "book": "确认预约",
        "booked": "预约成功，到时见！",
        "cancel": "取消这个预约",
        "question": "要取消这个预约吗？",
        "yes": "确认取消",
        "keep": "不取消，保留预约",
        "cancelled": "已取消",
        "undo": "撤销取消",
        "back": "预约已恢复。",
        "confirmed": "已确认",
        "upcoming": "即将开始 1 个预约",
        "called_off": "已取消 1 个预约",
        "over": "撤销的一分钟已过。如果这个时间还空着，请重新预约。",
    },
    "en": {
        "book": "Book now",
        "booked": "Booked. See you there!",
        "cancel": "Cancel this booking",
        "question": "Cancel this booking?",
        "yes": "Yes, cancel it",
        "keep": "Keep my booking",
        "cancelled": "Cancelled",
        "undo": "Undo cancellation",
        "back": "Your booking is back.",
        "confirmed": "Confirmed",
        "upcoming": "Coming up 1 booking",
        "called_off": "Cancelled 1 booking",
        "over": "The minute to undo has passed. If the time is still free, book it again.",
    },
}


def book(page: Page, server: Server, words: dict[str, str], *, day: int) -> str:
    free_slot(page, server, MUSIC_ROOM, day=day)
    page.get_by_role("button", name=words["book"]).click()
    expect(page.locator("body")).to_contain_text(words["booked"])
    return page.url


def ask_to_cancel(page: Page, words: dict[str, str]) -> None:
    page.get_by_role("link", name=words["cancel"]).click()
    expect(page.locator("h1")).to_have_text(words["question"])


def test_cancel_is_asked_once_and_can_be_undone(viewer: Viewer, server: Server) -> None:
    words = WORDS["en" if viewer.english else "zh"]
    page = viewer.context().new_page()
    sign_up(page, server, "Chen" if viewer.english else "陈阿姨")
    first = book(page, server, words, day=2)

    ask_to_cancel(page, words)
    viewer.screen(page, "cancel-asked")
    page.get_by_role("link", name=words["keep"]).click()  # changed their mind at once
    expect(page).to_have_url(first)
    expect(page.locator(".status").first).to_have_text(words["confirmed"])

    ask_to_cancel(page, words)
    page.get_by_role("button", name=words["yes"]).click()
    expect(page).to_have_url(first)
    expect(page.locator(".status").first).to_have_text(words["cancelled"])
    undo = page.get_by_role("button", name=words["undo"])
    expect(undo).to_be_visible()
    viewer.screen(page, "cancel-undo-offered")

    undo.focus()  # as from the keyboard
    page.keyboard.press("Enter")
    expect(page.locator(".flash").first).to_contain_text(words["back"])
    expect(page.locator(".status").first).to_have_text(words["confirmed"])
    expect(page.get_by_role("button", name=words["undo"])).to_have_count(0)
    viewer.screen(page, "cancel-undone")

    page.clock.install()  # the page's own timers, moved on below without waiting a minute
    book(page, server, words, day=3)
    ask_to_cancel(page, words)
    page.get_by_role("button", name=words["yes"]).click()
    expect(page.locator(".status").first).to_have_text(words["cancelled"])
    expect(page.get_by_role("button", name=words["undo"])).to_be_visible()
    page.clock.run_for(61_000)
    expect(page.get_by_role("button", name=words["undo"])).to_be_hidden()
    expect(page.locator("#undo").get_by_role("status")).to_have_text(words["over"])

    page.goto(f"{server.url}/bookings")
    headings = page.locator("main h2")
    expect(headings).to_have_text([words["upcoming"], words["called_off"]])
    upcoming = page.locator("section[aria-labelledby=group-upcoming]")
    expect(upcoming.locator(f"a[href='{first.removeprefix(server.url)}']")).to_be_visible()
    expect(upcoming.locator(".status")).to_have_text([words["confirmed"]])
    called_off = page.locator("section[aria-labelledby=group-cancelled]")
    expect(called_off.locator(".status")).to_have_text([words["cancelled"]])
    viewer.screen(page, "my-bookings-groups")
