"""Compressed answers: brotli where the client accepts it, gzip otherwise, identity when it
accepts neither (`q=0` refuses a coding).

Built on Litestar's `CompressionConfig` with a middleware class of our own, because the stock
one matches `Accept-Encoding` as a substring (`br;q=0` would still get brotli), compresses
answers that are compressed already (photos, stored feeds) and leaves the ETag alone. Here:

- only text-like media types are compressed (never JPEG, PNG or WebP); answers that set
  `Content-Encoding` themselves (feeds, compressed once per build) pass through untouched;
- an answer whose handler says `Cache-Control: no-store` holds a secret shown once (an API
  key, a calendar address) and is never compressed (BREACH); pages carrying the CSRF token
  are compressed because that token is masked per answer (`app.web.csrf`); a page found
  with the plain token in it is not;
- every compressible answer says `Vary: Accept-Encoding`, and a compressed one carries its
  own ETag: `"tag"` becomes `"tag-br"` or `"tag-gz"`. `etag_matches` accepts the tag of the
  request's coding, and a 304 for it names that tag again;
- static files (`/static/…`, immutable, named by their hash) are compressed once, at the
  highest levels, and kept in memory.
"""

from __future__ import annotations

import re
import zlib
from collections import OrderedDict
from functools import lru_cache
from typing import TYPE_CHECKING

import brotli
from litestar.config.compression import CompressionConfig
from litestar.datastructures import Headers, MutableScopeHeaders
from litestar.middleware.compression import CompressionMiddleware

from app.compression import CODINGS, ONCE, PER_REQUEST, compress

if TYPE_CHECKING:
    from litestar.types import HTTPResponseStartEvent, Message, Receive, Scope, Send

ETAG_SUFFIX = {"br": "br", "gzip": "gz"}
COMPRESSIBLE = (
    "text/",
    "application/json",
    "application/javascript",
    "application/xml",
)
"""Media types worth compressing (prefixes, and any `+json` or `+xml` type: problem details,
GeoJSON, the OpenAPI schema, SVG); other images are compressed already."""
MINIMUM_BYTES = 1024
"""Smaller answers fit in a packet or two anyway; compressing them costs more than it saves."""
STATIC_PREFIX = "/static/"
STATIC_KEPT = 256


def negotiate(accept_encoding: str | None) -> str | None:
    """The coding to answer in for this `Accept-Encoding` (RFC 9110 §12.5.3): `"br"`,
    `"gzip"`, or None for identity. A coding with `q=0` is refused; `*` stands for any
    coding not named; at equal weight brotli wins."""
    if not accept_encoding:
        return None
    return _negotiated(accept_encoding)


@lru_cache(maxsize=256)
def _negotiated(accept_encoding: str) -> str | None:
    """`negotiate`, remembered: browsers send one of a few headers on every request."""
    weights: dict[str, float] = {}
    for item in accept_encoding.split(","):
        name, _, params = item.partition(";")
        weight = 1.0
        for param in params.split(";"):
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    weight = float(value.strip())
                except ValueError:
                    weight = 0.0
        weights[name.strip().lower()] = weight
    any_weight = weights.get("*", 0.0)
    best, best_weight = None, 0.0
    for coding in CODINGS:
        weight = weights.get(coding, any_weight)
        if weight > best_weight:
            best, best_weight = coding, weight
    return best


def tagged(etag: str, coding: str) -> str:
    """The ETag of the `coding`-compressed answer: `"abc"` → `"abc-br"`, `W/"abc"` →
    `W/"abc-br"` (unquoted tags are returned unchanged)."""
    weak = etag.startswith("W/")
    opaque = etag.removeprefix("W/")
    if len(opaque) < 2 or not (opaque.startswith('"') and opaque.endswith('"')):
        return etag
    return ("W/" if weak else "") + f'{opaque[:-1]}-{ETAG_SUFFIX[coding]}"'


class _Stream:
    """One answer compressed chunk by chunk, each chunk flushed so the client sees it."""

    def __init__(self, coding: str) -> None:
        self.coding = coding
        self._brotli = brotli.Compressor(mode=brotli.MODE_TEXT, quality=PER_REQUEST["br"])
        self._gzip = zlib.compressobj(PER_REQUEST["gzip"], zlib.DEFLATED, 31)

    def chunk(self, body: bytes, last: bool) -> bytes:
        if self.coding == "br":
            out = self._brotli.process(body)
            return out + (self._brotli.finish() if last else self._brotli.flush())
        out = self._gzip.compress(body)
        return out + self._gzip.flush(zlib.Z_FINISH if last else zlib.Z_SYNC_FLUSH)


_static: OrderedDict[tuple[str, str, str], bytes] = OrderedDict()


