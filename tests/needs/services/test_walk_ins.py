"""Filing on behalf (代为登记) and how a helper reaches the resident: staff file for a walk-in
with the resident's consent recorded; the helper sees a phone only when the resident
agreed, and never after their personal data was erased."""

from __future__ import annotations

import pytest

from app.errors import FieldError, Forbidden, InputError
from app.tables import OutboxMessage
from needs.services import dispatch, followups, helper_tasks, reporter, walk_ins
from needs.services.helper_tasks import ResidentContact
from needs.tables import Need
from tests.factories import actor_for, make_community, make_user
from tests.needs.world import T0, T1, T2, T3, World, audit_entry, events_of, notices, snapshot

pytestmark = pytest.mark.usefixtures("media")


def walk_in(**values: str) -> walk_ins.WalkInForm:
    filled = {
        "category": "repairs",
        "description": "Tap leaks in the kitchen",
        "place": "Building 5, 2-301",
        "name": "孙奶奶",
        "phone": "139 0000 0001",
        "keep_consent": "1",
        **values,
    }
    return walk_ins.WalkInForm(**filled)


async def test_staff_file_for_a_walk_in_with_their_consent(world: World) -> None:
    colleague = await make_user(
        "colleague@example.com", name="周干事", staff_of=[world.home], locale="en"
    )
    need = await walk_ins.file_for_resident(
        world.staff, walk_in(contact_consent="1"), language="en", now=T0
    )
    stored = await Need.objects().where(Need.id == need.id).first()
    assert (stored.status, stored.community, stored.reporter, stored.reporter_kind) == (
        "open",
        world.home.id,
        None,
        "staff",
    )
    assert (stored.reporter_name, stored.reporter_contact, stored.filed_by) == (
        "孙奶奶",
        "13900000001",
        world.staff.id,
    )
    assert (stored.contact_consent, stored.notify_consent, stored.consent_recorded_by) == (
        True,
        False,
        world.staff.id,
    )
    assert (stored.language, stored.description, stored.place, stored.follow_token_hash) == (
        "en",
        "Tap leaks in the kitchen",
        "Building 5, 2-301",
        None,
    )
    assert await events_of(need) == [("filed", T0, world.staff.id, "")]
    assert await notices() == [
        (
            colleague.id,
            "need.filed",
            "New need in Bayi Community (Repairs): Tap leaks in the kitchen",
        )
    ]
    entry = await audit_entry("need.filed_for_resident")
    assert (entry["actor"], entry["community"], entry["after"]) == (
        world.staff.id,
        world.home.id,
        {"contact_consent": True, "notify_consent": False},
    )


async def test_filing_for_a_walk_in_is_refused_without_their_consent(world: World) -> None:
    before = await snapshot()
    with pytest.raises(InputError) as refusal:
        await walk_ins.file_for_resident(
            world.staff, walk_in(keep_consent="", contact_consent="1"), language="en", now=T0
        )
    assert refusal.value.errors == [
        FieldError(
            "keep_consent",
            "Ask the resident first: without their agreement to keep their name and phone, "
            "the need cannot be filed for them.",
        )
    ]
    assert await snapshot() == before


async def test_filing_for_a_walk_in_names_every_field_to_correct(world: World) -> None:
    with pytest.raises(InputError) as refusal:
        await walk_ins.file_for_resident(
            world.staff,
            walk_in(category="cars", description=" ", name="", phone="call me"),
            language="en",
            now=T0,
        )
    assert refusal.value.errors == [
        FieldError("category", "Choose what the need is about."),
        FieldError("description", "Describe the need in a few words."),
        FieldError("name", "Enter the resident's name."),
        FieldError("phone", "Enter a phone number such as 13812345678."),
    ]
    with pytest.raises(InputError) as refusal:
        await walk_ins.file_for_resident(world.staff, walk_in(phone=""), language="en", now=T0)
    assert refusal.value.errors == [
        FieldError("phone", "Enter the resident's phone number, such as 13812345678.")
    ]
    assert await Need.count() == 0


