"""The couriers' page keeps its search and its list of places per stations' generation: the
same search again costs one statement, and every kind of change a search can show, made
however it is made (here: straight into the tables, past every service), shows at once,
as does time passing within a minute (a check-in expiring, a closure starting)."""

from collections.abc import Awaitable, Callable
from datetime import date, datetime, timedelta

import pytest

from app.tables import Community, PublicHoliday
from stations.queries import open_weeks
from stations.queries.stations import refresh_amenity_mask
from stations.services import search_cache
from stations.tables import (
    CheckIn,
    Landmark,
    Station,
    StationAmenity,
    StationClosure,
    StationSpecialHours,
)
from tests.factories import NOW, make_community, make_station, shanghai
from tests.fixtures import Browser, WorkLog, text_of

URL = "/stations?near=landmark:square"
OPEN = "骑手之家 0 米 营业中 20 分钟后关门 还剩 4 个座位"
GONE = "城隍庙广场 查找 地图模式 驿站 10 公里内没有符合条件的驿站"
"""No station, and no community to search from either."""
MONDAY = date(2026, 3, 2)


async def _page(browser: Browser, path: str = URL) -> str:
    return text_of((await browser.get(path)).text)


async def _square_and_station(**columns: object) -> Station:
    await Landmark.insert(
        Landmark(
            slug="square",
            name_zh="城隍庙广场",
            name_en="Temple Square",
            latitude=36.1950,
            longitude=113.1160,
        )
    )
    home = await make_community("bayi", name_zh="八一社区", name_en="Bayi Community")
    return await make_station(
        home, "rider-home", name_zh="骑手之家", amenities={"seats": 4}, **columns
    )


def _check_in(station: Station, expires_at: datetime) -> CheckIn:
    return CheckIn(
        station=station.id,
        device_hash="d" * 64,
        address_hash="a" * 64,
        checked_in_at=shanghai(2, 19, 30),
        expires_at=expires_at,
    )


async def test_the_same_search_again_is_one_statement(
    browser: Browser, db: None, frozen_clock: list[datetime], work_log: WorkLog
) -> None:
    await _square_and_station()
    frozen_clock[0] = shanghai(2, 19, 40)
    first = await _page(browser)
    assert OPEN in first
    searches, places = search_cache._searches.hits, search_cache._places.hits
    work_log.clear()
    frozen_clock[0] = shanghai(2, 19, 40) + timedelta(seconds=50)
    assert await _page(browser) == first
    assert work_log.statements == ["SELECT generation FROM station_generation"]
    assert (search_cache._searches.hits, search_cache._places.hits) == (searches + 1, places + 1)


async def _rename(station: Station) -> None:
    # No version bump: the generation does not rely on writers remembering one.
    await Station.update({Station.name_zh: "骑手驿站"}).where(Station.id == station.id)


async def _more_seats(station: Station) -> None:
    await StationAmenity.update({StationAmenity.quantity: 6}).where(
        StationAmenity.station == station.id
    )
    await refresh_amenity_mask(station.id)


