"""The impact step of weekly hours, special hours, a larger buffer and a lower capacity: what
is listed, no default, each answer applied once, and each resident told in their language."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta

import pytest

from app.calendar_exceptions import (
    CANCEL,
    KEEP,
    Confirmation,
    Impact,
    ImpactChanged,
    ImpactRefused,
    SpecialHoursForm,
)
from app.errors import InputError
from app.i18n import set_locale
from app.tables import AuditEntry, Notification
from spaces.logic.rules import Request
from spaces.logic.space_form import form_of
from spaces.services import bookings, editing, special_hours
from spaces.tables import Booking, Space, SpaceClosure, SpaceSpecialHours
from tests.factories import NOW, actor_for, make_community, make_space, make_user, shanghai

EVENING = (shanghai(3, 19), shanghai(3, 21))
"""Tuesday 3 March, 19:00-21:00: outside Tuesday hours of 08:00-18:00."""
MORNING = (shanghai(3, 10), shanghai(3, 11))


@pytest.fixture(autouse=True)
def staff_locale(db: None) -> Iterator[None]:
    """Staff act in Chinese unless a test says otherwise."""
    set_locale("zh_CN")
    yield
    set_locale("zh_CN")


async def _world(**space):
    home = await make_community("bayi")
    staff = await actor_for(await make_user(staff_of=[home], name="刘主任"))
    room = await make_space(home, "room", **space)
    return home, staff, room


async def _book(home, span, *, name="王阿姨", locale="", units=1, now=NOW) -> Booking:
    actor = await actor_for(await make_user(community=home, name=name, locale=locale))
    result = await bookings.book(actor, "room", Request(span[0], span[1], units), now=now)
    return result.booking


def _short_tuesday(room: Space):
    form = form_of(room)
    form.hours_tue = "08:00-18:00"
    return form


async def _status(booking: Booking) -> str:
    return (await Booking.objects().where(Booking.id == booking.id).first()).status


async def _tuesday_hours(room: Space) -> str:
    stored = await Space.objects().where(Space.id == room.id).first()
    return json.loads(stored.weekly_hours)["tue"]


async def _titles(booking: Booking) -> list[str]:
    rows = await Notification.objects().where(Notification.user == booking.user)
    return [row.title for row in rows]


async def test_weekly_hours_that_hit_nothing_are_saved_at_once() -> None:
    home, staff, room = await _world()
    await _book(home, MORNING)
    changed = await editing.update_space(staff, room, _short_tuesday(room), now=NOW)
    assert changed == ["weekly_hours"]
    assert await _tuesday_hours(room) == "08:00-18:00"


async def test_weekly_hours_that_strand_a_booking_need_the_step() -> None:
    home, staff, room = await _world(requires_approval=False)
    evening = await _book(home, EVENING)
    await _book(home, MORNING)
    with pytest.raises(ImpactChanged) as caught:
        await editing.update_space(staff, room, _short_tuesday(room), now=NOW)
    impact = caught.value.affected
    assert isinstance(impact, Impact)
    assert ([b.id for b in impact.outside], impact.requests, impact.over) == ([evening.id], [], [])
    assert await _tuesday_hours(room) == "08:00-22:00"
    assert await Notification.count() == 0


async def test_no_choice_is_refused_and_nothing_changes() -> None:
    home, staff, room = await _world()
    evening = await _book(home, EVENING)
    expected = f"outside:{evening.id}"
    with pytest.raises(ImpactRefused) as caught:
        await editing.update_space(
            staff,
            room,
            _short_tuesday(room),
            now=NOW,
            confirmation=Confirmation("", "维修", expected),
        )
    assert caught.value.by_field() == {"choice": "请选择如何处理这些预约。"}
    assert [b.id for b in caught.value.impact.outside] == [evening.id]
    with pytest.raises(ImpactRefused) as caught:
        await editing.update_space(
            staff,
            room,
            _short_tuesday(room),
            now=NOW,
            confirmation=Confirmation(CANCEL, "  ", expected),
        )
    assert caught.value.by_field() == {"cancel_reason": "请写明原因，居民会看到。"}
    assert await _tuesday_hours(room) == "08:00-22:00"
    assert await _status(evening) == "confirmed"
    assert await Notification.count() == 0


async def test_keep_tells_each_resident_in_their_language_and_changes_only_the_hours() -> None:
    home, staff, room = await _world()
    english = await _book(home, EVENING, name="Anna", locale="en")
    chinese = await _book(home, (shanghai(10, 19), shanghai(10, 20)), name="张三", locale="zh_CN")
    morning = await _book(home, MORNING, name="李四")
    expected = Impact(outside=[english, chinese]).fingerprint()
    await editing.update_space(
        staff, room, _short_tuesday(room), now=NOW, confirmation=Confirmation(KEEP, "", expected)
    )
    assert await _tuesday_hours(room) == "08:00-18:00"
    assert [await _status(b) for b in (english, chinese, morning)] == ["confirmed"] * 3
    assert await _titles(english) == [
        "The opening hours of Shared music room changed, and your booking on Tue, Mar 3, 2026 19:00"
        " is now outside them. Your booking stands; the staff will let you in."
    ]
    assert await _titles(chinese) == [
        "共享音乐室的开放时间变了，您在2026年3月10日周二 19:00的预约已不在开放时间内。"
        "预约仍然有效，工作人员会为您开门。"
    ]
    assert await _titles(morning) == []
    entry = (
        await AuditEntry.objects()
        .output(load_json=True)
        .where(AuditEntry.action == "space.update")
        .first()
    )
    assert entry.after["impact"] == {
        "bookings": "keep",
        "kept": [str(english.id), str(chinese.id)],
        "cancelled": [],
        "rejected": [],
        "reason": "",
    }


async def test_cancel_cancels_exactly_the_listed_and_rejects_requests_outside() -> None:
    home, staff, room = await _world(requires_approval=True)
    # Past bookings are not touched: last Tuesday evening's is over.
    last_tuesday = (shanghai(24, 19, month=2), shanghai(24, 21, month=2))
    past = await _book(home, last_tuesday, now=NOW - timedelta(days=8))
    await Booking.update({Booking.status: "confirmed"}).where(Booking.id == past.id)
    confirmed = await _book(home, EVENING, name="Anna", locale="en")
    await Booking.update({Booking.status: "confirmed"}).where(Booking.id == confirmed.id)
    pending = await _book(home, (shanghai(10, 20), shanghai(10, 21)), name="张三")
    inside = await _book(home, MORNING, name="李四")
    expected = f"outside:{confirmed.id},request:{pending.id}"
    set_locale("en")  # staff read English; each resident is told in their own language
    await editing.update_space(
        staff,
        room,
        _short_tuesday(room),
        now=NOW,
        confirmation=Confirmation(CANCEL, "周二晚上改为培训", expected),
    )
    assert [await _status(b) for b in (past, confirmed, pending, inside)] == [
        "confirmed",
        "cancelled",
        "rejected",
        "pending",
    ]
    stored = await Booking.objects().where(Booking.id == confirmed.id).first()
    assert (stored.cancel_reason, stored.cancelled_by) == ("周二晚上改为培训", staff.id)
    assert await _titles(confirmed) == [
        "Your booking of Shared music room on Tue, Mar 3, 2026 19:00 was cancelled because the "
        "opening hours changed: 周二晚上改为培训"
    ]
    assert await _titles(pending) == [
        "您申请的共享音乐室（2026年3月10日周二 20:00）未获批准，因为开放时间变了：周二晚上改为培训"
    ]
    assert await _titles(inside) == []


async def test_a_double_submitted_confirmation_changes_things_once() -> None:
    home, staff, room = await _world()
    evening = await _book(home, EVENING)
    answer = Confirmation(CANCEL, "改时间", f"outside:{evening.id}")
    first = await editing.update_space(
        staff, room, _short_tuesday(room), now=NOW, confirmation=answer
    )
    second = await editing.update_space(
        staff, room, _short_tuesday(room), now=NOW, confirmation=answer
    )
    assert (first, second) == (["weekly_hours"], [])
    assert await Notification.count() == 1
    assert await AuditEntry.count().where(AuditEntry.action == "space.update") == 1


async def test_a_booking_made_after_the_preview_is_shown_in_a_new_list() -> None:
    home, staff, room = await _world()
    evening = await _book(home, EVENING)
    with pytest.raises(ImpactChanged) as caught:
        await editing.update_space(staff, room, _short_tuesday(room), now=NOW)
    seen = caught.value.affected.fingerprint()
    late = await _book(home, (shanghai(10, 19), shanghai(10, 20)), name="晚到的王五")
    with pytest.raises(ImpactChanged) as caught:
        await editing.update_space(
            staff, room, _short_tuesday(room), now=NOW, confirmation=Confirmation(KEEP, "", seen)
        )
    assert [b.id for b in caught.value.affected.outside] == [evening.id, late.id]
    assert await _tuesday_hours(room) == "08:00-22:00"
    assert await Notification.count() == 0


async def test_a_larger_buffer_lists_what_no_longer_fits_and_offers_no_keep() -> None:
    home, staff, room = await _world()
    first = await _book(home, MORNING)
    second = await _book(home, (shanghai(3, 11), shanghai(3, 12)))
    later = await _book(home, (shanghai(3, 15), shanghai(3, 16)))
    form = form_of(room)
    form.buffer_minutes = "30"
    with pytest.raises(ImpactChanged) as caught:
        await editing.update_space(staff, room, form, now=NOW)
    impact = caught.value.affected
    assert (impact.outside, [b.id for b in impact.over]) == ([], [first.id, second.id])
    expected = impact.fingerprint()
    # "keep" is no answer here: nothing ticked is refused, whatever the choice says.
    for choice in (KEEP, ""):
        with pytest.raises(ImpactRefused) as refused:
            await editing.update_space(
                staff, room, form, now=NOW, confirmation=Confirmation(choice, "保洁", expected)
            )
        assert refused.value.by_field() == {
            "cancel_booking": "剩下的预约同时占用 2 个，而空间只有 1 个。请再勾选要取消的预约。"
        }
    assert (await Space.objects().where(Space.id == room.id).first()).buffer_minutes == 0
    await editing.update_space(
        staff,
        room,
        form,
        now=NOW,
        confirmation=Confirmation("", "保洁", expected, (str(second.id),)),
    )
    assert [await _status(b) for b in (first, second, later)] == [
        "confirmed",
        "cancelled",
        "confirmed",
    ]
    assert (await Space.objects().where(Space.id == room.id).first()).buffer_minutes == 30
    assert await _titles(second) == ["您预约的共享音乐室（2026年3月3日周二 11:00）已被取消：保洁"]


async def test_a_lower_capacity_needs_enough_cancelled() -> None:
    home, staff, room = await _world(capacity=3)
    a = await _book(home, MORNING)
    b = await _book(home, MORNING)
    c = await _book(home, (shanghai(3, 10, 30), shanghai(3, 11, 30)))
    alone = await _book(home, (shanghai(4, 10), shanghai(4, 11)))
    form = form_of(room)
    form.capacity = "1"
    with pytest.raises(ImpactChanged) as caught:
        await editing.update_space(staff, room, form, now=NOW)
    expected = caught.value.affected.fingerprint()
    assert [x.id for x in caught.value.affected.over] == [a.id, b.id, c.id]
    with pytest.raises(ImpactRefused) as refused:
        await editing.update_space(
            staff,
            room,
            form,
            now=NOW,
            confirmation=Confirmation("", "减少数量", expected, (str(a.id),)),
        )
    assert refused.value.by_field() == {
        "cancel_booking": "剩下的预约同时占用 2 个，而空间只有 1 个。请再勾选要取消的预约。"
    }
    assert [await _status(x) for x in (a, b, c)] == ["confirmed"] * 3
    await editing.update_space(
        staff,
        room,
        form,
        now=NOW,
        confirmation=Confirmation("", "减少数量", expected, (str(a.id), str(c.id))),
    )
    assert [await _status(x) for x in (a, b, c, alone)] == [
        "cancelled",
        "confirmed",
        "cancelled",
        "confirmed",
    ]
    assert (await Space.objects().where(Space.id == room.id).first()).capacity == 1


async def test_a_lower_capacity_that_blocks_alone_exceed_is_refused_on_the_field() -> None:
    _home, staff, room = await _world(capacity=2)
    await SpaceClosure(
        space=room.id, starts_at=shanghai(5, 9), ends_at=shanghai(5, 12), units=2, created_at=NOW
    ).save()
    form = form_of(room)
    form.capacity = "1"
    with pytest.raises(InputError) as caught:
        await editing.update_space(staff, room, form, now=NOW)
    assert list(caught.value.by_field()) == ["capacity"]
    assert (await Space.objects().where(Space.id == room.id).first()).capacity == 2


async def test_special_hours_for_a_date_go_through_the_step() -> None:
    home, staff, room = await _world()
    evening = await _book(home, EVENING, name="Anna", locale="en")
    other_day = await _book(home, (shanghai(4, 19), shanghai(4, 21)))
    form = SpecialHoursForm(on_date="2026-03-03", hours="08:00-12:00", note="停电")
    with pytest.raises(ImpactChanged) as caught:
        await special_hours.set_special_hours(staff, room, form, now=NOW)
    assert [b.id for b in caught.value.affected.outside] == [evening.id]
    assert await SpaceSpecialHours.count() == 0
    answer = Confirmation(KEEP, "", f"outside:{evening.id}")
    assert await special_hours.set_special_hours(staff, room, form, now=NOW, confirmation=answer)
    # Sent again: the date has these hours already, nothing changes.
    assert not await special_hours.set_special_hours(
        staff, room, form, now=NOW, confirmation=answer
    )
    assert [row.hours for row in await SpaceSpecialHours.objects()] == ["08:00-12:00"]
    assert await _titles(evening) == [
        "The opening hours of Shared music room changed, and your booking on Tue, Mar 3, 2026 19:00"
        " is now outside them. Your booking stands; the staff will let you in."
    ]
    assert await _titles(other_day) == []
    # Bookings already outside the hours are not listed again by a later change.
    later = replace(form, hours="08:00-11:00")
    assert await special_hours.set_special_hours(staff, room, later, now=NOW)


async def test_removing_special_hours_goes_through_the_step() -> None:
    home, staff, room = await _world()
    # Tuesday 3 March is open late that day only; a booking uses the late hours.
    await SpaceSpecialHours(
        space=room.id, on_date=shanghai(3, 0).date(), hours="08:00-23:00"
    ).save()
    row = await SpaceSpecialHours.objects().first()
    late = await _book(home, (shanghai(3, 21), shanghai(3, 23)), name="Anna", locale="en")
    with pytest.raises(ImpactChanged) as caught:
        await special_hours.remove_special_hours(staff, room, row.id, now=NOW)
    assert [b.id for b in caught.value.affected.outside] == [late.id]
    assert await SpaceSpecialHours.count() == 1
    answer = Confirmation(CANCEL, "恢复正常时间", f"outside:{late.id}")
    await special_hours.remove_special_hours(staff, room, row.id, now=NOW, confirmation=answer)
    assert await SpaceSpecialHours.count() == 0
    assert await _status(late) == "cancelled"
    assert await _titles(late) == [
        "Your booking of Shared music room on Tue, Mar 3, 2026 21:00 was cancelled because the "
        "opening hours changed: 恢复正常时间"
    ]


async def test_hours_and_capacity_changed_together_cancel_and_tell_each_booking_once() -> None:
    home, staff, room = await _world(capacity=2)
    evening = [await _book(home, EVENING, name=name) for name in ("张三", "李四")]
    form = _short_tuesday(room)
    form.capacity = "1"
    with pytest.raises(ImpactChanged) as caught:
        await editing.update_space(staff, room, form, now=NOW)
    impact = caught.value.affected
    assert [b.id for b in impact.outside] == [b.id for b in impact.over] == [b.id for b in evening]
    # Kept outside the hours, but one ticked for the capacity: it is cancelled, not kept.
    answer = Confirmation(KEEP, "只剩一间", impact.fingerprint(), (str(evening[0].id),))
    await editing.update_space(staff, room, form, now=NOW, confirmation=answer)
    assert [await _status(b) for b in evening] == ["cancelled", "confirmed"]
    assert [n.kind for n in await Notification.objects().order_by(Notification.id)] == [
        "booking.hours_kept",
        "booking.cancelled",
    ]
    assert await _titles(evening[0]) == [
        "您预约的共享音乐室（2026年3月3日周二 19:00）已被取消：只剩一间"
    ]


async def test_cancelling_outside_the_hours_counts_towards_the_capacity() -> None:
    home, staff, room = await _world(capacity=2)
    evening = [await _book(home, EVENING, name=name) for name in ("张三", "李四")]
    form = _short_tuesday(room)
    form.capacity = "1"
    with pytest.raises(ImpactChanged) as caught:
        await editing.update_space(staff, room, form, now=NOW)
    expected = caught.value.affected.fingerprint()
    # Everything outside the hours is cancelled, which makes the rest fit; the one also
    # ticked for the capacity is cancelled and told once.
    answer = Confirmation(CANCEL, "改为培训", expected, (str(evening[0].id),))
    await editing.update_space(staff, room, form, now=NOW, confirmation=answer)
    assert [await _status(b) for b in evening] == ["cancelled", "cancelled"]
    assert await Notification.count() == 2
    assert await _titles(evening[0]) == [
        "您预约的共享音乐室（2026年3月3日周二 19:00）已被取消，因为开放时间变了：改为培训"
    ]


async def test_a_booking_kept_through_a_closure_is_listed_again_when_more_is_taken() -> None:
    """Kept through a closure of 10:00-11:00, a 09:00-13:00 booking is partly outside the
    opening time already; closing its whole day takes the rest, so it is listed again."""
    home, staff, room = await _world()
    long = await _book(home, (shanghai(3, 9), shanghai(3, 13)))
    await SpaceClosure(
        space=room.id, starts_at=shanghai(3, 10), ends_at=shanghai(3, 11), created_at=NOW
    ).save()
    one_hour_less = _short_tuesday(room)  # 18:00 instead of 22:00 takes nothing from it
    assert await editing.update_space(staff, room, one_hour_less, now=NOW) == ["weekly_hours"]
    room = await Space.objects(Space.community).where(Space.id == room.id).first()
    closed = form_of(room)
    closed.hours_tue = ""
    with pytest.raises(ImpactChanged) as caught:
        await editing.update_space(staff, room, closed, now=NOW)
    assert [b.id for b in caught.value.affected.outside] == [long.id]


async def test_a_booking_under_way_is_judged_by_what_is_left_of_it() -> None:
    """At 12:00 on Tuesday a 10:00-20:00 loan is under way: closing at 21:00 takes nothing
    from it, closing at 18:00 takes two of its hours still to come, and opening only at
    11:00 takes nothing still to come."""
    home, staff, room = await _world()
    loan = await _book(home, (shanghai(3, 10), shanghai(3, 20)))
    noon = shanghai(3, 12)
    later = form_of(room)
    later.hours_tue = "08:00-21:00"
    assert await editing.update_space(staff, room, later, now=noon) == ["weekly_hours"]
    room = await Space.objects(Space.community).where(Space.id == room.id).first()
    with pytest.raises(ImpactChanged) as caught:
        await editing.update_space(staff, room, _short_tuesday(room), now=noon)
    assert [b.id for b in caught.value.affected.outside] == [loan.id]
    # The morning is past: opening only from 11:00 takes nothing still to come.
    room = await Space.objects(Space.community).where(Space.id == room.id).first()
    late_start = form_of(room)
    late_start.hours_tue = "11:00-21:00"
    assert await editing.update_space(staff, room, late_start, now=noon) == ["weekly_hours"]


async def test_an_edit_takes_the_holidays_lock_too(monkeypatch: pytest.MonkeyPatch) -> None:
    """A space that starts closing on holidays while a day off is added would escape that
    day's impact step: the edit waits for the holidays' lock as the day off does."""
    from app.holidays import HOLIDAYS_LOCK

    _home, staff, room = await _world()
    taken: list[tuple[str, ...]] = []
    real = editing.write_transaction

    def recording(*keys: str):
        taken.append(keys)
        return real(*keys)

    monkeypatch.setattr(editing, "write_transaction", recording)
    await editing.update_space(staff, room, _short_tuesday(room), now=NOW)
    assert taken == [(f"space:{room.id}", HOLIDAYS_LOCK)]
