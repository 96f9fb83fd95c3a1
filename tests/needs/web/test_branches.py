"""The staff's page of party branches, route by route; 支部派单 as members see it; and party
membership on public pages only as a count of five or more."""

from __future__ import annotations

import html
import re
from typing import Any

from app.tables import AuditEntry
from needs.services import branches, dispatch, helper_tasks
from needs.tables import PartyBranch, Volunteer
from tests.factories import actor_for, make_user
from tests.fixtures import Browser, text_of
from tests.needs.web.conftest import OpenBrowser
from tests.needs.world import T0, T1, T2, World, file, make_volunteer

PAGE = "/staff/needs/branches"


def visible(page: str) -> str:
    return html.unescape(text_of(page))


async def make_branch(world: World, members: int = 1) -> PartyBranch:
    """八一's branch with the world's volunteer (刘师傅) and `members - 1` more members."""
    branch = await branches.create_branch(
        world.staff,
        world.home,
        branches.BranchForm(name_zh="八一社区党支部", name_en="Bayi Party Branch"),
        now=T0,
    )
    volunteers = [world.volunteer]
    for n in range(members - 1):
        user = await make_user(f"1390000000{n}", name=f"党员{n}", community=world.home)
        volunteers.append(await make_volunteer(user, world.home))
    for volunteer in volunteers:
        form = branches.MembershipForm(branch=str(branch.id))
        await branches.set_membership(world.staff, volunteer.id, form, now=T0)
    return branch


async def everything() -> list[Any]:
    return [
        await PartyBranch.select().order_by(PartyBranch.id),
        await Volunteer.select().order_by(Volunteer.id),
        await AuditEntry.count(),
    ]


async def test_only_the_communitys_staff_and_administrators_reach_the_page(
    open_browser: OpenBrowser, world: World
) -> None:
    branch = await make_branch(world)
    await make_user("admin@example.com", is_admin=True, locale="en")
    rename = f"{PAGE}/{branch.id}/rename"
    member = f"{PAGE}/members/{world.volunteer.id}"
    posts = {
        f"{PAGE}?community=bayi": {"name_zh": "新支部"},
        rename: {"name_zh": "改名"},
        f"{PAGE}/{branch.id}/retire": {},
        f"{PAGE}/{branch.id}/reactivate": {},
        member: {"branch": ""},
    }
    before = await everything()
    anonymous = await open_browser()
    for path, form in ((f"{PAGE}?community=bayi", None), *posts.items()):
        response = await anonymous.get(path) if form is None else await anonymous.submit(path, form)
        assert response.status_code == 303, path
        assert response.headers["location"].startswith("/account/signin?next="), path
    resident = await open_browser("13800000001")
    assert (await resident.get(PAGE)).status_code == 403
    for path, form in posts.items():
        assert (await resident.submit(path, form)).status_code == 403, path
    stranger = await open_browser("other@example.com")  # staff of 广场东
    assert (await stranger.get(f"{PAGE}?community=bayi")).status_code == 403
    assert (await stranger.submit(f"{PAGE}?community=bayi", {"name_zh": "x"})).status_code == 403
    for path in list(posts)[1:]:  # an id of another community is one that does not exist
        assert (await stranger.submit(path, posts[path])).status_code == 404, path
    own = visible((await stranger.get(PAGE)).text)
    assert "八一社区党支部" not in own and "Bayi Party Branch" not in own and "刘师傅" not in own
    no_csrf = await open_browser("staff@example.com")
    assert (await no_csrf.client.post(rename, data={"name_zh": "改名"})).status_code == 403
    assert await everything() == before
    for login, path in (
        ("staff@example.com", PAGE),
        ("admin@example.com", f"{PAGE}?community=bayi"),
    ):
        page = await (await open_browser(login)).get(path)
        assert page.status_code == 200, login
        assert "Bayi Party Branch 1 party-member volunteer" in visible(page.text)


