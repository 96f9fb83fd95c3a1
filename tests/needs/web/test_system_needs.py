"""What staff and helpers see of a need a partner system filed through Open311: staff see the
system and what it sent (the photo only as a link Linli never opens), helpers see the system
and no contact at all."""

from __future__ import annotations

import re

from app.tables import User
from needs.tables import Need, Open311Key
from tests.fixtures import text_of
from tests.needs.web.conftest import OpenBrowser
from tests.needs.world import T0, World, make_system_need

PHOTO_LINK = (
    '<a href="https://hotline.example.cn/photos/7.jpg" target="_blank" '
    'rel="noopener noreferrer nofollow" referrerpolicy="no-referrer">'
)


async def test_staff_see_the_system_and_what_it_sent(
    open_browser: OpenBrowser, world: World
) -> None:
    need = await make_system_need(world.home)
    staff = await open_browser("staff@example.com")
    page = await staff.get(f"/staff/needs/{need.id}")
    assert page.status_code == 200
    text = text_of(page.text)
    assert (
        "Filed by The partner system 「区12345热线」, through Open311 · 张先生 · "
        "13900001234 · zhang@example.cn"
    ) in text
    assert '<a href="tel:13900001234">13900001234</a>' in page.text
    assert '<a href="mailto:zhang@example.cn">zhang@example.cn</a>' in page.text
    assert PHOTO_LINK in page.text
    assert "<img" not in page.text.split('id="need-heading"')[1].split("</section>")[0]
    assert (
        "Photo sent with it Open the external photo link (opens in a new tab) A link to another "
        "website that Linli did not check and never opens itself."
    ) in text
    queue = text_of((await staff.get("/staff/needs")).text)
    assert "Bayi Community · from a partner system" in queue


async def test_a_revoked_key_still_names_the_system_and_zh_reads_naturally(
    open_browser: OpenBrowser, world: World
) -> None:
    need = await make_system_need(world.home, media_url="")
    await Open311Key.update({Open311Key.revoked_at: T0}).where(Open311Key.id == need.open311_key)
    await User.update({User.locale: "zh_CN"}).where(User.login == "staff@example.com")
    staff = await open_browser("staff@example.com")
    text = text_of((await staff.get(f"/staff/needs/{need.id}")).text)
    assert "合作系统「区12345热线」，经 Open311 提交 · 张先生" in text
    assert "外部照片链接" not in text
    assert "来自合作系统" in text_of((await staff.get("/staff/needs")).text)


async def test_after_erasure_staff_read_that_it_was_deleted(
    open_browser: OpenBrowser, world: World
) -> None:
    need = await make_system_need(
        world.home,
        status="closed",
        reporter_name="",
        reporter_contact="",
        reporter_email="",
        media_url="",
        closed_at=T0,
        personal_data_erased_at=T0,
    )
    staff = await open_browser("staff@example.com")
    page = await staff.get(f"/staff/needs/{need.id}")
    text = text_of(page.text)
    assert (
        "The partner system 「区12345热线」, through Open311 · the name and contact "
        "details sent with it were deleted"
    ) in text
    assert "tel:" not in page.text and "mailto:" not in page.text


async def test_a_media_link_that_is_not_a_web_address_is_never_a_link(
    open_browser: OpenBrowser, world: World
) -> None:
    need = await make_system_need(world.home, media_url='javascript:alert("x")')
    staff = await open_browser("staff@example.com")
    page = await staff.get(f"/staff/needs/{need.id}")
    assert 'href="javascript' not in page.text
    assert "javascript:alert(&#34;x&#34;)" in page.text


async def test_helpers_see_the_system_and_never_its_contact(
    open_browser: OpenBrowser, world: World
) -> None:
    need = await make_system_need(
        world.home, status="dispatched", volunteer=world.volunteer.id, contact_consent=True
    )
    helper = await open_browser("13800000003")
    page = await helper.get(f"/needs/tasks/{need.id}")
    assert page.status_code == 200
    text = text_of(page.text)
    assert (
        "Asked by A partner system (区12345热线) How to reach them It came from a partner" in text
    )
    for sent in ("张先生", "13900001234", "zhang@example.cn", "hotline.example.cn"):
        assert sent not in page.text, sent
    assert not re.search(r'href="(tel|mailto):', page.text)
    await User.update({User.locale: "zh_CN"}).where(User.login == "13800000003")
    assert "合作系统（区12345热线）" in text_of((await helper.get(f"/needs/tasks/{need.id}")).text)
    assert await Need.count() == 1
