"""The needs loop through its services: 点单 (file) — 派单 (dispatch) — 接单 (accept, decline,
record done) — 评单 (rate), withdrawing, turning a need into a booking or a series, and every
refusal: each leaves nothing behind."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from app import photos
from app.errors import Conflict, FieldError, InputError, NotFound, RuleViolation, Throttled
from app.i18n import set_locale
from app.permissions import Actor
from app.tables import AuditEntry, Community, Notification, User
from needs import convert, dashboard, dispatch, services, steps, tasks
from needs.tables import Need, NeedEvent, PartnerUnit, Volunteer
from spaces.tables import Booking, BookingSeries
from tests.factories import actor_for, make_community, make_space, make_station, make_user

T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
"""Monday 2 March 2026, 09:00 in Shanghai: the need is filed."""
T1, T2, T3, T4, T5 = (T0 + timedelta(hours=n) for n in range(1, 6))
LIGHT = "Stair light out in building 3"


@pytest.fixture(autouse=True)
def media(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Photos go to this test's own folder; messages are read in English."""
    monkeypatch.setattr(photos, "media_dir", lambda: tmp_path)
    set_locale("en")
    yield tmp_path
    set_locale("zh_CN")


async def make_volunteer(
    user: User, community: Community, *, categories: str = "repairs", status: str = "approved"
) -> Volunteer:
    volunteer = Volunteer(
        user=user.id,
        community=community.id,
        categories=categories,
        skills="electrician",
        status=status,
        applied_at=T0 - timedelta(days=30),
        decided_at=T0 - timedelta(days=29),
    )
    await volunteer.save()
    return volunteer


async def make_unit(
    community: Community,
    *,
    contact: User | None = None,
    categories: str = "repairs,environment",
    active: bool = True,
    name_zh: str = "潞州物业公司",
) -> PartnerUnit:
    unit = PartnerUnit(
        community=community.id,
        name_zh=name_zh,
        name_en="Luzhou Property Management",
        kind="物业公司",
        contact_user=contact.id if contact else None,
        categories=categories,
        active=active,
        created_at=T0 - timedelta(days=30),
        updated_at=T0 - timedelta(days=30),
    )
    await unit.save()
    return unit


@dataclass
class World:
    home: Community
    other: Community
    staff: Actor
    other_staff: Actor
    resident: Actor
    neighbour: Actor
    helper: Actor
    """An approved volunteer of `home` for repairs."""
    volunteer: Volunteer
    stranger: Actor
    """An approved volunteer of `other`."""
    stranger_volunteer: Volunteer


async def make_world() -> World:
    home = await make_community("bayi", name_zh="八一社区", name_en="Bayi Community")
    other = await make_community("guangchang-dong", name_zh="广场东社区", name_en="Guangchang East")
    staff = await make_user("staff@example.com", name="李主任", staff_of=[home], locale="en")
    other_staff = await make_user("other@example.com", name="赵主任", staff_of=[other], locale="en")
    resident = await make_user("13800000001", name="王阿姨", community=home, locale="en")
    neighbour = await make_user("13800000002", name="张大爷", community=home, locale="en")
    helper = await make_user("13800000003", name="刘师傅", community=home, locale="en")
    stranger = await make_user("13800000004", name="陈师傅", community=other, locale="en")
    return World(
        home=home,
        other=other,
        staff=await actor_for(staff),
        other_staff=await actor_for(other_staff),
        resident=await actor_for(resident),
        neighbour=await actor_for(neighbour),
        helper=await actor_for(helper),
        volunteer=await make_volunteer(helper, home),
        stranger=await actor_for(stranger),
        stranger_volunteer=await make_volunteer(stranger, other),
    )


@pytest.fixture
async def world(db: None) -> World:
    return await make_world()


async def file(
    actor: Actor | None, *, at: datetime = T0, client_ip: str = "198.51.100.1", **fields: Any
) -> tuple[Need, str | None]:
    values = {"category": "repairs", "description": LIGHT, "place": "Building 3", **fields}
    return await services.file_need(actor, services.Filing(**values), client_ip=client_ip, now=at)


async def reload(need: Need) -> Need:
    return await Need.objects().where(Need.id == need.id).first()


