"""Staff write a need's public summary on its page; it shows on the community's public page
and nowhere else is the resident's description. Too long or with a phone number, it comes
back with what was typed; another community's staff cannot write it."""

from __future__ import annotations

from needs.tables import Need
from tests.factories import PASSWORD, make_community, make_user
from tests.fixtures import Browser, text_of
from tests.needs.public_world import PHONE, PUBLIC_NOW, bayi_world
from tests.needs.world import audit_entry, snapshot


async def staff_of_bayi(browser: Browser, frozen_clock) -> Need:
    frozen_clock[0] = PUBLIC_NOW
    world = await bayi_world()
    await make_user("staff@bayi.example", staff_of=[world["community"]], locale="en")
    await browser.sign_in("staff@bayi.example", PASSWORD)
    browser.set_language("en")
    return world["needs"]["i"]


async def test_staff_write_the_public_summary_and_the_public_page_shows_it(
    browser: Browser, frozen_clock
) -> None:
    need = await staff_of_bayi(browser, frozen_clock)
    page = await browser.get(f"/staff/needs/{need.id}")
    assert f'action="/staff/needs/{need.id}/public-summary"' in page.text
    assert "What was done, for the community’s public page" in text_of(page.text)
    response = await browser.submit(
        f"/staff/needs/{need.id}/public-summary", {"public_summary": "  已清理楼道杂物  "}
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/staff/needs/{need.id}"
    saved = await Need.objects().where(Need.id == need.id).first()
    assert (saved.public_summary, saved.updated_at) == ("已清理楼道杂物", PUBLIC_NOW)
    entry = await audit_entry("need.public_summary")
    assert (entry["before"], entry["after"]) == (
        {"public_summary": ""},
        {"public_summary": "已清理楼道杂物"},
    )
    assert "The public summary was saved." in text_of(
        (await browser.get(response.headers["location"])).text
    )
    public = text_of((await browser.get("/communities/bayi")).text)
    assert "Wed, May 20, 2026 Repairs Solved — Thu, May 21, 2026 已清理楼道杂物" in public


async def test_a_refused_summary_comes_back_with_what_was_typed(
    browser: Browser, frozen_clock
) -> None:
    need = await staff_of_bayi(browser, frozen_clock)
    before = await snapshot()
    typed = f"修好了,有问题打{PHONE[:3]} {PHONE[3:7]} {PHONE[7:]}"
    response = await browser.submit(
        f"/staff/needs/{need.id}/public-summary", {"public_summary": typed}
    )
    assert response.status_code == 400
    assert "Anyone can read the public summary: leave out phone numbers." in text_of(response.text)
    assert typed in response.text
    too_long = "修" * 301
    response = await browser.submit(
        f"/staff/needs/{need.id}/public-summary", {"public_summary": too_long}
    )
    assert response.status_code == 400
    assert "Use at most 300 characters." in text_of(response.text)
    assert too_long in response.text
    assert await snapshot() == before


async def test_other_communities_staff_and_residents_cannot_write_it(
    browser: Browser, frozen_clock
) -> None:
    need = await staff_of_bayi(browser, frozen_clock)
    elsewhere = await make_community("guangchang-dong", name_en="East")
    await make_user("staff@east.example", staff_of=[elsewhere], locale="en")
    await browser.sign_in("staff@east.example", PASSWORD)
    before = await snapshot()
    response = await browser.submit(
        f"/staff/needs/{need.id}/public-summary", {"public_summary": "不是我们的"}
    )
    assert response.status_code == 404
    await make_user("13800000009", community=elsewhere)
    await browser.sign_in("13800000009", PASSWORD)
    response = await browser.submit(
        f"/staff/needs/{need.id}/public-summary", {"public_summary": "不是我们的"}
    )
    assert response.status_code == 403
    assert await snapshot() == before
