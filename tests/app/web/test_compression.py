"""Compressed answers: negotiation, which answers are compressed, ETags per coding, 304s,
HEAD, and the CSRF token masked per answer."""

from __future__ import annotations

import gzip
import re
from collections.abc import AsyncIterator

import brotli
import httpx
import pytest
from litestar import Litestar, Response, get
from litestar.middleware import DefineMiddleware
from litestar.response import Stream

from app.asgi import CSRF_COOKIE
from app.tables import FeedCache
from app.web.compression import Compression, configure_compression, negotiate, tagged
from app.web.csrf import mask, unmask
from tests.factories import PASSWORD, make_community, make_space, make_user
from tests.fixtures import Browser

TOKEN_FIELD = re.compile(r'name="_csrf_token" value="([^"]+)"')


async def fetch(
    client: httpx.AsyncClient, url: str, coding: str | None, **headers: str
) -> tuple[httpx.Response, bytes]:
    """The answer and its body exactly as sent (not decoded); `coding` None sends no
    `Accept-Encoding` at all."""
    request = client.build_request("GET", url, headers=headers)
    del request.headers["accept-encoding"]
    if coding is not None:
        request.headers["accept-encoding"] = coding
    hooks = client.event_hooks
    client.event_hooks = {"request": [], "response": []}  # they would read (decode) the body
    try:
        response = await client.send(request, stream=True)
        raw = b"".join([chunk async for chunk in response.aiter_raw()])
        await response.aclose()
    finally:
        client.event_hooks = hooks
    return response, raw


def decoded(response: httpx.Response, raw: bytes) -> bytes:
    coding = response.headers.get("content-encoding")
    if coding == "br":
        return bytes(brotli.decompress(raw))
    if coding == "gzip":
        return gzip.decompress(raw)
    assert coding is None
    return raw


def unmasked(page: bytes) -> str:
    """The page with each masked CSRF token (different in every answer) in one form."""
    return TOKEN_FIELD.sub(
        lambda m: f'name="_csrf_token" value="{unmask(m.group(1))}"', page.decode()
    )


# --- negotiation and tags -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("accept", "coding"),
    [
        (None, None),
        ("", None),
        ("identity", None),
        ("deflate", None),
        ("gzip", "gzip"),
        ("GZIP", "gzip"),
        ("br", "br"),
        ("gzip, deflate, br", "br"),
        ("br;q=0, gzip", "gzip"),
        ("br;q=0.4, gzip;q=0.5", "gzip"),
        ("br;q=0, gzip;q=0", None),
        ("gzip;q=zero", None),
        ("*", "br"),
        ("*;q=0", None),
        ("br;q=0, *", "gzip"),
    ],
)
def test_negotiate_honours_weights_and_refusals(accept: str | None, coding: str | None) -> None:
    assert negotiate(accept) == coding


def test_tagged_keeps_weakness_and_leaves_unquoted_tags() -> None:
    assert tagged('"abc"', "br") == '"abc-br"'
    assert tagged('W/"abc"', "gzip") == 'W/"abc-gz"'
    assert tagged("abc", "br") == "abc"


# --- which answers are compressed -------------------------------------------------------------


async def test_an_anonymous_page_is_compressed_as_accepted_and_decodes_to_the_same_body(
    client: httpx.AsyncClient,
) -> None:
    plain, plain_raw = await fetch(client, "/privacy", None)
    assert plain.headers.get("content-encoding") is None
    assert plain.headers["vary"] == "Accept-Encoding"
    for coding, expected in [("br", "br"), ("gzip", "gzip"), ("br;q=0, gzip", "gzip")]:
        response, raw = await fetch(client, "/privacy", coding)
        assert response.headers["content-encoding"] == expected
        assert response.headers["vary"] == "Accept-Encoding"
        assert response.headers["content-length"] == str(len(raw))
        assert len(raw) < len(plain_raw)
        assert unmasked(decoded(response, raw)) == unmasked(plain_raw)
    identity, identity_raw = await fetch(client, "/privacy", "identity")
    assert identity.headers.get("content-encoding") is None
    assert unmasked(identity_raw) == unmasked(plain_raw)


