import re

import pytest

from stations.tables import CheckIn, StationReport
from tests.factories import PASSWORD, make_community, make_station, make_user
from tests.fixtures import Browser, text_of


@pytest.fixture
async def station(db: None):
    home = await make_community("bayi", name_zh="八一社区")
    return await make_station(
        home,
        "rider-home",
        name_zh="骑手之家",
        amenities={"water": None, "seats": 4, "toilet": None},
    )


async def test_without_a_position_the_page_asks_where(browser: Browser, station) -> None:
    page = await browser.get("/stations")
    assert page.status_code == 200
    assert 'data-autolocate="true"' in page.text
    assert '<option value="community:bayi">八一社区</option>' in page.text


async def test_near_a_community_lists_stations_with_distance(browser: Browser, station) -> None:
    text = text_of((await browser.get("/stations?near=community:bayi&amenity=water")).text)
    assert "骑手之家 0 米 营业中 开到 20:00 还剩 4 个座位 饮用水 卫生间 座位" in text


async def test_a_place_chosen_without_a_position_is_searched(browser: Browser, station) -> None:
    """The form always sends lat and lon, empty without GPS (refused, no JavaScript, a
    desktop): choosing a place and searching answered 400 "lat/lon 填写的内容无效"."""
    page = await browser.get("/stations?lat=&lon=&near=community:bayi&amenity=water")
    assert page.status_code == 200
    text = text_of(page.text)
    assert "在八一社区附近 · 更换" in text
    assert "骑手之家 0 米 营业中" in text


async def test_empty_coordinates_and_no_place_ask_where(browser: Browser, station) -> None:
    page = await browser.get("/stations?lat=&lon=&near=")
    assert page.status_code == 200
    assert 'data-autolocate="true"' in page.text
    assert "骑手之家" not in page.text


async def test_a_place_chosen_after_gps_replaces_the_position(browser: Browser, station) -> None:
    """After GPS the form carries the phone's position; choosing 八一社区 under "更换位置"
    must search there, not list the GPS results again."""
    home = await make_community("far", name_zh="远方社区")
    await make_station(home, "far-away", name_zh="远处驿站", lat=36.1950 + 30 / 111.2)
    gps = "lat=36.464800&lon=113.116000"  # next to 远处驿站, 30 km north of 八一社区
    by_gps = text_of((await browser.get(f"/stations?{gps}&near=")).text)
    assert "在您附近 · 更换位置" in by_gps and "远处驿站 0 米" in by_gps
    page = await browser.get(f"/stations?{gps}&near=community:bayi")
    text = text_of(page.text)
    assert "在八一社区附近 · 更换" in text
    assert "骑手之家 0 米" in text and "远处驿站" not in text
    # The re-rendered form no longer carries the old position.
    assert 'name="lat" value=""' in page.text and 'name="lon" value=""' in page.text


@pytest.mark.parametrize("query", ["lat=abc&lon=113.1", "lat=91&lon=113.1", "lat=nan&lon=1"])
async def test_a_position_that_is_not_one_is_a_400_naming_the_way_out(
    browser: Browser, station, query: str
) -> None:
    page = await browser.get(f"/stations?{query}", headers={"accept-language": "en"})
    assert page.status_code == 400
    assert "Your position could not be read. Choose a place from the list instead." in page.text


async def test_with_nothing_near_the_page_searches_further(browser: Browser, db: None) -> None:
    home = await make_community()
    await make_station(home, "three-km", lat=36.1950 + 3 / 111.2, name_en="Far station")
    page = await browser.get(
        "/stations?lat=36.1950&lon=113.1160", headers={"accept-language": "en"}
    )
    assert page.status_code == 200
    assert "1 station within 5 km" in text_of(page.text)
    assert "Far station" in page.text


async def test_detail_gives_riding_routes_in_each_coordinate_system(
    browser: Browser, station
) -> None:
    page = await browser.get("/stations/rider-home")
    links = [
        url.replace("&amp;", "&")
        for url in re.findall(r'class="button button-secondary" href="([^"]+)"', page.text)
    ]
    name = "%E9%AA%91%E6%89%8B%E4%B9%8B%E5%AE%B6"  # 骑手之家
    # Amap: GCJ-02, shifted about 600 m east and 100 m north of the WGS-84 point.
    assert re.fullmatch(
        rf"https://uri\.amap\.com/navigation\?to=113\.12\d{{4}}%2C36\.19\d{{4}}%2C{name}"
        r"&mode=ride&coordinate=gaode&callnative=1&src=linli",
        links[0],
    ), links[0]
    assert links[1] == (
        "https://api.map.baidu.com/direction?destination=latlng%3A36.195000%2C113.116000"
        f"%7Cname%3A{name}&mode=riding&coord_type=wgs84&output=html&src=linli"
    )
    assert links[2] == (
        "https://www.openstreetmap.org/directions?engine=fossgis_osrm_bike"
        "&route=%3B36.195000%2C113.116000"
    )
    assert links[3] == f"geo:36.195000,113.116000?q=36.195000,113.116000({name})"
    wechat = await browser.get(
        "/stations/rider-home", headers={"user-agent": "Mozilla/5.0 MicroMessenger/8.0"}
    )
    assert "微信无法直接打开地图应用" in wechat.text