async def test_staff_of_several_communities_choose_one_of_theirs(world: World) -> None:
    third = await make_community("caijiaxiang")
    both = await actor_for(
        await make_user("both@example.com", staff_of=[world.home, world.other], locale="en")
    )
    with pytest.raises(InputError) as refusal:
        await walk_ins.file_for_resident(both, walk_in(), language="en", now=T0)
    assert refusal.value.errors == [FieldError("community", "Choose one of your communities.")]
    need = await walk_ins.file_for_resident(
        both, walk_in(community="guangchang-dong"), language="zh_CN", now=T0
    )
    assert (need.community, need.language) == (world.other.id, "zh_CN")
    with pytest.raises(Forbidden):
        await walk_ins.file_for_resident(both, walk_in(community=third.slug), language="en", now=T0)
    with pytest.raises(Forbidden):
        await walk_ins.file_for_resident(world.resident, walk_in(), language="en", now=T0)
    assert await Need.count() == 1


async def test_a_walk_ins_need_goes_round_the_loop_to_a_followup(world: World) -> None:
    need = await walk_ins.file_for_resident(
        world.staff, walk_in(contact_consent="1"), language="en", now=T0
    )
    await dispatch.dispatch(
        world.staff,
        str(need.id),
        dispatch.DispatchForm(helper=f"volunteer:{world.volunteer.id}"),
        now=T1,
    )
    await helper_tasks.accept(world.helper, str(need.id), now=T2)
    await helper_tasks.finish(world.helper, str(need.id), resolution="New washer.", now=T3)
    solved = await followups.record_followup(
        world.staff,
        str(need.id),
        followups.FollowUpForm(method="phone", result="satisfied", note="Dry now"),
        now=T3 + (T1 - T0),
    )
    assert (solved.status, solved.followup_result) == ("rated", "satisfied")


# --- how the helper reaches the resident ------------------------------------------------------


async def test_the_helper_sees_how_to_reach_the_resident_only_with_consent(world: World) -> None:
    agreed = await walk_ins.file_for_resident(
        world.staff, walk_in(contact_consent="1"), language="en", now=T0
    )
    refused = await walk_ins.file_for_resident(world.staff, walk_in(), language="en", now=T0)
    assert helper_tasks.resident_contact(agreed, None) == ResidentContact("孙奶奶", "13900000001")
    assert helper_tasks.resident_contact(refused, None) is None
    agreed.personal_data_erased_at = T3
    assert helper_tasks.resident_contact(agreed, None) is None
    agreed.personal_data_erased_at = None
    agreed.reporter_name, agreed.reporter_contact = "", ""  # erased by the job
    assert helper_tasks.resident_contact(agreed, None) is None


async def test_a_resident_with_an_account_is_reached_on_their_login_phone(world: World) -> None:
    need = Need(
        community=world.home.id,
        contact_consent=True,
        reporter=world.resident.id,
        reporter_kind="resident",
        status="accepted",
    )
    assert helper_tasks.resident_contact(need, world.resident.user) == ResidentContact(
        "王阿姨", "13800000001"
    )
    by_email = await make_user("wang@example.com", name="王阿姨", community=world.home)
    assert helper_tasks.resident_contact(need, by_email) is None
    for status in ("done", "rated", "closed", "withdrawn"):
        need.status = status
        assert helper_tasks.resident_contact(need, world.resident.user) is None, status
    need.status, need.contact_consent = "accepted", False
    assert helper_tasks.resident_contact(need, world.resident.user) is None


async def test_a_walk_in_who_wants_texts_hears_at_dispatch_in_their_language(
    world: World,
) -> None:
    wants = await walk_ins.file_for_resident(
        world.staff, walk_in(notify_consent="1"), language="zh_CN", now=T0
    )
    quiet = await walk_ins.file_for_resident(
        world.staff, walk_in(phone="13900000002"), language="zh_CN", now=T0
    )
    form = dispatch.DispatchForm(helper=f"volunteer:{world.volunteer.id}")
    for need in (wants, quiet):
        await dispatch.dispatch(world.staff, str(need.id), form, now=T1)
    rows = await OutboxMessage.select(OutboxMessage.to_address, OutboxMessage.body).where(
        OutboxMessage.channel == "sms"
    )
    assert [row["to_address"] for row in rows] == ["13900000001"]
    body = rows[0]["body"]
    assert body.startswith(
        "【邻里】您在八一社区反映的问题“Tap leaks in the ki…”已派人处理。查看进度："
        "http://127.0.0.1:8000/needs/follow/"
    )
    # The link in the text opens the need (its hash was kept with the message).
    token = body.rsplit("/", 1)[1]
    follow = await reporter.follow_access(token)
    assert follow.need.id == wants.id