async def events_of(need: Need) -> list[tuple[str, datetime, int | None, str]]:
    rows = await NeedEvent.select().where(NeedEvent.need == need.id).order_by(NeedEvent.id)
    return [(row["kind"], row["at"], row["actor"], row["detail"]) for row in rows]


async def notices() -> list[tuple[int, str, str]]:
    rows = await Notification.select().order_by(Notification.id)
    return [(row["user"], row["kind"], row["title"]) for row in rows]


async def audit_entry(action: str) -> dict[str, Any]:
    return (
        await AuditEntry.select().where(AuditEntry.action == action).output(load_json=True).first()
    )


async def snapshot() -> tuple[Any, ...]:
    """Everything a refused step must leave as it was."""
    return (
        await Need.select().order_by(Need.created_at),
        await NeedEvent.count(),
        await Notification.count(),
        await AuditEntry.count(),
    )


# --- the whole loop ------------------------------------------------------------------------


async def test_the_whole_loop_from_filing_to_a_good_rating(world: World) -> None:
    need, token = await file(world.resident)
    assert token is None  # a signed-in resident follows it under "My needs"
    assert (need.status, need.reporter, need.reporter_kind, need.community) == (
        "open",
        world.resident.id,
        "resident",
        world.home.id,
    )
    await dispatch.dispatch(
        world.staff,
        str(need.id),
        dispatch.DispatchForm(helper=f"volunteer:{world.volunteer.id}", helper_note="Bring a bulb"),
        now=T1,
    )
    await tasks.accept(world.helper, str(need.id), now=T2)
    await tasks.finish(world.helper, str(need.id), resolution="Changed the bulb.", now=T3)
    access = await services.reporter_access(world.resident, str(need.id))
    rated = await services.rate(access, stars="5", comment="Quick, thank you", now=T4)

    assert rated.status == "rated"
    assert (rated.created_at, rated.dispatched_at, rated.accepted_at, rated.done_at) == (
        T0,
        T1,
        T2,
        T3,
    )
    assert (rated.rated_at, rated.updated_at, rated.sequence) == (T4, T4, 4)
    assert (rated.rating, rated.rating_comment, rated.resolution) == (
        5,
        "Quick, thank you",
        "Changed the bulb.",
    )
    assert (rated.volunteer, rated.unit, rated.times_reopened) == (world.volunteer.id, None, 0)
    assert await events_of(need) == [
        ("filed", T0, world.resident.id, ""),
        ("dispatched", T1, world.staff.id, "刘师傅: Bring a bulb"),
        ("accepted", T2, world.helper.id, ""),
        ("done", T3, world.helper.id, "Changed the bulb."),
        ("rated", T4, world.resident.id, "5/5 · Quick, thank you"),
    ]
    assert await notices() == [
        (world.staff.id, "need.filed", f"New need in Bayi Community (Repairs): {LIGHT}"),
        (world.helper.id, "need.dispatched", f"A need was sent to you (Repairs): {LIGHT}"),
        (world.resident.id, "need.dispatched", f"Your need was sent to a helper: {LIGHT}"),
        (world.resident.id, "need.accepted", f"A helper is handling your need: {LIGHT}"),
        (
            world.resident.id,
            "need.done",
            f"Your need was done: {LIGHT}. Please rate how it went.",
        ),
        (world.helper.id, "need.rated", f"Your help was rated 5 of 5: {LIGHT}"),
    ]
    links = await Notification.select(Notification.link).order_by(Notification.id)
    assert [row["link"] for row in links] == [
        f"/staff/needs/{need.id}",
        f"/needs/tasks/{need.id}",
        f"/needs/{need.id}",
        f"/needs/{need.id}",
        f"/needs/{need.id}",
        f"/needs/tasks/{need.id}",
    ]
    entry = await audit_entry("need.dispatched")
    assert (entry["actor"], entry["subject_id"], entry["community"], entry["occurred_at"]) == (
        world.staff.id,
        str(need.id),
        world.home.id,
        T1,
    )
    assert entry["after"] == {"status": "dispatched", "volunteer": world.volunteer.id}
    assert entry["before"] == {"status": "open", "volunteer": None}


