import io
import struct
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime
from hashlib import sha256
from pathlib import Path

import httpx
import pytest
from PIL import ExifTags, Image, ImageCms

from app import photos
from app.db import write_transaction
from app.errors import FieldError, InputError
from app.i18n import set_locale
from app.settings import SiteSettings
from app.tables import PhotoVisibility
from tests.stored_photos import stored_body, stored_names, visibility_of

NOW = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def media(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Photos go to this test's own folder; messages are asserted in English."""
    monkeypatch.setattr(photos, "media_dir", lambda: tmp_path)
    set_locale("en")
    yield tmp_path
    set_locale("zh_CN")


def camera_jpeg(orientation: int = 6) -> bytes:
    """A 60×30 JPEG, left half red and right half blue, as a phone writes it: GPS position,
    camera make and model, orientation, XMP, a comment and an ICC profile."""
    image = Image.new("RGB", (60, 30), (0, 0, 255))
    image.paste((255, 0, 0), (0, 0, 30, 30))
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Canon"
    exif[ExifTags.Base.Model] = "Canon EOS R6"
    exif[ExifTags.Base.Orientation] = orientation
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (36.0, 11.0, 42.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (113.0, 6.0, 57.0)
    out = io.BytesIO()
    image.save(
        out,
        "JPEG",
        exif=exif,
        xmp=b'<x:xmpmeta xmlns:x="adobe:ns:meta/">secret place</x:xmpmeta>',
        comment=b"taken at home",
        icc_profile=ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes(),
    )
    return out.getvalue()


def png(size: tuple[int, int], colour: tuple[int, ...], mode: str = "RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, colour).save(out, "PNG")
    return out.getvalue()


def chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def bomb_png(width: int, height: int) -> bytes:
    """A PNG header claiming a huge picture, in a few dozen bytes."""
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


def test_a_camera_photo_loses_all_metadata_and_stands_upright() -> None:
    original = camera_jpeg()
    with Image.open(io.BytesIO(original)) as before:  # the test photo really carries it all
        assert before.getexif()[ExifTags.Base.Make] == "Canon"
        assert {"exif", "xmp", "comment", "icc_profile"} <= set(before.info)
    stored = photos.clean_photo(original)
    for trace in (b"Exif\x00\x00", b"Canon", b"EOS", b"xmpmeta", b"secret place", b"taken at home"):
        assert trace not in stored
    with Image.open(io.BytesIO(stored)) as after:
        assert after.format == "JPEG"
        assert dict(after.getexif()) == {}
        assert set(after.info) & {"exif", "xmp", "comment", "icc_profile"} == set()
        # Orientation 6 means "turn 90° clockwise": the red left half is now on top.
        assert after.size == (30, 60)
        red, blue = after.convert("RGB").getpixel((15, 10)), after.convert("RGB").getpixel((15, 50))
    assert red[0] > 230 and red[1] < 30 and red[2] < 30
    assert blue[0] < 30 and blue[1] < 30 and blue[2] > 230


async def test_stored_names_are_random_valid_and_kept_in_the_database(
    db: None, media: Path
) -> None:
    jpeg = photos.clean_photo(png((10, 10), (0, 128, 0)))
    first = await photos.store_photo(jpeg, PhotoVisibility.public, now=NOW)
    second = await photos.store_photo(jpeg, PhotoVisibility.private, now=NOW)
    assert first != second
    assert photos.is_photo_name(first) and len(first) == 36
    assert await stored_names() == sorted([first, second])
    assert await stored_body(first) == jpeg
    assert (await visibility_of(first), await visibility_of(second)) == ("public", "private")
    head = await photos.photo_head(first)
    assert head == photos.PhotoHead(first, PhotoVisibility.public, sha256(jpeg).hexdigest())
    assert not (media / "photos").exists()  # nothing goes to the folder
    await photos.delete_photo(first)
    await photos.delete_photo(first)  # already gone: nothing happens
    await photos.delete_photo("../../etc/passwd")
    assert await stored_names() == [second]
    assert await photos.photo_head(first) is None


async def test_a_photo_stored_in_a_failed_change_is_not_kept(db: None) -> None:
    jpeg = photos.clean_photo(png((10, 10), (0, 128, 0)))
    with pytest.raises(RuntimeError):
        async with write_transaction():
            await photos.stored(jpeg, PhotoVisibility.public, now=NOW)
            raise RuntimeError("the change fails after the photo was stored")
    assert await stored_names() == []
    assert await photos.stored(None, PhotoVisibility.public, now=NOW) is None


def test_large_pictures_shrink_to_1600_px_and_transparency_turns_white() -> None:
    with Image.open(io.BytesIO(photos.clean_photo(png((3200, 1000), (10, 20, 30))))) as big:
        assert big.size == (1600, 500)
    with Image.open(io.BytesIO(photos.clean_photo(png((8, 8), (0, 0, 0, 0), "RGBA")))) as clear:
        assert clear.mode == "RGB"
        assert min(clear.getpixel((4, 4))) > 245


def test_webp_is_accepted() -> None:
    out = io.BytesIO()
    Image.new("RGB", (20, 10), (200, 0, 0)).save(out, "WEBP")
    with Image.open(io.BytesIO(photos.clean_photo(out.getvalue()))) as image:
        assert (image.format, image.size) == ("JPEG", (20, 10))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            b"Shopping list: milk, eggs\n",
            "This file is not a photo. Choose a JPEG, PNG or WebP picture.",
        ),
        (b"", "This file is not a photo. Choose a JPEG, PNG or WebP picture."),
        (
            b"GIF89a\x01\x00\x01\x00\x00\x00\x00;",
            "This file is not a photo. Choose a JPEG, PNG or WebP picture.",
        ),
        (
            camera_jpeg()[:200],  # cut off in the middle
            "This file is not a photo. Choose a JPEG, PNG or WebP picture.",
        ),
        (
            b"\xff\xd8\xff" + b"\x00" * (8 * 1024 * 1024),
            "The photo is larger than 8 MB. Choose a smaller one, or take it again at a lower "
            "resolution.",
        ),
        (
            bomb_png(9000, 5000),
            "The photo has too many pixels (at most 24 million). Choose a smaller one.",
        ),
    ],
)
def test_unusable_uploads_are_refused_with_a_clear_message(
    data: bytes, message: str, media: Path
) -> None:
    with pytest.raises(InputError) as caught:
        photos.clean_photo(data, field="photo")
    assert caught.value.errors == [FieldError("photo", message)]
    assert not (media / "photos").exists()