async def _later_hours(station: Station) -> None:
    week = {day: "08:00-21:00" for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    await Station.update({Station.weekly_hours: week, Station.version: Station.version + 1}).where(
        Station.id == station.id
    )
    await open_weeks.rebuild([station.id])


async def _closure(station: Station) -> None:
    await StationClosure.insert(
        StationClosure(
            station=station.id,
            starts_at=shanghai(2, 19, 0),
            ends_at=shanghai(2, 19, 50),
            reason="停水",
            created_at=NOW,
        )
    )


async def _dated_hours(station: Station) -> None:
    await StationSpecialHours.insert(
        StationSpecialHours(station=station.id, on_date=MONDAY, hours="08:00-19:50")
    )


async def _holiday(station: Station) -> None:
    await PublicHoliday.insert(
        PublicHoliday(on_date=MONDAY, name_zh="测试假日", name_en="Test holiday")
    )


async def _check_in_now(station: Station) -> None:
    await CheckIn.insert(_check_in(station, shanghai(2, 21, 0)))


async def _deactivate(station: Station) -> None:
    await Station.update({Station.active: False}).where(Station.id == station.id)


async def _delete(station: Station) -> None:
    await StationAmenity.delete().where(StationAmenity.station == station.id)
    await Station.delete().where(Station.id == station.id)


CHANGES: list[tuple[str, Callable[[Station], Awaitable[None]], str]] = [
    ("station edit", _rename, "骑手驿站 0 米 营业中 20 分钟后关门 还剩 4 个座位"),
    ("amenities", _more_seats, "骑手之家 0 米 营业中 20 分钟后关门 还剩 6 个座位"),
    ("weekly hours", _later_hours, "骑手之家 0 米 营业中 开到 21:00 还剩 4 个座位"),
    ("closure", _closure, "骑手之家 0 米 已关门 19:50 开门"),
    ("dated hours", _dated_hours, "骑手之家 0 米 营业中 10 分钟后关门 还剩 4 个座位"),
    ("public holiday", _holiday, "骑手之家 0 米 已关门 明天 08:00 开门"),
    ("check-in", _check_in_now, "骑手之家 0 米 营业中 20 分钟后关门 还剩 3 个座位"),
    ("deactivation", _deactivate, GONE),
    ("deletion", _delete, GONE),
]


@pytest.mark.parametrize(
    ("change", "expected"),
    [(change, expected) for _name, change, expected in CHANGES],
    ids=[name for name, _change, _expected in CHANGES],
)
async def test_each_kind_of_change_shows_at_once(
    browser: Browser,
    db: None,
    frozen_clock: list[datetime],
    change: Callable[[Station], Awaitable[None]],
    expected: str,
) -> None:
    station = await _square_and_station(holiday_policy="closed")
    frozen_clock[0] = shanghai(2, 19, 40)
    assert OPEN in await _page(browser)
    assert OPEN in await _page(browser)  # kept
    await change(station)
    assert expected in await _page(browser)


async def test_a_check_out_and_a_new_station_show_at_once(
    browser: Browser, db: None, frozen_clock: list[datetime]
) -> None:
    station = await _square_and_station()
    await CheckIn.insert(_check_in(station, shanghai(2, 21, 0)))
    frozen_clock[0] = shanghai(2, 19, 40)
    assert "还剩 3 个座位" in await _page(browser)
    await CheckIn.update({CheckIn.checked_out_at: shanghai(2, 19, 39)}).where(
        CheckIn.station == station.id
    )
    assert OPEN in await _page(browser)
    home = await Community.objects().where(Community.slug == "bayi").first()
    assert home is not None
    await make_station(home, "charging-corner", name_zh="充电角", lat=36.1960, amenities={})
    assert "充电角 110 米 营业中 20 分钟后关门" in await _page(browser)


async def test_the_places_follow_landmarks_and_community_names(
    browser: Browser, db: None, frozen_clock: list[datetime]
) -> None:
    await _square_and_station()
    frozen_clock[0] = shanghai(2, 19, 40)
    assert "城隍庙广场 八一社区" in await _page(browser, "/stations")
    await Landmark.insert(
        Landmark(
            slug="station",
            name_zh="长治站",
            name_en="Changzhi Station",
            latitude=36.2,
            longitude=113.1,
        )
    )
    await Community.update({Community.name_zh: "八一新社区"}).where(Community.slug == "bayi")
    assert "城隍庙广场 长治站 八一新社区" in await _page(browser, "/stations")


async def test_a_check_in_expiring_within_the_minute_frees_its_seat(
    browser: Browser, db: None, frozen_clock: list[datetime]
) -> None:
    station = await _square_and_station()
    await CheckIn.insert(_check_in(station, shanghai(2, 19, 40) + timedelta(seconds=30)))
    frozen_clock[0] = shanghai(2, 19, 40) + timedelta(seconds=10)
    assert "还剩 3 个座位" in await _page(browser)
    frozen_clock[0] = shanghai(2, 19, 40) + timedelta(seconds=20)
    assert "还剩 3 个座位" in await _page(browser)
    frozen_clock[0] = shanghai(2, 19, 40) + timedelta(seconds=30)
    assert OPEN in await _page(browser)


async def test_a_closure_starting_within_the_minute_closes_the_station(
    browser: Browser, db: None, frozen_clock: list[datetime]
) -> None:
    station = await _square_and_station()
    await StationClosure.insert(
        StationClosure(
            station=station.id,
            starts_at=shanghai(2, 19, 50) + timedelta(seconds=30),
            ends_at=shanghai(2, 23, 0),
            reason="停电",
            created_at=NOW,
        )
    )
    frozen_clock[0] = shanghai(2, 19, 50) + timedelta(seconds=10)
    assert "骑手之家 0 米 营业中 1 分钟后关门" in await _page(browser)
    frozen_clock[0] = shanghai(2, 19, 50) + timedelta(seconds=20)
    assert "骑手之家 0 米 营业中 1 分钟后关门" in await _page(browser)
    frozen_clock[0] = shanghai(2, 19, 50) + timedelta(seconds=30)
    assert "骑手之家 0 米 已关门 明天 08:00 开门" in await _page(browser)
