"""Reading closures from a calendar file: expansion, zones, what is left out, what is refused,
and the re-check of what the preview hands to the confirmation."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from app import ics_import
from app.errors import InputError
from app.i18n import set_locale
from app.ics_import import ImportedEvent
from tests.factories import NOW
from tests.ics_files import event, ics

SHANGHAI = ZoneInfo("Asia/Shanghai")
BERLIN = ZoneInfo("Europe/Berlin")
START, END = ics_import.window(NOW)  # Monday 2 March 2026, 09:00 in Shanghai, a year ahead


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    set_locale("en")
    yield


def read(data: bytes, zone: ZoneInfo = SHANGHAI) -> list[ImportedEvent]:
    return ics_import.read_events(data, zone=zone, start=START, end=END)


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def refusal(data: bytes, zone: ZoneInfo = SHANGHAI) -> dict[str, str]:
    with pytest.raises(InputError) as caught:
        read(data, zone)
    return caught.value.by_field()


def test_all_day_holidays_are_whole_local_days_in_shanghai() -> None:
    data = ics(
        event("劳动节", date(2026, 5, 1), date(2026, 5, 6)),
        event("国庆节", date(2026, 10, 1), date(2026, 10, 8)),
        event("端午节", date(2026, 6, 19)),  # no end: one day
    )
    assert read(data) == [
        ImportedEvent(utc(2026, 4, 30, 16), utc(2026, 5, 5, 16), True, "劳动节"),
        ImportedEvent(utc(2026, 6, 18, 16), utc(2026, 6, 19, 16), True, "端午节"),
        ImportedEvent(utc(2026, 9, 30, 16), utc(2026, 10, 7, 16), True, "国庆节"),
    ]


def test_all_day_events_follow_clock_changes_in_berlin() -> None:
    data = ics(
        event("Spring forward", date(2026, 3, 29)),
        event("Fall back", date(2026, 10, 25)),
        event("Summer", date(2026, 7, 1), date(2026, 7, 3)),
    )
    assert read(data, BERLIN) == [
        # 23 hours: the clocks skip 02:00-03:00.
        ImportedEvent(utc(2026, 3, 28, 23), utc(2026, 3, 29, 22), True, "Spring forward"),
        ImportedEvent(utc(2026, 6, 30, 22), utc(2026, 7, 2, 22), True, "Summer"),
        # 25 hours: 02:00-03:00 happens twice.
        ImportedEvent(utc(2026, 10, 24, 22), utc(2026, 10, 25, 23), True, "Fall back"),
    ]


def test_weekly_rule_with_exdate_moved_and_cancelled_occurrences() -> None:
    first = datetime(2026, 3, 3, 14, tzinfo=SHANGHAI)
    series = event(
        "Choir",
        first,
        first + timedelta(hours=2),
        rrule={"freq": "weekly", "count": 6},
        exdate=first + timedelta(weeks=1),
    )
    moved = event(
        "Choir (moved)",
        datetime(2026, 3, 18, 19, tzinfo=SHANGHAI),
        datetime(2026, 3, 18, 21, tzinfo=SHANGHAI),
        recurrence_id=first + timedelta(weeks=2),
    )
    cancelled = event(
        "Choir",
        first + timedelta(weeks=3),
        first + timedelta(weeks=3, hours=2),
        recurrence_id=first + timedelta(weeks=3),
        status="CANCELLED",
    )
    for component in (moved, cancelled):
        component["uid"] = series["uid"]
    assert read(ics(series, moved, cancelled)) == [
        ImportedEvent(utc(2026, 3, 3, 6), utc(2026, 3, 3, 8), False, "Choir"),
        ImportedEvent(utc(2026, 3, 18, 11), utc(2026, 3, 18, 13), False, "Choir (moved)"),
        ImportedEvent(utc(2026, 3, 31, 6), utc(2026, 3, 31, 8), False, "Choir"),
        ImportedEvent(utc(2026, 4, 7, 6), utc(2026, 4, 7, 8), False, "Choir"),
    ]


def test_monthly_rule_in_a_dst_zone_keeps_the_wall_time() -> None:
    data = ics(
        event(
            "Market",
            datetime(2020, 1, 15, 8, tzinfo=BERLIN),
            datetime(2020, 1, 15, 12, tzinfo=BERLIN),
            rrule={"freq": "monthly", "bymonth": [1, 7]},
        )
    )
    assert read(data, BERLIN) == [
        ImportedEvent(utc(2026, 7, 15, 6), utc(2026, 7, 15, 10), False, "Market"),
        ImportedEvent(utc(2027, 1, 15, 7), utc(2027, 1, 15, 11), False, "Market"),
    ]


def test_floating_times_are_wall_times_of_the_zone() -> None:
    data = ics(event("Cleaning", datetime(2026, 3, 10, 9), datetime(2026, 3, 10, 11, 30)))
    assert read(data, SHANGHAI) == [
        ImportedEvent(utc(2026, 3, 10, 1), utc(2026, 3, 10, 3, 30), False, "Cleaning")
    ]
    assert read(data, BERLIN) == [
        ImportedEvent(utc(2026, 3, 10, 8), utc(2026, 3, 10, 10, 30), False, "Cleaning")
    ]


def test_cancelled_and_instant_events_are_left_out_transparent_ones_kept() -> None:
    data = ics(
        event("Called off", date(2026, 4, 1), status="CANCELLED"),
        event("Reminder", datetime(2026, 4, 2, 9, tzinfo=SHANGHAI)),  # no duration
        event("Holiday", date(2026, 4, 5), transp="TRANSPARENT"),
    )
    assert read(data) == [ImportedEvent(utc(2026, 4, 4, 16), utc(2026, 4, 5, 16), True, "Holiday")]


def test_window_keeps_events_overlapping_it() -> None:
    data = ics(
        event("Under way", date(2026, 3, 1), date(2026, 3, 4)),
        event("Over", date(2026, 2, 20), date(2026, 3, 2)),  # ends 2 March 00:00 Shanghai
        event("Too late", datetime(2027, 3, 2, 9, tzinfo=SHANGHAI), duration=timedelta(hours=1)),
    )
    assert read(data) == [
        ImportedEvent(utc(2026, 2, 28, 16), utc(2026, 3, 3, 16), True, "Under way")
    ]


def test_summaries_are_trimmed_with_a_fallback() -> None:
    data = ics(
        event("  Long\n" + "长" * 250, date(2026, 4, 1)),
        event(None, date(2026, 4, 2)),
        event("   ", date(2026, 4, 3)),
    )
    assert [e.summary for e in read(data)] == [
        "Long " + "长" * 195,
        "Imported closure",
        "Imported closure",
    ]


def test_not_an_icalendar_file() -> None:
    message = "This file is not an iCalendar file. Choose a .ics file exported from a calendar app."
    assert refusal(b"Name,Date\nNew Year,2027-01-01\n") == {"file": message}
    assert refusal(b"BEGIN:VCARD\r\nEND:VCARD\r\n") == {"file": message}


def test_malformed_file() -> None:
    message = (
        "This calendar file is damaged and could not be read. Export it again from your "
        "calendar and try once more."
    )
    broken_date = (
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:x\r\nSUMMARY:x\r\n"
        b"DTSTART:20260431\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    unfinished = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\n"
    assert refusal(broken_date) == {"file": message}
    assert refusal(unfinished) == {"file": message}


def test_empty_file() -> None:
    assert refusal(b"") == {"file": "Choose a calendar file (.ics) to import."}


def test_file_too_big_is_refused_before_parsing() -> None:
    data = b"BEGIN:VCALENDAR\r\n" + b"X" * ics_import.MAX_FILE_BYTES
    assert refusal(data) == {
        "file": "The file is larger than 1 MB. Export a shorter period from your calendar."
    }


def test_too_many_events_in_the_window() -> None:
    def days(quiet: int) -> bytes:
        return ics(
            event("Open day", date(2026, 3, 2), rrule={"freq": "daily", "count": 300}),
            event("Quiet day", date(2026, 3, 2), rrule={"freq": "daily", "count": quiet}),
        )

    assert refusal(days(201)) == {
        "file": "This file has 501 events between Mon, Mar 2, 2026 and Tue, Mar 2, 2027; at "
        "most 500 can be imported at once. Export a shorter period and import it in parts."
    }
    assert len(read(days(200))) == 500


def test_nothing_in_the_window() -> None:
    data = ics(event("Last year", date(2025, 10, 1)), event("Far", date(2027, 6, 1)))
    assert refusal(data) == {
        "file": "No event in this file falls between Mon, Mar 2, 2026 and Tue, Mar 2, 2027."
    }
    assert refusal(ics()) == refusal(data)


def test_rules_repeating_within_a_day_are_refused() -> None:
    data = ics(
        event(
            "Every hour",
            datetime(2026, 3, 3, 8, tzinfo=SHANGHAI),
            datetime(2026, 3, 3, 8, 30, tzinfo=SHANGHAI),
            rrule={"freq": "hourly"},
        )
    )
    assert refusal(data) == {
        "file": "“Every hour” repeats more than once a day; closures cannot be imported from "
        "it. Remove that event from the calendar file."
    }


def test_rules_reaching_back_too_far_are_refused() -> None:
    data = ics(
        *[
            event(f"Daily {n}", date(1, 1, 1 + n), rrule={"freq": "daily", "count": 10})
            for n in range(3)
        ],
        *[event(f"Endless {n}", date(1, 1, 1 + n), rrule={"freq": "daily"}) for n in range(3)],
    )
    assert refusal(data) == {
        "file": "The repeating events in this file start too long ago to be read. Export only "
        "the coming year from your calendar and try again."
    }


def test_events_longer_than_a_closure_are_refused() -> None:
    data = ics(event("School year", date(2026, 1, 1), date(2027, 1, 3)))
    assert refusal(data) == {
        "file": "“School year” lasts more than 366 days, longer than a closure may. Shorten it "
        "in the calendar and export it again."
    }


def test_file_label_keeps_the_base_name() -> None:
    assert ics_import.file_label("C:\\Users\\li\\假日  2026.ics") == "假日 2026.ics"
    assert ics_import.file_label(None) == ""


# --- what the preview hands on --------------------------------------------------------------

TAMPERED = {"file": "The events to import could not be read. Choose the calendar file again."}


def carried(values: list[str], zone: ZoneInfo = SHANGHAI) -> list[ImportedEvent]:
    return ics_import.read_carried(values, zone=zone, start=START, end=END)


def test_carried_events_read_back_exactly() -> None:
    events = read(
        ics(
            event("清明 | 放假", date(2026, 4, 4), date(2026, 4, 7)),
            event(
                "Meeting", datetime(2026, 3, 5, 14, tzinfo=SHANGHAI), duration=timedelta(hours=1)
            ),
        )
    )
    values = [e.carried for e in events]
    assert values == [
        "2026-03-05T06:00:00+00:00|2026-03-05T07:00:00+00:00|0|Meeting",
        "2026-04-03T16:00:00+00:00|2026-04-06T16:00:00+00:00|1|清明 | 放假",
    ]
    assert carried(values[::-1]) == events


@pytest.mark.parametrize(
    "value",
    [
        "",
        "2026-03-05T06:00:00+00:00|2026-03-05T07:00:00+00:00|0|",  # no reason
        "2026-03-05T06:00:00+00:00|2026-03-05T07:00:00+00:00|2|Meeting",
        "2026-03-05T06:00:00|2026-03-05T07:00:00|0|Meeting",  # no offset
        "2026-03-05T06:00:00+00:00|2026-03-05T06:00:00+00:00|0|Meeting",  # no duration
        "2026-03-05T07:00:00+00:00|2026-03-05T06:00:00+00:00|0|Meeting",
        "2026-02-05T06:00:00+00:00|2026-02-05T07:00:00+00:00|0|Meeting",  # over
        "2027-03-05T06:00:00+00:00|2027-03-05T07:00:00+00:00|0|Meeting",  # beyond the year
        "2026-03-05T06:00:00+00:00|2027-03-07T07:00:00+00:00|0|Meeting",  # too long
        "2026-04-04T00:00:00+00:00|2026-04-05T00:00:00+00:00|1|Holiday",  # not local midnight
        "2026-03-05T06:00:00+00:00|2026-03-05T07:00:00+00:00|0|" + "x" * 201,
        "yesterday|today|0|Meeting",
    ],
)
def test_tampered_carried_events_are_refused(value: str) -> None:
    with pytest.raises(InputError) as caught:
        carried([value])
    assert caught.value.by_field() == TAMPERED


def test_carried_events_must_be_one_to_the_limit() -> None:
    one = "2026-03-05T06:00:00+00:00|2026-03-05T07:00:00+00:00|0|Meeting"
    for values in ([], [one] * (ics_import.MAX_EVENTS + 1)):
        with pytest.raises(InputError) as caught:
            carried(values)
        assert caught.value.by_field() == TAMPERED
    assert len(carried([one] * ics_import.MAX_EVENTS)) == ics_import.MAX_EVENTS