async def test_decline_returns_the_need_to_the_queue(world: World) -> None:
    contact = await actor_for(await make_user("13800000009", name="物业小周", community=world.home))
    unit = await make_unit(world.home, contact=contact.user)
    need, _ = await file(world.resident)
    form = dispatch.DispatchForm(helper=f"unit:{unit.id}")
    await dispatch.dispatch(world.staff, str(need.id), form, now=T1)
    await tasks.accept(contact, str(need.id), now=T2)
    await tasks.decline(contact, str(need.id), reason="  Not our building  ", now=T3)

    back = await reload(need)
    assert (back.status, back.unit, back.volunteer, back.sequence) == ("open", None, None, 3)
    assert (back.dispatched_at, back.accepted_at, back.updated_at) == (T1, T2, T3)
    assert [kind for kind, *_ in await events_of(need)] == [
        "filed",
        "dispatched",
        "accepted",
        "declined",
    ]
    assert (await events_of(need))[-1] == ("declined", T3, contact.id, "Not our building")
    assert (await notices())[-1] == (
        world.staff.id,
        "need.declined",
        f"A helper declined a need, it is waiting again: {LIGHT}. Reason: Not our building",
    )
    assert await tasks.tasks_of(contact) == []  # no longer theirs …
    queue = await dispatch.queue(world.staff, dispatch.QueueFilter())
    assert [row["id"] for row in queue] == [need.id]  # … but back in the staff's queue
    with pytest.raises(NotFound):
        await tasks.accept(contact, str(need.id), now=T4)
    # Staff send it to someone else.
    volunteer_form = dispatch.DispatchForm(helper=f"volunteer:{world.volunteer.id}")
    again = await dispatch.dispatch(world.staff, str(need.id), volunteer_form, now=T4)
    assert (again.status, again.volunteer, again.dispatched_at) == (
        "dispatched",
        world.volunteer.id,
        T4,
    )


async def test_a_low_rating_reopens_the_need_for_staff(world: World) -> None:
    need, _ = await file(world.resident)
    form = dispatch.DispatchForm(helper=f"volunteer:{world.volunteer.id}")
    await dispatch.dispatch(world.staff, str(need.id), form, now=T1)
    await tasks.accept(world.helper, str(need.id), now=T2)
    await tasks.finish(world.helper, str(need.id), resolution="Changed the bulb.", now=T3)
    access = await services.reporter_access(world.resident, str(need.id))
    reopened = await services.rate(access, stars="2", comment="Still dark at night", now=T4)

    assert (reopened.status, reopened.times_reopened, reopened.volunteer) == ("open", 1, None)
    assert (reopened.rating, reopened.rating_comment, reopened.rated_at) == (
        2,
        "Still dark at night",
        T4,
    )
    assert (await events_of(need))[-2:] == [
        ("rated", T4, world.resident.id, "2/5 · Still dark at night"),
        ("reopened", T4, world.resident.id, ""),
    ]
    assert (await notices())[-2:] == [
        (world.helper.id, "need.rated", f"Your help was rated 2 of 5: {LIGHT}"),
        (
            world.staff.id,
            "need.reopened",
            f"A need was rated 2 of 5 and is open again: {LIGHT}",
        ),
    ]
    # The dashboard shows it among the reopened ones; the helper's list no longer has it open.
    [panel] = await dashboard.dashboard(world.staff, T5)
    assert panel.count == 1
    assert [row["id"] for row in panel.context["reopened"]] == [need.id]
    assert [row["id"] for row in panel.context["oldest"]] == [need.id]
    assert await dashboard.dashboard(world.other_staff, T5) != []
    [other_panel] = await dashboard.dashboard(world.other_staff, T5)
    assert (other_panel.count, other_panel.context["reopened"]) == (0, [])
    # Sent again and done again, it can be rated again.
    await dispatch.dispatch(world.staff, str(need.id), form, now=T5)
    await tasks.accept(world.helper, str(need.id), now=T5)
    await tasks.finish(world.helper, str(need.id), resolution="New fitting.", now=T5)
    done = await services.rate(access, stars="4", comment="", now=T5 + timedelta(hours=1))
    assert (done.status, done.rating, done.times_reopened) == ("rated", 4, 1)


