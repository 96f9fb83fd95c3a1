"""Staff's station pages: deactivating and reactivating a station, and each page reaching
only the staff's own communities' stations."""

from app import photos
from app.tables import Community
from stations.tables import Station, StationClosure, StationSpecialHours
from tests.factories import PASSWORD, make_community, make_user
from tests.fixtures import Browser, text_of
from tests.stations.web.staff.world import (
    NO_FILE,
    audit_entries,
    camera_jpeg,
    everything,
    signed_in,
    station_form,
)

# The browser fixture fixes the clock at Monday 2 March 2026, 09:00 in Shanghai.


# --- deactivating -------------------------------------------------------------------------


async def test_deactivated_stations_leave_public_pages_but_not_staff_ones(
    staff: Browser, station: Station
) -> None:
    response = await staff.submit("/staff/stations/rider-home/deactivate")
    assert response.status_code == 303
    saved = await Station.objects().first()
    assert (saved.active, saved.version) == (False, station.version + 1)
    assert (await staff.get("/stations/rider-home")).status_code == 404
    nearby = await staff.get("/api/v1/stations/nearby?lat=36.195&lon=113.116")
    assert nearby.json()["features"] == []
    staff_page = await staff.get("/staff/stations/rider-home")
    assert staff_page.status_code == 200
    assert "Deactivated: couriers do not see this station" in text_of(staff_page.text)
    assert "Riders&#39; Home deactivated" in text_of((await staff.get("/staff/stations")).text)
    assert (await staff.get("/staff/stations/rider-home/edit")).status_code == 200
    await staff.submit("/staff/stations/rider-home/reactivate")
    assert (await staff.get("/stations/rider-home")).status_code == 200
    assert await audit_entries() == [
        {
            "action": "station.deactivate",
            "subject_id": "rider-home",
            "before": {"active": True},
            "after": {"active": False},
        },
        {
            "action": "station.reactivate",
            "subject_id": "rider-home",
            "before": {"active": False},
            "after": {"active": True},
        },
    ]


# --- scoping ------------------------------------------------------------------------------


async def test_staff_of_another_community_reach_nothing(
    browser: Browser, home: Community, station: Station
) -> None:
    closure = StationClosure(
        station=station.id,
        starts_at=station.created_at,
        ends_at=station.created_at.replace(year=2027),
        reason="Old",
        created_at=station.created_at,
    )
    await closure.save()
    special = StationSpecialHours(station=station.id, on_date=station.created_at.date())
    await special.save()
    other = await make_community("other")
    await signed_in(browser, other, "staff@other.example")
    before = await everything()
    base = "/staff/stations/rider-home"
    for url in (base, f"{base}/edit", f"{base}/amenities", f"{base}/dates"):
        assert (await browser.get(url)).status_code == 403, url
    posts = [
        (f"{base}/edit", station_form(name_zh="抢来的"), NO_FILE),
        (f"{base}/edit", station_form(), {"photo": ("p.jpg", camera_jpeg(), "image/jpeg")}),
        (f"{base}/deactivate", {}, None),
        (f"{base}/reactivate", {}, None),
        (f"{base}/amenities", {"has_wifi": "1"}, None),
        (f"{base}/amenities/water", {"working": ""}, None),
        (f"{base}/verified", {}, None),
        (f"{base}/closures", {"all_day": "1", "from_date": "2026-03-05", "reason": "x"}, None),
        (f"{base}/closures/{closure.id}/delete", {}, None),
        (f"{base}/special-hours", {"on_date": "2026-03-05", "hours": ""}, None),
        (f"{base}/special-hours/{special.id}/delete", {}, None),
    ]
    for url, data, files in posts:
        response = await browser.submit(url, data, files=files)
        assert response.status_code == 403, url
    assert await everything() == before
    assert not (photos.media_dir() / "photos").exists()
    index = await browser.get("/staff/stations")
    assert "Riders&#39; Home" not in index.text


async def test_residents_cannot_reach_the_editor(browser: Browser, station: Station) -> None:
    await make_user("13812345678")
    await browser.sign_in("13812345678", PASSWORD)
    assert (await browser.get("/staff/stations/new")).status_code == 403
    response = await browser.submit("/staff/stations/new", station_form())
    assert response.status_code == 403
    assert await Station.count() == 1


async def test_pages_link_to_the_editor(staff: Browser, station: Station) -> None:
    index = await staff.get("/staff/stations")
    assert 'href="/staff/stations/new"' in index.text
    assert 'href="/staff/stations/rider-home/edit"' in index.text
    page = await staff.get("/staff/stations/rider-home")
    for link in ("/edit", "/amenities", "/dates"):
        assert f'href="/staff/stations/rider-home{link}"' in page.text
