from collections.abc import Iterator

import pytest

from app.calendar import WeeklyHours, parse_ranges
from app.errors import FieldError
from app.hours_form import (
    HoursTextError,
    normalise_day_text,
    read_day_hours,
    read_weekly_hours,
    weekly_form_values,
)
from app.i18n import set_locale


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """Messages are asserted in English, whatever the catalogs translate."""
    set_locale("en")
    yield
    set_locale("zh_CN")


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("09:00-12:00, 14:00-21:00", "09:00-12:00, 14:00-21:00"),
        ("14:00-21:00,9:00-12:00", "09:00-12:00, 14:00-21:00"),
        ("０９：００－１２：００，１４：００－２１：００", "09:00-12:00, 14:00-21:00"),
        ("9:00-12:00，14：00-21:00", "09:00-12:00, 14:00-21:00"),
        (" 8:30 ~ 11:00 ; 13:00至17:30 ", "08:30-11:00, 13:00-17:30"),
        ("08:00-12:00、12:00-18:00", "08:00-12:00, 12:00-18:00"),
        ("09:00 - 12:00  14:00 - 18:00", "09:00-12:00, 14:00-18:00"),
        ("24小时", "00:00-24:00"),
        ("24 小时", "00:00-24:00"),
        ("00:00-24:00", "00:00-24:00"),
        ("18:00-24:00", "18:00-24:00"),
        ("", ""),
        ("   ", ""),
    ],
)
def test_day_text_is_normalised(typed: str, stored: str) -> None:
    assert normalise_day_text(typed) == stored
    assert parse_ranges(stored) == parse_ranges(stored)  # the stored text reads back


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        (
            "9-12",
            "“9-12” is not a time range. Write it like 09:00-12:00, and separate several "
            "ranges with commas.",
        ),
        (
            "9点到12点",
            "“9点到12点” is not a time range. Write it like 09:00-12:00, and separate several "
            "ranges with commas.",
        ),
        (
            "25:00-26:00",
            "“25:00-26:00” has a time that does not exist. Use times from 00:00 to 24:00.",
        ),
        (
            "09:60-12:00",
            "“09:60-12:00” has a time that does not exist. Use times from 00:00 to 24:00.",
        ),
        (
            "24:00-24:30",
            "“24:00-24:30” has a time that does not exist. Use times from 00:00 to 24:00.",
        ),
        (
            "22:00-06:00",
            "“22:00-06:00” ends before it starts. For hours past midnight, split them over "
            "two days: 22:00-24:00 on the first day and 00:00-06:00 on the next.",
        ),
        (
            "12:00-12:00",
            "“12:00-12:00” ends before it starts. For hours past midnight, split them over "
            "two days: 22:00-24:00 on the first day and 00:00-06:00 on the next.",
        ),
        (
            "14:00-18:00, 09:00-14:30",
            "09:00-14:30 and 14:00-18:00 overlap. Join them into one range or correct one.",
        ),
        (
            "1:00-2:00,3:00-4:00,5:00-6:00,7:00-8:00,9:00-10:00,11:00-12:00,13:00-14:00",
            "Use at most 6 time ranges a day.",
        ),
    ],
)
def test_day_text_errors_say_how_to_fix_them(typed: str, message: str) -> None:
    with pytest.raises(HoursTextError) as caught:
        normalise_day_text(typed)
    assert caught.value.message == message


def test_weekly_hours_from_the_seven_fields() -> None:
    form = {
        "hours_mon": "09:00-12:00，14:00-21:00",
        "hours_tue": "09:00-21:00",
        "hours_wed": "",
        "hours_thu": "24小时",
        "hours_fri": " 09:00-21:00 ",
        "hours_sat": "10:00-16:00",
        # Sunday missing altogether: closed.
        "other": "ignored",
    }
    weekly, errors = read_weekly_hours(form)
    assert errors == []
    assert weekly == {
        "mon": "09:00-12:00, 14:00-21:00",
        "tue": "09:00-21:00",
        "thu": "00:00-24:00",
        "fri": "09:00-21:00",
        "sat": "10:00-16:00",
    }
    assert WeeklyHours.parse(weekly).to_spec() == {
        "mon": "09:00-12:00, 14:00-21:00",
        "tue": "09:00-21:00",
        "wed": "",
        "thu": "00:00-24:00",
        "fri": "09:00-21:00",
        "sat": "10:00-16:00",
        "sun": "",
    }


def test_weekly_hours_report_each_bad_day_on_its_field() -> None:
    weekly, errors = read_weekly_hours(
        {"hours_mon": "09:00-12:00", "hours_tue": "22:00-02:00", "hours_sun": "早上"}
    )
    assert errors == [
        FieldError(
            "hours_tue",
            "“22:00-02:00” ends before it starts. For hours past midnight, split them over "
            "two days: 22:00-24:00 on the first day and 00:00-06:00 on the next.",
        ),
        FieldError(
            "hours_sun",
            "“早上” is not a time range. Write it like 09:00-12:00, and separate several "
            "ranges with commas.",
        ),
    ]
    assert weekly == {"mon": "09:00-12:00"}


def test_all_days_empty_is_an_empty_dict() -> None:
    assert read_weekly_hours({}) == ({}, [])


def test_one_dates_hours() -> None:
    assert read_day_hours("10:00-14:00", "hours") == ("10:00-14:00", [])
    assert read_day_hours("", "hours") == ("", [])
    assert read_day_hours("14:00-10:00", "hours") == (
        "",
        [
            FieldError(
                "hours",
                "“14:00-10:00” ends before it starts. For hours past midnight, split them "
                "over two days: 22:00-24:00 on the first day and 00:00-06:00 on the next.",
            )
        ],
    )


def test_form_values_of_stored_hours() -> None:
    assert weekly_form_values({"mon": "09:00-12:00", "sun": "00:00-24:00"}) == {
        "hours_mon": "09:00-12:00",
        "hours_tue": "",
        "hours_wed": "",
        "hours_thu": "",
        "hours_fri": "",
        "hours_sat": "",
        "hours_sun": "00:00-24:00",
    }
    assert weekly_form_values(None)["hours_wed"] == ""


def test_day_text_error_quotes_at_most_40_characters_of_a_long_text() -> None:
    typed = "9" * 2000
    with pytest.raises(HoursTextError) as caught:
        normalise_day_text(typed)
    assert caught.value.message == (
        "“" + "9" * 40 + "…” is not a time range. Write it like 09:00-12:00, and separate "
        "several ranges with commas."
    )
