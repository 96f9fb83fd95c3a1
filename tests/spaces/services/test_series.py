"""Group series: create with conflicts, edit one / following / all keeping exceptions,
cancel one and add it back."""

from __future__ import annotations

import asyncio
from datetime import date

import pytest

from app.errors import Conflict, InputError, MalformedRequest
from app.tables import AuditEntry, Notification
from spaces.logic.rules import Request
from spaces.services import bookings, cancellation, series, series_changes, series_dates
from spaces.services.series import SeriesForm
from spaces.services.series_dates import OccurrenceForm
from spaces.tables import Booking, BookingSeries, SeriesSkip, SpaceClosure
from tests.factories import (
    NOW,
    actor_for,
    make_community,
    make_space,
    make_user,
    shanghai,
)

# Tuesdays and Thursdays in March 2026 from the 3rd to the 26th.
MARCH = [date(2026, 3, d) for d in (3, 5, 10, 12, 17, 19, 24, 26)]


def elderly_band(**changes: object) -> SeriesForm:
    values: dict[str, object] = {
        "resident": "13812345678",
        "group_name": "老年合唱团",
        "weekdays": ["tue", "thu"],
        "start_time": "09:00",
        "end_time": "11:00",
        "starts_on": "2026-03-03",
        "ends_on": "2026-03-26",
        **changes,
    }
    return SeriesForm(**values)  # type: ignore[arg-type]


async def series_world():
    home = await make_community("bayi")
    staff = await actor_for(await make_user("staff@example.com", staff_of=[home]))
    leader = await make_user("13812345678", name="赵老师", community=home)
    hall = await make_space(home, "hall")
    return home, staff, leader, hall


async def _times(series_id) -> dict[date, tuple]:
    rows = await Booking.objects().where(
        (Booking.series == series_id) & (Booking.status == "confirmed")
    )
    return {
        b.occurrence_on: (b.starts_at, b.ends_at, b.detached)
        for b in sorted(rows, key=lambda b: b.occurrence_on)
    }


async def _skips(series_id) -> dict[date, str]:
    return {
        s.on_date: s.reason
        for s in await SeriesSkip.objects().where(SeriesSkip.series == series_id)
    }


async def _with_conflicts(home, hall):
    """A resident's booking on Thursday the 12th and a closure on Tuesday the 17th."""
    resident = await actor_for(await make_user(community=home))
    taken = await bookings.book(
        resident, "hall", Request(shanghai(12, 10), shanghai(12, 11)), now=NOW
    )
    await SpaceClosure(
        space=hall.id, starts_at=shanghai(17, 0), ends_at=shanghai(18, 0), created_at=NOW
    ).save()
    return resident, taken.booking


async def test_create_lists_conflicts_then_skips_them(db: None) -> None:
    home, staff, leader, hall = await series_world()
    await _with_conflicts(home, hall)
    with pytest.raises(series.ConflictsFound) as refused:
        await series.create(staff, hall, elderly_band(), now=NOW)
    problems = {o.on: o.problem for o in refused.value.occurrences if o.problem}
    assert problems == {
        date(2026, 3, 12): "这个时间已经有人预约了。",
        date(2026, 3, 17): "这个时间场地不开放。",
    }
    assert await BookingSeries.count() == 0

    made, booked, skipped = await series.create(
        staff, hall, elderly_band(skip_conflicts="1"), now=NOW
    )
    assert (booked, skipped) == (6, 2)
    times = await _times(made.id)
    assert sorted(times) == [d for d in MARCH if d.day not in (12, 17)]
    assert times[date(2026, 3, 3)] == (shanghai(3, 9), shanghai(3, 11), False)
    assert await _skips(made.id) == {date(2026, 3, 12): "conflict", date(2026, 3, 17): "conflict"}
    stored = await BookingSeries.objects().where(BookingSeries.id == made.id).first()
    assert (stored.weekdays, stored.start_time, stored.end_time, stored.user) == (
        "tue,thu",
        "09:00",
        "11:00",
        leader.id,
    )
    notice = await Notification.objects().where(Notification.user == leader.id).first()
    assert notice.kind == "series.changed"
    assert notice.title == (
        "工作人员为您预约了共享音乐室：每周二、周四 09:00–11:00，"
        "2026年3月3日周二至2026年3月26日周四。请在“我的预约”中查看。"
    )
    entry = await AuditEntry.objects().where(AuditEntry.action == "series.created").first()
    assert (entry.actor, entry.community) == (staff.id, home.id)


async def test_a_series_with_no_bookable_date_is_refused(db: None) -> None:
    _home, staff, _leader, hall = await series_world()
    with pytest.raises(InputError) as refused:
        await series.create(
            staff, hall, elderly_band(weekdays=["sat"], ends_on="2026-03-05"), now=NOW
        )
    assert [e.field for e in refused.value.errors] == ["weekdays"]
    with pytest.raises(InputError) as refused:
        await series.create(staff, hall, elderly_band(end_time="08:00"), now=NOW)
    assert [e.field for e in refused.value.errors] == ["end_time"]
    assert await BookingSeries.count() == 0 and await Booking.count() == 0