# --- refusals: a clear message, nothing stored ---------------------------------------------


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        (
            {"description": "   "},
            [FieldError("description", "Describe the need in a few words.")],
        ),
        ({"category": "ufo"}, [FieldError("category", "Choose what the need is about.")]),
        (
            {"description": "x" * 1001, "place": "y" * 201},
            [
                FieldError("description", "Use at most 1000 characters."),
                FieldError("place", "Use at most 200 characters."),
            ],
        ),
        (
            {"photo": b"Shopping list: milk, eggs\n"},
            [FieldError("photo", "This file is not a photo. Choose a JPEG, PNG or WebP picture.")],
        ),
        (
            {"photo": b"\xff\xd8\xff" + b"\x00" * (8 * 1024 * 1024)},
            [
                FieldError(
                    "photo",
                    "The photo is larger than 8 MB. Choose a smaller one, or take it again at a "
                    "lower resolution.",
                )
            ],
        ),
    ],
)
async def test_bad_filings_are_refused_and_nothing_is_stored(
    world: World, media: Path, fields: dict[str, Any], expected: list[FieldError]
) -> None:
    before = await snapshot()
    with pytest.raises(InputError) as caught:
        await file(world.resident, **fields)
    assert caught.value.errors == expected
    assert await snapshot() == before
    assert not (media / "photos").exists()


async def test_an_anonymous_filing_needs_a_community_and_a_usable_phone(world: World) -> None:
    with pytest.raises(InputError) as caught:
        await file(None, community="", contact="call me")
    assert caught.value.errors == [
        FieldError("community", "Choose the community where it is."),
        FieldError("contact", "Enter a phone number such as 13812345678, or leave it empty."),
    ]
    assert await Need.count() == 0


async def test_dispatching_to_a_helper_of_another_community_is_refused(world: World) -> None:
    need, _ = await file(world.resident)
    foreign_unit = await make_unit(world.other, contact=world.stranger.user)
    retired_unit = await make_unit(world.home, active=False)
    applied = await make_volunteer(world.neighbour.user, world.home, status="applied")
    before = await snapshot()
    refusals = {
        f"volunteer:{world.stranger_volunteer.id}": "This volunteer is not an approved "
        "volunteer of the need's community.",
        f"volunteer:{applied.id}": "This volunteer is not an approved volunteer of the need's "
        "community.",
        f"unit:{foreign_unit.id}": "This partner unit is not an active partner of the need's "
        "community.",
        f"unit:{retired_unit.id}": "This partner unit is not an active partner of the need's "
        "community.",
        "": "Choose a volunteer or a partner unit.",
        "volunteer:999": "This volunteer is not an approved volunteer of the need's community.",
    }
    for helper, message in refusals.items():
        with pytest.raises(InputError) as caught:
            await dispatch.dispatch(
                world.staff, str(need.id), dispatch.DispatchForm(helper=helper), now=T1
            )
        assert caught.value.errors == [FieldError("helper", message)], helper
    assert await snapshot() == before


async def test_rating_is_refused_before_done_twice_or_for_someone_else(world: World) -> None:
    need, _ = await file(world.resident)
    access = await services.reporter_access(world.resident, str(need.id))
    before = await snapshot()
    with pytest.raises(Conflict) as early:
        await services.rate(access, stars="5", comment="", now=T1)
    assert early.value.detail == "You can rate it once it is done."
    with pytest.raises(NotFound):
        await services.reporter_access(world.neighbour, str(need.id))
    with pytest.raises(NotFound):
        await services.reporter_access(world.staff, str(need.id))  # staff use their own pages
    with pytest.raises(NotFound):
        await services.reporter_access(world.resident, "not-a-need")
    assert await snapshot() == before

    form = dispatch.DispatchForm(helper=f"volunteer:{world.volunteer.id}")
    await dispatch.dispatch(world.staff, str(need.id), form, now=T1)
    await tasks.accept(world.helper, str(need.id), now=T2)
    await tasks.finish(world.helper, str(need.id), resolution="Done.", now=T3)
    before = await snapshot()
    for stars in ("0", "6", "", "five"):
        with pytest.raises(InputError) as caught:
            await services.rate(access, stars=stars, comment="", now=T4)
        assert caught.value.errors == [FieldError("rating", "Choose from 1 to 5 stars.")]
    with pytest.raises(InputError) as long_comment:
        await services.rate(access, stars="4", comment="x" * 501, now=T4)
    assert long_comment.value.errors == [FieldError("comment", "Use at most 500 characters.")]
    assert await snapshot() == before
    await services.rate(access, stars="4", comment="", now=T4)
    before = await snapshot()
    with pytest.raises(Conflict) as twice:
        await services.rate(access, stars="1", comment="", now=T5)
    assert twice.value.detail == "It was already rated. Thank you!"
    assert await snapshot() == before


