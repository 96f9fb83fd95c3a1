"""/communities/{slug}: a community's public page with its spaces, stations, partner units,
resources, projects, figures and needs, and /communities/{slug}/needs; and that nothing a
resident wrote (a phone number in the description, the place, the rating comment) reaches
any public page."""

from __future__ import annotations

from tests.factories import make_space, make_station
from tests.fixtures import Browser, text_of
from tests.needs.public_world import (
    PHONE,
    PUBLIC_NOW,
    UNIT_CONTACT,
    UNIT_PHONE,
    VOLUNTEER_NAME,
    bayi_world,
)
from tests.needs.services.test_public_figures import run_every_job_once


async def open_world(browser: Browser, frozen_clock, language: str = "en") -> dict:
    frozen_clock[0] = PUBLIC_NOW
    world = await bayi_world()
    space = await make_space(world["community"], "bayi-gateball", kind="court")
    space.name_zh, space.name_en = "门球场", "Gateball court"
    await space.save()
    await make_station(world["community"], "bayi-service-centre", name_en="Bayi service centre")
    await run_every_job_once()
    browser.set_language(language)
    return world


async def test_public_page_sections_and_exact_figures(browser: Browser, frozen_clock) -> None:
    await open_world(browser, frozen_clock)
    response = await browser.get("/communities/bayi")
    assert response.status_code == 200
    text = text_of(response.text)
    assert (
        "Shared spaces Gateball court · Court Rest stations Bayi service centre "
        "Partner units 和顺律师事务所 · 律师事务所 Anju Property · 物业公司 "
        "Resources offered Free legal advice · 和顺律师事务所 Escort to the doctor · A volunteer "
        "Stairwell light repairs · Anju Property Standing projects Warm stations for couriers"
    ) in text
    assert 'href="/spaces/bayi-gateball"' in response.text
    assert 'href="/stations/bayi-service-centre"' in response.text
    assert (
        "Figure This month This year All time Partner units 2 2 2 Resources offered 3 3 3 "
        "Needs filed 4 9 12 Solved 2 5 7 Solved rate 100% 83.3% 77.8% "
        "Satisfaction 50% 50% 55.6% Closed without rating 0 1 1 "
        "Problems reported by couriers 1 2 2"
    ) in text
    # The charts carry their values in words, and the bars are as long as the shares.
    assert 'aria-label="Solved rate: This month 100%; This year 83.3%; All time 77.8%"' in (
        response.text
    )
    assert 'aria-label="Satisfaction: This month 50%; This year 50%; All time 55.6%"' in (
        response.text
    )
    assert '<rect class="chart-bar" x="0" y="20" width="250.0"' in response.text
    assert '<rect class="chart-bar" x="0" y="60" width="208.3"' in response.text
    assert "leaving out those withdrawn and those still open that were filed less than 14" in text
    # The latest needs: the unit's name, or only that a volunteer helped; the summary.
    assert (
        "Tue, Jun 2, 2026 Repairs Solved Anju Property Wed, Jun 3, 2026 三号楼楼道灯已换新"
    ) in text
    assert "Sun, Mar 1, 2026 Elderly care Solved A volunteer Mon, Mar 2, 2026 —" in text
    assert "Fri, Jun 12, 2026 Repairs Being handled — — —" in text
    assert "Earlier needs" not in text  # 12 needs: one page
    for private in (VOLUNTEER_NAME, UNIT_CONTACT, UNIT_PHONE, "已退出单位", "旧资源", PHONE):
        assert private not in response.text
    assert '<meta name="description" content="Bayi Community: its shared spaces' in (response.text)


async def test_public_page_in_chinese(browser: Browser, frozen_clock) -> None:
    await open_world(browser, frozen_clock, language="zh_CN")
    text = text_of((await browser.get("/communities/bayi")).text)
    assert "八一社区" in text
    assert "解决率 100% 83.3% 77.8%" in text
    assert "也不算提交不满 14 天、还在办理中的" in text
    assert "满意率 50% 50% 55.6%" in text


async def test_unknown_community_is_the_404_page(browser: Browser) -> None:
    browser.set_language("en")
    for path in ("/communities/nowhere", "/communities/nowhere/needs"):
        response = await browser.get(path)
        assert response.status_code == 404
        assert "There is no community at this address." in text_of(response.text)