async def test_the_list_links_carry_the_search_position_and_the_detail_shows_distance(
    browser: Browser, station
) -> None:
    gps = "lat=36.199500&lon=113.116000"  # 500 m north
    listing = await browser.get(f"/stations?{gps}")
    assert 'href="/stations/rider-home?from=36.199500,113.116000"' in listing.text
    page = await browser.get("/stations/rider-home?from=36.199500,113.116000")
    assert "骑手之家 距离 500 米 营业中" in text_of(page.text)


async def test_checking_in_and_out_keeps_the_distance_from_the_search(
    browser: Browser, station
) -> None:
    """Checking in led back to the bare station page: the distance the courier came for was
    gone from the confirmation."""
    page = await browser.get("/stations/rider-home?from=36.199500,113.116000")
    assert 'action="/stations/rider-home/checkin?from=36.199500,113.116000"' in page.text
    checked_in = await browser.submit("/stations/rider-home/checkin?from=36.199500,113.116000")
    assert checked_in.headers["location"] == "/stations/rider-home?from=36.199500,113.116000"
    page = await browser.get(checked_in.headers["location"])
    assert 'action="/stations/rider-home/checkout?from=36.199500,113.116000"' in page.text
    assert "骑手之家 距离 500 米 营业中" in text_of(page.text)
    checked_out = await browser.submit("/stations/rider-home/checkout?from=36.199500,113.116000")
    assert checked_out.headers["location"] == "/stations/rider-home?from=36.199500,113.116000"


async def test_a_check_in_with_a_damaged_origin_leads_back_without_one(
    browser: Browser, station
) -> None:
    checked_in = await browser.submit("/stations/rider-home/checkin?from=91,1")
    assert checked_in.status_code == 303
    assert checked_in.headers["location"] == "/stations/rider-home"


LONG_ORIGIN = "36.1995000000000000000000000000000000,113.1160000000000000000000000000000"
"""A hand-edited `from` longer than any the list writes (65 characters)."""


async def test_a_check_in_with_a_long_origin_checks_in_and_leads_back_without_one(
    browser: Browser, station
) -> None:
    """A `from` over 64 characters refused the check-in with a 400 naming the parameter
    ("origin: 最多 64 个字符") instead of being dropped like any other damaged origin."""
    checked_in = await browser.submit(f"/stations/rider-home/checkin?from={LONG_ORIGIN}")
    assert checked_in.status_code == 303
    assert checked_in.headers["location"] == "/stations/rider-home"
    checked_out = await browser.submit(f"/stations/rider-home/checkout?from={LONG_ORIGIN}")
    assert checked_out.status_code == 303
    assert checked_out.headers["location"] == "/stations/rider-home"


@pytest.mark.parametrize(
    "origin", ["", "abc", "36.1", "91,1", "nan,nan", "inf,0", "1e400,1", LONG_ORIGIN, "9" * 5000]
)
async def test_a_detail_without_a_usable_origin_shows_no_distance(
    browser: Browser, station, origin: str
) -> None:
    page = await browser.get(f"/stations/rider-home?from={origin}")
    assert page.status_code == 200
    assert 'class="distance"' not in page.text


async def test_check_in_and_out_without_an_account(browser: Browser, station) -> None:
    response = await browser.submit("/stations/rider-home/checkin")
    assert response.status_code == 303
    assert "linli_device=" in response.headers.get("set-cookie", "")
    page = text_of((await browser.get("/stations/rider-home")).text)
    assert "还剩 3 个座位" in page and "签退" in page
    await browser.submit("/stations/rider-home/checkout")
    assert await CheckIn.count().where(CheckIn.checked_out_at.is_null()) == 0


async def test_report_a_problem_and_staff_resolve_it(browser: Browser, station) -> None:
    empty = await browser.submit("/stations/rider-home/report", {"reason": "other", "text": ""})
    assert empty.status_code == 422
    assert await StationReport.count() == 0
    sent = await browser.submit(
        "/stations/rider-home/report", {"reason": "no_water", "text": "没水了"}
    )
    assert sent.status_code == 303
    report = await StationReport.objects().first()
    await make_user("staff@example.com", staff_of=[station.community and await _community(station)])
    await browser.sign_in("staff@example.com", PASSWORD)
    page = await browser.get("/staff/stations")
    assert "没水了" in page.text
    await browser.submit(
        f"/staff/stations/reports/{report.id}/resolve",
        {"resolution": "已修好", "mark_out_of_order": ""},
    )
    assert (await StationReport.objects().first()).resolution == "已修好"