# --- who may act ---------------------------------------------------------------------------


async def test_staff_of_another_community_reach_nothing(world: World) -> None:
    need, _ = await file(world.resident)
    await make_space(world.home, "music-room")
    before = await snapshot()
    foreign = world.other_staff
    with pytest.raises(NotFound):
        await dispatch.managed_need(foreign, str(need.id))
    with pytest.raises(NotFound):
        await dispatch.dispatch(
            foreign,
            str(need.id),
            dispatch.DispatchForm(helper=f"volunteer:{world.stranger_volunteer.id}"),
            now=T1,
        )
    with pytest.raises(NotFound):
        await dispatch.withdraw(foreign, str(need.id), reason="Not ours", now=T1)
    with pytest.raises(NotFound):
        await convert.to_booking(
            foreign,
            str(need.id),
            convert.BookingForm(
                space="music-room", on_date="2026-03-03", start_time="10:00", end_time="11:00"
            ),
            now=T1,
        )
    with pytest.raises(NotFound):
        await convert.to_series(foreign, str(need.id), convert.SeriesForm(), now=T1)
    assert await dispatch.queue(foreign, dispatch.QueueFilter(status="all")) == []
    assert await snapshot() == before
    assert await Booking.count() == 0


async def test_only_the_assigned_helper_acts_and_only_in_the_right_order(world: World) -> None:
    need, _ = await file(world.resident)
    with pytest.raises(NotFound):  # not sent to anyone yet
        await tasks.accept(world.helper, str(need.id), now=T1)
    form = dispatch.DispatchForm(helper=f"volunteer:{world.volunteer.id}")
    await dispatch.dispatch(world.staff, str(need.id), form, now=T1)
    other_volunteer = await actor_for(world.neighbour.user)
    await make_volunteer(world.neighbour.user, world.home)
    before = await snapshot()
    for actor in (other_volunteer, world.stranger, world.staff, world.resident):
        with pytest.raises(NotFound):
            await tasks.accept(actor, str(need.id), now=T2)
        with pytest.raises(NotFound):
            await tasks.decline(actor, str(need.id), reason="No", now=T2)
        with pytest.raises(NotFound):
            await tasks.finish(actor, str(need.id), resolution="Done", now=T2)
    with pytest.raises(Conflict) as early:
        await tasks.finish(world.helper, str(need.id), resolution="Done", now=T2)
    assert early.value.detail == "Accept it first, then record what was done."
    with pytest.raises(InputError) as no_reason:
        await tasks.decline(world.helper, str(need.id), reason=" ", now=T2)
    assert no_reason.value.errors == [
        FieldError("reason", "Tell the staff why, so they can find someone else.")
    ]
    assert await snapshot() == before
    await tasks.accept(world.helper, str(need.id), now=T2)
    before = await snapshot()
    with pytest.raises(Conflict) as twice:
        await tasks.accept(world.helper, str(need.id), now=T3)
    assert twice.value.detail == (
        "This cannot be done any more: the need is now “Being handled”. Reload the page to see "
        "where it stands."
    )
    with pytest.raises(InputError) as empty:
        await tasks.finish(world.helper, str(need.id), resolution="", now=T3)
    assert empty.value.errors == [FieldError("resolution", "Say in a few words what was done.")]
    with pytest.raises(Conflict):  # staff cannot send it elsewhere once accepted
        await dispatch.dispatch(world.staff, str(need.id), form, now=T3)
    assert await snapshot() == before
    assert [row["id"] for row in await tasks.tasks_of(world.helper)] == [need.id]
    assert await tasks.tasks_of(other_volunteer) == []
    assert await tasks.is_helper(world.helper) and not await tasks.is_helper(world.resident)