async def test_head_says_what_get_would_send_and_sends_no_body(client: httpx.AsyncClient) -> None:
    home = await make_community("bayi")
    await make_space(home, "hall")
    for url in ("/feeds/spaces/hall.ics", "/privacy"):
        get_answer, raw = await fetch(client, url, "br")
        request = client.build_request("HEAD", url, headers={"accept-encoding": "br"})
        head = await client.send(request)
        assert head.status_code == 200
        assert head.headers["content-encoding"] == "br"
        assert head.headers["vary"] == "Accept-Encoding"
        assert head.content == b""
        if url.startswith("/feeds/"):  # a page's length differs by its masked token
            assert head.headers["content-length"] == get_answer.headers["content-length"]
            assert head.headers["content-length"] == str(len(raw))


async def test_json_answers_are_compressed(client: httpx.AsyncClient) -> None:
    home = await make_community("bayi")
    for number in range(8):
        await make_space(home, f"room-{number}")
    for url, media_type in [
        ("/api/v1/spaces", "application/json"),
        ("/schema/openapi.json", "application/vnd.oai.openapi+json"),
    ]:
        plain, plain_raw = await fetch(client, url, None)
        response, raw = await fetch(client, url, "gzip")
        assert response.headers["content-type"] == media_type
        assert response.headers["content-encoding"] == "gzip"
        assert response.headers["vary"] == "Accept-Encoding"
        assert plain.headers.get("content-encoding") is None
        assert len(plain_raw) > 1024 and decoded(response, raw) == plain_raw


async def test_a_static_file_is_compressed_once_with_its_own_etag(
    client: httpx.AsyncClient,
) -> None:
    home = (await client.get("/privacy")).text
    css = re.search(r'href="(/static/linli\.css\?v=[0-9a-f]+)"', home)
    assert css is not None
    plain, plain_raw = await fetch(client, css.group(1), "identity")
    first, first_raw = await fetch(client, css.group(1), "br")
    _again, again_raw = await fetch(client, css.group(1), "br")
    zipped, zipped_raw = await fetch(client, css.group(1), "gzip")
    assert first.headers["content-encoding"] == "br"
    assert first.headers["etag"] == tagged(plain.headers["etag"], "br")
    assert zipped.headers["etag"] == tagged(plain.headers["etag"], "gzip")
    assert plain.headers["etag"] != first.headers["etag"] != zipped.headers["etag"]
    assert again_raw == first_raw
    assert decoded(first, first_raw) == decoded(zipped, zipped_raw) == plain_raw


async def test_a_page_that_shows_a_secret_is_not_compressed(browser: Browser) -> None:
    home = await make_community("bayi")
    await make_user("13812345678", community=home)
    await browser.sign_in("13812345678", PASSWORD)
    response, raw = await fetch(browser.client, "/account", "br, gzip")
    assert response.status_code == 200
    assert response.headers.get("content-encoding") is None
    assert response.headers["cache-control"] == "private, no-store"
    assert "Accept-Encoding" not in response.headers.get("vary", "")
    assert b"<form" in raw


@get("/photo.jpg", sync_to_thread=False)
def _photo() -> Response[bytes]:
    return Response(b"\xff\xd8" + b"\x00" * 4000, media_type="image/jpeg")


@get("/small", sync_to_thread=False)
def _small() -> Response[str]:
    return Response("x" * 1023, media_type="text/plain")


@get("/stream", sync_to_thread=False)
def _stream() -> Stream:
    return Stream(
        iter([b"a" * 3000, b"b" * 3000]), media_type="text/plain", headers={"ETag": '"s"'}
    )


