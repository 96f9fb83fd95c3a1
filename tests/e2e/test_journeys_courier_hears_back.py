"""A courier hears back, in a real browser (`viewer`: a phone in Chinese, a desktop in
English): they report a problem at a rest station and agree to texts; staff send it to a
volunteer, who takes it and records it done; the courier's texts (read from the log sender,
which the server's outbox job feeds every 15 s) carry the link; the courier opens it on a
phone and rates it 5 stars, and the need is solved.

The demo's named stations belong to 八一社区; the problem is in 广场西社区, whose volunteer
牛师傅 (13800000012) does repairs, so the courier chooses that community on the form."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import PHONE, Viewer, save_screen
from tests.e2e.servers import Server
from tests.e2e.test_journeys import sign_in

pytestmark = pytest.mark.e2e

STATION = {"zh": "城隍庙邮政暖新驿站", "en": "Chenghuangmiao post office rest station"}
NUMBER = {"zh": ("13812345678", "138****5678"), "en": ("13987654321", "139****4321")}
DESCRIPTION = {
    "zh": "五号楼门口井盖松了，电动车经过会颠",
    "en": "Loose manhole cover by building 5",
}
TEXT_WAIT_S = 45
"""The outbox job runs every 15 s; a text is in the log well within three runs."""


def words(viewer: Viewer, zh: str, en: str) -> str:
    return en if viewer.english else zh


def texts_to(log: Path, masked: str) -> list[str]:
    """Bodies of the SMS the log sender wrote for the masked number, oldest first."""
    prefix = f"sms to {masked} (no sms sender configured): "
    return [
        line.split(prefix, 1)[1]
        for line in log.read_text(errors="replace").splitlines()
        if prefix in line
    ]


def wait_for_texts(log: Path, masked: str, count: int) -> list[str]:
    deadline = time.monotonic() + TEXT_WAIT_S
    while time.monotonic() < deadline:
        found = texts_to(log, masked)
        if len(found) >= count:
            return found
        time.sleep(0.5)
    raise AssertionError(f"{count} texts to {masked} expected, got {texts_to(log, masked)}")


def file_at_the_station(page: Page, viewer: Viewer, server: Server, phone: str) -> None:
    lang = "en" if viewer.english else "zh"
    page.goto(f"{server.url}/needs/new?station=bayi-post-office")
    expect(page.locator("p.lead")).to_contain_text(STATION[lang])
    page.locator("input[name=category][value=repairs]").check()
    page.fill("#field-description", DESCRIPTION[lang])
    page.select_option("#field-community", "guangchang-xi")
    page.fill("#field-contact", phone)
    notify = page.get_by_label(
        words(
            viewer,
            "派人处理时和处理完毕时，发短信告诉我",
            "Text me at this number when it is sent to a helper and when it is done",
        )
    )
    expect(notify).not_to_be_checked()
    notify.check()
    expect(
        page.get_by_label(
            words(
                viewer,
                "接单的人可以看到我的联系方式，方便约时间上门",
                "Whoever takes this need may see how to reach me, to arrange a visit",
            )
        )
    ).not_to_be_checked()
    viewer.screen(page, "courier-hears-back-form")
    page.get_by_role("button", name=words(viewer, "提交给社区", "Send to the community")).click()
    expect(page.locator("h1")).to_have_text(words(viewer, "提交成功，谢谢您！", "Sent. Thank you!"))


def test_a_courier_hears_back_by_text_and_rates_through_the_link(
    viewer: Viewer, server: Server
) -> None:
    lang = "en" if viewer.english else "zh"
    phone, masked = NUMBER[lang]
    courier = viewer.context().new_page()
    file_at_the_station(courier, viewer, server, phone)
    link = courier.locator("#follow-link").input_value()
    need_token = link.rsplit("/", 1)[1]

    staff = viewer.context().new_page()
    sign_in(staff, server, "staff.guangchang-xi@linli.example")
    staff.goto(f"{server.url}/staff/needs")
    staff.locator("tbody tr", has_text=DESCRIPTION[lang]).locator("th a").click()
    staff.wait_for_url(re.compile(r"/staff/needs/[0-9a-f-]{36}$"))
    need_id = staff.url.rsplit("/", 1)[1]
    staff.get_by_label(re.compile("牛师傅")).first.check()
    staff.get_by_role("button", name=words(viewer, "确认派单", "Send to this helper")).click()
    expect(staff.locator(".flash").first).to_be_visible()

    sent = wait_for_texts(server.log, masked, 1)
    url = f"{server.url}/needs/follow/{need_token}"
    assert sent == [
        words(
            viewer,
            f"【邻里】您在{STATION['zh']}反映的问题“{DESCRIPTION['zh']}”已派人处理。"
            f"查看进度：{url}",
            f"[Linli] Your report at {STATION['en']}, “Loose manhole cover…”, was sent to a "
            f"helper. Follow it: {url}",
        )
    ]

    volunteer = viewer.context().new_page()
    sign_in(volunteer, server, "13800000012")
    volunteer.goto(f"{server.url}/needs/tasks/{need_id}")
    volunteer.get_by_role("button", name=words(viewer, "接单", "Accept")).click()
    volunteer.fill("#field-resolution", words(viewer, "井盖重新固定好了。", "Fixed the cover."))
    volunteer.get_by_role("button", name=words(viewer, "确认办结", "Record as done")).click()
    expect(volunteer.locator(".flash").first).to_be_visible()

    done = wait_for_texts(server.log, masked, 2)[1]
    assert done.endswith(url)
    assert done.startswith(words(viewer, "【邻里】您在", "[Linli] Your report at"))
    assert words(viewer, "已处理完毕，请点击评价：", "is done. Please rate it:") in done

    # On the phone, from the text message.
    link_in_text = re.search(r"(https?://\S+)$", done)
    assert link_in_text is not None
    phone_page = viewer.make(viewer.locale, PHONE).new_page()
    phone_page.goto(link_in_text.group(1))
    expect(phone_page.locator("body")).to_contain_text(
        words(viewer, "井盖重新固定好了。", "Fixed the cover.")
    )
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    phone_page.locator("input[name=rating][value='5']").check()
    phone_page.get_by_role("button", name=words(viewer, "提交评价", "Send rating")).click()
    expect(phone_page.locator(".status").first).to_have_text(words(viewer, "已解决", "Solved"))
    save_screen(phone_page, f"courier-hears-back-rated-{viewer.key}")


def test_the_link_can_be_sent_again_with_the_same_answer_for_any_number(
    viewer: Viewer, server: Server
) -> None:
    page = viewer.context().new_page()
    page.goto(f"{server.url}/needs/new")
    page.get_by_role("link", name=words(viewer, "链接找不到了？", "Lost your link?")).click()
    answer = words(
        viewer,
        "如果这个号码在我们这里反映过问题，查看链接已通过短信发出。",
        "If this number filed a need with us, a text message with its link is on its way.",
    )
    page.fill("#field-phone", "13700000000")
    page.get_by_role("button", name=words(viewer, "把链接发短信给我", "Text me the link")).click()
    expect(page.get_by_role("status")).to_have_text(answer)
    viewer.screen(page, "courier-link-sent-again")