async def test_withdrawing_by_the_reporter_and_by_staff(world: World) -> None:
    mine, _ = await file(world.resident)
    access = await services.reporter_access(world.resident, str(mine.id))
    withdrawn = await services.withdraw_own(access, now=T1)
    assert (withdrawn.status, withdrawn.withdrawn_at, withdrawn.sequence) == ("withdrawn", T1, 1)
    assert (await notices())[-1] == (
        world.staff.id,
        "need.withdrawn",
        f"A need was withdrawn by the person who filed it: {LIGHT}",
    )

    other, _ = await file(
        world.resident, description="Parking on the fire lane", category="parking"
    )
    form = dispatch.DispatchForm(helper=f"volunteer:{world.volunteer.id}")
    await dispatch.dispatch(world.staff, str(other.id), form, now=T1)
    await tasks.accept(world.helper, str(other.id), now=T2)
    access = await services.reporter_access(world.resident, str(other.id))
    before = await snapshot()
    with pytest.raises(Conflict):
        await services.withdraw_own(access, now=T3)
    with pytest.raises(InputError) as no_reason:
        await dispatch.withdraw(world.staff, str(other.id), reason="", now=T3)
    assert no_reason.value.errors == [
        FieldError("reason", "Tell the person who filed it why it is closed.")
    ]
    assert await snapshot() == before
    closed = await dispatch.withdraw(
        world.staff, str(other.id), reason="The police handle parking", now=T3
    )
    assert (closed.status, closed.withdrawn_at) == ("withdrawn", T3)
    assert (await notices())[-2:] == [
        (
            world.resident.id,
            "need.withdrawn",
            "The community closed your need: Parking on the fire lane. Reason: The police "
            "handle parking",
        ),
        (
            world.helper.id,
            "need.withdrawn",
            "A need sent to you was closed: Parking on the fire lane",
        ),
    ]
    entry = await audit_entry("need.withdrawn")
    assert (entry["before"], entry["after"]) == (
        {"status": "accepted"},
        {"status": "withdrawn", "reason": "The police handle parking"},
    )


async def test_the_queue_puts_open_needs_first_oldest_first(world: World) -> None:
    first, _ = await file(world.resident, at=T0)
    second, _ = await file(world.neighbour, at=T1, category="environment", description="Rubbish")
    third, _ = await file(world.resident, at=T2, category="parking", description="Cars")
    form = dispatch.DispatchForm(helper=f"volunteer:{world.volunteer.id}")
    await dispatch.dispatch(world.staff, str(first.id), form, now=T3)
    rows = await dispatch.queue(world.staff, dispatch.QueueFilter())
    assert [(row["id"], row["status"]) for row in rows] == [
        (second.id, "open"),
        (third.id, "open"),
        (first.id, "dispatched"),
    ]
    assert rows[2]["volunteer_name"] == "刘师傅"
    parking = await dispatch.queue(world.staff, dispatch.QueueFilter(category="parking"))
    assert [row["id"] for row in parking] == [third.id]
    sent = await dispatch.queue(world.staff, dispatch.QueueFilter(status="dispatched"))
    assert [row["id"] for row in sent] == [first.id]


async def test_candidates_matching_the_category_come_first(world: World) -> None:
    need, _ = await file(world.resident, category="environment", description="Rubbish")
    unit = await make_unit(world.home, categories="environment")
    await make_unit(world.other, categories="environment", name_zh="别的社区单位")
    matching, others = await dispatch.candidates(need)
    assert [(c.key, c.name) for c in matching] == [
        (f"unit:{unit.id}", "Luzhou Property Management")
    ]
    assert [(c.key, c.name) for c in others] == [(f"volunteer:{world.volunteer.id}", "刘师傅")]


# --- people without an account -------------------------------------------------------------


