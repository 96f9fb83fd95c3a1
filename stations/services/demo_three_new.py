"""The demo's three 新 at the nine stations around 城隍庙广场: meals offers (食惠贴“新”), rain
gear and helmet checks with dated services ahead of the demo's "now" — a legal-help
afternoon, a safety talk and a free health check (护航安“新”) — and one integrity model shop
(诚信经营示范点).

Upgrades a demo database loaded before them, once: when any of the nine stations already has
a dated service or the mark, nothing is added (staff may have changed them since)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from app.calendar import wall_to_utc
from stations.queries.stations import refresh_amenity_mask, touch
from stations.tables import Station, StationAmenity, StationEvent

ADDED_AMENITIES: dict[str, tuple[str, ...]] = {
    "bayi-post-office": ("rain_gear",),
    "bayi-service-centre": ("rain_gear", "helmet_check"),
    "bayi-rider-home": ("meals", "helmet_check"),
    "bayi-petrol": ("helmet_check",),
    "bayi-convenience": ("meals", "rain_gear"),
    "bayi-pharmacy": ("rain_gear",),
    "bayi-union": ("rain_gear", "helmet_check"),
}
MEALS_OFFERS = {
    "bayi-noodles": "骑手凭工牌 8 折",
    "bayi-rider-home": "骑手午餐盒饭 10 元",
    "bayi-convenience": "热饭套餐骑手价 12 元",
}
INTEGRITY_MODEL = ("bayi-noodles", date(2025, 12, 18))
"""The one 诚信经营示范点 and the day it was named."""


@dataclass(frozen=True)
class DemoService:
    slug: str
    days_ahead: int
    starts: time
    ends: time
    title: str
    description: str


SERVICES = (
    DemoService(
        "bayi-service-centre",
        2,
        time(14, 0),
        time(17, 0),
        "免费法律咨询",
        "律师志愿者现场解答劳动合同、工伤和交通事故理赔问题，无需预约。",
    ),
    DemoService(
        "bayi-union",
        4,
        time(10, 0),
        time(11, 0),
        "骑行安全讲座",
        "交警讲解电动车骑行安全与头盔佩戴，现场可免费检查头盔。",
    ),
    DemoService(
        "bayi-pharmacy",
        6,
        time(9, 0),
        time(11, 30),
        "免费健康检查",
        "测血压、血糖，药师解答用药问题，骑手和户外劳动者免费。",
    ),
)


async def load(now: datetime) -> list[str]:
    slugs = sorted(
        {*ADDED_AMENITIES, *MEALS_OFFERS, INTEGRITY_MODEL[0], *(s.slug for s in SERVICES)}
    )
    stations = {s.slug: s for s in await Station.objects().where(Station.slug.is_in(slugs))}
    if not stations:
        return []
    ids = [station.id for station in stations.values()]
    done = await StationEvent.exists().where(StationEvent.station.is_in(ids)) or any(
        station.integrity_model_since for station in stations.values()
    )
    if done:
        return []
    for slug, keys in ADDED_AMENITIES.items():
        if slug in stations:
            await _add_amenities(stations[slug], keys, now)
    for slug, offer in MEALS_OFFERS.items():
        if slug in stations:
            await Station.update({Station.meals_offer: offer}).where(
                Station.id == stations[slug].id
            )
    slug, since = INTEGRITY_MODEL
    if slug in stations:
        await Station.update({Station.integrity_model_since: since}).where(
            Station.id == stations[slug].id
        )
    for service in SERVICES:
        if service.slug in stations:
            await _add_service(stations[service.slug], service, now)
    for station in stations.values():
        await refresh_amenity_mask(station.id)
        await touch(station.id)
    return [
        f"stations: the three 新 around 城隍庙广场 ({len(MEALS_OFFERS)} meals offers, "
        f"{len(SERVICES)} dated services, 1 integrity model shop)"
    ]


async def _add_amenities(station: Station, keys: tuple[str, ...], now: datetime) -> None:
    present = {
        row["kind"]
        for row in await StationAmenity.select(StationAmenity.kind).where(
            StationAmenity.station == station.id
        )
    }
    missing = [key for key in keys if key not in present]
    if missing:
        await StationAmenity.insert(
            *[StationAmenity(station=station.id, kind=key, updated_at=now) for key in missing]
        )


async def _add_service(station: Station, service: DemoService, now: datetime) -> None:
    zone = ZoneInfo(station.timezone)
    day = now.astimezone(zone).date() + timedelta(days=service.days_ahead)
    await StationEvent.insert(
        StationEvent(
            station=station.id,
            starts_at=wall_to_utc(datetime.combine(day, service.starts), zone),
            ends_at=wall_to_utc(datetime.combine(day, service.ends), zone),
            title=service.title,
            description=service.description,
            created_at=now,
            updated_at=now,
        )
    )
