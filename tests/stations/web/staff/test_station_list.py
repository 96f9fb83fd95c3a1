"""The staff station list: searched by text and filtered by community, open state and open
reports with a GET form, the filters kept in the URL and each choice's count shown."""

import re
import uuid

import pytest

from app.tables import Community
from stations.tables import StationReport
from tests.factories import PASSWORD, make_community, make_station, make_user, shanghai
from tests.fixtures import Browser, text_of
from tests.stations.web.staff.world import signed_in

# The browser fixture fixes the clock at Monday 2 March 2026, 09:00 in Shanghai.


def listed(html: str) -> list[str]:
    """The slugs of the stations the list shows, in order."""
    return re.findall(r'href="/staff/stations/([\w-]+)/edit"', html)


@pytest.fixture
async def world(home: Community) -> Community:
    """八一 with an open station, a closed one (opens at 10:00) with an open report, and a
    closed one with a resolved report; 东街 with one open station."""
    east = await make_community("dongjie", name_zh="东街社区", name_en="East Street")
    await make_station(home, "bank", name_zh="银行驿站", name_en="Bank station")
    late = await make_station(
        home,
        "gulou",
        name_zh="鼓楼驿站",
        name_en="Gulou station",
        address_zh="鼓楼大街 3 号",
        hours={"mon": "10:00-20:00"},
    )
    quiet = await make_station(home, "park", name_zh="公园驿站", name_en="Park", hours={})
    await make_station(east, "east-gate", name_zh="东门驿站", name_en="East gate")
    for station, resolved in ((late, None), (late, None), (quiet, shanghai(8, 0))):
        await StationReport.insert(
            StationReport(
                id=uuid.uuid4(),
                station=station.id,
                reason="no_water",
                created_at=shanghai(7, 0),
                resolved_at=resolved,
            )
        )
    await make_user("staff@both.example", staff_of=[home, east])
    return east


async def test_station_list_unfiltered_shows_every_station_with_counts(
    browser: Browser, world: Community
) -> None:
    await browser.sign_in("staff@both.example", PASSWORD)
    browser.set_language("en")
    response = await browser.get("/staff/stations")
    assert response.status_code == 200
    assert listed(response.text) == ["bank", "east-gate", "gulou", "park"]
    text = text_of(response.text)
    assert "4 of 4 stations" in text
    assert "Show all" not in text
    assert "Bayi Community (3)" in text
    assert "East Street (1)" in text
    assert "Open now (2)" in text
    assert "Closed now (2)" in text
    assert "Only with open reports (1)" in text
    assert "Gulou station Bayi Community closed now 2 reports" in text
    assert "Bank station Bayi Community open now Edit" in text


@pytest.mark.parametrize(
    ("query", "slugs", "summary"),
    [
        ("q=%E9%BC%93%E6%A5%BC", ["gulou"], "1 of 4 stations"),
        ("q=GATE", ["east-gate"], "1 of 4 stations"),
        ("q=%E9%BC%93%E6%A5%BC%E5%A4%A7%E8%A1%97", ["gulou"], "1 of 4 stations"),
        ("community=bayi", ["bank", "gulou", "park"], "3 of 4 stations"),
        ("open=open", ["bank", "east-gate"], "2 of 4 stations"),
        ("open=closed", ["gulou", "park"], "2 of 4 stations"),
        ("reports=open", ["gulou"], "1 of 4 stations"),
        ("community=dongjie&open=closed", [], "0 of 4 stations"),
        ("community=bayi&open=open&reports=", ["bank"], "1 of 4 stations"),
        ("q=station&open=whenever", ["bank", "gulou"], "2 of 4 stations"),
    ],
)
async def test_station_list_filters_by_query(
    browser: Browser, world: Community, query: str, slugs: list[str], summary: str
) -> None:
    await browser.sign_in("staff@both.example", PASSWORD)
    browser.set_language("en")
    response = await browser.get(f"/staff/stations?{query}")
    assert response.status_code == 200
    assert listed(response.text) == slugs
    text = text_of(response.text)
    assert f"{summary} · Show all" in text
    if not slugs:
        assert "No station matches these filters." in text


async def test_station_list_form_keeps_the_chosen_filters(
    browser: Browser, world: Community
) -> None:
    await browser.sign_in("staff@both.example", PASSWORD)
    browser.set_language("en")
    html = (
        await browser.get("/staff/stations?q=%20gu%20&community=bayi&open=closed&reports=open")
    ).text
    assert '<form class="filters" method="get" action="/staff/stations#stations"' in html
    assert 'name="q" type="search" value="gu"' in html
    assert '<option value="bayi" selected>Bayi Community (3)</option>' in html
    assert '<option value="closed" selected>Closed now (2)</option>' in html
    assert 'name="reports" type="checkbox" value="open" checked>' in html
    assert listed(html) == ["gulou"]


async def test_station_list_of_other_staff_shows_none_of_these_stations(
    browser: Browser, world: Community
) -> None:
    other = await make_community("other")
    await make_station(other, "their-own", name_en="Their own")
    await signed_in(browser, other, "staff@other.example")
    for query in ("", "?community=bayi", "?q=gulou", "?reports=open", "?open=closed"):
        html = (await browser.get(f"/staff/stations{query}")).text
        assert listed(html) == ([] if query else ["their-own"]), query
        assert "Gulou" not in html
        assert "Only with open reports (0)" in text_of(html)
