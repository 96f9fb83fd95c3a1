"""A need's photo is shown to its filer (signed in, or through the follow link), to the
staff of its community and to the helper it is sent to now; to anyone else it does not
exist (404). It is never cached, and never served at the public photos' address."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator, Awaitable, Callable
from hashlib import sha256

import httpx
import pytest
from litestar import Litestar
from PIL import Image

from app.uploads import Upload
from needs.tables import Need
from tests.factories import PASSWORD, make_user
from tests.fixtures import Browser
from tests.needs.world import World, file, make_unit
from tests.stored_photos import stored_body

OpenBrowser = Callable[..., Awaitable[Browser]]
PRIVATE = "private, no-store"


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 20), (200, 30, 30)).save(out, "JPEG")
    return out.getvalue()


def jpeg_upload() -> Upload:
    data = jpeg()
    return Upload("need.jpg", data, len(data))


@pytest.fixture
async def open_browser(app: Litestar, db: None, frozen_clock: object) -> AsyncIterator[OpenBrowser]:
    """Browsers of their own, signed in as someone or not."""
    clients: list[httpx.AsyncClient] = []

    async def opened(login: str | None = None) -> Browser:
        transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 50000))
        client = httpx.AsyncClient(transport=transport, base_url="http://testserver")
        clients.append(client)
        browser = Browser(client)
        if login:
            await browser.sign_in(login, PASSWORD)
        return browser

    yield opened
    for client in clients:
        await client.aclose()


async def _status(browser: Browser, url: str) -> int:
    return (await browser.get(url)).status_code


async def test_a_need_photo_is_served_to_the_filer_staff_and_helper_only(
    open_browser: OpenBrowser, world: World
) -> None:
    need, _ = await file(world.resident, photo=jpeg_upload())
    url = f"/needs/{need.id}/photo"
    body = await stored_body(need.photo)

    filer = await open_browser("13800000001")
    answer = await filer.get(url)
    assert answer.status_code == 200
    assert answer.content == body
    assert answer.headers["content-type"] == "image/jpeg"
    assert answer.headers["cache-control"] == PRIVATE
    assert answer.headers["x-content-type-options"] == "nosniff"
    etag = f'"{sha256(body).hexdigest()}"'
    assert answer.headers["etag"] == etag
    again = await filer.get(url, headers={"If-None-Match": etag})
    assert (again.status_code, again.content) == (304, b"")
    assert (again.headers["etag"], again.headers["cache-control"]) == (etag, PRIVATE)
    assert (await filer.get(url, headers={"If-None-Match": '"stale"'})).status_code == 200
    assert f'src="{url}"' in (await filer.get(f"/needs/{need.id}")).text

    staff = await open_browser("staff@example.com")
    assert await _status(staff, url) == 200
    assert f'src="{url}"' in (await staff.get(f"/staff/needs/{need.id}")).text

    # The volunteer sees it once the need is sent to them, and no longer after.
    helper = await open_browser("13800000003")
    assert await _status(helper, url) == 404
    await Need.update({Need.volunteer: world.volunteer.id, Need.status: "dispatched"}).where(
        Need.id == need.id
    )
    helper_answer = await helper.get(url)
    assert (helper_answer.status_code, helper_answer.headers["cache-control"]) == (200, PRIVATE)
    assert f'src="{url}"' in (await helper.get(f"/needs/tasks/{need.id}")).text
    # A partner unit's contact person, when the need goes to the unit instead.
    contact = await make_user("13800000009", name="物业小周", community=world.home)
    unit = await make_unit(world.home, contact=contact)
    await Need.update({Need.volunteer: None, Need.unit: unit.id}).where(Need.id == need.id)
    assert await _status(await open_browser("13800000009"), url) == 200
    assert await _status(helper, url) == 404

    for outsider in (
        await open_browser("13800000002"),  # a neighbour in the same community
        await open_browser("other@example.com"),  # staff of another community
        await open_browser("13800000004"),  # a volunteer of another community
        await open_browser(),  # nobody signed in
    ):
        assert await _status(outsider, url) == 404
        assert (await outsider.get(url, headers={"If-None-Match": etag})).status_code == 404
    # Nobody gets it at the public photos' address, the filer included.
    assert await _status(filer, f"/media/photos/{need.photo}") == 404


async def test_the_follow_link_shows_its_need_photo_and_nothing_else(
    open_browser: OpenBrowser, world: World
) -> None:
    need, token = await file(None, community="bayi", photo=jpeg_upload())
    assert token is not None
    other_need, other_token = await file(None, community="bayi", client_ip="198.51.100.2")
    assert other_token is not None and other_need.photo == ""
    courier = await open_browser()
    answer = await courier.get(f"/needs/follow/{token}/photo")
    assert answer.status_code == 200
    assert answer.content == await stored_body(need.photo)
    assert answer.headers["cache-control"] == PRIVATE
    assert answer.headers["etag"] == f'"{sha256(answer.content).hexdigest()}"'
    assert (
        f'src="/needs/follow/{token}/photo"' in (await courier.get(f"/needs/follow/{token}")).text
    )
    for wrong in (f"{token[:-2]}xx", "short", other_token):
        assert await _status(courier, f"/needs/follow/{wrong}/photo") == 404, wrong
    # The link is the only way in for a need filed without an account.
    assert await _status(courier, f"/needs/{need.id}/photo") == 404
    assert await _status(await open_browser("13800000001"), f"/needs/{need.id}/photo") == 404


async def test_unknown_and_malformed_need_photo_addresses_are_not_found(
    open_browser: OpenBrowser, world: World
) -> None:
    staff = await open_browser("staff@example.com")
    need, _ = await file(world.resident)  # no photo
    for url in (
        f"/needs/{need.id}/photo",
        "/needs/00000000-0000-0000-0000-000000000000/photo",
        "/needs/not-a-uuid/photo",
    ):
        assert await _status(staff, url) == 404, url
