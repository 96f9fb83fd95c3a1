"""A new public holiday (a day off) goes through the impact step: what it hits in the spaces
that close on holidays, no default, each answer applied once, each resident told in their
own language."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from datetime import date

import pytest

from app import holidays
from app.calendar_exceptions import (
    CANCEL,
    KEEP,
    Confirmation,
    ImpactChanged,
    ImpactRefused,
    fingerprint,
)
from app.domains import DayHit
from app.i18n import set_locale
from app.permissions import Actor
from app.tables import AuditEntry, Notification, PublicHoliday, User
from spaces.logic.rules import Request
from spaces.services import bookings, holiday_closing
from spaces.tables import Booking, Space
from tests.factories import NOW, actor_for, make_community, make_space, make_user, shanghai

DAY = date(2026, 3, 4)
"""Wednesday 4 March 2026: not in the shipped holiday table."""
EVENING = (shanghai(4, 19), shanghai(4, 21))
MORNING = (shanghai(4, 9), shanghai(4, 10))


@pytest.fixture(autouse=True)
def admin_locale(db: None) -> Iterator[None]:
    """The administrator acts in Chinese; the kernel knows the installed domains."""
    from app.asgi import install_domains

    install_domains()
    set_locale("zh_CN")
    yield
    set_locale("zh_CN")


async def _admin() -> Actor:
    return await actor_for(await make_user("admin@example.com", is_admin=True, name="管理员"))


async def _book(slug: str, span, *, name="王阿姨", locale="") -> Booking:
    space = await Space.objects(Space.community).where(Space.slug == slug).first()
    user = await make_user(community=space.community, name=name, locale=locale)
    result = await bookings.book(await actor_for(user), slug, Request(*span), now=NOW)
    return result.booking


async def _add(admin: Actor, confirmation: Confirmation | None = None, *, kind="holiday"):
    return await holidays.add(
        admin, DAY.isoformat(), kind, "测试假日", "Test holiday", now=NOW, confirmation=confirmation
    )


async def _status(booking: Booking) -> str:
    return (await Booking.objects().where(Booking.id == booking.id).first()).status


async def _titles(booking: Booking) -> list[str]:
    rows = await Notification.objects().where(Notification.user == booking.user)
    return [row.title for row in rows]


async def _day_in_table() -> list[tuple[bool, str]]:
    rows = await PublicHoliday.objects().where(PublicHoliday.on_date == DAY)
    return [(row.is_workday, row.name_zh) for row in rows]


async def _world():
    home = await make_community("bayi")
    await make_space(home, "room", closed_on_holidays=True)
    await make_space(home, "hall", closed_on_holidays=True, requires_approval=True)
    await make_space(home, "court", closed_on_holidays=False)
    return home, await _admin()


async def test_a_day_off_that_hits_bookings_lists_them_by_space_and_saves_nothing() -> None:
    _home, admin = await _world()
    in_room = await _book("room", EVENING, name="张三")
    requested = await _book("hall", MORNING, name="李四")
    await _book("court", EVENING, name="球友")  # the court stays open on holidays
    await _book("room", (shanghai(5, 19), shanghai(5, 21)), name="次日")  # another day
    with pytest.raises(ImpactChanged) as caught:
        await _add(admin)
    impact = caught.value.affected
    assert impact.outside == [
        DayHit(
            id=in_room.id,
            status="confirmed",
            place="room",
            place_zh="共享音乐室",
            place_en="Shared music room",
            starts_at=EVENING[0],
            ends_at=EVENING[1],
            zone="Asia/Shanghai",
            units=1,
            resident="张三",
            resident_login=(await User.objects().where(User.id == in_room.user).first()).login,
            group=None,
        )
    ]
    assert [(h.id, h.place, h.status) for h in impact.requests] == [
        (requested.id, "hall", "pending")
    ]
    assert await _day_in_table() == []
    assert await Notification.count() == 0


async def test_no_choice_or_no_reason_is_refused_and_nothing_changes() -> None:
    _home, admin = await _world()
    booking = await _book("room", EVENING)
    expected = f"outside:{booking.id}"
    with pytest.raises(ImpactRefused) as caught:
        await _add(admin, Confirmation("", "放假", expected))
    assert caught.value.by_field() == {"choice": "请选择如何处理这些预约。"}
    assert [h.id for h in caught.value.impact.outside] == [booking.id]
    with pytest.raises(ImpactRefused) as caught:
        await _add(admin, Confirmation(CANCEL, " ", expected))
    assert caught.value.by_field() == {"cancel_reason": "请写明原因，居民会看到。"}
    assert await _day_in_table() == []
    assert await _status(booking) == "confirmed"
    assert await Notification.count() == 0


async def test_keep_tells_each_resident_in_their_language_and_the_bookings_stand() -> None:
    _home, admin = await _world()
    english = await _book("room", EVENING, name="Anna", locale="en")
    chinese = await _book("room", MORNING, name="张三", locale="zh_CN")
    expected = fingerprint([f"outside:{chinese.id}", f"outside:{english.id}"])
    saved = await _add(admin, Confirmation(KEEP, "", expected))
    assert (saved.changed, saved.choice) == (True, KEEP)
    assert await _day_in_table() == [(False, "测试假日")]
    assert [await _status(b) for b in (english, chinese)] == ["confirmed", "confirmed"]
    assert await _titles(english) == [
        "Shared music room is closed for Test holiday on the day of your booking, "
        "Wed, Mar 4, 2026 19:00. Your booking stands; the staff will let you in."
    ]
    assert await _titles(chinese) == [
        "共享音乐室在测试假日当天不开放，您2026年3月4日周三 09:00的预约照常有效，工作人员会为您开门。"
    ]
    entry = (
        await AuditEntry.objects()
        .output(load_json=True)
        .where(AuditEntry.action == "holiday.set")
        .first()
    )
    assert entry.after == {
        "kind": "holiday",
        "name_zh": "测试假日",
        "name_en": "Test holiday",
        "impact": [
            {
                "bookings": "keep",
                "kept": [str(chinese.id), str(english.id)],
                "cancelled": [],
                "rejected": [],
                "reason": "",
            }
        ],
    }


async def test_cancel_cancels_the_bookings_and_rejects_the_requests_with_the_reason() -> None:
    _home, admin = await _world()
    confirmed = await _book("room", EVENING, name="Anna", locale="en")
    pending = await _book("hall", MORNING, name="张三")
    expected = fingerprint([f"outside:{confirmed.id}", f"request:{pending.id}"])
    set_locale("en")  # whatever the administrator reads, residents are told in their language
    saved = await _add(admin, Confirmation(CANCEL, "节日放假", expected))
    assert (saved.changed, saved.choice) == (True, CANCEL)
    assert (await _status(confirmed), await _status(pending)) == ("cancelled", "rejected")
    stored = await Booking.objects().where(Booking.id == confirmed.id).first()
    assert (stored.cancel_reason, stored.cancelled_by) == ("节日放假", admin.id)
    refused = await Booking.objects().where(Booking.id == pending.id).first()
    assert (refused.decision_note, refused.decided_by) == ("节日放假", admin.id)
    assert await _titles(confirmed) == [
        "Your booking of Shared music room on Wed, Mar 4, 2026 19:00 was cancelled because it is "
        "closed for Test holiday: 节日放假"
    ]
    assert await _titles(pending) == [
        "您申请的共享音乐室（2026年3月4日周三 09:00）未获批准，因为测试假日当天不开放：节日放假"
    ]


async def test_a_request_alone_needs_a_reason_but_no_choice() -> None:
    _home, admin = await _world()
    pending = await _book("hall", MORNING)
    with pytest.raises(ImpactRefused) as caught:
        await _add(admin, Confirmation("", "", f"request:{pending.id}"))
    assert caught.value.by_field() == {"cancel_reason": "请写明原因，居民会看到。"}
    saved = await _add(admin, Confirmation("", "节日放假", f"request:{pending.id}"))
    assert (saved.changed, saved.choice, await _status(pending)) == (True, "", "rejected")


async def test_a_booking_made_since_the_step_refuses_with_the_new_list() -> None:
    _home, admin = await _world()
    first = await _book("room", EVENING)
    later = await _book("room", MORNING, name="晚到的王五")
    with pytest.raises(ImpactChanged) as caught:
        await _add(admin, Confirmation(CANCEL, "节日放假", f"outside:{first.id}"))
    assert [h.resident for h in caught.value.affected.outside] == ["晚到的王五", "王阿姨"]
    assert caught.value.affected.fingerprint() == fingerprint(
        [f"outside:{first.id}", f"outside:{later.id}"]
    )
    assert await _day_in_table() == []
    assert (await _status(first), await _status(later)) == ("confirmed", "confirmed")
    assert await Notification.count() == 0


async def test_a_double_submitted_confirmation_changes_things_once() -> None:
    _home, admin = await _world()
    booking = await _book("room", EVENING)
    answer = Confirmation(CANCEL, "节日放假", f"outside:{booking.id}")
    first = await _add(admin, answer)
    second = await _add(admin, answer)
    assert (first.changed, second.changed) == (True, False)
    assert await _status(booking) == "cancelled"
    assert await Notification.count() == 1
    assert await AuditEntry.count().where(AuditEntry.action == "holiday.set") == 1


async def test_a_day_off_that_hits_nothing_is_saved_at_once() -> None:
    _home, admin = await _world()
    await _book("court", EVENING)  # not closed on holidays
    await _book("room", (shanghai(5, 19), shanghai(5, 21)))  # the day after
    saved = await _add(admin)
    assert (saved.changed, bool(saved.impact)) == (True, False)
    assert await _day_in_table() == [(False, "测试假日")]
    assert await Notification.count() == 0


async def test_a_make_up_working_day_needs_no_step() -> None:
    _home, admin = await _world()
    booking = await _book("room", EVENING)
    saved = await _add(admin, kind="workday")
    assert (saved.changed, bool(saved.impact)) == (True, False)
    assert await _day_in_table() == [(True, "测试假日")]
    assert await _status(booking) == "confirmed"


async def test_renaming_a_day_off_lists_nothing_already_closed() -> None:
    _home, admin = await _world()
    await PublicHoliday.insert(
        PublicHoliday(on_date=DAY, is_workday=False, name_zh="旧名", name_en="Old")
    )
    await _book("court", EVENING)
    booking = await _book("court", MORNING)
    await Space.update({Space.closed_on_holidays: True}).where(Space.slug == "court")
    # The booking is outside the opening time already: a new name changes nothing for it.
    saved = await _add(admin)
    assert (saved.changed, bool(saved.impact)) == (True, False)
    assert await _status(booking) == "confirmed"


async def test_the_locks_are_those_of_every_space_closed_on_holidays() -> None:
    await _world()
    ids = {row["slug"]: row["id"] for row in await Space.select(Space.slug, Space.id)}
    assert await holiday_closing.lock_keys() == [f"space:{ids['hall']}", f"space:{ids['room']}"]


async def test_a_space_that_begins_closing_on_holidays_meanwhile_is_locked_too(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _home, admin = await _world()
    ids = {row["slug"]: row["id"] for row in await Space.select(Space.slug, Space.id)}
    taken: list[tuple[str, ...]] = []
    real = holidays.write_transaction

    @asynccontextmanager
    async def recording(*keys: str) -> AsyncIterator[None]:
        if not taken:  # an edit of the court commits between reading the keys and locking
            await Space.update({Space.closed_on_holidays: True}).where(Space.slug == "court")
        taken.append(keys)
        async with real(*keys):
            yield

    monkeypatch.setattr(holidays, "write_transaction", recording)
    booking = await _book("court", EVENING)
    with pytest.raises(ImpactChanged) as caught:
        await _add(admin)
    assert taken == [
        ("holidays", *sorted([f"space:{ids['hall']}", f"space:{ids['room']}"])),
        ("holidays", *sorted(f"space:{ids[slug]}" for slug in ("court", "hall", "room"))),
    ]
    assert [h.id for h in caught.value.affected.outside] == [booking.id]
