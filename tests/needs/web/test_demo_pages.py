"""The demo district's public pages carry the report's figures: 八一社区 solves 95 %, 广场东
works with 14 partner units, 广场西 with 8 units and 35 resources (the issue's done-when)."""

from __future__ import annotations

import re

from app import demo as app_demo
from needs.services.demo import loader
from tests.factories import NOW
from tests.fixtures import Browser, text_of
from tests.needs.services.test_demo_figures import figures_of

HEADINGS = ("Figure This month This year All time", "本月 今年 累计")
"""The head of the figures table, in English and in Chinese."""


def figure_row(text: str, label: str) -> list[str]:
    """The month, year and all-time cells of one row of the figures table."""
    head = next(heading for heading in HEADINGS if heading in text)
    table = text[text.index(head) :]
    found = re.search(re.escape(label) + r" (\S+) (\S+) (\S+)", table)
    assert found, label
    return list(found.groups())


async def demo_page(browser: Browser, frozen_clock, slug: str, language: str = "en") -> str:
    frozen_clock[0] = NOW
    await app_demo.load(NOW)
    await loader.load(NOW)
    await figures_of(slug)  # one pass of every scheduled job first
    browser.set_language(language)
    response = await browser.get(f"/communities/{slug}")
    assert response.status_code == 200
    return text_of(response.text)


async def test_bayi_shows_95_percent_solved(browser: Browser, frozen_clock) -> None:
    text = await demo_page(browser, frozen_clock, "bayi")
    assert figure_row(text, "Needs filed")[2] == "27"
    assert figure_row(text, "Solved rate")[2] == "95%"
    assert figure_row(text, "Partner units") == ["7", "7", "7"]
    # Five party-member volunteers may be counted; one member's one need may not be shown.
    assert "As of Mon, Mar 2, 2026. 5 party-member volunteers Figures" in text
    assert not re.search(r"Taken by party members \S+ \S+ \S+", text)


async def test_bayi_in_chinese(browser: Browser, frozen_clock) -> None:
    text = await demo_page(browser, frozen_clock, "bayi", language="zh_CN")
    assert figure_row(text, "解决率")[2] == "95%"


async def test_guangchang_dong_shows_14_partner_units(browser: Browser, frozen_clock) -> None:
    text = await demo_page(browser, frozen_clock, "guangchang-dong")
    assert figure_row(text, "Partner units") == ["14", "14", "14"]
    assert figure_row(text, "Solved")[2] == "12"
    assert "14 partner units under agreement" in text
    assert (
        "Luzhou traffic police, Taihang East Street team · 机关单位 · under agreement until Mon, Mar 16, 2026"
        in text
    )


async def test_guangchang_dong_staff_see_the_agreement_ending_soon(
    browser: Browser, frozen_clock
) -> None:
    await demo_page(browser, frozen_clock, "guangchang-dong", language="zh_CN")
    await browser.sign_in("staff.guangchang-dong@linli.example", app_demo.DEMO_PASSWORD)
    text = text_of((await browser.get("/staff")).text)
    assert (
        "共建协议 即将到期或已到期：1 30 天内到期 潞州区交警大队太行东街中队 "
        "2026年3月16日周一 到期，还有 14 天"
    ) in text


async def test_guangchang_xi_shows_8_units_and_35_resources(browser: Browser, frozen_clock) -> None:
    text = await demo_page(browser, frozen_clock, "guangchang-xi")
    assert figure_row(text, "Partner units") == ["8", "8", "8"]
    assert figure_row(text, "Resources offered") == ["35", "35", "35"]
    assert figure_row(text, "Needs filed")[2] == "23"
