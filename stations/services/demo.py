"""The demo stations: the nine 暖"新"驿站 around 城隍庙广场 in 八一社区, with plausible hosts,
hours and amenities, plus generated stations across Changzhi so nearby search has something
to sort, and (stations.services.demo_three_new) their three 新. Idempotent: existing
stations are left as they are."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from app.tables import Community
from stations.queries import open_weeks
from stations.queries.stations import refresh_amenity_mask
from stations.services import demo_three_new
from stations.tables import Landmark, Station, StationAmenity

SQUARE = (36.1950, 113.1160)
"""城隍庙广场, WGS-84 (approximate)."""

EVERY_DAY = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _all(hours: str) -> dict[str, str]:
    return {day: hours for day in EVERY_DAY}


def _weekdays(hours: str) -> dict[str, str]:
    return {day: hours for day in EVERY_DAY[:5]}


@dataclass
class DemoStation:
    slug: str
    name_zh: str
    name_en: str
    host_zh: str
    host_en: str
    host_type: str
    north_m: float
    east_m: float
    address_zh: str
    address_en: str
    hours: dict[str, str]
    amenities: dict[str, int | None]
    access_zh: str = ""
    access_en: str = ""
    holiday_policy: str = "normal"
    holiday_hours: str = ""
    makeup: bool = False
    phone: str = ""


NINE = [
    DemoStation(
        "bayi-post-office",
        "城隍庙邮政暖新驿站",
        "Chenghuangmiao post office rest station",
        "中国邮政长治城隍庙营业所",
        "China Post, Chenghuangmiao branch",
        "post_office",
        180,
        -240,
        "城隍庙广场西侧府后街 12 号",
        "12 Fuhou Street, west of Chenghuangmiao Square",
        {**_weekdays("08:30-17:30"), "sat": "09:00-16:00"},
        {"water": None, "charging": 4, "seats": 6, "first_aid": None, "umbrella": None},
        "营业厅东侧小门进入",
        "Side door east of the service hall",
        holiday_policy="closed",
        makeup=True,
        phone="0355-2020101",
    ),
    DemoStation(
        "bayi-service-centre",
        "紫金街道党群服务中心暖新驿站",
        "Zijin community service centre rest station",
        "紫金街道党群服务中心",
        "Zijin Subdistrict community service centre",
        "community_centre",
        -260,
        120,
        "八一社区党群服务中心一楼",
        "Ground floor, Bayi community service centre",
        _all("07:00-22:00"),
        {
            "water": None,
            "charging": 8,
            "toilet": None,
            "seats": 12,
            "microwave": None,
            "wifi": None,
            "climate": None,
            "first_aid": None,
        },
        "正门右手边，凭扫码入内",
        "Right of the main door; scan the code to enter",
        holiday_policy="special",
        holiday_hours="09:00-18:00",
        phone="0355-2020102",
    ),
    DemoStation(
        "bayi-rider-home",
        "骑手之家（城隍庙店）",
        "Riders' home, Chenghuangmiao",
        "美团骑手之家",
        "Meituan riders' home",
        "courier_hub",
        420,
        380,
        "城隍庙广场东北角商铺 3 号",
        "Shop 3, north-east corner of Chenghuangmiao Square",
        _all("00:00-24:00"),
        {
            "water": None,
            "charging": 16,
            "toilet": None,
            "seats": 10,
            "microwave": None,
            "wifi": None,
            "battery_swap": None,
        },
        "24 小时开放，门锁密码贴在门口",
        "Open 24 hours; the door code is posted at the door",
    ),
    DemoStation(
        "bayi-bank",
        "中国银行紫金支行暖新驿站",
        "Bank of China Zijin branch rest station",
        "中国银行长治紫金支行",
        "Bank of China, Zijin branch",
        "bank",
        -520,
        -410,
        "英雄中路 88 号",
        "88 Yingxiong Middle Road",
        _weekdays("09:00-17:00"),
        {"water": None, "charging": 2, "seats": 4, "climate": None},
        "自助银行区旁",
        "Next to the self-service banking area",
        holiday_policy="closed",
        makeup=True,
        phone="0355-2020104",
    ),
    DemoStation(
        "bayi-petrol",
        "中石化太行加油站驿站",
        "Sinopec Taihang petrol station rest station",
        "中石化长治太行加油站",
        "Sinopec Taihang petrol station",
        "petrol_station",
        900,
        -700,
        "太行东街 201 号",
        "201 Taihang East Street",
        _all("00:00-24:00"),
        {"water": None, "toilet": None, "seats": 4, "charging": 2, "first_aid": None},
    ),
    DemoStation(
        "bayi-convenience",
        "美宜佳便利店（府后街店）",
        "Meiyijia convenience store, Fuhou Street",
        "美宜佳便利店",
        "Meiyijia convenience store",
        "shop",
        -80,
        650,
        "府后街 36 号",
        "36 Fuhou Street",
        _all("07:00-23:00"),
        {"water": None, "charging": 4, "microwave": None, "seats": 3},
    ),
    DemoStation(
        "bayi-pharmacy",
        "大众药房暖新驿站",
        "Dazhong pharmacy rest station",
        "大众药房（城隍庙店）",
        "Dazhong pharmacy, Chenghuangmiao",
        "pharmacy",
        600,
        150,
        "城隍庙广场南侧",
        "South side of Chenghuangmiao Square",
        _all("08:00-22:00"),
        {"water": None, "first_aid": None, "seats": 2, "umbrella": None},
    ),
    DemoStation(
        "bayi-noodles",
        "老城面馆（食惠贴新）",
        "Old Town noodle house (discounted meals)",
        "老城面馆",
        "Old Town noodle house",
        "restaurant",
        -900,
        900,
        "西大街 17 号",
        "17 West Street",
        _all("10:00-14:00, 16:30-21:00"),
        {"water": None, "meals": None, "seats": 8, "microwave": None, "toilet": None},
    ),
    DemoStation(
        "bayi-union",
        "市总工会户外劳动者服务站",
        "City trade union outdoor workers' station",
        "长治市总工会",
        "Changzhi Federation of Trade Unions",
        "union",
        1100,
        500,
        "解放东路 5 号",
        "5 Jiefang East Road",
        _all("07:00-21:00"),
        {
            "water": None,
            "charging": 6,
            "toilet": None,
            "seats": 10,
            "microwave": None,
            "wifi": None,
            "climate": None,
            "umbrella": None,
            "first_aid": None,
        },
        holiday_policy="special",
        holiday_hours="09:00-17:00",
        phone="0355-2020109",
    ),
]


def _offset(north_m: float, east_m: float) -> tuple[float, float]:
    lat = SQUARE[0] + north_m / 111_195
    lon = SQUARE[1] + east_m / (111_195 * math.cos(math.radians(SQUARE[0])))
    return lat, lon


async def _save(
    spec: DemoStation, community_id: int, lat: float, lon: float, now: datetime
) -> None:
    station = Station(
        slug=spec.slug,
        community=community_id,
        name_zh=spec.name_zh,
        name_en=spec.name_en,
        host_name_zh=spec.host_zh,
        host_name_en=spec.host_en,
        host_type=spec.host_type,
        address_zh=spec.address_zh,
        address_en=spec.address_en,
        latitude=lat,
        longitude=lon,
        access_notes_zh=spec.access_zh,
        access_notes_en=spec.access_en,
        phone=spec.phone,
        weekly_hours=spec.hours,
        holiday_policy=spec.holiday_policy,
        holiday_hours=spec.holiday_hours,
        makeup_days_as_workdays=spec.makeup,
        last_verified_at=now - timedelta(days=12),
        created_at=now,
        updated_at=now,
    )
    await station.save()
    await open_weeks.rebuild([station.id])
    await StationAmenity.insert(
        *[
            StationAmenity(station=station.id, kind=kind, quantity=quantity, updated_at=now)
            for kind, quantity in spec.amenities.items()
        ]
    )
    await refresh_amenity_mask(station.id)


GENERATED = 300
KIND_MIX: list[tuple[str, str, str, dict[str, str], dict[str, int | None]]] = [
    (
        "shop",
        "便利店驿站",
        "convenience store station",
        _all("07:00-23:00"),
        {"water": None, "charging": 2, "seats": 2},
    ),
    (
        "courier_hub",
        "骑手之家",
        "riders' home",
        _all("00:00-24:00"),
        {"water": None, "charging": 10, "toilet": None, "seats": 8, "microwave": None},
    ),
    (
        "community_centre",
        "社区暖新驿站",
        "community rest station",
        _all("08:00-20:00"),
        {"water": None, "charging": 4, "toilet": None, "seats": 6},
    ),
    (
        "petrol_station",
        "加油站驿站",
        "petrol station rest stop",
        _all("00:00-24:00"),
        {"water": None, "toilet": None, "seats": 3},
    ),
    (
        "bank",
        "银行网点驿站",
        "bank branch station",
        _weekdays("09:00-17:00"),
        {"water": None, "seats": 4, "climate": None},
    ),
]


async def load(now: datetime) -> list[str]:
    """Load the demo stations once, then their three 新 (demo_three_new, which also upgrades
    a demo database loaded before them)."""
    lines = await _load_stations(now)
    return lines + await demo_three_new.load(now)


async def _load_stations(now: datetime) -> list[str]:
    if await Station.exists().where(Station.slug == NINE[0].slug):
        return []
    bayi = await Community.objects().where(Community.slug == "bayi").first()
    communities = await Community.objects().order_by(Community.slug)
    if bayi is None or not communities:
        return []
    for spec in NINE:
        lat, lon = _offset(spec.north_m, spec.east_m)
        await _save(spec, bayi.id, lat, lon, now)
    rng = random.Random(20260301)  # the same demo on every machine
    for number in range(1, GENERATED + 1):
        host_type, name_zh, name_en, hours, amenities = rng.choice(KIND_MIX)
        spec = DemoStation(
            f"changzhi-{number:03d}",
            f"长治{name_zh} {number:03d}号",
            f"Changzhi {name_en} no. {number:03d}",
            "",
            "",
            host_type,
            0,
            0,
            "长治市（示例数据）",
            "Changzhi (generated demo data)",
            hours,
            amenities,
        )
        lat = rng.uniform(36.10, 36.30)
        lon = rng.uniform(113.00, 113.25)
        await _save(spec, rng.choice(communities).id, lat, lon, now)
    if not await Landmark.exists().where(Landmark.slug == "chenghuangmiao"):
        await Landmark.insert(
            Landmark(
                slug="chenghuangmiao",
                name_zh="城隍庙广场",
                name_en="Chenghuangmiao Square",
                latitude=SQUARE[0],
                longitude=SQUARE[1],
            )
        )
    return [f"stations: {len(NINE)} around 城隍庙广场 and {GENERATED} across Changzhi"]
