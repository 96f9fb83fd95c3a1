"""What the staff's station page tests share: the station form as a browser sends it, a
photo with EXIF details, signing in as staff, and the rows a station change could touch."""

import io
from typing import Any

from PIL import ExifTags, Image

from app.tables import AuditEntry, Community
from stations.tables import Station, StationAmenity, StationClosure, StationSpecialHours
from tests.factories import PASSWORD, make_user
from tests.fixtures import Browser

WEEK = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
NO_FILE = {"photo": ("", b"", "application/octet-stream")}
"""What a browser sends for a file input left empty."""


async def signed_in(browser: Browser, community: Community, login: str) -> None:
    await make_user(login, staff_of=[community])
    await browser.sign_in(login, PASSWORD)
    browser.set_language("en")


def station_form(**changes: str) -> dict[str, str]:
    form = {
        "community": "bayi",
        "slug": "",
        "name_zh": "城隍庙便利店驿站",
        "name_en": "Temple Square Shop",
        "host_type": "shop",
        "host_name_zh": "好邻居便利店",
        "host_name_en": "Good Neighbour Store",
        "address_zh": "城隍庙广场东侧 12 号",
        "address_en": "12 East Side, Temple Square",
        # Exact in single precision too: PostgreSQL keeps `Float` columns as REAL.
        "latitude": "36.1953125",
        "longitude": "113.1171875",
        "coordsys": "wgs84",
        "access_notes_zh": "左侧小门",
        "access_notes_en": "Small door on the left",
        "phone": "0355-1234567",
        "timezone": "Asia/Shanghai",
        **{f"hours_{day}": "08:00-20:00" for day in WEEK},
        "hours_sun": "",
        "holiday_policy": "special",
        "holiday_hours": "10:00-16:00",
        "makeup_days_as_workdays": "1",
        "seats": "3",
    }
    form.update(changes)
    return form


async def rows(table: Any) -> list[dict[str, Any]]:
    return await table.select().order_by(table.id).output(load_json=True)


async def audit_entries() -> list[dict[str, Any]]:
    return [
        {key: row[key] for key in ("action", "subject_id", "before", "after")}
        for row in await AuditEntry.select()
        .where(AuditEntry.subject_type == "station")
        .order_by(AuditEntry.id)
        .output(load_json=True)
    ]


async def everything() -> list[Any]:
    """Every row a station change could touch, to prove nothing changed."""
    return [
        await rows(table)
        for table in (Station, StationAmenity, StationClosure, StationSpecialHours, AuditEntry)
    ]


def camera_jpeg() -> bytes:
    """A 40×20 photo, turned by EXIF orientation 6, with GPS and camera details."""
    image = Image.new("RGB", (40, 20), (0, 0, 255))
    image.paste((255, 0, 0), (0, 0, 20, 20))
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Huawei"
    exif[ExifTags.Base.Model] = "Mate 60"
    exif[ExifTags.Base.Orientation] = 6
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (36.0, 11.0, 42.0)
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()
