"""Forms with files read as a stream: a photo over its bound reported on its own field with
everything typed kept, text fields bounded, the whole body capped whether announced or
streamed, and nothing read of a body that sign-in or its size already refuses."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar, Request

from app import photos
from app.form_tokens import new_token
from app.web import edge, uploads
from app.web.uploads import MAX_FORM_BYTES, MAX_TEXT_PART_BYTES
from needs.tables import Need
from tests.factories import make_community
from tests.fixtures import Browser, text_of

MIB = 1024 * 1024
BOUNDARY = "linli-test-boundary"
FILING = {
    "category": "repairs",
    "description": "楼道灯坏了，三楼",
    "place": "Building 3, east stairs",
    "community": "bayi",
    "contact": "13812345678",
}


@pytest.fixture(autouse=True)
def media(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setattr(photos, "media_dir", lambda: tmp_path)
    yield tmp_path


@pytest.fixture
async def bayi(db: None) -> None:
    await make_community("bayi", name_zh="八一社区", name_en="Bayi Community")


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes
    pulled: int
    """Bytes of the request body the application asked for."""


async def raw_post(
    app: Litestar, path: str, chunks: Iterator[bytes], headers: dict[str, str]
) -> Answer:
    """POST straight to the ASGI application, counting the body bytes it pulls."""
    pulled = 0
    pending = iter(chunks)
    following = next(pending, None)

    async def receive() -> dict[str, object]:
        nonlocal pulled, following
        if following is None:
            return {"type": "http.disconnect"}
        body, following = following, next(pending, None)
        pulled += len(body)
        return {"type": "http.request", "body": body, "more_body": following is not None}

    started: dict[str, object] = {}
    body = bytearray()

    async def send(message: dict[str, object]) -> None:
        if message["type"] == "http.response.start":
            started.update(message)
        elif message["type"] == "http.response.body":
            body.extend(message.get("body", b""))  # type: ignore[arg-type]

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
        "client": ("203.0.113.7", 50000),
        "server": ("testserver", 80),
    }
    await app(scope, receive, send)  # type: ignore[arg-type]
    response_headers = {
        k.decode(): v.decode()
        for k, v in started.get("headers", [])  # type: ignore[attr-defined]
    }
    return Answer(int(started["status"]), response_headers, bytes(body), pulled)  # type: ignore[call-overload]


def file_part_head(name: str = "photo", filename: str = "IMG_0001.jpg") -> bytes:
    return (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"; '
        f'filename="{filename}"\r\nContent-Type: image/jpeg\r\n\r\n'
    ).encode()


def zeros(total: int, chunk: int = MIB) -> Iterator[bytes]:
    while total > 0:
        yield b"\x00" * min(chunk, total)
        total -= chunk


MULTIPART = {"content-type": f"multipart/form-data; boundary={BOUNDARY}", "accept-language": "en"}


@pytest.mark.parametrize("size", [photos.MAX_UPLOAD_BYTES + 1, 12 * MIB], ids=["8MB+1", "12MB"])
async def test_a_photo_over_8_mb_is_reported_on_its_field_and_the_typed_text_comes_back(
    browser: Browser, bayi: None, media: Path, size: int
) -> None:
    browser.set_language("en")
    too_big = b"\xff\xd8\xff" + b"\x00" * (size - 3)
    sent = await browser.submit(
        "/needs/new",
        {**FILING, "form_token": new_token()},
        files={"photo": ("IMG_0001.jpg", too_big, "image/jpeg")},
    )
    assert sent.status_code == 400
    assert (
        "The photo is larger than 8 MB. Choose a smaller one, or take it again at a lower "
        "resolution." in text_of(unescape(sent.text))
    )
    assert 'id="error-photo"' in sent.text
    assert 'value="repairs" checked' in sent.text
    assert ">楼道灯坏了，三楼</textarea>" in sent.text
    assert '<option value="bayi" selected>' in sent.text
    assert 'value="Building 3, east stairs"' in sent.text
    assert 'value="13812345678"' in sent.text
    assert await Need.count() == 0
    assert not (media / "photos").exists()


async def test_a_photo_over_its_bound_is_dropped_while_it_streams(
    app: Litestar, bayi: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    received: list[uploads.ReceivedForm] = []
    reader = uploads.receive_multipart

    async def keep(request: Request[Any, Any, Any]) -> uploads.ReceivedForm:
        form = await reader(request)
        received.append(form)
        return form

    monkeypatch.setattr(edge, "receive_multipart", keep)
    size = photos.MAX_UPLOAD_BYTES + 1
    chunks = iter(
        [
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="place"\r\n\r\n'
            "Building 3\r\n".encode(),
            file_part_head(),
            *zeros(size, 64 * 1024),
            f"\r\n--{BOUNDARY}--\r\n".encode(),
        ]
    )
    await raw_post(app, "/needs/new", chunks, MULTIPART)
    [form] = received
    assert form.text("place") == "Building 3"
    upload = form.file("photo")
    assert upload is not None
    assert (upload.filename, upload.content, upload.size, upload.too_large) == (
        "IMG_0001.jpg",
        b"",
        size,
        True,
    )


async def test_a_text_field_over_20_kb_is_a_form_error(
    browser: Browser, bayi: None, media: Path
) -> None:
    browser.set_language("en")
    sent = await browser.submit(
        "/needs/new",
        {"form_token": new_token(), **FILING, "description": "x" * (MAX_TEXT_PART_BYTES + 1)},
        files={"photo": ("", b"", "application/octet-stream")},
    )
    assert sent.status_code == 400
    assert (
        "At most 20 kB of text fit in one field; this one was longer and was not kept."
        in text_of(unescape(sent.text))
    )
    assert 'value="Building 3, east stairs"' in sent.text
    assert await Need.count() == 0


async def test_a_body_announced_over_25_mb_is_refused_before_a_byte_is_read(
    app: Litestar, bayi: None
) -> None:
    answer = await raw_post(
        app,
        "/needs/new",
        zeros(MAX_FORM_BYTES + 1),
        {**MULTIPART, "content-length": str(MAX_FORM_BYTES + 1)},
    )
    assert (answer.status, answer.pulled) == (413, 0)
    assert answer.headers["content-type"].startswith("text/html")
    assert (
        "What you sent is larger than 25 MB, the most this page accepts. Nothing was saved: "
        "send smaller files, or fewer." in text_of(unescape(answer.body.decode()))
    )


async def test_a_chunked_body_is_refused_once_it_passes_25_mb(app: Litestar, bayi: None) -> None:
    chunks = iter([file_part_head(), *zeros(MAX_FORM_BYTES + 10 * MIB)])
    answer = await raw_post(app, "/needs/new", chunks, MULTIPART)
    assert answer.status == 413
    assert MAX_FORM_BYTES < answer.pulled <= MAX_FORM_BYTES + MIB + len(file_part_head())
    assert "larger than 25 MB" in text_of(unescape(answer.body.decode()))


async def test_the_api_refuses_a_body_announced_too_large_with_problem_details(
    app: Litestar, db: None
) -> None:
    answer = await raw_post(
        app,
        "/api/v1/auth/token",
        zeros(3 * MIB),
        {"content-type": "application/json", "content-length": str(3 * MIB)},
    )
    assert (answer.status, answer.pulled) == (413, 0)
    problem = json.loads(answer.body)
    assert (problem["type"], problem["status"]) == ("urn:linli:problem:too-large", 413)
    assert "1.9 MB" in problem["detail"]


async def test_a_visitors_upload_to_a_staff_route_is_sent_to_sign_in_unread(
    app: Litestar, bayi: None
) -> None:
    chunks = iter([file_part_head(), *zeros(5 * MIB), f"\r\n--{BOUNDARY}--\r\n".encode()])
    answer = await raw_post(app, "/staff/stations/rider-home/edit", chunks, MULTIPART)
    assert (answer.status, answer.pulled) == (303, 0)
    assert answer.headers["location"].startswith("/account/signin?next=")


async def test_a_visitors_json_to_a_route_that_needs_a_token_is_refused_unread(
    app: Litestar, db: None
) -> None:
    deep = b"[" * 100_000 + b"]" * 100_000
    answer = await raw_post(
        app, "/api/v1/bookings", iter([deep]), {"content-type": "application/json"}
    )
    assert (answer.status, answer.pulled) == (401, 0)
    assert json.loads(answer.body)["type"] == "urn:linli:problem:unauthorized"


def test_a_form_is_filled_with_every_value_of_a_list_field_and_the_first_of_others() -> None:
    from spaces.web.staff.spaces import SpaceEditForm

    received = uploads.ReceivedForm(
        values={
            "name_en": ["Band room", "ignored"],
            "cancel_booking": ["b1", "b2"],
            "_csrf_token": ["t"],
        }
    )
    form = received.fill(SpaceEditForm)
    assert (form.name_en, form.cancel_booking, form.ticked()) == (
        "Band room",
        ["b1", "b2"],
        ("b1", "b2"),
    )
    assert form.remove_photo == ""
