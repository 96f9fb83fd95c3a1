"""A courier looking for a rest station, in a real browser, once as a 390 px phone in
Chinese and once as a 1280 px desktop in English (`viewer`): without the phone's position,
with it and then a chosen place instead, only stations with water nearest first, and the
station page (distance, route links, checking in) and the map's key.

The demo district is fixed: from 城隍庙广场 (Chenghuangmiao Square) the nearest station is
the Zijin community service centre's, 290 m away, and the Bayi rider home (open around the
clock, with water) is 570 m away. "Open now" is unticked where the order must not depend
on the time of day."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from stations.services.checkins import LIFETIME_MINUTES
from tests.e2e.conftest import Viewer
from tests.e2e.servers import Server

pytestmark = pytest.mark.e2e

SQUARE = {"zh": "城隍庙广场", "en": "Chenghuangmiao Square"}
NEAREST_TO_SQUARE = {
    "zh": ("紫金街道党群服务中心暖新驿站", "290 米"),
    "en": ("Zijin community service centre rest station", "290 m"),
}
RIDER_HOME = {"zh": "骑手之家（城隍庙店）", "en": "Riders' home, Chenghuangmiao"}
ELSEWHERE = {"latitude": 36.2100, "longitude": 113.1000}
"""A position in the north-west of the district, far from the square."""


def words(viewer: Viewer, zh: str, en: str) -> str:
    return en if viewer.english else zh


def metres(text: str) -> float:
    """ "290 米", "1.2 公里", "290 m", "1.2 km" → metres."""
    match = re.fullmatch(r"\s*([\d.]+)\s*(米|公里|m|km)\s*", text)
    assert match, text
    return float(match[1]) * (1000 if match[2] in {"公里", "km"} else 1)


def search(page: Page) -> None:
    """Press 查找 (Search) and check the page answered 200."""
    with page.expect_navigation() as navigation:
        page.locator("#station-search button[type=submit]").click()
    response = navigation.value
    assert response is not None and response.status == 200, response and response.status


def choose_place(page: Page, viewer: Viewer) -> None:
    where = page.locator("details.where")
    if where.get_attribute("open") is None:
        where.locator("summary").click()
    page.get_by_label(words(viewer, "或者在此地附近查找", "Or search near")).select_option(
        label=SQUARE["en" if viewer.english else "zh"]
    )


def untick_open_now(page: Page) -> None:
    page.locator("label.chip", has=page.locator("input[name=open_now][value='1']")).click()
    expect(page.locator("input[name=open_now][value='1']")).not_to_be_checked()


def test_without_the_phones_position_a_chosen_place_finds_the_nearest_station(
    viewer: Viewer, server: Server
) -> None:
    lang = "en" if viewer.english else "zh"
    page = viewer.context().new_page()  # no geolocation permission: the browser refuses
    page.goto(f"{server.url}/stations")
    expect(page.locator("#locate-status")).to_have_text(
        words(
            viewer,
            "获取不到您的位置，请在下面选择地点。",
            "Your position is not available. Choose a place below.",
        )
    )
    choose_place(page, viewer)
    untick_open_now(page)
    search(page)
    first = page.locator(".station-card").first
    name, distance = NEAREST_TO_SQUARE[lang]
    expect(first.locator("h3")).to_have_text(name)
    expect(first.locator(".distance")).to_have_text(distance)
    expect(page.locator("details.where summary")).to_have_text(
        words(viewer, f"在{SQUARE['zh']}附近 · 更换", f"Near {SQUARE['en']} · change")
    )
    viewer.screen(page, "courier-place-without-position")


def test_a_chosen_place_replaces_the_phones_position(viewer: Viewer, server: Server) -> None:
    lang = "en" if viewer.english else "zh"
    context = viewer.context(geolocation=ELSEWHERE, permissions=["geolocation"])
    page = context.new_page()
    page.goto(f"{server.url}/stations")
    page.wait_for_url(re.compile(r"lat=36\.21"))
    expect(page.locator("details.where summary")).to_have_text(
        words(viewer, "在您附近 · 更换位置", "Near your position · change")
    )
    untick_open_now(page)
    search(page)
    name, distance = NEAREST_TO_SQUARE[lang]
    expect(page.locator(".station-card h3").first).not_to_have_text(name)

    choose_place(page, viewer)
    search(page)
    expect(page.locator("details.where summary")).to_have_text(
        words(viewer, f"在{SQUARE['zh']}附近 · 更换", f"Near {SQUARE['en']} · change")
    )
    first = page.locator(".station-card").first
    expect(first.locator("h3")).to_have_text(name)
    expect(first.locator(".distance")).to_have_text(distance)
    viewer.screen(page, "courier-place-replaces-position")


def test_stations_with_water_are_listed_nearest_first(viewer: Viewer, server: Server) -> None:
    page = viewer.context().new_page()
    page.goto(f"{server.url}/stations")
    choose_place(page, viewer)
    untick_open_now(page)
    water = words(viewer, "饮用水", "Drinking water")
    page.locator("label.chip", has_text=water).click()
    search(page)
    cards = page.locator(".station-card")
    expect(cards.first).to_be_visible()
    count = cards.count()
    assert count >= 3
    for index in range(count):
        expect(cards.nth(index).locator(".amenity-list")).to_contain_text(water)
    distances = [metres(text) for text in page.locator(".station-card .distance").all_inner_texts()]
    assert distances == sorted(distances)
    assert distances[0] == 290
    expect(page.locator("label.chip", has_text=water).locator("input")).to_be_checked()
    viewer.screen(page, "courier-water-nearest-first")


def test_the_station_page_shows_the_way_and_the_check_in_is_confirmed(
    viewer: Viewer, server: Server
) -> None:
    lang = "en" if viewer.english else "zh"
    page = viewer.context().new_page()
    page.goto(f"{server.url}/stations")
    choose_place(page, viewer)
    untick_open_now(page)
    search(page)
    page.get_by_role("link", name=RIDER_HOME[lang]).click()
    expect(page.locator("h1")).to_have_text(RIDER_HOME[lang])
    expect(page.locator(".station-meta .distance")).to_have_text(
        words(viewer, "距离 570 米", "570 m away")
    )
    routes = {
        words(viewer, "高德地图", "Amap (Gaode)"): "https://uri.amap.com/navigation?",
        words(viewer, "百度地图", "Baidu Maps"): "https://api.map.baidu.com/direction?",
        "OpenStreetMap": "https://www.openstreetmap.org/directions?",
        words(viewer, "手机自带地图", "Map app on this phone"): "geo:",
    }
    for label, start in routes.items():
        link = page.locator(".directions").get_by_role("link", name=label, exact=True)
        expect(link).to_be_visible()
        assert (link.get_attribute("href") or "").startswith(start), label
    viewer.screen(page, "courier-station-routes")

    page.get_by_role("button", name=words(viewer, "到站签到", "Check in")).click()
    expect(page.locator(".flash").first).to_have_text(
        words(
            viewer,
            f"提示： 签到成功！座位为您保留 {LIFETIME_MINUTES} 分钟，离开时请签退。",
            f"Note: You are checked in. Your seat is kept for {LIFETIME_MINUTES} minutes; "
            "check out when you leave.",
        )
    )
    expect(page.get_by_role("button", name=words(viewer, "签退离开", "Check out"))).to_be_visible()
    expect(page.locator(".station-meta .distance")).to_have_text(
        words(viewer, "距离 570 米", "570 m away")
    )
    viewer.screen(page, "courier-checked-in")

    page.goto(f"{server.url}/stations/map")
    legend = page.get_by_role("list", name=words(viewer, "图例", "Map key"))
    expect(legend.locator("li")).to_have_text(
        [
            words(viewer, "营业中", "Open"),
            words(viewer, "快关门了", "Closes soon"),
            words(viewer, "已关门或开放时间不详", "Closed, or hours unknown"),
        ]
    )
    viewer.screen(page, "courier-map-key")