async def test_out_of_order_shows_the_public_note_never_what_was_done(
    browser: Browser, station
) -> None:
    """Staff's "what was done" became the public out-of-order note ("暂不可用: 充电线已更换")."""
    await browser.submit("/stations/rider-home/report", {"reason": "no_water", "text": "没水了"})
    report = await StationReport.objects().first()
    await make_user("staff@example.com", staff_of=[await _community(station)])
    await browser.sign_in("staff@example.com", PASSWORD)
    assert "给骑手的说明（选填）" in text_of((await browser.get("/staff/stations")).text)
    await browser.submit(
        f"/staff/stations/reports/{report.id}/resolve",
        {"resolution": "联系了物业王师傅", "mark_out_of_order": "1", "public_note": "明天修好"},
    )
    assert (await StationReport.objects().first()).resolution == "联系了物业王师傅"
    public = await browser.get("/stations/rider-home")
    assert "饮用水 — 暂不可用 : 明天修好" in text_of(public.text)
    assert "王师傅" not in public.text


async def test_out_of_order_without_a_public_note_shows_none(browser: Browser, station) -> None:
    await browser.submit("/stations/rider-home/report", {"reason": "no_water", "text": "没水了"})
    report = await StationReport.objects().first()
    await make_user("staff@example.com", staff_of=[await _community(station)])
    await browser.sign_in("staff@example.com", PASSWORD)
    await browser.submit(
        f"/staff/stations/reports/{report.id}/resolve",
        {"resolution": "水桶空了，已通知送水", "mark_out_of_order": "1"},
    )
    public = await browser.get("/stations/rider-home")
    assert "饮用水 — 暂不可用" in text_of(public.text)
    assert "送水" not in public.text


async def _community(station):
    from app.tables import Community

    return await Community.objects().where(Community.id == station.community).first()


async def test_residents_cannot_open_staff_station_pages(browser: Browser, station) -> None:
    await make_user("13812345678", community=await _community(station))
    await browser.sign_in("13812345678", PASSWORD)
    assert (await browser.get("/staff/stations")).status_code == 403


async def _open_and_closed(count_open: int) -> None:
    """Around 36.195, 113.116 at 09:00 on a Monday: a closed station at 0 m that opens at 14:00,
    then `count_open` open ones 100 m apart from 200 m north."""
    home = await make_community()
    await make_station(home, "later", name_zh="午后驿站", hours={"mon": "14:00-20:00"})
    for number in range(count_open):
        await make_station(
            home, f"open-{number}", name_zh=f"开门驿站{number}", lat=36.1950 + (2 + number) / 1112
        )


async def test_open_stations_come_first_and_the_nearest_closed_follow(
    browser: Browser, db: None
) -> None:
    """Without `open_now` (a shared link) the search is for open stations; too few are
    open, so the closed one follows under 稍后开门 with its opening time."""
    await _open_and_closed(1)
    page = await browser.get("/stations?lat=36.195&lon=113.116")
    text = text_of(page.text)
    assert "开门驿站0 200 米 营业中" in text
    assert "稍后开门 午后驿站 0 米 已关门 14:00 开门" in text
    assert text.index("开门驿站0") < text.index("稍后开门")
    assert '<input type="hidden" name="open_now" value="0">' in page.text
    assert 'name="open_now" value="1" checked' in page.text


async def test_the_ticked_box_sends_both_values_and_means_on(browser: Browser, db: None) -> None:
    await _open_and_closed(1)
    text = text_of(
        (await browser.get("/stations?open_now=0&open_now=1&lat=36.195&lon=113.116")).text
    )
    assert text.index("开门驿站0") < text.index("稍后开门") < text.index("午后驿站")


async def test_open_now_off_lists_all_by_distance(browser: Browser, db: None) -> None:
    await _open_and_closed(1)
    page = await browser.get("/stations?open_now=0&lat=36.195&lon=113.116")
    text = text_of(page.text)
    assert "1 公里内有 2 个驿站 午后驿站 0 米 已关门 14:00 开门 " in text
    assert text.index("午后驿站") < text.index("开门驿站0")
    assert "稍后开门" not in text
    assert 'name="open_now" value="1">' in page.text  # unticked


async def test_five_open_stations_leave_the_closed_ones_out(browser: Browser, db: None) -> None:
    await _open_and_closed(5)
    text = text_of((await browser.get("/stations?lat=36.195&lon=113.116")).text)
    assert "1 公里内有 5 个驿站" in text
    assert "稍后开门" not in text and "午后驿站" not in text


async def test_with_none_open_near_the_closed_ones_answer(browser: Browser, db: None) -> None:
    await _open_and_closed(0)
    page = await browser.get("/stations?lat=36.195&lon=113.116", headers={"accept-language": "en"})
    text = text_of(page.text)
    assert "No station within 1 km is open now. Opening later" in text


async def test_the_map_has_a_text_legend_for_each_marker(browser: Browser, station) -> None:
    page = await browser.get("/stations/map", headers={"accept-language": "en"})
    assert re.findall(
        r'<span class="marker (marker-\w+)" aria-hidden="true"></span>([^<]+)<', page.text
    ) == [
        ("marker-open", "Open"),
        ("marker-soon", "Closes soon"),
        ("marker-closed", "Closed, or hours unknown"),
    ]
    assert 'data-state-soon="Closes soon"' in page.text
