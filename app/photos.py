"""Photos uploaded by staff and with needs: checked, cleaned of every piece of metadata and
stored in the database (`Photo`) under a random name, so every process on every host serves
them (app.web.photos; a need's photo only to those who may read the need).

An upload must be a JPEG, PNG or WebP picture of at most 8 MB and 24 megapixels: both are
checked from the file's size and header before anything is decoded, so a small file that
would decode to a huge image costs nothing. At most `MAX_DECODES` pictures are decoded at
once in a process, so parallel uploads cannot take the memory of many. It is turned upright
by its EXIF orientation, converted to sRGB, shrunk to 1600 px on its long side and written
as a new JPEG, so nothing of the original file survives: no EXIF (GPS position, camera
make and model, time), no XMP, no comments, no ICC profile.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hashlib
import io
import re
import secrets
import weakref
from collections.abc import Awaitable, Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

from app.db import batches
from app.errors import FieldError, InputError
from app.i18n import _
from app.settings import get_settings
from app.tables import Photo, PhotoVisibility
from app.uploads import Upload

MAX_UPLOAD_BYTES = 8 * 1024 * 1024
MAX_PIXELS = 24_000_000
"""Largest decoded size accepted (a 6000 × 4000 picture, what phones take): guards against
decompression bombs, read from the header before decoding."""
MAX_DECODES = 2
"""Pictures decoded at once per process: a 24-megapixel picture takes 70 MB and more while
it is decoded and converted."""
LONG_SIDE_PX = 1600
JPEG_QUALITY = 85
ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP")
"""Only these decoders are tried on an upload."""
_SHRINKS_AS_IS = frozenset({"RGB", "RGBA", "L", "LA", "CMYK"})
"""Modes Pillow resamples smoothly; others (palette, 16-bit) are converted first."""
CACHE_SECONDS = 365 * 24 * 3600
"""A stored photo never changes: a new upload gets a new name."""

IMPORT_BATCH = 500
"""Names looked up at once by the import of the media folder."""

_NAME = re.compile(r"^[A-Za-z0-9_-]{32}\.jpg$")


def media_dir() -> Path:
    """Where older versions kept uploaded files (`LINLI_MEDIA_DIR`, relative to the working
    directory); only `linli migrate` reads it now, to import them."""
    return Path(get_settings().site.media_dir)


def photos_dir() -> Path:
    return media_dir() / "photos"


def is_photo_name(name: str) -> bool:
    """True for names this module gives out: 32 URL-safe characters and `.jpg`, no paths."""
    return bool(_NAME.match(name))


def _refuse(field: str, message: str) -> InputError:
    return InputError([FieldError(field, message)])


def _to_srgb(image: Image.Image) -> Image.Image:
    """The picture converted from its embedded colour profile to sRGB, when it has one."""
    icc = image.info.get("icc_profile")
    if not icc or image.mode not in ("RGB", "RGBA"):
        return image
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        converted = ImageCms.profileToProfile(
            image, source, ImageCms.createProfile("sRGB"), outputMode=image.mode
        )
    except (ImageCms.PyCMSError, OSError, ValueError):
        return image  # an unreadable profile: keep the pixels as they are
    return converted if converted is not None else image


def _flatten(image: Image.Image) -> Image.Image:
    """RGB pixels; transparent parts become white."""
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")


def _too_large(field: str) -> InputError:
    return _refuse(
        field,
        _(
            "The photo is larger than %(n)s MB. Choose a smaller one, or take it again "
            "at a lower resolution.",
            n=MAX_UPLOAD_BYTES // (1024 * 1024),
        ),
    )


def _not_a_photo(field: str) -> InputError:
    return _refuse(field, _("This file is not a photo. Choose a JPEG, PNG or WebP picture."))


@contextlib.contextmanager
def _opened(data: bytes, field: str) -> Iterator[Image.Image]:
    """The upload opened from its header only (Pillow decodes nothing before `load()`),
    once its size, format and pixel count are known to be acceptable."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise _too_large(field)
    try:
        image = Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS)
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, ValueError) as exc:
        raise _not_a_photo(field) from exc
    with image:
        width, height = image.size
        if width * height > MAX_PIXELS:
            raise _refuse(
                field,
                _(
                    "The photo has too many pixels (at most %(n)s million). Choose a smaller one.",
                    n=MAX_PIXELS // 1_000_000,
                ),
            )
        yield image


