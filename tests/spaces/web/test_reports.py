"""The staff's space report page and its CSV: what it shows, in whose language, to whom."""

from __future__ import annotations

import pytest

from app.i18n import translations
from spaces.tables import Space
from tests.factories import PASSWORD, make_community, make_user
from tests.fixtures import Browser, text_of
from tests.spaces.report_room import NOW, a_week_in_the_music_room


@pytest.fixture
async def music_room(db: None) -> Space:
    return await a_week_in_the_music_room()


QUERY = "from=2026-03-09&to=2026-03-15"


async def signed_in_staff(browser: Browser, frozen_clock, community, login="13812345678"):
    frozen_clock[0] = NOW
    await make_user(login, staff_of=[community])
    await browser.sign_in(login, PASSWORD)
    browser.set_language("en")


async def test_report_page_shows_table_chart_and_csv_link(
    browser: Browser, frozen_clock, music_room
) -> None:
    await signed_in_staff(browser, frozen_clock, music_room.community)
    response = await browser.get(f"/staff/spaces/reports?{QUERY}")
    assert response.status_code == 200
    text = text_of(response.text)
    assert "Shared music room Caijiaxiang Community 2 1080 360 33.3% 10 5 2 1 1 1 4.3 3" in text
    assert "Total 1080 360 33.3% 10 5 2 1 1 1 4.3 3" in text
    assert 'role="img" aria-label="Utilisation per space: Shared music room 33.3%"' in (
        response.text
    )
    assert '<text class="chart-value" x="87.3" y="32">33.3%</text>' in response.text
    csv_query = QUERY.replace("&", "&amp;")
    assert f'href="/staff/spaces/reports.csv?{csv_query}" download' in response.text
    assert 'href="/staff/spaces/reports"' in response.text  # in the staff menu


async def test_report_page_defaults_to_last_month(
    browser: Browser, frozen_clock, music_room
) -> None:
    await signed_in_staff(browser, frozen_clock, music_room.community)
    response = await browser.get("/staff/spaces/reports")
    assert response.status_code == 200
    assert 'value="2026-02-01"' in response.text and 'value="2026-02-28"' in response.text
    # February had no bookings: open time only. Of its 20 weekdays, 6 were Spring Festival
    # holidays (16-20 and 23 February), so 14 x 3 h x 2 units = 5040 unit-minutes.
    assert "Shared music room Caijiaxiang Community 2 5040 0 0.0% 0 0 0 0 0 0 — 0" in text_of(
        response.text
    )


async def test_report_csv_exact_content(browser: Browser, frozen_clock, music_room) -> None:
    await signed_in_staff(browser, frozen_clock, music_room.community)
    response = await browser.get(f"/staff/spaces/reports.csv?{QUERY}&community=caijiaxiang")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"] == (
        'attachment; filename="space-report-2026-03-09-2026-03-15.csv"'
    )
    assert response.content.startswith(b"\xef\xbb\xbf")
    assert response.content.decode("utf-8-sig") == (
        "Community,Space,Capacity,Open unit-minutes,Used unit-minutes,Utilisation,Bookings,"
        "Held,Cancelled,Rejected,No-shows,Still pending,Average rating,Ratings\r\n"
        "Caijiaxiang Community,Shared music room,2,1080,360,33.3%,10,5,2,1,1,1,4.3,3\r\n"
        "Total,,,1080,360,33.3%,10,5,2,1,1,1,4.3,3\r\n"
    )


async def test_csv_header_follows_the_viewer_language(
    browser: Browser, frozen_clock, music_room
) -> None:
    await signed_in_staff(browser, frozen_clock, music_room.community)
    browser.set_language("zh_CN")
    response = await browser.get(f"/staff/spaces/reports.csv?{QUERY}")
    body = response.content.decode("utf-8-sig")
    community = translations("zh_CN").ugettext("Community")
    assert body.startswith(f"{community},") and "蔡家巷社区,共享音乐室,2,1080,360" in body


async def test_other_communities_staff_see_none_of_my_spaces(
    browser: Browser, frozen_clock, music_room
) -> None:
    elsewhere = await make_community("bayi", name_zh="八一社区", name_en="Bayi Community")
    await signed_in_staff(browser, frozen_clock, elsewhere)
    page = await browser.get(f"/staff/spaces/reports?{QUERY}")
    assert page.status_code == 200
    assert "Shared music room" not in page.text and "There are no spaces to report on." in (
        text_of(page.text)
    )
    assert 'value="caijiaxiang"' not in page.text  # not offered in the community filter
    csv = await browser.get(f"/staff/spaces/reports.csv?{QUERY}")
    assert csv.content.decode("utf-8-sig").splitlines()[1:] == ["Total,,,0,0,,0,0,0,0,0,0,,0"]
    # Asking for my community by name is refused outright, page and CSV alike.
    for path in ("/staff/spaces/reports", "/staff/spaces/reports.csv"):
        refused = await browser.get(f"{path}?{QUERY}&community=caijiaxiang")
        assert refused.status_code == 403
        assert "Shared music room" not in refused.text


async def test_residents_cannot_open_reports(browser: Browser, frozen_clock, music_room) -> None:
    await make_user("13812345670", community=music_room.community)
    await browser.sign_in("13812345670", PASSWORD)
    assert (await browser.get(f"/staff/spaces/reports?{QUERY}")).status_code == 403
    assert (await browser.get(f"/staff/spaces/reports.csv?{QUERY}")).status_code == 403


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("from=2026-03-15&to=2026-03-09", "The end date must not be before the start date."),
        ("from=2026-13-01&to=2026-03-09", "Enter a date like 2026-03-02."),
        ("from=2025-01-01&to=2026-03-09", "Choose at most 366 days."),
        ("from=0001-01-01&to=0001-01-02", "Choose a date from 2000-01-01 to 2099-12-31."),
    ],
)
async def test_bad_dates_answer_400_with_the_reason(
    browser: Browser, frozen_clock, music_room, query: str, message: str
) -> None:
    await signed_in_staff(browser, frozen_clock, music_room.community)
    page = await browser.get(f"/staff/spaces/reports?{query}")
    assert page.status_code == 400
    assert message in text_of(page.text)
    assert "Shared music room" not in page.text
    csv = await browser.get(f"/staff/spaces/reports.csv?{query}")
    assert csv.status_code == 400
    assert message in text_of(csv.text)
