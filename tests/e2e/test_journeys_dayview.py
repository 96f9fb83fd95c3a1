"""Picking a time on a phone: the space page opens on one day's times under a strip of seven
days, a tap on another day swaps the times in place (the address bar follows, back returns),
and on a desktop the whole week is offered first. Runs per viewer (390 px phone in Chinese,
1280 px desktop in English) against the live demo server, in real time."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.servers import Server
from tests.e2e.test_journeys import MUSIC_ROOM

pytestmark = pytest.mark.e2e


def test_a_resident_picks_a_day_on_the_strip_and_goes_back(viewer, server: Server) -> None:
    page = viewer.context().new_page()
    page.goto(f"{server.url}{MUSIC_ROOM}")
    strip = page.locator("nav.day-strip .strip-day")
    expect(strip).to_have_count(7)
    today = strip.nth(0)
    expect(today).to_have_attribute("aria-current", "date")
    expect(today.locator(".strip-weekday")).to_have_text("Today" if viewer.english else "今天")
    # The day's heading starts on the first screen.
    heading = page.locator("#day-heading")
    expect(heading).to_contain_text("today" if viewer.english else "今天")
    box = heading.bounding_box()
    assert box and box["y"] + box["height"] <= viewer.viewport["height"]
    viewer.screen(page, "dayview-today")

    week_link = page.locator("a.view-switch-link:visible")
    expect(week_link).to_have_text("Show the whole week" if viewer.english else "查看整周")
    strip_top = strip.nth(0).bounding_box()["y"]
    if viewer.english:  # 1280 px: the week is offered first, as a button
        assert week_link.bounding_box()["y"] < strip_top
    else:  # 390 px: the day comes first, the week after its times
        assert week_link.bounding_box()["y"] > heading.bounding_box()["y"]

    # A tap on tomorrow swaps the times in place and the address bar follows.
    tomorrow = strip.nth(1)
    tomorrow_date = tomorrow.locator(".strip-date").inner_text()
    tomorrow.click()
    expect(page).to_have_url(re.compile(r"\?day=\d{4}-\d{2}-\d{2}$"))
    expect(strip.nth(1)).to_have_attribute("aria-current", "date")
    expect(strip.nth(0)).not_to_have_attribute("aria-current", "date")
    expect(heading).to_contain_text(tomorrow_date)
    expect(heading).to_be_focused()
    first_free = page.locator("section.day-shown a.slot-free").first
    expect(first_free).to_be_visible()
    tomorrow_url = page.url
    viewer.screen(page, "dayview-tomorrow")

    # Back returns to today, forward to tomorrow again.
    page.go_back()
    expect(page).to_have_url(f"{server.url}{MUSIC_ROOM}")
    expect(heading).to_contain_text("today" if viewer.english else "今天")
    expect(strip.nth(0)).to_have_attribute("aria-current", "date")
    page.go_forward()
    expect(page).to_have_url(tomorrow_url)
    expect(heading).to_contain_text(tomorrow_date)

    # Opened afresh, tomorrow's first free time is on the first screen, before any scrolling.
    page.goto(tomorrow_url)
    chip = page.locator("section.day-shown a.slot-free").first
    expect(chip).to_be_visible()
    box = chip.bounding_box()
    assert box and box["y"] + box["height"] <= viewer.viewport["height"]
    assert page.evaluate("window.scrollY") == 0
    assert page.evaluate("document.documentElement.scrollWidth") <= viewer.viewport["width"]
    viewer.screen(page, "dayview-first-screen")

    # The whole week is one link away, and links back to one day.
    page.locator("a.view-switch-link:visible").click()
    expect(page).to_have_url(re.compile(r"view=week"))
    expect(page.locator("section.day")).to_have_count(7)
    back_to_day = page.locator("a.view-switch-link")
    expect(back_to_day).to_have_text("Show one day at a time" if viewer.english else "按天查看")
    viewer.screen(page, "dayview-week")
    back_to_day.click()
    expect(page.locator("nav.day-strip .strip-day")).to_have_count(7)


def test_the_strip_works_without_javascript(viewer, server: Server) -> None:
    page = viewer.context(java_script_enabled=False).new_page()
    page.goto(f"{server.url}{MUSIC_ROOM}")
    strip = page.locator("nav.day-strip .strip-day")
    date_text = strip.nth(2).locator(".strip-date").inner_text()
    strip.nth(2).click()
    expect(page).to_have_url(re.compile(r"\?day=\d{4}-\d{2}-\d{2}$"))
    expect(page.locator("#day-heading")).to_contain_text(date_text)
    expect(strip.nth(2)).to_have_attribute("aria-current", "date")
    page.locator(".strip-weeks a", has_text="Next 7 days" if viewer.english else "后 7 天").click()
    expect(strip.nth(0)).to_have_attribute("aria-current", "date")
    expect(
        page.locator(".strip-weeks a", has_text="Today" if viewer.english else "今天")
    ).to_be_visible()
