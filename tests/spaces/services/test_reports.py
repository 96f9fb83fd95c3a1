"""The space report computed from the database, and scoped to my communities."""

from __future__ import annotations

import pytest

from app import reports as app_reports
from app.errors import Forbidden
from spaces.services import reports
from spaces.tables import Space
from tests.factories import actor_for, make_community, make_space, make_user
from tests.spaces.report_room import NOW, WEEK, a_week_in_the_music_room


@pytest.fixture
async def music_room(db: None) -> Space:
    return await a_week_in_the_music_room()


async def test_space_report_hand_computed_week(db: None, music_room) -> None:
    staff = await actor_for(await make_user(staff_of=[music_room.community]))
    report = await reports.space_report(staff, WEEK, now=NOW)
    [row] = report.rows
    figures = row.figures
    # Open, in unit-minutes (capacity 2):
    #   Mon 09:00-12:00          180 min x 2 = 360
    #   Tue 09:00-12:00          180 x 2 - 60 (1 unit blocked 09:00-10:00) = 300
    #   Wed public holiday       0
    #   Thu 09:00-10:30 (closed) 90 x 2 = 180
    #   Fri special 09:00-11:00  120 x 2 = 240
    #   Sat, Sun closed          0
    #   total 360 + 300 + 180 + 240 = 1080
    assert figures.open_unit_minutes == 1080
    # Used: Sun-Mon booking 09:00-09:30 x1 = 30; Mon 08:00-10:00 inside 09:00-10:00 x1 = 60;
    # Mon 11:00-13:00 inside 11:00-12:00 x2 = 120; Tue 09:00-11:00 x1 = 120 (beside the
    # block); Thu 10:00-12:00 until the closure at 10:30 x1 = 30; Sunday's booking 0;
    # no-show, cancelled, rejected and pending 0. 30 + 60 + 120 + 120 + 30 = 360.
    assert figures.used_unit_minutes == 360
    # 360 / 1080 = 33.33 %
    assert app_reports.format_percent(figures.utilisation) == "33.3%"
    # Starting in the week: 10 bookings. Held: Mon 08:00, Mon 11:00, Tue 09:00, Thu 10:00,
    # Sun 10:00 = 5; cancelled: Fri 09:00 and the Mon 10:00 request nobody decided = 2;
    # rejected 1; no-show 1; still pending: Fri 10:00 = 1.
    counts = (figures.total, figures.held, figures.cancelled, figures.rejected)
    assert counts == (10, 5, 2, 1)
    assert (figures.no_shows, figures.pending) == (1, 1)
    # Ratings of bookings starting in the week: 5, 4, 4 (the 1 started before) = 13 / 3.
    assert figures.ratings == 3
    assert app_reports.format_decimal(figures.average_rating) == "4.3"
    assert report.total == figures


async def test_report_only_shows_my_communities(db: None, music_room) -> None:
    elsewhere = await make_community("bayi", name_en="Bayi Community")
    await make_space(elsewhere, "gateball-court")
    mine = await actor_for(await make_user(staff_of=[music_room.community]))
    theirs = await actor_for(await make_user(staff_of=[elsewhere]))
    admin = await actor_for(await make_user(is_admin=True))

    def slugs(report):
        return [row.space.slug for row in report.rows]

    assert slugs(await reports.space_report(mine, WEEK, now=NOW)) == ["music-room"]
    assert slugs(await reports.space_report(theirs, WEEK, now=NOW)) == ["gateball-court"]
    assert slugs(await reports.space_report(admin, WEEK, now=NOW)) == [
        "gateball-court",
        "music-room",
    ]
    only_bayi = await reports.space_report(admin, WEEK, community_slug="bayi", now=NOW)
    assert slugs(only_bayi) == ["gateball-court"]
    with pytest.raises(Forbidden):
        await reports.space_report(theirs, WEEK, community_slug="caijiaxiang", now=NOW)