def _static_body(path: str, etag: str, body: bytes, coding: str) -> bytes:
    """A static file compressed once per (path, version, coding), kept in this process."""
    key = (path, etag, coding)
    kept = _static.get(key)
    if kept is None:
        kept = _static[key] = compress(body, coding, ONCE)
        if len(_static) > STATIC_KEPT:
            _static.popitem(last=False)
    return kept


def _compressible(headers: MutableScopeHeaders) -> bool:
    media_type = (headers.get("content-type") or "").split(";")[0].strip().lower()
    compressible = media_type.startswith(COMPRESSIBLE) or media_type.endswith(("+json", "+xml"))
    return compressible and "content-encoding" not in headers


def _holds_secret(headers: MutableScopeHeaders) -> bool:
    """The handler said `no-store` (the privacy headers of signed-in pages are added later,
    in `before_send`): the page shows a secret and is sent as it is."""
    return "no-store" in (headers.get("cache-control") or "").lower()


_PLAIN_TOKEN = re.compile(rb'"[0-9a-f]{128}"')
"""Litestar's CSRF token as it is in the cookie, quoted (an attribute's value): 128 hex
digits. Pages carry it masked. (The opening quote makes the search about 24 µs on a 10 kB
page; without it, 300 µs.)"""


def _unmasked_token_in(headers: MutableScopeHeaders, body: bytes) -> bool:
    """A page with the plain CSRF token in it (put there by a path that does not mask it) is
    sent uncompressed: a safety net, since compressing it would leak the token (BREACH)."""
    html = (headers.get("content-type") or "").startswith("text/html")
    return html and _PLAIN_TOKEN.search(body) is not None


def _if_none_match(scope: Scope) -> set[str]:
    match = Headers.from_scope(scope).get("if-none-match") or ""
    return {tag.strip().removeprefix("W/") for tag in match.split(",") if tag.strip()}


class Compression(CompressionMiddleware):
    """Litestar's compression middleware with negotiation, ETags and media types as the
    module's docstring says."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        coding = negotiate(Headers.from_scope(scope).get("accept-encoding"))
        await self.app(scope, receive, self._wrap(send, scope, coding))

    def _wrap(self, send: Send, scope: Scope, coding: str | None) -> Send:
        start: HTTPResponseStartEvent | None = None
        stream: _Stream | None = None
        passing = False

        async def wrapped(message: Message) -> None:
            nonlocal start, stream, passing
            if message["type"] == "http.response.start":
                start = message
                return
            if message["type"] != "http.response.body" or start is None or passing:
                await send(message)
                return
            if stream is not None:
                message["body"] = stream.chunk(message["body"], not message.get("more_body"))
                await send(message)
                return
            headers = MutableScopeHeaders(start)
            if start["status"] == 304:
                _retag_not_modified(headers, scope, coding)
                passing = True
            elif not _compressible(headers) or _holds_secret(headers):
                passing = True
            else:
                _vary(headers)
                body = message["body"]
                more = bool(message.get("more_body"))
                if (
                    coding is None
                    or start["status"] in (204, 206)  # no body; a range of the identity body
                    or (not more and len(body) < self.config.minimum_size)
                    or _unmasked_token_in(headers, body)
                ):
                    passing = True
                elif more:
                    stream = _Stream(coding)
                    del headers["content-length"]
                    message["body"] = stream.chunk(body, False)
                    _mark(headers, coding)
                else:
                    path = scope["path"]
                    etag = headers.get("etag") or ""
                    if path.startswith(STATIC_PREFIX) and etag:
                        message["body"] = _static_body(path, etag, body, coding)
                    else:
                        message["body"] = compress(body, coding, PER_REQUEST)
                    headers["content-length"] = str(len(message["body"]))
                    _mark(headers, coding)
            await send(start)
            await send(message)

        return wrapped


def _vary(headers: MutableScopeHeaders) -> None:
    """`Vary: Accept-Encoding`, once."""
    vary = headers.get("vary") or ""
    if "accept-encoding" not in vary.lower():
        headers.extend_header_value("vary", "Accept-Encoding")


def _mark(headers: MutableScopeHeaders, coding: str) -> None:
    headers["content-encoding"] = coding
    etag = headers.get("etag")
    if etag:
        headers["etag"] = tagged(etag, coding)


def _retag_not_modified(headers: MutableScopeHeaders, scope: Scope, coding: str | None) -> None:
    """A 304 names the tag the client holds: the compressed one when it asked with it."""
    etag = headers.get("etag")
    if etag and coding and tagged(etag, coding).removeprefix("W/") in _if_none_match(scope):
        headers["etag"] = tagged(etag, coding)
        _vary(headers)


def configure_compression() -> CompressionConfig:
    return CompressionConfig(
        backend="brotli",
        minimum_size=MINIMUM_BYTES,
        brotli_quality=PER_REQUEST["br"],
        gzip_compress_level=PER_REQUEST["gzip"],
        middleware_class=Compression,
    )
