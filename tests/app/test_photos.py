import io
import struct
import zlib
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from PIL import ExifTags, Image, ImageCms

from app import photos
from app.errors import FieldError, InputError
from app.i18n import set_locale
from app.settings import SiteSettings


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


def test_a_camera_photo_loses_all_metadata_and_stands_upright(media: Path) -> None:
    original = camera_jpeg()
    with Image.open(io.BytesIO(original)) as before:  # the test photo really carries it all
        assert before.getexif()[ExifTags.Base.Make] == "Canon"
        assert {"exif", "xmp", "comment", "icc_profile"} <= set(before.info)
    name = photos.store_photo(photos.clean_photo(original))
    stored = (media / "photos" / name).read_bytes()
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


def test_stored_names_are_random_and_valid(media: Path) -> None:
    jpeg = photos.clean_photo(png((10, 10), (0, 128, 0)))
    first, second = photos.store_photo(jpeg), photos.store_photo(jpeg)
    assert first != second
    assert photos.is_photo_name(first) and len(first) == 36
    assert sorted(p.name for p in (media / "photos").iterdir()) == sorted([first, second])
    photos.delete_photo(first)
    photos.delete_photo(first)  # already gone: nothing happens
    photos.delete_photo("../../etc/passwd")
    assert [p.name for p in (media / "photos").iterdir()] == [second]


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


async def test_photos_are_served_with_long_cache_and_strict_names(
    client: httpx.AsyncClient, media: Path
) -> None:
    name = await photos.save_photo(camera_jpeg())
    response = await client.get(f"/media/photos/{name}")
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/jpeg"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert response.content == (media / "photos" / name).read_bytes()
    (media / "secret.txt").write_text("not for you")
    for bad in (
        "/media/photos/..%2Fsecret.txt",
        "/media/photos/%2E%2E%2Fsecret.txt",
        "/media/photos/secret.txt",
        f"/media/photos/{name[:-4]}.png",
        f"/media/photos/{'A' * 32}.jpg",  # well-formed, never stored
    ):
        assert (await client.get(bad)).status_code == 404, bad


async def test_photos_stay_cacheable_for_signed_in_people(browser, media: Path) -> None:
    from tests.factories import PASSWORD, make_community, make_user

    await make_user("resident@example.com", community=await make_community())
    await browser.sign_in("resident@example.com", PASSWORD)
    name = await photos.save_photo(camera_jpeg())
    response = await browser.get(f"/media/photos/{name}")
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert (await browser.get("/account")).headers["cache-control"] == "private, no-store"