async def test_community_without_anything_shows_empty_figures(
    browser: Browser, frozen_clock
) -> None:
    from tests.factories import make_community

    frozen_clock[0] = PUBLIC_NOW
    await make_community("caijiaxiang")
    browser.set_language("en")
    response = await browser.get("/communities/caijiaxiang")
    text = text_of(response.text)
    assert "Needs filed 0 0 0 Solved 0 0 0 Solved rate — — — Satisfaction — — —" in text
    assert "“—” means there is nothing to divide by yet." in text
    assert "No needs have been filed in this community yet." in text
    assert "Partner units 0 0 0" in text and "Shared spaces" not in text


async def test_needs_list_pages_are_bounded(browser: Browser, frozen_clock) -> None:
    world = await open_world(browser, frozen_clock)
    from tests.needs.public_world import _need, day

    for n in range(10):  # 22 needs: two pages of 20
        await _need(world["community"], day(2024, 1, 1 + n), "open")
    first = await browser.get("/communities/bayi")
    assert 'href="/communities/bayi/needs?page=2"' in first.text
    second = await browser.get("/communities/bayi/needs?page=2")
    assert second.status_code == 200
    text = text_of(second.text)
    assert "Page 2 of 2" in text
    assert text.count("Waiting for the community") == 2
    assert 'href="/communities/bayi/needs?page=1"' in second.text
    assert (await browser.get("/communities/bayi/needs?page=3")).status_code == 404
    for bad in ("0", "51", "x"):
        refused = await browser.get(f"/communities/bayi/needs?page={bad}")
        assert refused.status_code == 400
        # The field is named as the address names it, not as the code does.
        assert "page: " in text_of(refused.text) and "page_number" not in refused.text


async def test_a_phone_number_a_resident_wrote_is_on_no_public_page(
    browser: Browser, frozen_clock
) -> None:
    world = await open_world(browser, frozen_clock)
    need = world["needs"]["a"]
    need.station_slug = "bayi-service-centre"
    await need.save()
    paths = (
        "/",
        "/communities/bayi",
        "/communities/bayi/needs",
        "/spaces",
        "/spaces/bayi-gateball",
        "/stations",
        "/stations/bayi-service-centre",
        "/stations/bayi-service-centre?offline=1",
        "/feeds/spaces/bayi-gateball.ics",
        "/feeds/stations/bayi-service-centre.ics",
        "/api/v1/communities",
        "/api/v1/stations/bayi-service-centre",
        "/api/v1/spaces/bayi-gateball",
    )
    for path in paths:
        response = await browser.get(path)
        assert response.status_code == 200, path
        body = response.text
        for private in (PHONE, "3号楼", "谢谢", "张师傅", "36.19512"):
            assert private not in body, (path, private)
        if path in ("/", "/spaces/bayi-gateball", "/stations/bayi-service-centre"):
            assert 'href="/communities/bayi"' in body, path  # where the community is named


async def test_long_lists_of_stations_end_in_a_link(browser: Browser, frozen_clock) -> None:
    world = await open_world(browser, frozen_clock)
    for n in range(21):  # with bayi-service-centre: 22 stations
        await make_station(world["community"], f"bayi-shop-{n:02d}")
    response = await browser.get("/communities/bayi")
    assert response.text.count('href="/stations/bayi-') == 20
    assert 'href="/stations?near=community%3Abayi">See 2 more rest stations near' in response.text


async def test_long_lists_of_resources_fold_after_eight(browser: Browser, frozen_clock) -> None:
    from tests.needs.report_world import add_resource

    world = await open_world(browser, frozen_clock)
    for n in range(7):  # with the 3 active ones: 10
        await add_resource(world["community"], world["unit"], f"资源{n}", f"Extra resource {n}")
    text = text_of((await browser.get("/communities/bayi")).text)
    listed = text.split("Resources offered ")[2].split(" Standing projects", 1)[0]  # 1: the menu
    assert listed.count(" · ") == 10
    assert listed.split(" · ")[8].startswith("Anju Property Show 2 more ")  # eight, then two
    assert "Resources offered 10 10 10" in text