async def test_staff_keep_branches_and_mark_members(
    open_browser: OpenBrowser, world: World
) -> None:
    staff = await open_browser("staff@example.com")
    missing = await staff.submit(PAGE, {"name_zh": " ", "name_en": "First Branch"})
    assert missing.status_code == 400
    assert "Enter the branch's Chinese name." in visible(missing.text)
    assert 'value="First Branch"' in missing.text
    created = await staff.submit(PAGE, {"name_zh": "第一党支部", "name_en": "First Branch"})
    assert created.status_code == 303
    assert created.headers["location"] == f"{PAGE}?community=bayi"
    branch = await PartyBranch.objects().first()
    renamed = await staff.submit(f"{PAGE}/{branch.id}/rename", {"name_zh": "八一社区党支部"})
    assert renamed.status_code == 303
    foreign = await branches.create_branch(
        world.other_staff, world.other, branches.BranchForm(name_zh="广场东党支部"), now=T0
    )
    member = f"{PAGE}/members/{world.volunteer.id}"
    refused = await staff.submit(member, {"branch": str(foreign.id)})
    assert refused.status_code == 400
    assert "Choose an active party branch of the volunteer's community." in visible(refused.text)
    assert (await staff.submit(member, {"branch": str(branch.id)})).status_code == 303
    page = visible((await staff.get(PAGE)).text)
    assert "Marked as a party member of the branch." in page
    assert "八一社区党支部 1 party-member volunteer" in page
    assert (await staff.submit(f"{PAGE}/{branch.id}/retire")).status_code == 303
    rows = await PartyBranch.select(PartyBranch.name_zh, PartyBranch.active).where(
        PartyBranch.community == world.home.id
    )
    assert rows == [{"name_zh": "八一社区党支部", "active": False}]
    assert (await Volunteer.objects().get(Volunteer.id == world.volunteer.id)).branch == branch.id


async def public_text(browser: Browser) -> str:
    texts = []
    for path in ("/communities/bayi", "/communities/bayi/needs", "/needs/volunteer"):
        texts.append(visible((await browser.get(path)).text))
    return " ".join(texts)


async def take_one_need_each(world: World, branch: PartyBranch) -> None:
    """Each member takes one need sent to the branch."""
    members = await Volunteer.select(Volunteer.user).where(Volunteer.branch == branch.id)
    for row in members:
        need, _token = await file(world.resident, at=T0)
        form = dispatch.DispatchForm(helper=f"branch:{branch.id}")
        await dispatch.dispatch(world.staff, str(need.id), form, now=T1)
        user = await make_actor(row["user"])
        await helper_tasks.accept(user, str(need.id), now=T2)


async def make_actor(user_id: int) -> Any:
    from app.tables import User

    return await actor_for(await User.objects().get(User.id == user_id))


async def test_four_party_members_are_counted_nowhere_public(
    open_browser: OpenBrowser, world: World, frozen_clock: list
) -> None:
    frozen_clock[0] = T2
    branch = await make_branch(world, members=4)
    await take_one_need_each(world, branch)
    text = await public_text(await open_browser())
    assert not re.search(r"\d+ party-member volunteer", text)
    assert not re.search(r"Taken by party members \S+ \S+ \S+", text)
    assert "Bayi Party Branch" not in text and "八一社区党支部" not in text
    zh = await open_browser()
    zh.set_language("zh_CN")
    assert not re.search(r"党员志愿者 \d+ 名|党员接单数 \S+ \S+ \S+", await public_text(zh))


async def test_five_party_members_are_counted_as_five(
    open_browser: OpenBrowser, world: World, frozen_clock: list
) -> None:
    frozen_clock[0] = T2
    branch = await make_branch(world, members=5)
    await take_one_need_each(world, branch)
    text = await public_text(await open_browser())
    assert "5 party-member volunteers" in text
    # Never the needs they took: the count would grow the day a helper accepts, and tell
    # the resident who is a party member.
    assert not re.search(r"Taken by party members \S+ \S+ \S+", text)
    assert "Bayi Party Branch" not in text and "刘师傅" not in text
    zh = await open_browser()
    zh.set_language("zh_CN")
    zh_text = await public_text(zh)
    assert "党员志愿者 5 名" in zh_text
    assert "党员接单数" not in zh_text
    # The staff's report has the exact figure; its CSV file, which is passed on, too (five).
    staff = await open_browser("staff@example.com")
    csv = await staff.get("/staff/needs/reports.csv?from=2026-03-01&to=2026-03-02")
    assert (
        csv.content.decode("utf-8-sig").splitlines()[1].startswith("Bayi Community,5,0,0,,,0,0,5,")
    )


