"""The needs reports loaded and scoped to the actor's communities."""

import pytest

from app import reports as app_reports
from app.errors import Forbidden
from needs.services import reports
from tests.factories import actor_for, make_user
from tests.needs.report_world import LATER, WEEK


async def test_need_report_hand_computed(db: None, west, east) -> None:
    staff = await actor_for(await make_user(staff_of=[west]))
    report = await reports.need_report(staff, WEEK, LATER)
    assert [row.community.slug for row in report.rows] == ["guangchang-xi"]
    figures = report.total
    assert (figures.total, figures.solved, figures.withdrawn) == (9, 3, 1)
    assert (figures.median_hours_to_dispatch, figures.median_hours_to_close) == (4.0, 24.0)
    assert (figures.mean_hours_to_close, figures.solved_rate, figures.average_rating) == (
        22.5,
        0.375,
        3.5,
    )
    assert (figures.times_reopened, figures.resources_used) == (2, 3)
    assert [(use.resource["title_en"], use.uses) for use in report.top] == [
        ("Stairwell light repairs", 3),
        ("Free legal advice", 2),
        ("Escort to the doctor", 1),
    ]
    assert report.top[0].resource["unit_name_zh"] == "安居物业"


async def test_admin_sees_every_community_and_totals_over_all_needs(db: None, west, east) -> None:
    admin = await actor_for(await make_user(is_admin=True))
    report = await reports.need_report(admin, WEEK, LATER)
    assert [row.community.slug for row in report.rows] == ["guangchang-dong", "guangchang-xi"]
    total = report.total
    # Dispatch 0.5 1 1 2 4 6 8 12 h: median (2 + 4) / 2 = 3; mean 34.5 / 8 = 4.3125.
    assert (total.median_hours_to_dispatch, total.mean_hours_to_dispatch) == (3.0, 4.3125)
    # Close 3 6 24 24 36 h: median 24, mean 93 / 5 = 18.6.
    assert (total.median_hours_to_close, total.mean_hours_to_close) == (24.0, 18.6)
    # Solved 4 of 10 − 1 = 9; ratings 5 4 3 2 5: 19 / 5 = 3.8; resources 4.
    assert app_reports.format_percent(total.solved_rate) == "44.4%"
    assert (total.average_rating, len(total.ratings), total.resources_used) == (3.8, 5, 4)


async def test_need_report_scoped_to_my_communities(db: None, west, east) -> None:
    theirs = await actor_for(await make_user(staff_of=[east]))
    mine = await reports.need_report(theirs, WEEK, LATER)
    assert [row.community.slug for row in mine.rows] == ["guangchang-dong"]
    assert (mine.total.total, [use.resource["title_en"] for use in mine.top]) == (
        1,
        ["Parking bay marking"],
    )
    with pytest.raises(Forbidden):
        await reports.need_report(theirs, WEEK, LATER, community_slug="guangchang-xi")
