"""Two hosts, one PostgreSQL: two `linli serve` processes, each with a media folder of its
own, share one database. A station photo uploaded by staff through the first is served by
the second (public, with the same ETag and a 304); a need photo filed through the first is
served by the second to the follow link only. Neither writes a file to its folder."""

from __future__ import annotations

import io
import re
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import httpx
import pytest
from PIL import Image

from app.form_tokens import new_token
from tests.e2e.servers import Server, live_server, run_async, scratch_postgres, server_errors

pytestmark = pytest.mark.e2e

STAFF = "staff.bayi@linli.example"
DEMO_PASSWORD = "linli-demo-2026"
STATION = "bayi-post-office"


class _FormFields(HTMLParser):
    """The fields a browser would send for the form posting to `action`, as the page
    filled them in (checked boxes and radios, selected options, text areas)."""

    def __init__(self, action: str) -> None:
        super().__init__()
        self.action = action
        self.inside = False
        self.fields: dict[str, str] = {}
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {key: value or "" for key, value in attrs}
        if tag == "form":
            self.inside = a.get("action") == self.action
        if not self.inside:
            return
        name = a.get("name", "")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.fields[name] = a.get("value", "on")
            elif kind not in ("file", "submit", "button"):
                self.fields[name] = a.get("value", "")
        elif tag == "select":
            self._select = name
        elif tag == "option" and self._select is not None:
            if "selected" in a or self._select not in self.fields:
                self.fields[self._select] = a.get("value", "")
        elif tag == "textarea":
            self._textarea = name
            self.fields[name] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self.fields[self._textarea] += data


def form_fields(html: str, action: str) -> dict[str, str]:
    parser = _FormFields(action)
    parser.feed(html)
    assert parser.fields, f"no form posts to {action}"
    return parser.fields


def jpeg(colour: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(out, "JPEG")
    return out.getvalue()


async def _csrf(client: httpx.AsyncClient) -> str:
    await client.get("/privacy")
    return client.cookies["linli_csrf"]


async def _upload_station_photo(first: Server) -> str:
    """Staff replace the station's photo through the first server; returns its name."""
    async with httpx.AsyncClient(base_url=first.url, timeout=60) as staff:
        token = await _csrf(staff)
        signed_in = await staff.post(
            "/account/signin",
            data={"_csrf_token": token, "login": STAFF, "password": DEMO_PASSWORD},
        )
        assert signed_in.status_code == 303, signed_in.text
        action = f"/staff/stations/{STATION}/edit"
        page = await staff.get(action)
        assert page.status_code == 200
        fields = form_fields(page.text, action)
        saved = await staff.post(
            action,
            data={**fields, "_csrf_token": staff.cookies["linli_csrf"]},
            files={"photo": ("entrance.jpg", jpeg((200, 40, 40)), "image/jpeg")},
        )
        assert saved.status_code == 303, saved.text
        station_page = await staff.get(f"/stations/{STATION}")
    found = re.search(r'src="/media/photos/([A-Za-z0-9_-]{32}\.jpg)"', station_page.text)
    assert found is not None
    return found.group(1)


async def _file_need_with_photo(first: Server) -> str:
    """A courier files a need with a photo through the first server; returns the follow
    link's path."""
    async with httpx.AsyncClient(base_url=first.url, timeout=60) as courier:
        filed = await courier.post(
            "/needs/new",
            data={
                "_csrf_token": await _csrf(courier),
                "form_token": new_token(),
                "category": "repairs",
                "description": "路灯坏了",
                "place": "3号楼",
                "community": "bayi",
            },
            files={"photo": ("IMG_1.jpg", jpeg((40, 40, 200)), "image/jpeg")},
        )
    assert filed.status_code == 200, filed.text
    found = re.search(r'value="http://[^"]+(/needs/follow/[A-Za-z0-9_-]{43})"', filed.text)
    assert found is not None
    return unescape(found.group(1))


async def _across(first: Server, second: Server) -> None:
    name = await _upload_station_photo(first)
    follow = await _file_need_with_photo(first)
    async with (
        httpx.AsyncClient(base_url=first.url, timeout=60) as one,
        httpx.AsyncClient(base_url=second.url, timeout=60) as two,
    ):
        here, there = await one.get(f"/media/photos/{name}"), await two.get(f"/media/photos/{name}")
        assert (here.status_code, there.status_code) == (200, 200)
        assert there.content == here.content
        with Image.open(io.BytesIO(there.content)) as image:
            assert image.size == (64, 48)
        assert there.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert there.headers["etag"] == here.headers["etag"]
        cached = await two.get(
            f"/media/photos/{name}", headers={"If-None-Match": here.headers["etag"]}
        )
        assert cached.status_code == 304
        assert f'src="/media/photos/{name}"' in (await two.get(f"/stations/{STATION}")).text

        private = await two.get(f"{follow}/photo")
        assert private.status_code == 200
        assert private.headers["cache-control"] == "private, no-store"
        with Image.open(io.BytesIO(private.content)) as image:
            assert image.getpixel((10, 10))[2] > 150  # the courier's blue picture
        assert (await two.get(f"{follow[:-2]}xx/photo")).status_code == 404


def test_a_photo_uploaded_through_one_host_is_served_by_another() -> None:
    with (
        scratch_postgres() as database_url,
        live_server(database_url) as first,
        live_server(database_url, demo=False) as second,
    ):
        folders = [Path(first.env["LINLI_MEDIA_DIR"]), Path(second.env["LINLI_MEDIA_DIR"])]
        assert folders[0] != folders[1]
        run_async(_across(first, second))
        assert [folder.exists() for folder in folders] == [False, False]
        assert server_errors(first.log) == [] and server_errors(second.log) == []