async def test_the_staff_report_shows_what_a_csv_file_leaves_out(
    open_browser: OpenBrowser, world: World, frozen_clock: list
) -> None:
    frozen_clock[0] = T2
    branch = await make_branch(world, members=2)
    await take_one_need_each(world, branch)
    staff = await open_browser("staff@example.com")
    query = "from=2026-03-01&to=2026-03-02"
    page = visible((await staff.get(f"/staff/needs/reports?{query}")).text)
    assert "Bayi Community 2 0 0 — — 0 0 2 " in page
    csv = await staff.get(f"/staff/needs/reports.csv?{query}")
    assert (
        csv.content.decode("utf-8-sig").splitlines()[1].startswith("Bayi Community,2,0,0,,,0,0,,")
    )


async def test_members_see_a_branch_need_the_first_to_accept_takes_it(
    open_browser: OpenBrowser, world: World, frozen_clock: list
) -> None:
    frozen_clock[0] = T1
    branch = await make_branch(world, members=2)
    outsider = await make_user("13800000009", name="周老师", community=world.home)
    await make_volunteer(outsider, world.home)
    need, _token = await file(world.resident, at=T0)
    staff = await open_browser("staff@example.com")
    form = visible((await staff.get(f"/staff/needs/{need.id}")).text)
    assert "Party branch: Bayi Party Branch 2 party members" in form
    sent = await staff.submit(f"/staff/needs/{need.id}/dispatch", {"helper": f"branch:{branch.id}"})
    assert sent.status_code == 303
    timeline = visible((await staff.get(f"/staff/needs/{need.id}")).text)
    assert "Sent to a party branch · 李主任 八一社区党支部" in timeline
    queue = visible((await staff.get("/staff/needs")).text)
    assert "Party branch: Bayi Party Branch" in queue
    reporter = visible((await (await open_browser("13800000001")).get(f"/needs/{need.id}")).text)
    assert "Sent to a helper" in reporter and "party" not in reporter.lower()
    first = await open_browser("13800000003")  # 刘师傅
    second = await open_browser("13900000000")  # 党员0
    other = await open_browser("13800000009")
    for member in (first, second):
        tasks = visible((await member.get("/needs/tasks")).text)
        assert "sent to your party branch, Bayi Party Branch" in tasks
    assert "Stair light" not in visible((await other.get("/needs/tasks")).text)
    assert (await other.get(f"/needs/tasks/{need.id}")).status_code == 404
    task = visible((await first.get(f"/needs/tasks/{need.id}")).text)
    assert "the first member to accept it takes it" in task
    assert "Shown to the member of the branch who accepts it." in task
    assert (await first.submit(f"/needs/tasks/{need.id}/accept")).status_code == 303
    late = await second.submit(f"/needs/tasks/{need.id}/accept")
    assert (late.status_code, late.headers["location"]) == (303, "/needs/tasks")
    told = visible((await second.get("/needs/tasks")).text)
    assert "Another member of your party branch took this need first." in told
    assert "Stair light" not in told
    own = visible((await first.get("/needs/volunteer")).text)
    assert "Staff marked you as a party member of Bayi Party Branch" in own
    assert "party member" not in visible((await other.get("/needs/volunteer")).text)


async def test_a_helper_sent_a_need_after_a_branch_had_it_is_not_told_who_took_it_there(
    open_browser: OpenBrowser, world: World, frozen_clock: list
) -> None:
    frozen_clock[0] = T1
    branch = await make_branch(world, members=2)
    outsider = await make_user("13800000009", name="周老师", community=world.home)
    other = await make_volunteer(outsider, world.home)
    need, _token = await file(world.resident, at=T0)
    to_branch = dispatch.DispatchForm(helper=f"branch:{branch.id}")
    await dispatch.dispatch(world.staff, str(need.id), to_branch, now=T0)
    member = await actor_for(world.helper.user)  # 刘师傅, a member, takes it and gives it back
    await helper_tasks.accept(member, str(need.id), now=T0)
    await helper_tasks.decline(member, str(need.id), reason="临时有事", now=T0)
    to_other = dispatch.DispatchForm(helper=f"volunteer:{other.id}")
    await dispatch.dispatch(world.staff, str(need.id), to_other, now=T1)
    page = visible((await (await open_browser("13800000009")).get(f"/needs/tasks/{need.id}")).text)
    assert (
        "Sent to a party branch · 李主任 八一社区党支部 Mon, Mar 2 09:00 Accepted by the helper "
        "Mon, Mar 2 09:00 Declined by the helper 临时有事 Mon, Mar 2 10:00 Sent to a helper · "
        "李主任 周老师"
    ) in page
    assert "刘师傅" not in page
    own = visible((await (await open_browser("13800000003")).get("/needs/tasks")).text)
    assert "Stair light" not in own  # 刘师傅 no longer has it