@get("/precompressed", sync_to_thread=False)
def _precompressed() -> Response[bytes]:
    body = gzip.compress(b"c" * 5000)
    return Response(body, media_type="text/plain", headers={"Content-Encoding": "gzip"})


@get("/plain-token", sync_to_thread=False)
def _plain_token() -> Response[str]:
    field = f'<input type="hidden" name="_csrf_token" value="{"ab" * 64}">'
    return Response(f"<p>{'x' * 3000}</p>{field}", media_type="text/html")


@pytest.fixture
async def bare() -> AsyncIterator[httpx.AsyncClient]:
    """The middleware alone around a few handlers of media types Linli's pages lack."""
    app = Litestar(
        route_handlers=[_photo, _small, _stream, _precompressed, _plain_token],
        middleware=[DefineMiddleware(Compression, config=configure_compression())],
    )
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


async def test_images_tiny_answers_plain_tokens_and_encoded_answers_pass_through(
    bare: httpx.AsyncClient,
) -> None:
    photo, photo_raw = await fetch(bare, "/photo.jpg", "br")
    assert photo.headers.get("content-encoding") is None
    assert photo_raw == b"\xff\xd8" + b"\x00" * 4000
    small, small_raw = await fetch(bare, "/small", "br")
    assert small.headers.get("content-encoding") is None
    assert small.headers["vary"] == "Accept-Encoding"
    assert small_raw == b"x" * 1023
    plain, plain_raw = await fetch(bare, "/plain-token", "br")
    assert plain.headers.get("content-encoding") is None
    assert plain.headers["vary"] == "Accept-Encoding"
    assert plain_raw.endswith(b'value="' + b"ab" * 64 + b'">')
    done, done_raw = await fetch(bare, "/precompressed", "br")
    assert done.headers["content-encoding"] == "gzip"
    assert gzip.decompress(done_raw) == b"c" * 5000


async def test_a_streamed_answer_is_compressed_chunk_by_chunk(bare: httpx.AsyncClient) -> None:
    response, raw = await fetch(bare, "/stream", "gzip")
    assert response.headers["content-encoding"] == "gzip"
    assert response.headers["etag"] == '"s-gz"'
    assert "content-length" not in response.headers
    assert gzip.decompress(raw) == b"a" * 3000 + b"b" * 3000


# --- feeds ----------------------------------------------------------------------------------


async def test_a_feed_is_sent_compressed_as_stored_with_an_etag_per_coding(
    client: httpx.AsyncClient,
) -> None:
    home = await make_community("bayi")
    await make_space(home, "hall")
    plain, plain_raw = await fetch(client, "/feeds/spaces/hall.ics", None)
    etag = plain.headers["etag"]
    assert plain.headers["vary"] == "Accept-Encoding"
    row = await FeedCache.objects().first()
    assert row is not None and etag == f'"{row.etag}"'
    for coding, suffix in [("br", "br"), ("gzip", "gz")]:
        response, raw = await fetch(client, "/feeds/spaces/hall.ics", coding)
        assert response.headers["content-encoding"] == coding
        assert response.headers["etag"] == f'"{row.etag}-{suffix}"'
        assert response.headers["vary"] == "Accept-Encoding"
        assert raw == bytes(row.body_br if coding == "br" else row.body_gzip)
        assert decoded(response, raw) == plain_raw
        for sent in (f'"{row.etag}-{suffix}"', f'W/"{row.etag}-{suffix}"'):
            again, again_raw = await fetch(
                client, "/feeds/spaces/hall.ics", coding, **{"if-none-match": sent}
            )
            assert (again.status_code, again_raw) == (304, b"")
            assert again.headers["etag"] == f'"{row.etag}-{suffix}"'
    # A copy in another coding is another representation: sent again, in the coding asked.
    other, _raw = await fetch(
        client, "/feeds/spaces/hall.ics", "gzip", **{"if-none-match": f'"{row.etag}-br"'}
    )
    assert (other.status_code, other.headers["content-encoding"]) == (200, "gzip")
    not_modified, _raw = await fetch(
        client, "/feeds/spaces/hall.ics", None, **{"if-none-match": etag}
    )
    assert (not_modified.status_code, not_modified.headers["etag"]) == (304, etag)