def check_photo(data: bytes, *, field: str = "photo") -> None:
    """Refuse (`InputError` naming `field`) what the size and the header already rule out:
    too large, not JPEG, PNG or WebP, too many pixels. Decodes nothing."""
    with _opened(data, field):
        pass


def clean_photo(data: bytes, *, field: str = "photo") -> bytes:
    """The upload as a new upright JPEG without any metadata; raises `InputError` naming
    `field` with a translated message when it cannot be used. CPU-bound: run it in a thread
    (`cleaned()` does, within the decode slots)."""
    with _opened(data, field) as image:
        try:
            if image.format == "JPEG":
                image.draft("RGB", (LONG_SIDE_PX, LONG_SIDE_PX))  # decode at a reduced scale
            image.load()
            # Shrunk first, so that turning and converting copy at most 1600 px rather than
            # the whole picture (70 MB a copy at 24 megapixels).
            small = image if image.mode in _SHRINKS_AS_IS else _flatten(image)
            small.thumbnail((LONG_SIDE_PX, LONG_SIDE_PX), Image.Resampling.LANCZOS)
            upright = ImageOps.exif_transpose(small) or small
            pixels = _flatten(_to_srgb(upright))
        except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as exc:
            raise _not_a_photo(field) from exc
    # A new image carries pixels only: no info dict, so no EXIF, XMP, comment or profile.
    bare = Image.new("RGB", pixels.size)
    bare.paste(pixels)
    out = io.BytesIO()
    bare.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
    return out.getvalue()


_decode_slots: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = (
    weakref.WeakKeyDictionary()
)


@functools.cache
def _decoder() -> ThreadPoolExecutor:
    """The process's decoding threads, as many as the slots: memory freed by a decode stays
    with the allocator of the thread that made it, so a few threads keep reusing it where the
    shared pool's many would each hold on to their own."""
    return ThreadPoolExecutor(max_workers=MAX_DECODES, thread_name_prefix="photo-decode")


def decode_slots() -> asyncio.Semaphore:
    """The running loop's `MAX_DECODES` slots (one loop per process when serving; each test
    has its own, and a semaphore must not outlive its loop)."""
    loop = asyncio.get_running_loop()
    slots = _decode_slots.get(loop)
    if slots is None:
        slots = _decode_slots[loop] = asyncio.Semaphore(MAX_DECODES)
    return slots


async def cleaned(data: bytes, *, field: str = "photo") -> bytes:
    """`clean_photo` in a thread: refused from its header at once, decoded only in one of
    the process's `MAX_DECODES` slots, waiting for one if need be."""
    await asyncio.to_thread(check_photo, data, field=field)
    async with decode_slots():
        decoding = asyncio.get_running_loop().run_in_executor(
            _decoder(), functools.partial(clean_photo, data, field=field)
        )
        try:
            return await asyncio.shield(decoding)
        except asyncio.CancelledError:
            # A thread cannot be stopped: its slot stays taken until it has finished.
            with contextlib.suppress(Exception):
                await decoding
            raise


async def store_photo(jpeg: bytes, visibility: PhotoVisibility, *, now: datetime) -> str:
    """Keep a cleaned photo under a new random name and return the name. Called inside the
    transaction of the change that uses it, so a failed change leaves no row behind."""
    name = secrets.token_urlsafe(24) + ".jpg"  # 192 random bits: unguessable
    await _insert(name, jpeg, visibility, now=now)
    return name


