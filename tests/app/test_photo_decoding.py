"""Pictures are refused from their header before any decoding, and at most two are decoded
at once per process."""

from __future__ import annotations

import asyncio
import io
import struct
import threading
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image, ImageFile

from app import photos
from app.errors import FieldError
from app.i18n import set_locale
from app.uploads import Upload


@pytest.fixture(autouse=True)
def media(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setattr(photos, "media_dir", lambda: tmp_path)
    set_locale("en")
    yield tmp_path
    set_locale("zh_CN")


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def black_png(width: int, height: int) -> bytes:
    """A complete, valid greyscale PNG of `width` × `height` black pixels: it compresses to
    about a thousandth of what it decodes to."""
    squeeze = zlib.compressobj(9)
    row = b"\x00" * (width + 1)  # filter byte, then the row
    compressed = b"".join(squeeze.compress(row) for _ in range(height)) + squeeze.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", compressed)
        + _chunk(b"IEND", b"")
    )


@pytest.fixture
def loads(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, int]]:
    """Every picture Pillow decodes, by its size."""
    seen: list[tuple[int, int]] = []
    load = ImageFile.ImageFile.load

    def counting(image: ImageFile.ImageFile) -> object:
        seen.append(image.size)
        return load(image)

    monkeypatch.setattr(ImageFile.ImageFile, "load", counting)
    return seen


async def test_a_small_png_declaring_40_megapixels_is_refused_and_never_decoded(
    loads: list[tuple[int, int]],
) -> None:
    bomb = black_png(8000, 5000)
    assert len(bomb) < 60_000
    errors: list[FieldError] = []
    assert await photos.checked_upload(Upload("bomb.png", bomb, len(bomb)), errors) is None
    assert errors == [
        FieldError(
            "photo", "The photo has too many pixels (at most 24 million). Choose a smaller one."
        )
    ]
    assert loads == []


async def test_a_picture_of_24_megapixels_passes_the_header_check(
    loads: list[tuple[int, int]],
) -> None:
    photos.check_photo(black_png(6000, 4000))
    assert loads == []


async def test_a_photo_over_the_bound_is_refused_without_its_bytes(
    loads: list[tuple[int, int]],
) -> None:
    errors: list[FieldError] = []
    dropped = Upload("IMG_0001.jpg", b"", photos.MAX_UPLOAD_BYTES + 1)
    assert await photos.checked_upload(dropped, errors) is None
    assert errors == [
        FieldError(
            "photo",
            "The photo is larger than 8 MB. Choose a smaller one, or take it again at a lower "
            "resolution.",
        )
    ]
    assert loads == []


class WatchedSlots(asyncio.Semaphore):
    """The decode slots, telling the test when a caller has to wait for one."""

    def __init__(self, value: int) -> None:
        super().__init__(value)
        self.someone_waits = asyncio.Event()

    async def acquire(self) -> bool:
        if self.locked():
            self.someone_waits.set()
        return await super().acquire()


async def test_a_third_decode_waits_until_one_of_two_has_finished(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    slots = WatchedSlots(photos.MAX_DECODES)
    monkeypatch.setattr(photos, "decode_slots", lambda: slots)
    started = {name: threading.Event() for name in ("a", "b", "c")}
    finish = {name: threading.Event() for name in ("a", "b", "c")}
    running: list[str] = []
    most_at_once = 0
    lock = threading.Lock()

    def decode(data: bytes, *, field: str) -> bytes:
        nonlocal most_at_once
        name = data.decode()
        with lock:
            running.append(name)
            most_at_once = max(most_at_once, len(running))
        started[name].set()
        finish[name].wait()
        with lock:
            running.remove(name)
        return b"jpeg " + data

    monkeypatch.setattr(photos, "check_photo", lambda data, field: None)
    monkeypatch.setattr(photos, "clean_photo", decode)
    first = asyncio.create_task(photos.cleaned(b"a"))
    second = asyncio.create_task(photos.cleaned(b"b"))
    await asyncio.to_thread(started["a"].wait)
    await asyncio.to_thread(started["b"].wait)
    third = asyncio.create_task(photos.cleaned(b"c"))
    await asyncio.wait_for(slots.someone_waits.wait(), timeout=10)
    assert not started["c"].is_set()
    assert sorted(running) == ["a", "b"]

    finish["a"].set()
    assert await first == b"jpeg a"
    await asyncio.to_thread(started["c"].wait)
    finish["b"].set()
    finish["c"].set()
    assert (await second, await third) == (b"jpeg b", b"jpeg c")
    assert most_at_once == 2


def test_a_palette_picture_is_converted_then_shrunk_and_its_transparency_turns_white() -> None:
    image = Image.new("P", (3200, 100), 1)
    image.putpalette([0, 0, 0] + [200, 30, 30] * 255)
    image.paste(0, (0, 0, 1600, 100))  # the left half: colour 0, transparent
    out = io.BytesIO()
    image.save(out, "PNG", transparency=0)
    with Image.open(io.BytesIO(photos.clean_photo(out.getvalue()))) as cleaned:
        assert (cleaned.mode, cleaned.size) == ("RGB", (1600, 50))
        assert min(cleaned.getpixel((100, 25))) > 245
        red, green, blue = cleaned.getpixel((1500, 25))
    assert red > 180 and green < 60 and blue < 60
