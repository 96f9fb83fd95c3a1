"""The closure and special-hours forms and the impact step that spaces and stations share."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from app.calendar import Interval
from app.calendar_exceptions import (
    CANCEL,
    KEEP,
    ClosureDraft,
    ClosureForm,
    Consequence,
    Impact,
    ImpactChanged,
    SpecialHours,
    SpecialHoursForm,
    check_unchanged,
    chosen,
    fingerprint,
    losing_open_time,
    read_closure,
    read_consequence,
    read_special_hours,
    split_known,
)
from app.errors import InputError

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2030, 3, 4, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
REQUIRED = "Say why."


def utc(day: int, hour: int, minute: int = 0, month: int = 3) -> datetime:
    return datetime(2030, month, day, hour, minute, tzinfo=UTC)


def read(**typed: str) -> ClosureDraft:
    return read_closure(ClosureForm(**typed), SHANGHAI, NOW, reason_required=REQUIRED)


def errors_of(**typed: str) -> dict[str, str]:
    with pytest.raises(InputError) as refusal:
        read(**typed)
    return refusal.value.by_field()


def test_whole_days_run_from_local_midnight_to_the_midnight_after_the_last_day() -> None:
    draft = read(from_date="2030-03-05", to_date="2030-03-06", all_day="on", reason="Painting")
    assert draft == ClosureDraft(utc(4, 16), utc(6, 16), True, "Painting")


def test_whole_days_without_an_end_date_close_one_day() -> None:
    draft = read(from_date="2030-03-05", all_day="1", reason="Painting")
    assert (draft.start, draft.end) == (utc(4, 16), utc(5, 16))


def test_a_time_range_runs_from_the_first_days_time_to_the_last_days_time() -> None:
    draft = read(
        from_date="2030-03-05", from_time="09:30", to_date="2030-03-05", to_time="11:00", reason="x"
    )
    assert draft == ClosureDraft(utc(5, 1, 30), utc(5, 3), False, "x")


def test_every_mistake_is_named_at_once() -> None:
    assert errors_of(from_date="2030-13-01", from_time="25:00", reason="") == {
        "from_date": "请按 2026-03-02 的格式填写日期。",
        "from_time": "请按 09:30 的格式填写时间。",
        "to_time": "请按 09:30 的格式填写时间。",
        "reason": REQUIRED,
    }


def test_the_end_must_follow_the_start() -> None:
    assert errors_of(from_date="2030-03-05", from_time="11:00", to_time="09:00", reason="x") == {
        "to_time": "结束时间必须晚于开始时间。"
    }


def test_a_closure_lasts_at_most_366_days() -> None:
    assert errors_of(from_date="2030-03-05", to_date="2031-03-06", all_day="on", reason="x") == {
        "to_date": "一次关闭最长 366 天。"
    }
    assert read(from_date="2030-03-05", to_date="2031-03-05", all_day="on", reason="x")


def test_a_closure_already_over_is_refused() -> None:
    assert errors_of(from_date="2030-03-03", all_day="on", reason="x") == {
        "to_date": "这段时间已经过去了。"
    }


def test_problems_the_domain_found_first_are_raised_together() -> None:
    from app.formfields import Fields

    fields = Fields()
    fields.error("units", "Too many.")
    with pytest.raises(InputError) as refusal:
        read_closure(
            ClosureForm(from_date="2030-03-05", all_day="on", reason=""),
            SHANGHAI,
            NOW,
            reason_required=REQUIRED,
            fields=fields,
        )
    assert refusal.value.by_field() == {"units": "Too many.", "reason": REQUIRED}


def test_special_hours_are_read_and_normalised() -> None:
    hours = read_special_hours(
        SpecialHoursForm(on_date="2030-03-04", hours="8:00-12:00，14:00-18:00", note="Half day"),
        date(2030, 3, 4),
    )
    assert hours == SpecialHours(date(2030, 3, 4), "08:00-12:00, 14:00-18:00", "Half day")


def test_special_hours_empty_mean_closed_and_past_dates_are_refused() -> None:
    assert read_special_hours(SpecialHoursForm(on_date="2030-03-05"), date(2030, 3, 4)).hours == ""
    with pytest.raises(InputError) as refusal:
        read_special_hours(SpecialHoursForm(on_date="2030-03-03"), date(2030, 3, 4))
    assert refusal.value.by_field() == {"on_date": "这个日期已经过去了。"}


def test_imported_closures_already_known_or_repeated_are_skipped() -> None:
    a = ClosureDraft(utc(5, 0), utc(5, 8), False, "a")
    b = ClosureDraft(utc(6, 0), utc(6, 8), False, "b")
    again = ClosureDraft(utc(6, 0), utc(6, 8), False, "b again")
    fresh, skipped = split_known([a, b, again], [(utc(5, 0), utc(5, 8))])
    assert (fresh, skipped) == ([b], [a, again])


def test_the_consequence_must_be_chosen() -> None:
    assert read_consequence(CANCEL, "  Burst pipe ") == Consequence(CANCEL, "Burst pipe")
    assert read_consequence(KEEP, "") == Consequence(KEEP, "")
    with pytest.raises(InputError) as refusal:
        read_consequence("", "x" * 301)
    assert set(refusal.value.by_field()) == {"choice", "cancel_reason"}


def test_a_confirmation_stands_only_while_the_impact_is_what_the_preview_showed() -> None:
    shown = fingerprint(["b2", "a1"])
    assert shown == "a1,b2"
    check_unchanged(shown, ["first", "second"], ["a1", "b2"])
    with pytest.raises(ImpactChanged) as refusal:
        check_unchanged(shown, ["first", "second", "third"], ["a1", "b2", "c3"])
    assert refusal.value.affected == ["first", "second", "third"]
    assert refusal.value.status_code == 409
    assert refusal.value.rule == "impact_changed"


@dataclass(frozen=True)
class Row:
    id: str
    start: datetime
    end: datetime


def test_a_change_hits_what_loses_open_time() -> None:
    before = [Interval(utc(5, 1), utc(5, 9))]
    after = [Interval(utc(5, 1), utc(5, 4)), Interval(utc(5, 4, 30), utc(5, 9))]
    inside = Row("in", utc(5, 1), utc(5, 4))
    across = Row("across", utc(5, 3), utc(5, 5))  # now runs over the half-hour gap
    late = Row("late", utc(5, 8), utc(5, 10))  # already partly outside, loses nothing more
    rows = [inside, across, late]
    span = lambda r: Interval(r.start, r.end)  # noqa: E731
    assert [r.id for r in losing_open_time(rows, span, before, after)] == ["across"]
    # Closing the whole day takes away what was still open of each, "late" included.
    assert losing_open_time(rows, span, before, []) == rows
    # Opening longer hits nothing.
    assert losing_open_time(rows, span, after, before) == []


def test_an_impact_reads_its_answer_with_no_default() -> None:
    a, b, c = Row("a", utc(5, 1), utc(5, 2)), Row("b", utc(5, 2), utc(5, 3)), Row("c", NOW, NOW)
    assert Impact(outside=[a], requests=[b], over=[c]).keys() == [
        "outside:a",
        "request:b",
        "over:c",
    ]
    assert Impact(over=[c], requests=[b]).fingerprint() == "over:c,request:b"
    assert not Impact() and Impact(over=[c])
    with pytest.raises(InputError) as refusal:
        Impact(outside=[a]).read("", "")
    assert set(refusal.value.by_field()) == {"choice"}
    assert Impact(outside=[a]).read(KEEP, "") == Consequence(KEEP, "")
    with pytest.raises(InputError) as refusal:
        Impact(outside=[a]).read(CANCEL, " ")
    assert set(refusal.value.by_field()) == {"cancel_reason"}
    # Keeping still refuses the requests, so a reason is needed; with none outside there
    # is no choice to make, and what was sent for it is dropped.
    with pytest.raises(InputError) as refusal:
        Impact(outside=[a], requests=[b]).read(KEEP, "")
    assert set(refusal.value.by_field()) == {"cancel_reason"}
    assert Impact(over=[c]).read(KEEP, "满了") == Consequence("", "满了")
    assert chosen([" b", "x"], [a, b]) == [b]
