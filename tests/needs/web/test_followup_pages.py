"""The closed loop through its pages: 回访 on the staff need page, 待回访 on the dashboard and
the queue, filing on behalf of a walk-in, the helper's view of how to reach the resident,
and each community's follow-up settings; every route scoped to the need's community."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from html import unescape
from pathlib import Path

import pytest

from app import photos
from app.form_tokens import new_token
from app.i18n import set_locale
from app.tables import AuditEntry, Community
from needs.services import autoclose, dispatch, followups, helper_tasks, walk_ins
from needs.tables import Need, NeedEvent
from tests.factories import NOW, actor_for, make_user
from tests.fixtures import text_of
from tests.needs.web.conftest import OpenBrowser
from tests.needs.world import World, file

DONE_AT = NOW - timedelta(days=4)
"""Four days before the pages' clock: past the default three days to a 回访."""


@pytest.fixture(autouse=True)
def media(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setattr(photos, "media_dir", lambda: tmp_path)
    yield tmp_path
    set_locale("zh_CN")


def visible(html: str) -> str:
    return unescape(text_of(html))


async def done_need(world: World, *, done_at: datetime = DONE_AT) -> Need:
    """A need of the home community filed by the resident and done by the volunteer."""
    need, _token = await file(world.resident, at=done_at - timedelta(hours=3))
    form = dispatch.DispatchForm(helper=f"volunteer:{world.volunteer.id}")
    await dispatch.dispatch(world.staff, str(need.id), form, now=done_at - timedelta(hours=2))
    await helper_tasks.accept(world.helper, str(need.id), now=done_at - timedelta(hours=1))
    await helper_tasks.finish(world.helper, str(need.id), resolution="New bulb.", now=done_at)
    return await Need.objects().where(Need.id == need.id).first()


async def state() -> tuple[object, ...]:
    return (
        await Need.select().order_by(Need.id),
        await NeedEvent.count(),
        await AuditEntry.count(),
    )


# --- 回访 -------------------------------------------------------------------------------------


async def test_staff_record_a_followup_and_the_resident_sees_its_result(
    open_browser: OpenBrowser, world: World
) -> None:
    need = await done_need(world)
    staff = await open_browser("staff@example.com")
    page = await staff.get(f"/staff/needs/{need.id}")
    assert 'id="followup"' in page.text
    assert "Follow-up Call or visit the resident" in visible(page.text)
    # The note is in the resident's data download (needs.services.accounts): staff are told.
    assert (
        "For the staff: the resident does not see it on their need's page, but one with an "
        "account finds it in the download of their data." in visible(page.text)
    )
    sent = await staff.submit(
        f"/staff/needs/{need.id}/followup",
        {"method": "phone", "result": "satisfied", "note": "Bright again, thanks"},
    )
    assert (sent.status_code, sent.headers["location"]) == (303, f"/staff/needs/{need.id}")
    after = visible((await staff.get(f"/staff/needs/{need.id}")).text)
    assert "The follow-up was recorded. The need is solved." in after
    assert "Solved" in after
    assert "Follow-up call or visit · 李主任 By phone · Satisfied · Bright again, thanks" in after
    assert "Last follow-up: " in after and " · By phone · Satisfied" in after
    stored = await Need.objects().where(Need.id == need.id).first()
    assert (stored.status, stored.followup_result, stored.followed_up_at) == (
        "rated",
        "satisfied",
        NOW,
    )

    resident = await open_browser("13800000001")
    theirs = visible((await resident.get(f"/needs/{need.id}")).text)
    assert "Follow-up call or visit By phone · Satisfied" in theirs
    assert "Bright again" not in theirs  # the note stays with the staff


async def test_a_followup_with_bad_input_re_renders_the_page_as_typed(
    open_browser: OpenBrowser, world: World
) -> None:
    need = await done_need(world)
    staff = await open_browser("staff@example.com")
    before = await state()
    sent = await staff.submit(
        f"/staff/needs/{need.id}/followup", {"method": "visit", "note": "Nobody home, try again"}
    )
    assert sent.status_code == 400
    text = visible(sent.text)
    assert "Choose what the resident said." in text
    assert re.search(r'name="method" value="visit" checked', sent.text)
    assert ">Nobody home, try again</textarea>" in sent.text
    assert await state() == before


async def test_a_followup_of_a_need_not_done_is_refused_on_its_page(
    open_browser: OpenBrowser, world: World
) -> None:
    need, _token = await file(world.resident, at=NOW - timedelta(days=1))
    staff = await open_browser("staff@example.com")
    assert 'id="followup"' not in (await staff.get(f"/staff/needs/{need.id}")).text
    before = await state()
    sent = await staff.submit(
        f"/staff/needs/{need.id}/followup", {"method": "phone", "result": "satisfied"}
    )
    assert sent.status_code == 409
    assert "A follow-up is recorded once the need is done." in visible(sent.text)
    assert await state() == before


async def test_every_new_route_is_scoped(open_browser: OpenBrowser, world: World) -> None:
    need = await done_need(world)
    before = await state()
    foreign = await open_browser("other@example.com")
    answer = await foreign.submit(
        f"/staff/needs/{need.id}/followup", {"method": "phone", "result": "satisfied"}
    )
    assert answer.status_code == 404
    refused = await foreign.submit(
        "/staff/needs/new",
        {
            "form_token": new_token(),
            "community": "bayi",
            "category": "repairs",
            "description": "Leak",
            "name": "孙奶奶",
            "phone": "13900000001",
            "keep_consent": "1",
        },
    )
    assert refused.status_code == 403
    resident = await open_browser("13800000001")
    for url, data in [
        (f"/staff/needs/{need.id}/followup", {"method": "phone", "result": "satisfied"}),
        ("/staff/needs/new", {"category": "repairs"}),
    ]:
        assert (await resident.submit(url, data)).status_code == 403
    assert (await resident.get("/staff/needs/new")).status_code == 403
    anonymous = await open_browser()
    assert (await anonymous.get("/staff/needs/new")).status_code in (302, 303)
    answer = await anonymous.submit(
        f"/staff/needs/{need.id}/followup", {"method": "phone", "result": "satisfied"}
    )
    assert answer.status_code in (302, 303, 401)
    assert await state() == before


# --- 待回访 ------------------------------------------------------------------------------------


async def test_the_dashboard_and_the_queue_list_needs_waiting_for_a_followup(
    open_browser: OpenBrowser, world: World
) -> None:
    waiting = await done_need(world)
    recent = await done_need(world, done_at=NOW - timedelta(days=2))
    staff = await open_browser("staff@example.com")
    page = await staff.get("/staff")
    text = visible(page.text)
    assert "Waiting for a follow-up To follow up: 1" in text
    assert f'href="/staff/needs/{waiting.id}#followup"' in page.text
    assert f"/staff/needs/{recent.id}#followup" not in page.text
    queue = await staff.get("/staff/needs?status=followup")
    assert f"/staff/needs/{waiting.id}" in queue.text
    assert f"/staff/needs/{recent.id}" not in queue.text
    assert "File for a resident" in visible(queue.text)
    foreign = await open_browser("other@example.com")
    assert "Waiting for a follow-up To follow up: 0" in visible((await foreign.get("/staff")).text)
    assert str(waiting.id) not in (await foreign.get("/staff/needs?status=followup")).text


# --- filing on behalf ---------------------------------------------------------------------------

WALK_IN = {
    "category": "repairs",
    "description": "Tap leaks in the kitchen",
    "place": "Building 5",
    "name": "孙奶奶",
    "phone": "13900000001",
}


async def test_staff_file_for_a_walk_in_through_the_form(
    open_browser: OpenBrowser, world: World
) -> None:
    staff = await open_browser("staff@example.com")
    form = await staff.get("/staff/needs/new")
    assert form.status_code == 200
    assert "Community: Bayi Community" in visible(form.text)
    for name in ("keep_consent", "contact_consent", "notify_consent"):
        assert re.search(rf'name="{name}" type="checkbox" value="1">', form.text), name
    refused = await staff.submit(
        "/staff/needs/new",
        {"form_token": new_token(), **WALK_IN, "contact_consent": "1", "language": "en"},
    )
    assert refused.status_code == 400
    assert '<option value="en" selected>English</option>' in refused.text
    assert "without their agreement to keep their name and phone" in visible(refused.text)
    assert 'value="孙奶奶"' in refused.text and 'value="13900000001"' in refused.text
    assert ">Tap leaks in the kitchen</textarea>" in refused.text
    assert re.search(r'name="contact_consent" type="checkbox" value="1" checked', refused.text)
    assert await Need.count() == 0

    sent = await staff.submit(
        "/staff/needs/new",
        {"form_token": new_token(), **WALK_IN, "keep_consent": "1", "contact_consent": "1"},
    )
    need = await Need.objects().first()
    assert (sent.status_code, sent.headers["location"]) == (303, f"/staff/needs/{need.id}")
    assert (need.reporter_kind, need.reporter_name, need.language, need.filed_by) == (
        "staff",
        "孙奶奶",
        "zh_CN",  # the form's choice, by default the site's language, not the staff's
        world.staff.id,
    )
    page = visible((await staff.get(f"/staff/needs/{need.id}")).text)
    assert "The need was filed for 孙奶奶." in page
    assert "Filed by 孙奶奶 · 13900000001 filed on their behalf by the staff" in page
    assert "Helpers may contact them · No text messages" in page


async def test_staff_of_two_communities_choose_where_to_file(
    open_browser: OpenBrowser, world: World
) -> None:
    await make_user("both@example.com", staff_of=[world.home, world.other], locale="en")
    staff = await open_browser("both@example.com")
    form = await staff.get("/staff/needs/new")
    assert '<option value="guangchang-dong">Guangchang East</option>' in form.text
    refused = await staff.submit(
        "/staff/needs/new", {"form_token": new_token(), **WALK_IN, "keep_consent": "1"}
    )
    assert refused.status_code == 400
    assert "Choose one of your communities." in visible(refused.text)
    sent = await staff.submit(
        "/staff/needs/new",
        {"form_token": new_token(), **WALK_IN, "keep_consent": "1", "community": "guangchang-dong"},
    )
    assert sent.status_code == 303
    assert (await Need.objects().first()).community == world.other.id


async def test_a_walk_ins_texts_are_in_the_language_chosen_for_them_not_the_staffs(
    open_browser: OpenBrowser, world: World
) -> None:
    """Staff reading the pages in English file for a resident who reads Chinese: the texts
    follow the form's choice, Chinese (the site's language) unless staff choose otherwise."""
    staff = await open_browser("staff@example.com")
    form = await staff.get("/staff/needs/new")
    assert '<option value="zh_CN" selected>中文</option>' in form.text
    assert '<option value="en">English</option>' in form.text
    base = {**WALK_IN, "keep_consent": "1", "notify_consent": "1"}
    await staff.submit("/staff/needs/new", {"form_token": new_token(), **base, "language": "zh_CN"})
    await staff.submit(
        "/staff/needs/new",
        {"form_token": new_token(), **base, "phone": "13900000002", "language": "en"},
    )
    await staff.submit(
        "/staff/needs/new",
        {"form_token": new_token(), **base, "phone": "13900000003", "language": "fr"},
    )
    rows = await Need.select(Need.reporter_contact, Need.language).order_by(Need.created_at)
    assert sorted((row["reporter_contact"], row["language"]) for row in rows) == [
        ("13900000001", "zh_CN"),
        ("13900000002", "en"),
        ("13900000003", "zh_CN"),
    ]


# --- the helper reaches the resident ----------------------------------------------------------

NO_CONSENT = (
    "The resident did not agree to share their contact details. Ask the community office to "
    "arrange a visit."
)


async def test_the_helper_sees_the_phone_only_when_the_resident_agreed(
    open_browser: OpenBrowser, world: World
) -> None:
    agreed = await walk_ins.file_for_resident(
        world.staff,
        walk_ins.WalkInForm(**WALK_IN, keep_consent="1", contact_consent="1"),
        language="en",
        now=NOW - timedelta(days=1),
    )
    private = await walk_ins.file_for_resident(
        world.staff,
        walk_ins.WalkInForm(**{**WALK_IN, "phone": "13900000002"}, keep_consent="1"),
        language="en",
        now=NOW - timedelta(days=1),
    )
    form = dispatch.DispatchForm(helper=f"volunteer:{world.volunteer.id}")
    for need in (agreed, private):
        await dispatch.dispatch(world.staff, str(need.id), form, now=NOW - timedelta(hours=1))
    helper = await open_browser("13800000003")
    page = await helper.get(f"/needs/tasks/{agreed.id}")
    assert "How to reach them 孙奶奶 · 13900000001" in visible(page.text)
    assert 'href="tel:13900000001"' in page.text
    page = await helper.get(f"/needs/tasks/{private.id}")
    assert f"How to reach them {NO_CONSENT}" in visible(page.text)
    assert "13900000002" not in page.text and "孙奶奶" not in page.text
    await Need.update(
        {Need.reporter_name: "", Need.reporter_contact: "", Need.personal_data_erased_at: NOW}
    ).where(Need.id == agreed.id)
    page = await helper.get(f"/needs/tasks/{agreed.id}")
    assert (
        "How to reach them The resident's contact details were deleted 30 days after the need "
        "closed." in visible(page.text)
    )
    assert "tel:" not in page.text


async def test_the_helper_is_not_told_a_resident_refused_when_they_agreed(
    open_browser: OpenBrowser, world: World
) -> None:
    """A resident who signs in with an email address agreed but has no phone to show; a
    courier's agreed phone was deleted a month after closing: neither "did not agree"."""
    emailer = await actor_for(await make_user("mei@example.com", name="梅", community=world.home))
    need, _token = await file(emailer, contact_consent=True, at=NOW - timedelta(days=1))
    form = dispatch.DispatchForm(helper=f"volunteer:{world.volunteer.id}")
    await dispatch.dispatch(world.staff, str(need.id), form, now=NOW - timedelta(hours=1))
    helper = await open_browser("13800000003")
    text = visible((await helper.get(f"/needs/tasks/{need.id}")).text)
    assert (
        "How to reach them The resident agreed but left no phone number. Ask the community "
        "office to arrange a visit." in text
    )
    await Need.update({Need.personal_data_erased_at: NOW}).where(Need.id == need.id)
    text = visible((await helper.get(f"/needs/tasks/{need.id}")).text)
    assert (
        "How to reach them The resident's contact details were deleted 30 days after the need "
        "closed." in text
    )
    assert NO_CONSENT not in text


async def test_the_helper_no_longer_sees_the_phone_once_the_work_is_done(
    open_browser: OpenBrowser, world: World
) -> None:
    """The phone is there to arrange a visit; once the helper recorded the work as done, it
    is not theirs to keep reading."""
    need = await walk_ins.file_for_resident(
        world.staff,
        walk_ins.WalkInForm(**WALK_IN, keep_consent="1", contact_consent="1"),
        language="en",
        now=NOW - timedelta(days=1),
    )
    form = dispatch.DispatchForm(helper=f"volunteer:{world.volunteer.id}")
    await dispatch.dispatch(world.staff, str(need.id), form, now=NOW - timedelta(hours=3))
    await helper_tasks.accept(world.helper, str(need.id), now=NOW - timedelta(hours=2))
    helper = await open_browser("13800000003")
    page = await helper.get(f"/needs/tasks/{need.id}")
    assert 'href="tel:13900000001"' in page.text
    await helper_tasks.finish(world.helper, str(need.id), resolution="Fixed", now=NOW)
    page = await helper.get(f"/needs/tasks/{need.id}")
    assert "13900000001" not in page.text and "孙奶奶" not in page.text
    assert (
        "How to reach them The work is done: the resident's contact details are shown only "
        "while it is to be done." in visible(page.text)
    )


async def test_the_helper_reads_the_followup_result_but_not_its_note(
    open_browser: OpenBrowser, world: World
) -> None:
    """The 回访 note is what the resident told the staff (about the helper, say, or a number
    the staff wrote down); the helper, who still sees the task, reads only its result."""
    need = await done_need(world)
    note = "说师傅态度不好，另留电话13900000009"
    await followups.record_followup(
        world.staff,
        str(need.id),
        followups.FollowUpForm(method="phone", result="fairly", note=note),
        now=NOW - timedelta(days=1),
    )
    helper = await open_browser("13800000003")
    page = await helper.get(f"/needs/tasks/{need.id}")
    assert page.status_code == 200
    assert "By phone · Fairly satisfied" in visible(page.text)
    assert "13900000009" not in page.text and "态度" not in page.text
    staff = await open_browser("staff@example.com")
    assert note in visible((await staff.get(f"/staff/needs/{need.id}")).text)


# --- each community's days ----------------------------------------------------------------


async def test_staff_set_the_days_to_a_followup_and_to_closing(
    open_browser: OpenBrowser, world: World
) -> None:
    staff = await open_browser("staff@example.com")
    page = await staff.get("/staff/communities/bayi")
    assert 'name="followup_after_days" type="number" value="3"' in page.text
    base = {"no_show_window_days": "30"}
    refused = await staff.submit(
        "/staff/communities/bayi/settings",
        {**base, "followup_after_days": "10", "autoclose_after_days": "10"},
    )
    assert refused.status_code == 400
    text = visible(refused.text)
    assert "Enter a number of days more than the days to a follow-up (10) and at most 365." in text
    assert 'name="autoclose_after_days" type="number" value="10"' in refused.text
    refused = await staff.submit(
        "/staff/communities/bayi/settings",
        {**base, "followup_after_days": "61", "autoclose_after_days": "400"},
    )
    assert "Enter a number of days from 1 to 60." in visible(refused.text)
    stored = await Community.objects().where(Community.slug == "bayi").first()
    assert (stored.followup_after_days, stored.autoclose_after_days) == (3, 14)
    saved = await staff.submit(
        "/staff/communities/bayi/settings",
        {**base, "followup_after_days": "5", "autoclose_after_days": "30"},
    )
    assert saved.status_code == 303
    stored = await Community.objects().where(Community.slug == "bayi").first()
    assert (stored.followup_after_days, stored.autoclose_after_days) == (5, 30)
    entry = (
        await AuditEntry.select()
        .where(AuditEntry.action == "community.settings")
        .output(load_json=True)
        .first()
    )
    assert entry["after"] == {"followup_after_days": 5, "autoclose_after_days": 30}
    foreign = await open_browser("other@example.com")
    answer = await foreign.submit(
        "/staff/communities/bayi/settings",
        {**base, "followup_after_days": "1", "autoclose_after_days": "2"},
    )
    assert answer.status_code in (403, 404)


async def test_a_resident_rates_a_need_closed_without_rating_on_its_page(
    open_browser: OpenBrowser, world: World
) -> None:
    need = await done_need(world, done_at=NOW - timedelta(days=15))
    assert await autoclose.close_unrated(NOW - timedelta(hours=1)) == 1
    resident = await open_browser("13800000001")
    page = visible((await resident.get(f"/needs/{need.id}")).text)
    assert "Closed without rating" in page and "How did it go?" in page
    rated = await resident.submit(f"/needs/{need.id}/rate", {"rating": "4"})
    assert rated.status_code == 303
    stored = await Need.objects().where(Need.id == need.id).first()
    assert (stored.status, stored.rating, stored.closed_at) == ("rated", 4, NOW)