async def test_edit_all_keeps_exceptions(db: None) -> None:
    home, staff, _leader, hall = await series_world()
    await _with_conflicts(home, hall)
    made, _b, _s = await series.create(staff, hall, elderly_band(skip_conflicts="1"), now=NOW)
    times = await _times(made.id)
    # Exceptions: the 10th moved to the afternoon, the 19th cancelled.
    by_date = {b.occurrence_on: b for b in await Booking.objects().where(Booking.series == made.id)}
    await series_dates.edit_one(
        staff,
        hall,
        made,
        str(by_date[date(2026, 3, 10)].id),
        OccurrenceForm(on_date="2026-03-10", start_time="14:00", end_time="16:00"),
        now=NOW,
    )
    await series_dates.cancel_one(
        staff, hall, made, str(by_date[date(2026, 3, 19)].id), reason="停电", now=NOW
    )
    # All dates move an hour later.
    edited = await series_changes.edit(
        staff, hall, made, elderly_band(start_time="10:00", end_time="12:00", scope="all"), now=NOW
    )
    assert edited.id == made.id
    times = await _times(made.id)
    assert times == {
        date(2026, 3, 3): (shanghai(3, 10), shanghai(3, 12), False),
        date(2026, 3, 5): (shanghai(5, 10), shanghai(5, 12), False),
        date(2026, 3, 10): (shanghai(10, 14), shanghai(10, 16), True),
        date(2026, 3, 24): (shanghai(24, 10), shanghai(24, 12), False),
        date(2026, 3, 26): (shanghai(26, 10), shanghai(26, 12), False),
    }
    assert await _skips(made.id) == {
        date(2026, 3, 12): "conflict",
        date(2026, 3, 17): "conflict",
        date(2026, 3, 19): "cancelled",
    }
    stored = await BookingSeries.objects().where(BookingSeries.id == made.id).first()
    assert (stored.start_time, stored.sequence) == ("10:00", 1)


async def test_edit_following_splits_the_series_and_carries_exceptions(db: None) -> None:
    home, staff, _leader, hall = await series_world()
    await _with_conflicts(home, hall)
    made, _b, _s = await series.create(staff, hall, elderly_band(skip_conflicts="1"), now=NOW)
    by_date = {b.occurrence_on: b for b in await Booking.objects().where(Booking.series == made.id)}
    await series_dates.edit_one(
        staff,
        hall,
        made,
        str(by_date[date(2026, 3, 24)].id),
        OccurrenceForm(on_date="2026-03-24", start_time="18:00", end_time="20:00"),
        now=NOW,
    )
    later = await series_changes.edit(
        staff,
        hall,
        made,
        elderly_band(
            start_time="15:00", end_time="17:00", scope="following", from_date="2026-03-19"
        ),
        now=NOW,
    )
    assert later.id != made.id
    earlier = await BookingSeries.objects().where(BookingSeries.id == made.id).first()
    assert (earlier.ends_on, earlier.start_time) == (date(2026, 3, 18), "09:00")
    assert (later.starts_on, later.ends_on, later.start_time) == (
        date(2026, 3, 19),
        date(2026, 3, 26),
        "15:00",
    )
    assert await _times(made.id) == {
        date(2026, 3, 3): (shanghai(3, 9), shanghai(3, 11), False),
        date(2026, 3, 5): (shanghai(5, 9), shanghai(5, 11), False),
        date(2026, 3, 10): (shanghai(10, 9), shanghai(10, 11), False),
    }
    assert await _times(later.id) == {
        date(2026, 3, 19): (shanghai(19, 15), shanghai(19, 17), False),
        date(2026, 3, 24): (shanghai(24, 18), shanghai(24, 20), True),
        date(2026, 3, 26): (shanghai(26, 15), shanghai(26, 17), False),
    }
    assert await _skips(made.id) == {date(2026, 3, 12): "conflict", date(2026, 3, 17): "conflict"}


async def test_changing_days_cancels_dropped_dates_and_books_new_ones(db: None) -> None:
    _home, staff, _leader, hall = await series_world()
    made, _b, _s = await series.create(staff, hall, elderly_band(), now=NOW)
    await series_changes.edit(
        staff, hall, made, elderly_band(weekdays=["wed"], scope="all"), now=NOW
    )
    times = await _times(made.id)
    assert sorted(times) == [date(2026, 3, d) for d in (4, 11, 18, 25)]
    dropped = await Booking.objects().where(
        (Booking.series == made.id) & (Booking.status == "cancelled")
    )
    assert sorted(b.occurrence_on for b in dropped) == MARCH
    assert all(b.cancel_reason == "这个系列已修改。" for b in dropped)