def test_media_directory_setting_defaults_to_data_media(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LINLI_MEDIA_DIR", raising=False)
    assert SiteSettings().media_dir == "data/media"
    monkeypatch.setenv("LINLI_MEDIA_DIR", "/srv/linli/media")
    assert SiteSettings().media_dir == "/srv/linli/media"


async def test_photos_are_served_with_long_cache_an_etag_and_strict_names(
    client: httpx.AsyncClient, media: Path
) -> None:
    name = await photos.save_photo(camera_jpeg(), PhotoVisibility.public, now=NOW)
    response = await client.get(f"/media/photos/{name}")
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/jpeg"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert response.content == await stored_body(name)
    etag = f'"{sha256(response.content).hexdigest()}"'
    assert response.headers["etag"] == etag
    for matching in (etag, f"W/{etag}", f'"other", {etag}', "*"):
        again = await client.get(f"/media/photos/{name}", headers={"If-None-Match": matching})
        assert again.status_code == 304, matching
        assert again.content == b""
        assert again.headers["etag"] == etag
        assert again.headers["cache-control"] == "public, max-age=31536000, immutable"
    changed = await client.get(f"/media/photos/{name}", headers={"If-None-Match": '"other"'})
    assert changed.status_code == 200 and changed.content == response.content
    media.mkdir(parents=True, exist_ok=True)
    (media / "secret.txt").write_text("not for you")
    for bad in (
        "/media/photos/..%2Fsecret.txt",
        "/media/photos/%2E%2E%2Fsecret.txt",
        "/media/photos/secret.txt",
        f"/media/photos/{name[:-4]}.png",
        f"/media/photos/{'A' * 32}.jpg",  # well-formed, never stored
    ):
        assert (await client.get(bad)).status_code == 404, bad


async def test_a_private_photo_is_not_served_at_the_public_address(
    client: httpx.AsyncClient,
) -> None:
    name = await photos.save_photo(camera_jpeg(), PhotoVisibility.private, now=NOW)
    assert (await client.get(f"/media/photos/{name}")).status_code == 404
    assert (
        await client.get(f"/media/photos/{name}", headers={"If-None-Match": "*"})
    ).status_code == 404


async def test_photos_stay_cacheable_for_signed_in_people(browser, media: Path) -> None:
    from tests.factories import PASSWORD, make_community, make_user

    await make_user("resident@example.com", community=await make_community())
    await browser.sign_in("resident@example.com", PASSWORD)
    name = await photos.save_photo(camera_jpeg(), PhotoVisibility.public, now=NOW)
    response = await browser.get(f"/media/photos/{name}")
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert (await browser.get("/account")).headers["cache-control"] == "private, no-store"


async def test_migrate_imports_the_media_folder_once_and_keeps_need_photos_private(
    db: None, media: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.asgi import install_domains
    from app.migrate import migrate
    from needs.tables import Need
    from tests.needs.world import file, make_world

    install_domains()
    monkeypatch.setattr(photos, "IMPORT_BATCH", 2)  # several batches of names
    world = await make_world()
    need, _ = await file(world.resident)
    folder = media / "photos"
    folder.mkdir()
    space_photo, need_photo = "S" * 32 + ".jpg", "N" * 32 + ".jpg"
    (folder / space_photo).write_bytes(b"space jpeg")
    (folder / need_photo).write_bytes(b"need jpeg")
    (folder / ".half-written.jpg.part").write_bytes(b"partial")
    (folder / "notes.txt").write_text("not a photo")
    await Need.update({Need.photo: need_photo}).where(Need.id == need.id)

    with caplog.at_level("INFO", logger="app.migrate"):
        assert await migrate(quiet=True) == 2
    assert f"Imported 2 photo(s) from {folder} into the database" in caplog.messages
    assert await stored_names() == [need_photo, space_photo]
    assert await stored_body(space_photo) == b"space jpeg"
    assert (await visibility_of(space_photo), await visibility_of(need_photo)) == (
        "public",
        "private",
    )
    head = await photos.photo_head(space_photo)
    assert head is not None and head.etag == sha256(b"space jpeg").hexdigest()
    # The files stay; a second run (or a new file beside them) imports only what is new.
    (folder / ("T" * 32 + ".jpg")).write_bytes(b"another")
    caplog.clear()
    with caplog.at_level("INFO", logger="app.migrate"):
        assert await migrate(quiet=True) == 1
        assert await migrate(quiet=True) == 0
    assert caplog.messages == [f"Imported 1 photo(s) from {folder} into the database"]
    assert sorted(p.name for p in folder.iterdir() if p.suffix == ".jpg") == sorted(
        [need_photo, space_photo, "T" * 32 + ".jpg"]
    )
    assert len(await stored_names()) == 3


async def test_the_import_asks_the_domains_even_before_the_app_installed_them(
    db: None, media: Path
) -> None:
    from app import domains
    from app.migrate import migrate
    from needs.tables import Need
    from tests.needs.world import file, make_world

    world = await make_world()
    need, _ = await file(world.resident)
    await Need.update({Need.photo: "N" * 32 + ".jpg"}).where(Need.id == need.id)
    (media / "photos").mkdir()
    (media / "photos" / ("N" * 32 + ".jpg")).write_bytes(b"jpeg")
    before = domains.installed()
    domains.install([])  # as in a process that never built the app (benchmarks, scripts)
    try:
        assert await migrate(quiet=True) == 1
    finally:
        domains.install(before)
    assert await visibility_of("N" * 32 + ".jpg") == "private"