async def _insert(name: str, jpeg: bytes, visibility: PhotoVisibility, *, now: datetime) -> None:
    """One stored photo row, its ETag the SHA-256 of its bytes."""
    await Photo.insert(
        Photo(
            name=name,
            visibility=visibility.value,
            body=jpeg,
            etag=hashlib.sha256(jpeg).hexdigest(),
            created_at=now,
        )
    )


async def save_photo(
    data: bytes, visibility: PhotoVisibility, *, now: datetime, field: str = "photo"
) -> str:
    """Clean and store an upload; returns the stored name (raises `InputError`)."""
    jpeg = await cleaned(data, field=field)
    return await store_photo(jpeg, visibility, now=now)


async def checked_upload(upload: Upload | None, errors: list[FieldError]) -> bytes | None:
    """An uploaded photo cleaned for storing (None when there is none); what is wrong with
    it is added to `errors`, so a form reports every problem at once. A photo the request
    reader discarded as too large is reported without having been kept."""
    if upload is None or not upload.size:
        return None
    try:
        if upload.too_large:
            raise _too_large("photo")
        return await cleaned(upload.content, field="photo")
    except InputError as exc:
        errors.extend(exc.errors)
        return None


async def stored(jpeg: bytes | None, visibility: PhotoVisibility, *, now: datetime) -> str | None:
    """Store a cleaned photo for the change being written (None when there is none); call
    it inside that change's transaction, so the photo is kept only if the change is."""
    return await store_photo(jpeg, visibility, now=now) if jpeg else None


def ask_again(errors: dict[str, str], upload: Upload | None) -> dict[str, str]:
    """A form sent with a photo re-renders without it: say so next to the photo field."""
    if upload and "photo" not in errors:
        errors["photo"] = _("Nothing was saved: choose the photo again.")
    return errors


async def delete_photo(name: str | None) -> None:
    """Remove a stored photo (a replaced or removed one), inside the transaction of the
    change that drops it; unknown names are ignored."""
    if name and is_photo_name(name):
        await Photo.delete().where(Photo.name == name)


@dataclass(frozen=True)
class PhotoHead:
    """What answering a request for a photo needs before its bytes."""

    name: str
    visibility: PhotoVisibility
    etag: str


async def photo_head(name: str) -> PhotoHead | None:
    """The stored photo's visibility and ETag, or None for a name never stored."""
    if not is_photo_name(name):
        return None
    row = await Photo.select(Photo.visibility, Photo.etag).where(Photo.name == name).first()
    if row is None:
        return None
    return PhotoHead(name, PhotoVisibility(row["visibility"]), row["etag"])


async def photo_body(name: str) -> bytes | None:
    """The stored JPEG, or None when it went meanwhile."""
    row = await Photo.select(Photo.body).where(Photo.name == name).first()
    return bytes(row["body"]) if row is not None else None


async def import_media_folder(
    private_names: Callable[[Sequence[str]], Awaitable[set[str]]], *, now: datetime
) -> int:
    """Copy the photos older versions wrote to `LINLI_MEDIA_DIR/photos/` into the table,
    once: names already stored are skipped, the files stay where they are. `private_names`
    says which of the names belong to something only some people may see. Returns how many
    were imported."""
    folder = photos_dir()
    names = sorted(
        path.name for path in await asyncio.to_thread(_listing, folder) if is_photo_name(path.name)
    )
    imported = 0
    for batch in batches(names, IMPORT_BATCH):
        stored_names = {
            row["name"] for row in await Photo.select(Photo.name).where(Photo.name.is_in(batch))
        }
        new = [name for name in batch if name not in stored_names]
        private = await private_names(new) if new else set()
        for name in new:
            body = await asyncio.to_thread((folder / name).read_bytes)
            visibility = PhotoVisibility.private if name in private else PhotoVisibility.public
            await _insert(name, body, visibility, now=now)
        imported += len(new)
    return imported


def _listing(folder: Path) -> list[Path]:
    return [path for path in folder.iterdir() if path.is_file()] if folder.is_dir() else []
