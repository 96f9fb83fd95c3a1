"""The three forms that file a need carry a form token (app.form_tokens): a double tap files
one need and answers the same page twice; a missing or malformed token is refused (400) with
the form as typed and a fresh token; someone else's token is refused."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html import unescape
from pathlib import Path

import pytest

from app import photos
from app.i18n import set_locale
from app.tables import Notification
from needs.tables import Need, NeedEvent
from tests.fixtures import text_of
from tests.needs.web.conftest import OpenBrowser
from tests.needs.world import World
from tests.spaces.web.test_form_tokens import token_of

NO_FILE = {"photo": ("", b"", "application/octet-stream")}
FILING = {"category": "repairs", "description": "Stair light out", "place": "Building 3"}
WALK_IN = {
    "category": "repairs",
    "description": "Tap leaks in the kitchen",
    "place": "Building 5",
    "name": "孙奶奶",
    "phone": "13900000001",
    "keep_consent": "1",
}
REFUSED = "This form could not be checked. Look over the values and send it again."


@pytest.fixture(autouse=True)
def media(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setattr(photos, "media_dir", lambda: tmp_path)
    yield tmp_path
    set_locale("zh_CN")


def visible(html: str) -> str:
    return " ".join(unescape(text_of(html)).split())


async def filed() -> tuple[int, int, int]:
    return await Need.count(), await NeedEvent.count(), await Notification.count()


async def test_a_resident_tapping_twice_files_one_need(
    open_browser: OpenBrowser, world: World
) -> None:
    resident = await open_browser("13800000001")
    form = {**FILING, "form_token": token_of((await resident.get("/needs/new")).text)}
    first = await resident.submit("/needs/new", form, files=NO_FILE)
    again = await resident.submit("/needs/new", form, files=NO_FILE)
    need = await Need.objects().first()
    assert (first.status_code, first.headers["location"]) == (303, f"/needs/{need.id}")
    assert (again.status_code, again.headers["location"]) == (303, f"/needs/{need.id}")
    assert await filed() == (1, 1, 1)  # one need, one "filed" event, one staff notice


async def test_a_courier_tapping_twice_files_one_need_and_sees_the_same_link(
    open_browser: OpenBrowser, world: World
) -> None:
    courier = await open_browser()
    token = token_of((await courier.get("/needs/new")).text)
    form = {**FILING, "community": "bayi", "contact": "13812345678", "form_token": token}
    first = await courier.submit("/needs/new", form, files=NO_FILE)
    again = await courier.submit("/needs/new", form, files=NO_FILE)
    link = re.compile(r'value="(http://testserver/needs/follow/[A-Za-z0-9_-]{43})"')
    assert (first.status_code, again.status_code) == (200, 200)
    assert again.headers["cache-control"] == "private, no-store"
    first_link = link.search(first.text)
    assert first_link is not None
    assert link.findall(again.text) == [first_link.group(1)]
    assert await filed() == (1, 1, 1)


async def test_staff_tapping_twice_file_one_need_for_a_walk_in(
    open_browser: OpenBrowser, world: World
) -> None:
    staff = await open_browser("staff@example.com")
    form = {**WALK_IN, "form_token": token_of((await staff.get("/staff/needs/new")).text)}
    first = await staff.submit("/staff/needs/new", form)
    again = await staff.submit("/staff/needs/new", form)
    need = await Need.objects().first()
    assert (first.status_code, first.headers["location"]) == (303, f"/staff/needs/{need.id}")
    assert (again.status_code, again.headers["location"]) == (303, f"/staff/needs/{need.id}")
    assert await filed() == (1, 1, 0)  # the only staff member of bayi is not told of their own


@pytest.mark.parametrize("token", [None, "", "not a token!", "x" * 65])
async def test_a_filing_without_a_good_token_is_refused_as_typed(
    open_browser: OpenBrowser, world: World, token: str | None
) -> None:
    resident = await open_browser("13800000001")
    sent_token = {} if token is None else {"form_token": token}
    refused = await resident.submit("/needs/new", {**FILING, **sent_token}, files=NO_FILE)
    assert refused.status_code == 400
    assert REFUSED in visible(refused.text)
    assert ">Stair light out</textarea>" in refused.text
    assert 'value="Building 3"' in refused.text
    fresh = token_of(refused.text)
    assert re.fullmatch(r"[A-Za-z0-9_-]{22}", fresh) and fresh != token
    assert await filed() == (0, 0, 0)


@pytest.mark.parametrize("token", [None, "not a token!"])
async def test_a_walk_in_without_a_good_token_is_refused_as_typed(
    open_browser: OpenBrowser, world: World, token: str | None
) -> None:
    staff = await open_browser("staff@example.com")
    sent_token = {} if token is None else {"form_token": token}
    refused = await staff.submit("/staff/needs/new", {**WALK_IN, **sent_token})
    assert refused.status_code == 400
    assert REFUSED in visible(refused.text)
    assert 'value="孙奶奶"' in refused.text and 'value="13900000001"' in refused.text
    assert re.fullmatch(r"[A-Za-z0-9_-]{22}", token_of(refused.text))
    assert await filed() == (0, 0, 0)


async def test_a_token_someone_else_filed_with_is_refused(
    open_browser: OpenBrowser, world: World
) -> None:
    resident = await open_browser("13800000001")
    form = {**FILING, "form_token": token_of((await resident.get("/needs/new")).text)}
    await resident.submit("/needs/new", form, files=NO_FILE)
    neighbour = await open_browser("13800000002")
    refused = await neighbour.submit("/needs/new", form, files=NO_FILE)
    assert refused.status_code == 400
    assert REFUSED in visible(refused.text)
    assert await filed() == (1, 1, 1)


async def test_every_render_of_the_forms_carries_a_new_token(
    open_browser: OpenBrowser, world: World
) -> None:
    resident = await open_browser("13800000001")
    staff = await open_browser("staff@example.com")
    tokens = {
        token_of((await resident.get("/needs/new")).text),
        token_of((await resident.get("/needs/new")).text),
        token_of((await staff.get("/staff/needs/new")).text),
        token_of((await staff.get("/staff/needs/new")).text),
    }
    assert len(tokens) == 4