async def test_an_anonymous_courier_files_from_a_station_and_follows_it_by_link(
    world: World,
) -> None:
    await make_station(world.home, "rider-home")
    need, token = await file(
        None, community="", station="rider-home", contact="138 1234 5678", place=""
    )
    assert token is not None and len(token) == 43
    stored = await reload(need)
    assert stored.follow_token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(await Need.select().first())
    assert (stored.community, stored.station_slug, stored.reporter, stored.reporter_kind) == (
        world.home.id,
        "rider-home",
        None,
        "courier",
    )
    assert stored.reporter_contact == "138 1234 5678"
    assert await events_of(need) == [("filed", T0, None, "")]
    access = await services.follow_access(token)
    assert access.need.id == need.id and access.user_id is None
    with pytest.raises(NotFound):
        await services.follow_access(token[:-1] + ("A" if token[-1] != "A" else "B"))
    with pytest.raises(NotFound):
        await services.follow_access("short")
    # Rating through the link once done; no account, so nobody is notified as the reporter.
    form = dispatch.DispatchForm(helper=f"volunteer:{world.volunteer.id}")
    await dispatch.dispatch(world.staff, str(need.id), form, now=T1)
    await tasks.accept(world.helper, str(need.id), now=T2)
    await tasks.finish(world.helper, str(need.id), resolution="Fixed.", now=T3)
    rated = await services.rate(access, stars="3", comment="", now=T4)
    assert rated.status == "rated"
    assert [user for user, *_ in await notices()] == [
        world.staff.id,
        world.helper.id,
        world.helper.id,
    ]


async def test_anonymous_filing_is_throttled_per_address(world: World) -> None:
    for minute in range(5):
        await file(None, community="bayi", at=T0 + timedelta(minutes=minute))
    with pytest.raises(Throttled) as caught:
        await file(None, community="bayi", at=T0 + timedelta(minutes=10))
    assert caught.value.retry_after_s == 50 * 60
    assert await Need.count() == 5
    await file(None, community="bayi", at=T0 + timedelta(minutes=10), client_ip="198.51.100.2")
    await file(world.resident, at=T0 + timedelta(minutes=10))  # residents are not throttled
    await file(None, community="bayi", at=T0 + timedelta(minutes=61))  # an hour later
    assert await Need.count() == 8


# --- turning a need into a booking ---------------------------------------------------------


async def test_a_need_becomes_a_booking_for_its_reporter(world: World) -> None:
    space = await make_space(world.home, "music-room")
    need, _ = await file(
        world.resident, category="space_or_tool", description="Our band needs a room"
    )
    form = convert.BookingForm(
        space="music-room", on_date="2026-03-03", start_time="10:00", end_time="12:00"
    )
    done = await convert.to_booking(world.staff, str(need.id), form, now=T1)

    booking = await Booking.objects().first()
    assert (booking.user, booking.space, booking.booked_by, booking.status) == (
        world.resident.id,
        space.id,
        world.staff.id,
        "confirmed",
    )
    assert (booking.starts_at, booking.ends_at) == (
        datetime(2026, 3, 3, 2, 0, tzinfo=UTC),
        datetime(2026, 3, 3, 4, 0, tzinfo=UTC),
    )
    assert (done.status, done.booking_ref, done.done_at, done.sequence) == (
        "done",
        str(booking.id),
        T1,
        1,
    )
    assert done.resolution == "Booked Shared music room on Tue, Mar 3, 2026, 10:00–12:00."
    assert (await events_of(need))[-1] == ("converted", T1, world.staff.id, done.resolution)
    assert [(user, kind) for user, kind, _ in await notices()][-2:] == [
        (world.resident.id, "booking.booked_for_you"),
        (world.resident.id, "need.converted"),
    ]
    actions = await AuditEntry.select(AuditEntry.action).order_by(AuditEntry.id)
    assert [row["action"] for row in actions] == ["booking.on_behalf", "need.converted"]
    access = await services.reporter_access(world.resident, str(need.id))
    assert (await services.rate(access, stars="5", comment="", now=T2)).status == "rated"


