"""Couriers hear back, through the pages: the two consents on the filing form, the language a
filing keeps, the link in a text message opening the need, and asking for the link again."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from html import unescape
from pathlib import Path

import pytest

from app import photos
from app.form_tokens import new_token
from app.tables import Community, OutboxMessage
from needs.services import dispatch, need_notices
from needs.tables import Need
from tests.factories import NOW, PASSWORD, actor_for, make_community, make_station, make_user
from tests.fixtures import Browser, text_of
from tests.needs.world import make_volunteer

NO_FILE = {"photo": ("", b"", "application/octet-stream")}
FILING = {
    "category": "repairs",
    "description": "Stair light out",
    "place": "Building 3",
    "community": "bayi",
    "station": "chenghuang",
}
SENT = "If this number filed a need with us, a text message with its link is on its way."


@pytest.fixture(autouse=True)
def media(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setattr(photos, "media_dir", lambda: tmp_path)
    yield tmp_path


@pytest.fixture
async def bayi(db: None) -> Community:
    home = await make_community("bayi", name_zh="八一社区", name_en="Bayi Community")
    await make_station(home, "chenghuang", name_zh="城隍庙广场驿站", name_en="Temple Square")
    return home


def visible(html: str) -> str:
    return " ".join(unescape(text_of(html)).split())


async def test_the_form_offers_both_consents_unticked_and_keeps_them_when_refused(
    browser: Browser, bayi: Community
) -> None:
    browser.set_language("en")
    form = await browser.get("/needs/new?station=chenghuang")
    for name in ("notify_consent", "contact_consent"):
        assert f'<input id="field-{name}" name="{name}" type="checkbox" value="1">' in form.text
    assert 'href="/needs/follow/resend">Lost your link?</a>' in form.text
    refused = await browser.submit(
        "/needs/new",
        {
            "form_token": new_token(),
            **FILING,
            "description": "",
            "notify_consent": "1",
            "contact_consent": "1",
        },
        files=NO_FILE,
    )
    assert refused.status_code == 400
    for name in ("notify_consent", "contact_consent"):
        assert f'name="{name}" type="checkbox" value="1" checked' in refused.text
    assert "Enter the phone number to text, or untick “Text me at this number”." in visible(
        refused.text
    )
    assert await Need.count() == 0


async def test_a_signed_in_resident_sees_only_the_consent_to_be_reached(
    browser: Browser, bayi: Community
) -> None:
    await make_user("13800000001", community=bayi, locale="en")
    await browser.sign_in("13800000001", PASSWORD)
    form = await browser.get("/needs/new")
    assert 'name="contact_consent"' in form.text
    assert 'name="notify_consent"' not in form.text


async def test_a_courier_on_an_english_page_is_texted_a_link_that_opens_the_need(
    browser: Browser, bayi: Community
) -> None:
    staff = await make_user("staff@example.com", staff_of=[bayi], locale="en")
    helper = await make_user("13800000003", community=bayi, locale="en")
    volunteer = await make_volunteer(helper, bayi)
    browser.set_language("en")
    sent = await browser.submit(
        "/needs/new",
        {
            "form_token": new_token(),
            **FILING,
            "contact": "13812345678",
            "notify_consent": "1",
            "contact_consent": "1",
        },
        files=NO_FILE,
    )
    assert sent.status_code == 200
    assert "If you lose it, we can text it again to the number you left." in visible(sent.text)
    need = await Need.objects().first()
    assert (need.language, need.notify_consent, need.contact_consent) == ("en", True, True)

    form = dispatch.DispatchForm(helper=f"volunteer:{volunteer.id}")
    await dispatch.dispatch(await actor_for(staff), str(need.id), form, now=NOW)
    body = (await OutboxMessage.select().where(OutboxMessage.to_address == "13812345678").first())[
        "body"
    ]
    assert body.startswith(
        "[Linli] Your report at Temple Square, “Stair light out”, was sent to a helper. "
        "Follow it: http://127.0.0.1:8000/needs/follow/"
    )
    link = re.search(r"http://127\.0\.0\.1:8000(/needs/follow/[A-Za-z0-9_-]{43})$", body)
    assert link is not None
    opened = await browser.get(link.group(1))
    assert opened.status_code == 200
    assert "Stair light out" in opened.text
    assert 'href="/needs/follow/resend">Lost your link?</a>' in opened.text


async def test_asking_for_the_link_again_answers_the_same_for_any_number(
    browser: Browser, bayi: Community, frozen_clock: list[datetime]
) -> None:
    browser.set_language("en")
    await browser.submit(
        "/needs/new",
        {"form_token": new_token(), **FILING, "contact": "138 1234 5678"},
        files=NO_FILE,
    )
    page = await browser.get("/needs/follow/resend")
    assert page.status_code == 200
    assert 'for="field-phone"' in page.text and 'name="_csrf_token"' in page.text
    known = await browser.submit("/needs/follow/resend", {"phone": "13812345678"})
    unknown = await browser.submit("/needs/follow/resend", {"phone": "13900000000"})
    assert known.status_code == unknown.status_code == 200
    assert visible(known.text) == visible(unknown.text)
    assert SENT in visible(known.text)
    assert await OutboxMessage.count() == 1
    assert (await OutboxMessage.select(OutboxMessage.to_address).first())["to_address"] == (
        "13812345678"
    )


async def test_the_answer_is_sent_before_the_number_is_looked_up(
    browser: Browser,
    bayi: Community,
    frozen_clock: list[datetime],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Whatever texting a known number costs, or however it fails, happens after the answer:
    neither the time it takes nor an error tells that the number filed a need."""
    browser.set_language("en")
    await browser.submit(
        "/needs/new",
        {"form_token": new_token(), **FILING, "contact": "138 1234 5678"},
        files=NO_FILE,
    )
    unknown = await browser.submit("/needs/follow/resend", {"phone": "13900000000"})

    async def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the SMS table is locked")

    monkeypatch.setattr(need_notices, "send_text", broken)
    known = await browser.submit("/needs/follow/resend", {"phone": "13812345678"})
    assert known.status_code == unknown.status_code == 200
    assert visible(known.text) == visible(unknown.text)
    assert "Texting the follow links again failed" in caplog.text
    assert await OutboxMessage.count() == 0


async def test_asking_for_the_link_again_refuses_a_bad_number_and_too_many_requests(
    browser: Browser, bayi: Community, frozen_clock: list[datetime]
) -> None:
    browser.set_language("en")
    bad = await browser.submit("/needs/follow/resend", {"phone": "call me"})
    assert bad.status_code == 400
    assert "Enter the mobile number you left, such as 13812345678." in visible(bad.text)
    assert 'value="call me"' in bad.text
    for minute in range(3):
        frozen_clock[0] = NOW + timedelta(minutes=minute)
        assert (
            await browser.submit("/needs/follow/resend", {"phone": "13900000000"})
        ).status_code == 200
    frozen_clock[0] = NOW + timedelta(minutes=20)
    refused = await browser.submit("/needs/follow/resend", {"phone": "13900000000"})
    assert refused.status_code == 429
    assert refused.headers["retry-after"] == str(40 * 60)
    assert "Too many links were asked for. Please try again in 40 minutes." in visible(refused.text)


async def test_asking_for_the_link_again_needs_the_csrf_field(
    browser: Browser, bayi: Community
) -> None:
    response = await browser.client.post("/needs/follow/resend", data={"phone": "13812345678"})
    assert response.status_code == 403
