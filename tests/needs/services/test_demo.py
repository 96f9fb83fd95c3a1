import json
from collections import Counter
from datetime import date

from app import demo as app_demo
from app.accounts import services
from app.reports import Period
from app.tables import Community, User
from needs.services.demo import loader as demo
from needs.services.reports import need_report
from needs.tables import (
    Need,
    NeedEvent,
    PartnerUnit,
    Project,
    ProjectResource,
    Resource,
    Volunteer,
)
from stations.services.demo import NINE
from tests.factories import NOW, actor_for

SOLVED_AT_FOLLOWUP = ("satisfied", "fairly")
STEPS = {
    # status before → {event kind: status after}; `rated` is decided by its stars.
    "open": {
        "dispatched": "dispatched",
        "dispatched_branch": "dispatched",
        "withdrawn": "withdrawn",
    },
    "dispatched": {
        "dispatched": "dispatched",
        "dispatched_branch": "dispatched",
        "accepted": "accepted",
        "declined": "open",
        "withdrawn": "withdrawn",
    },
    "accepted": {"done": "done", "declined": "open", "withdrawn": "withdrawn"},
    "done": {"rated": "rated", "followup": "rated", "closed_unrated": "closed"},
    "rated": {},
    "withdrawn": {},
    "closed": {},
    "reopening": {"reopened": "open"},
}


def replay(events: list[dict]) -> tuple[str, int]:
    """The status a need's timeline leads to, and how often it was reopened; fails on any
    step that may not follow the one before."""
    assert events[0]["kind"] == "filed"
    status, reopened = "open", 0
    for event in events[1:]:
        kind = event["kind"]
        if kind == "note":
            continue
        assert kind in STEPS[status], f"{kind} after {status}"
        status = STEPS[status][kind]
        if kind == "rated":
            stars = int(event["detail"].split("/5")[0])
            assert 1 <= stars <= 5
            status = "rated" if stars >= 3 else "reopening"
        if kind == "reopened":
            reopened += 1
    assert status != "reopening", "a low rating must reopen the need"
    return status, reopened


async def community_id(slug: str) -> int:
    return (await Community.objects().where(Community.slug == slug).first()).id


async def test_demo_loads_the_promised_lists_and_needs(db: None) -> None:
    await app_demo.load(NOW)
    lines = await demo.load(NOW)
    assert lines[:3] == [
        "needs bayi: 7 units, 17 resources, 27 needs (added 27 needs, 7 units)",
        "needs guangchang-xi: 8 units, 35 resources, 23 needs, 2 agreements "
        "(added 23 needs, 8 units, 2 agreements)",
        "needs guangchang-dong: 14 units, 22 resources, 15 needs, 15 agreements "
        "(added 15 needs, 14 units, 15 agreements)",
    ]
    west, east = await community_id("guangchang-xi"), await community_id("guangchang-dong")
    bayi = await community_id("bayi")
    assert await counts(bayi) == (7, 17, 27)
    assert await counts(west) == (8, 35, 23)
    assert await counts(east) == (14, 22, 15)
    # Every resource belongs to a unit of its own community.
    for row in await Resource.select(Resource.community, Resource.unit.community.as_alias("uc")):
        assert row["community"] == row["uc"]
    projects = await Project.select(Project.title_zh).where(Project.community == west)
    assert {row["title_zh"] for row in projects} == {"老旧小区楼道照明改造", "助老陪诊"}
    assert await ProjectResource.count() == 8 + 6
    volunteers = await Volunteer.select(Volunteer.status).where(Volunteer.community == west)
    assert Counter(row["status"] for row in volunteers) == {"approved": 3, "applied": 1}
    volunteers = await Volunteer.select(Volunteer.status).where(Volunteer.community == bayi)
    assert Counter(row["status"] for row in volunteers) == {"approved": 6, "applied": 1}

    statuses = Counter(
        row["status"] for row in await Need.select(Need.status).where(Need.community == west)
    )
    assert statuses == {
        "rated": 11,
        "open": 3,
        "accepted": 3,
        "dispatched": 2,
        "done": 2,
        "withdrawn": 2,
    }
    couriers = await Need.select(
        Need.reporter, Need.station_slug, Need.follow_token_hash, Need.community
    ).where(Need.reporter_kind == "courier")
    assert Counter(row["community"] for row in couriers) == {west: 2, bayi: 6}
    assert all(row["reporter"] is None and row["follow_token_hash"] for row in couriers)
    assert {row["station_slug"] for row in couriers} <= {station.slug for station in NINE}
    assert await Need.count().where(Need.category == "space_or_tool") == 2


async def counts(community: int) -> tuple[int, int, int]:
    """Partner units, resources and needs of a community."""
    return (
        await PartnerUnit.count().where(PartnerUnit.community == community),
        await Resource.count().where(Resource.community == community),
        await Need.count().where(Need.community == community),
    )