async def test_no_booking_for_an_anonymous_need_or_a_refused_time(world: World) -> None:
    await make_space(world.home, "music-room")
    anonymous, _ = await file(None, community="bayi", category="space_or_tool")
    mine, _ = await file(world.resident, category="space_or_tool")
    before = await snapshot()
    good = convert.BookingForm(
        space="music-room", on_date="2026-03-03", start_time="10:00", end_time="12:00"
    )
    with pytest.raises(RuleViolation) as caught:
        await convert.to_booking(world.staff, str(anonymous.id), good, now=T1)
    assert caught.value.rule == "anonymous"
    late = convert.BookingForm(
        space="music-room", on_date="2026-03-03", start_time="22:00", end_time="23:00"
    )
    with pytest.raises(RuleViolation):  # the space closes at 22:00
        await convert.to_booking(world.staff, str(mine.id), late, now=T1)
    other_space = await make_space(world.other, "elsewhere")
    before = await snapshot()
    with pytest.raises(InputError) as wrong_space:
        await convert.to_booking(
            world.staff,
            str(mine.id),
            convert.BookingForm(
                space=other_space.slug, on_date="2026-03-03", start_time="10:00", end_time="11:00"
            ),
            now=T1,
        )
    assert wrong_space.value.errors == [
        FieldError("space", "Choose a space of the need's community.")
    ]
    assert await snapshot() == before
    assert await Booking.count() == 0


async def test_a_booking_that_cannot_record_its_need_is_not_made(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The booking and the need's step are one transaction: if the need was closed in the
    meantime, the booking is rolled back with it."""
    await make_space(world.home, "music-room")
    need, _ = await file(world.resident, category="space_or_tool")

    async def closed_meanwhile(need_id: Any) -> Need:
        found = await steps.locked(need_id)
        found.status = "withdrawn"
        return found

    monkeypatch.setattr(convert, "locked", closed_meanwhile)
    form = convert.BookingForm(
        space="music-room", on_date="2026-03-03", start_time="10:00", end_time="11:00"
    )
    with pytest.raises(Conflict):
        await convert.to_booking(world.staff, str(need.id), form, now=T1)
    assert await Booking.count() == 0
    assert (await reload(need)).status == "open"
    assert await AuditEntry.count() == 0
    assert [kind for _user, kind, _title in await notices()] == ["need.filed"]


async def test_a_need_becomes_a_weekly_series_for_its_reporter(world: World) -> None:
    await make_space(world.home, "music-room")
    need, _ = await file(
        world.resident, category="space_or_tool", description="Band rehearsal on Tuesdays"
    )
    form = convert.SeriesForm(
        series_space="music-room",
        group_name="老年乐队",
        weekdays="tue",
        series_start_time="14:00",
        series_end_time="16:00",
        starts_on="2026-03-03",
        count="4",
    )
    done, booked, skipped = await convert.to_series(world.staff, str(need.id), form, now=T1)
    series = await BookingSeries.objects().first()
    assert (series.user, series.group_name, booked, skipped) == (
        world.resident.id,
        "老年乐队",
        4,
        0,
    )
    assert await Booking.count().where(Booking.series == series.id) == 4
    assert (done.status, done.series_ref, done.booking_ref) == ("done", str(series.id), "")
    assert done.resolution == (
        "Booked Shared music room: Every Tue, 14:00–16:00, from Tue, Mar 3, 2026 to "
        "Tue, Mar 24, 2026."
    )
    bad = convert.SeriesForm(series_space="music-room", weekdays="tue", series_start_time="16:00")
    other, _ = await file(world.resident, category="space_or_tool")
    before = await snapshot()
    with pytest.raises(InputError) as caught:
        await convert.to_series(world.staff, str(other.id), bad, now=T1)
    assert {error.field for error in caught.value.errors} == {
        "series_end_time",
        "starts_on",
        "ends_on",
    }
    assert await snapshot() == before


async def test_a_persons_data_export_includes_their_needs(db: None) -> None:
    from needs.domain import export_account
    from needs.tables import Need
    from tests.factories import NOW
    from tests.factories import make_community as community_factory
    from tests.factories import make_user as user_factory

    home = await community_factory("bayi")
    resident = await user_factory("13812345670", community=home)
    import uuid

    await Need(
        id=uuid.uuid4(),
        community=home.id,
        category="repairs",
        description="楼道灯坏了",
        status="open",
        reporter=resident.id,
        reporter_kind="resident",
        created_at=NOW,
        updated_at=NOW,
    ).save()
    exported = await export_account(resident, NOW)
    (need,) = exported["needs"]
    assert (need["community"], need["description"], need["status"]) == (
        "bayi",
        "楼道灯坏了",
        "open",
    )
    assert exported["volunteering"] == []