async def test_a_date_dropped_by_an_edit_is_told_in_the_residents_language(db: None) -> None:
    """Staff work in Chinese; the leader reads English: the reason the system gives is theirs."""
    home = await make_community("bayi")
    staff = await actor_for(await make_user("staff@example.com", staff_of=[home]))
    await make_user("13812345678", name="Mr Zhao", community=home, locale="en")
    hall = await make_space(home, "hall")
    made, _b, _s = await series.create(staff, hall, elderly_band(ends_on="2026-03-05"), now=NOW)
    await series_changes.edit(
        staff,
        hall,
        made,
        elderly_band(ends_on="2026-03-05", weekdays=["wed"], scope="all"),
        now=NOW,
    )
    cancelled = await Notification.objects().where(Notification.kind == "booking.cancelled")
    assert sorted(n.title for n in cancelled) == [
        "Your booking of Shared music room on Thu, Mar 5, 2026 09:00 was cancelled: "
        "The series was changed.",
        "Your booking of Shared music room on Tue, Mar 3, 2026 09:00 was cancelled: "
        "The series was changed.",
    ]
    dropped = await Booking.objects().where(Booking.status == "cancelled")
    assert [b.cancel_reason for b in dropped] == ["The series was changed."] * 2


async def test_a_skipped_date_can_be_added_back_once_free(db: None) -> None:
    home, staff, _leader, hall = await series_world()
    resident, taken = await _with_conflicts(home, hall)
    made, _b, _s = await series.create(staff, hall, elderly_band(skip_conflicts="1"), now=NOW)
    with pytest.raises(Conflict):
        await series_dates.restore(staff, hall, made, "2026-03-12", now=NOW)
    await cancellation.cancel(resident, str(taken.id), now=NOW)
    restored = await series_dates.restore(staff, hall, made, "2026-03-12", now=NOW)
    assert (restored.starts_at, restored.ends_at, restored.occurrence_on) == (
        shanghai(12, 9),
        shanghai(12, 11),
        date(2026, 3, 12),
    )
    assert await _skips(made.id) == {date(2026, 3, 17): "conflict"}


async def test_moving_one_occurrence_onto_a_taken_time_is_refused(db: None) -> None:
    home, staff, _leader, hall = await series_world()
    await _with_conflicts(home, hall)
    made, _b, _s = await series.create(staff, hall, elderly_band(skip_conflicts="1"), now=NOW)
    first = await Booking.objects().where(Booking.occurrence_on == date(2026, 3, 3)).first()
    with pytest.raises(Conflict):
        await series_dates.edit_one(
            staff,
            hall,
            made,
            str(first.id),
            OccurrenceForm(on_date="2026-03-12", start_time="10:00", end_time="11:00"),
            now=NOW,
        )
    assert (await _times(made.id))[date(2026, 3, 3)] == (shanghai(3, 9), shanghai(3, 11), False)


# --- one series per form token --------------------------------------------------------------


def ladder_group(**changes: object) -> SeriesForm:
    """The red-team case: a one-unit item, two Tuesdays, skipping what is in the way."""
    values: dict[str, object] = {
        "group_name": "Test group",
        "weekdays": "tue",
        "start_time": "08:00",
        "end_time": "09:00",
        "starts_on": "2026-03-03",
        "count": "2",
        "skip_conflicts": "1",
        **changes,
    }
    return SeriesForm(**values)  # type: ignore[arg-type]


async def test_five_concurrent_creates_with_one_form_token_make_one_series(
    db_pool: None,
) -> None:
    home = await make_community("caijiaxiang")
    staff = await actor_for(await make_user("staff@example.com", staff_of=[home]))
    ladder = await make_space(home, "ladder", kind="tool", buffer_minutes=30)
    results = await asyncio.gather(
        *(series.create(staff, ladder, ladder_group(), now=NOW, form_token="t-1") for _ in range(5))
    )
    assert len({made.id for made, _booked, _skipped in results}) == 1
    assert [(booked, skipped) for _made, booked, skipped in results] == [(2, 0)] * 5
    assert await BookingSeries.count() == 1
    assert await Booking.count() == 2


async def test_a_form_token_of_another_space_is_refused(db: None) -> None:
    home, staff, _leader, hall = await series_world()
    court = await make_space(home, "court")
    await series.create(staff, hall, ladder_group(), now=NOW, form_token="t-1")
    with pytest.raises(MalformedRequest) as refused:
        await series.create(staff, court, ladder_group(), now=NOW, form_token="t-1")
    assert refused.value.by_field() == {
        "form_token": "无法核对这张表单，请检查填写的内容后再提交一次。"
    }
    assert await BookingSeries.count() == 1


async def test_the_same_form_token_of_two_staff_makes_two_series(db: None) -> None:
    home, staff, _leader, hall = await series_world()
    other = await actor_for(await make_user("other@example.com", staff_of=[home]))
    await series.create(staff, hall, ladder_group(), now=NOW, form_token="t-1")
    await series.create(
        other, hall, ladder_group(starts_on="2026-03-17"), now=NOW, form_token="t-1"
    )
    assert await BookingSeries.count() == 2
