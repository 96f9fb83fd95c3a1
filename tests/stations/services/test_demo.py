"""The demo stations around 城隍庙广场 show their three 新, once, and a demo database loaded
before them is upgraded."""

from __future__ import annotations

from datetime import date

from app import demo as app_demo
from stations.logic.amenities import keys_of
from stations.services import demo
from stations.tables import Station, StationEvent
from tests.factories import NOW


async def _three_new() -> dict[str, object]:
    stations = {
        row["id"]: row
        for row in await Station.select(
            Station.id,
            Station.slug,
            Station.amenities_working,
            Station.meals_offer,
            Station.integrity_model_since,
        ).where(Station.slug.like("bayi-%"))
    }
    services = await StationEvent.select().order_by(StationEvent.starts_at)
    return {
        "rain_gear": sorted(
            r["slug"] for r in stations.values() if "rain_gear" in keys_of(r["amenities_working"])
        ),
        "helmet_check": sorted(
            r["slug"]
            for r in stations.values()
            if "helmet_check" in keys_of(r["amenities_working"])
        ),
        "offers": sorted(
            (r["slug"], r["meals_offer"]) for r in stations.values() if r["meals_offer"]
        ),
        "marks": [
            (r["slug"], r["integrity_model_since"])
            for r in stations.values()
            if r["integrity_model_since"]
        ],
        "services": [
            (
                stations[s["station"]]["slug"],
                s["starts_at"].isoformat(),
                s["ends_at"].isoformat(),
                s["title"],
            )
            for s in services
        ],
    }


EXPECTED = {
    "rain_gear": [
        "bayi-convenience",
        "bayi-pharmacy",
        "bayi-post-office",
        "bayi-service-centre",
        "bayi-union",
    ],
    "helmet_check": ["bayi-petrol", "bayi-rider-home", "bayi-service-centre", "bayi-union"],
    "offers": [
        ("bayi-convenience", "热饭套餐骑手价 12 元"),
        ("bayi-noodles", "骑手凭工牌 8 折"),
        ("bayi-rider-home", "骑手午餐盒饭 10 元"),
    ],
    "marks": [("bayi-noodles", date(2025, 12, 18))],
    # Relative to the demo's now: Monday 2 March 2026, 09:00 in Shanghai.
    "services": [
        (
            "bayi-service-centre",
            "2026-03-04T06:00:00+00:00",
            "2026-03-04T09:00:00+00:00",
            "免费法律咨询",
        ),
        ("bayi-union", "2026-03-06T02:00:00+00:00", "2026-03-06T03:00:00+00:00", "骑行安全讲座"),
        ("bayi-pharmacy", "2026-03-08T01:00:00+00:00", "2026-03-08T03:30:00+00:00", "免费健康检查"),
    ],
}


async def test_the_demo_stations_show_their_three_new_once(db: None) -> None:
    await app_demo.load(NOW)
    lines = await demo.load(NOW)
    assert lines == [
        "stations: 9 around 城隍庙广场 and 300 across Changzhi",
        "stations: the three 新 around 城隍庙广场 (3 meals offers, 3 dated services, "
        "1 integrity model shop)",
    ]
    assert await _three_new() == EXPECTED
    assert await demo.load(NOW) == []
    assert await _three_new() == EXPECTED


async def test_a_demo_database_from_before_the_three_new_is_upgraded(db: None) -> None:
    await app_demo.load(NOW)
    await demo._load_stations(NOW)
    assert await StationEvent.count() == 0
    assert await demo.load(NOW) == [
        "stations: the three 新 around 城隍庙广场 (3 meals offers, 3 dated services, "
        "1 integrity model shop)"
    ]
    assert await _three_new() == EXPECTED
