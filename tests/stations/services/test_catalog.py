"""Reading stations: the public facts other domains get (`station_ref`), a station's details
and page, and the places a courier may search from."""

from datetime import UTC, datetime, timedelta

from stations.logic.refs import StationRef
from stations.services import catalog, checkins
from stations.tables import Landmark, Station
from tests.factories import make_community, make_station

MONDAY_NOON = datetime(2026, 3, 2, 4, 0, tzinfo=UTC)
"""Monday 2 March 2026, 12:00 in Shanghai."""


async def test_station_ref_gives_the_public_facts_of_an_active_station(db: None) -> None:
    bayi = await make_community("bayi", name_zh="八一社区", name_en="Bayi Community")
    await make_station(bayi, "post-office", name_zh="邮政驿站", name_en="Post office station")

    assert await catalog.station_ref("post-office") == StationRef(
        slug="post-office",
        name_zh="邮政驿站",
        name_en="Post office station",
        community_id=bayi.id,
        community_slug="bayi",
    )


async def test_station_ref_is_none_for_an_unknown_or_deactivated_station(db: None) -> None:
    bayi = await make_community("bayi")
    await make_station(bayi, "closed-for-good", active=False)

    assert await catalog.station_ref("closed-for-good") is None
    assert await catalog.station_ref("nowhere") is None


async def test_station_details_count_free_seats_and_say_none_without_seats(db: None) -> None:
    home = await make_community()
    await make_station(home, "four-seats")
    await make_station(home, "standing", amenities={"water": None})
    await checkins.check_in(
        await Station.objects().where(Station.slug == "four-seats").first(),
        "device-a" * 3,
        client_ip="198.51.100.1",
        now=MONDAY_NOON,
    )

    seated = await catalog.station_details("four-seats", MONDAY_NOON)
    standing = await catalog.station_details("standing", MONDAY_NOON)

    assert (seated.seats_free, seated.state.state, seated.zone.key) == (3, "open", "Asia/Shanghai")
    assert [a.key for a in seated.amenities] == ["water", "charging", "seats"]
    assert standing.seats_free is None


async def test_station_page_knows_the_device_checked_in_and_stale_details(db: None) -> None:
    home = await make_community()
    station = await make_station(home, "here", last_verified_at=MONDAY_NOON - timedelta(days=181))
    await checkins.check_in(station, "device-a" * 3, client_ip="198.51.100.1", now=MONDAY_NOON)

    mine = await catalog.station_page("here", MONDAY_NOON, device_token="device-a" * 3)
    theirs = await catalog.station_page("here", MONDAY_NOON, device_token=None)

    assert (mine.checked_in_here, theirs.checked_in_here) == (True, False)
    assert mine.stale is True
    assert [day.day.isoformat() for day in mine.week][:2] == ["2026-03-02", "2026-03-03"]


async def test_places_list_landmarks_then_community_centres(db: None) -> None:
    bayi = await make_community("bayi", name_zh="八一社区", name_en="Bayi Community")
    await make_station(bayi, "a", lat=36.0, lon=113.0)
    await make_station(bayi, "b", lat=36.2, lon=113.2)
    await Landmark.insert(
        Landmark(
            slug="square",
            name_zh="城隍庙广场",
            name_en="Temple square",
            latitude=36.195,
            longitude=113.116,
        )
    )

    found = await catalog.places()

    assert [(p.slug, p.name) for p in found] == [
        ("landmark:square", "城隍庙广场"),
        ("community:bayi", "八一社区"),
    ]
    assert (round(found[1].lat, 6), round(found[1].lon, 6)) == (36.1, 113.1)