async def test_every_timeline_is_in_order_and_matches_its_need(db: None) -> None:
    await app_demo.load(NOW)
    await demo.load(NOW)
    needs = await Need.select().output(load_json=True)
    assert len(needs) == 65
    reopened_and_open = 0
    for need in needs:
        events = (
            await NeedEvent.select()
            .where(NeedEvent.need == need["id"])
            .order_by(NeedEvent.at)
            .order_by(NeedEvent.id)
        )
        times = [event["at"] for event in events]
        assert times == sorted(times) and times[-1] < NOW
        status, reopened = replay(events)
        assert (status, reopened) == (need["status"], need["times_reopened"])
        assert need["created_at"] == times[0] and need["updated_at"] == times[-1]
        kinds = [event["kind"] for event in events]
        for kinds_of, column in (
            (("dispatched", "dispatched_branch"), "dispatched_at"),
            (("accepted",), "accepted_at"),
        ):
            last = [event["at"] for event in events if event["kind"] in kinds_of]
            assert need[column] == (last[-1] if last else None)
        if need["status"] in ("done", "rated"):
            assert need["done_at"] == [e["at"] for e in events if e["kind"] == "done"][-1]
            assert need["resolution"]
        if "rated" in kinds:
            assert 1 <= need["rating"] <= 5 and need["rating_comment"]
        else:
            assert need["rating"] is None
        if "followup" in kinds:
            followup = [e for e in events if e["kind"] == "followup"][-1]
            assert need["followed_up_at"] == followup["at"] and need["followed_up_by"]
            assert need["followup_method"] in ("phone", "visit") and need["followup_note"]
            assert followup["detail"] == "{}/{} · {}".format(
                need["followup_method"], need["followup_result"], need["followup_note"]
            )
        else:
            assert need["followed_up_at"] is None and need["followup_result"] == ""
        if need["status"] == "rated":
            assert 3 <= (need["rating"] or 0) <= 5 or need["followup_result"] in SOLVED_AT_FOLLOWUP
        final = need["status"] in ("rated", "withdrawn", "closed")
        assert need["closed_at"] == (times[-1] if final else None)
        if need["status"] == "open" and need["times_reopened"]:
            reopened_and_open += 1
            assert need["rating"] <= 2 and need["unit"] is None and need["volunteer"] is None
        if need["status"] == "withdrawn":
            assert need["withdrawn_at"] == times[-1]
        if need["status"] in ("dispatched", "accepted"):
            helpers = (need["unit"], need["volunteer"], need["branch"])
            # one helper; a need a branch member took names the member and the branch
            assert sum(helper is not None for helper in helpers) == (
                2 if need["status"] == "accepted" and need["branch"] else 1
            )
        resources = await Resource.select(Resource.community).where(
            Resource.id.is_in(need["resources"] or [-1])
        )
        assert len(resources) == len(need["resources"])
        assert all(row["community"] == need["community"] for row in resources)
    assert reopened_and_open == 1


async def test_demo_is_idempotent(db: None) -> None:
    await app_demo.load(NOW)
    await demo.load(NOW)
    counts = [
        await table.count()
        for table in (User, PartnerUnit, Resource, Project, Volunteer, Need, NeedEvent)
    ]
    assert await demo.load(NOW) == []
    assert [
        await table.count()
        for table in (User, PartnerUnit, Resource, Project, Volunteer, Need, NeedEvent)
    ] == counts


async def test_demo_needs_the_demo_district(db: None) -> None:
    assert await demo.load(NOW) == []
    assert await Need.count() == 0 and await PartnerUnit.count() == 0


async def test_helpers_sign_in_with_the_demo_password(db: None) -> None:
    await app_demo.load(NOW)
    await demo.load(NOW)
    for login in ("13800000012", demo.unit_login("wuye", "guangchang-xi")):
        user = await services.authenticate(
            login, app_demo.DEMO_PASSWORD, client_ip="198.51.100.1", now=NOW
        )
        assert user.login == login
    unit = await PartnerUnit.objects().where(PartnerUnit.name_zh.like("%安居物业%")).first()
    assert unit.contact_user is not None


async def test_demo_report_of_the_last_three_months(db: None) -> None:
    await app_demo.load(NOW)
    await demo.load(NOW)
    staff = await User.objects().where(User.login == "staff.guangchang-xi@linli.example").first()
    # NOW is 2 March 2026 in Shanghai; the demo's needs were filed from 88 days before.
    report = await need_report(
        await actor_for(staff), Period(date(2025, 12, 1), date(2026, 3, 2)), NOW
    )
    figures = report.total
    # 11 solved of 23 − 2 withdrawn = 21; ratings 5 5 4 5 4 5 5 4 5 5 4 (latest) + 2 (reopened).
    assert (figures.total, figures.solved, figures.withdrawn) == (23, 11, 2)
    # The 10 not solved are all still open and filed less than 14 days before NOW: 11 / 11.
    assert (figures.counted, figures.solved_rate) == (11, 1.0)
    assert (len(figures.ratings), figures.times_reopened) == (12, 2)
    assert json.dumps(sorted(figures.ratings)) == "[2, 4, 4, 4, 4, 5, 5, 5, 5, 5, 5, 5]"
