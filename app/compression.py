"""Bodies compressed with brotli or gzip, at the levels each use can afford: answers made
per request, feeds compressed once per build (up to megabytes), static files compressed once
per release (kilobytes, so the slowest, densest levels)."""

from __future__ import annotations

import zlib

import brotli

CODINGS = ("br", "gzip")
"""The content codings Linli answers in, preferred first."""
PER_REQUEST = {"br": 4, "gzip": 6}
"""Brotli quality and gzip level for answers compressed per request: most of the gain for a
small part of the cost (brotli 11 takes about 400 times as long as 4)."""
PER_BUILD = {"br": 6, "gzip": 6}
"""For feeds, once per build: about 40 ms for both codings of a 1.1 MB feed of 5,000 events."""
ONCE = {"br": 11, "gzip": 9}
"""For static files, compressed once per process and kept."""


def compress(body: bytes, coding: str, levels: dict[str, int]) -> bytes:
    """`body` compressed in `coding` (`"br"` or `"gzip"`) at `levels[coding]`."""
    if coding == "br":
        return bytes(brotli.compress(body, mode=brotli.MODE_TEXT, quality=levels["br"]))
    compressor = zlib.compressobj(levels["gzip"], zlib.DEFLATED, 31)  # 31: the gzip container
    return compressor.compress(body) + compressor.flush()