# --- the CSRF token, masked per answer -----------------------------------------------------------


def test_mask_is_different_every_time_and_unmasks_to_the_token() -> None:
    token = "ab" * 64
    first, second = mask(token), mask(token)
    assert first != second and token not in first
    assert unmask(first) == unmask(second) == token
    assert unmask(token) == token
    assert unmask("not a token") == "not a token"


MASKED_WITH_COUNTING_PAD = (
    "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4OTo7PD0-P6uqqaiv"
    "rq2so6KhoKempaS7urm4v769vLOysbC3trW0i4qJiI-OjYyDgoGAh4aFhJuamZifnp2ck5KRkJeWlZQ"
)
"""`"ab" * 64` masked with the pad 00 01 02 … 3f: the pad, then 0xab XOR each of its bytes."""


def test_a_mask_is_the_pad_then_the_token_xor_the_pad(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("app.web.csrf.secrets.token_bytes", lambda n: bytes(range(n)))
    assert mask("ab" * 64) == MASKED_WITH_COUNTING_PAD
    assert unmask(MASKED_WITH_COUNTING_PAD) == "ab" * 64
    leading_zeros = "00" * 8 + "ff" * 56  # XOR as numbers keeps every byte, zeros included
    assert unmask(mask(leading_zeros)) == leading_zeros


async def test_every_answer_carries_another_mask_of_the_one_token(browser: Browser) -> None:
    first, first_raw = await fetch(browser.client, "/account/signin", "br")
    _second, second_raw = await fetch(browser.client, "/account/signin", "identity")
    cookie = browser.client.cookies[CSRF_COOKIE]
    first_html, second_html = decoded(first, first_raw).decode(), second_raw.decode()
    first_tokens = TOKEN_FIELD.findall(first_html)
    second_tokens = TOKEN_FIELD.findall(second_html)
    assert first.headers["content-encoding"] == "br"
    assert len(first_tokens) == len(second_tokens) >= 2
    assert len(set(first_tokens + second_tokens)) == len(first_tokens + second_tokens)
    assert {unmask(token) for token in first_tokens + second_tokens} == {cookie}
    # Apart from the token, the compressed page is the uncompressed one.
    assert TOKEN_FIELD.sub("", first_html) == TOKEN_FIELD.sub("", second_html)


async def test_a_masked_token_is_accepted_in_the_form_and_the_header(browser: Browser) -> None:
    home = await make_community("bayi")
    await make_user("13812345678", community=home)
    page = (await browser.get("/account/signin")).text
    masked = TOKEN_FIELD.findall(page)[0]
    fields = {"login": "13812345678", "password": PASSWORD}
    signed_in = await browser.client.post("/account/signin", data={**fields, "_csrf_token": masked})
    assert signed_in.status_code == 303
    page = (await browser.get("/account")).text
    header = await browser.client.post(
        "/account/signout", headers={"x-csrftoken": TOKEN_FIELD.findall(page)[0]}
    )
    assert header.status_code == 303


async def test_a_tampered_or_foreign_token_is_refused(browser: Browser) -> None:
    page = (await browser.get("/account/signin")).text
    masked = TOKEN_FIELD.findall(page)[0]
    flipped = masked[:10] + ("A" if masked[10] != "A" else "B") + masked[11:]
    foreign = mask("cd" * 64)
    fields = {"login": "13812345678", "password": PASSWORD}
    for token in (flipped, foreign, masked[:-4]):
        refused = await browser.client.post(
            "/account/signin", data={**fields, "_csrf_token": token}
        )
        assert refused.status_code == 403, token
