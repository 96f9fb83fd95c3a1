"""One date format per locale, from Babel's skeletons, everywhere a person reads a date."""

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from jinja2 import TemplateSyntaxError

from app import i18n
from app.web.templating import TEMPLATES_DIR, build_environment

MOMENT = datetime(2026, 12, 7, 6, 5, tzinfo=UTC)  # 14:05 in Shanghai, a Monday
LONDON = ZoneInfo("Europe/London")


@pytest.mark.parametrize(
    ("locale", "formatter", "expected"),
    [
        ("zh_CN", lambda: i18n.format_day(date(2026, 12, 7)), "12月7日周一"),
        ("en", lambda: i18n.format_day(date(2026, 12, 7)), "Mon, Dec 7"),
        ("zh_CN", lambda: i18n.format_day(MOMENT, with_year=True), "2026年12月7日周一"),
        ("en", lambda: i18n.format_day(MOMENT, with_year=True), "Mon, Dec 7, 2026"),
        ("zh_CN", lambda: i18n.format_time(MOMENT), "14:05"),
        ("en", lambda: i18n.format_time(MOMENT), "14:05"),
        ("en", lambda: i18n.format_time(MOMENT, LONDON), "06:05"),
        (
            "zh_CN",
            lambda: i18n.format_time(MOMENT + timedelta(seconds=9), seconds=True),
            "14:05:09",
        ),
        ("en", lambda: i18n.format_time(MOMENT + timedelta(seconds=9), seconds=True), "14:05:09"),
        ("zh_CN", lambda: i18n.format_day_time(MOMENT), "12月7日周一 14:05"),
        ("en", lambda: i18n.format_day_time(MOMENT), "Mon, Dec 7 14:05"),
        ("zh_CN", lambda: i18n.format_day_time(MOMENT, with_year=True), "2026年12月7日周一 14:05"),
        ("en", lambda: i18n.format_day_time(MOMENT, with_year=True), "Mon, Dec 7, 2026 14:05"),
        ("zh_CN", lambda: i18n.format_month(date(2026, 12, 7)), "2026年12月"),
        ("en", lambda: i18n.format_month(date(2026, 12, 7)), "December 2026"),
    ],
)
def test_each_formatter_in_each_language(
    locale: str, formatter: Callable[[], str], expected: str
) -> None:
    i18n.set_locale(locale)
    assert formatter() == expected


def test_a_late_evening_in_utc_is_the_next_day_in_shanghai() -> None:
    i18n.set_locale("zh_CN")
    assert i18n.format_day_time(datetime(2026, 12, 6, 17, 30, tzinfo=UTC)) == "12月7日周一 01:30"


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("{{ moment|day }}", "12月7日周一"),
        ("{{ moment|day(with_year=true) }}", "2026年12月7日周一"),
        ("{{ moment|time }}", "14:05"),
        ("{{ moment|time('Europe/London') }}", "06:05"),
        ("{{ moment|day_time }}", "12月7日周一 14:05"),
        ("{{ moment|day_time(zone='Europe/London') }}", "12月7日周一 06:05"),
        ("{{ moment|month }}", "2026年12月"),
        ("{{ nothing|day_time }}", ""),
    ],
)
def test_the_template_filters_use_the_same_formatters(source: str, expected: str) -> None:
    i18n.set_locale("zh_CN")
    template = build_environment().from_string(source)
    assert template.render(moment=MOMENT, nothing=None) == expected


SHOWN_BY_PYTHON = re.compile(r"\.(strftime|isoformat)\(")
MACHINE_PLACES = re.compile(
    r"""(?:href|value|id|aria-labelledby|action|hx-get|datetime|min|max|data-[a-z-]+)="[^"]*$"""  # attribute
    r"""|\{\{\s*field\([^}]*$"""  # a form field's value
)


def _display_formatting(source: str) -> list[str]:
    found = []
    for match in SHOWN_BY_PYTHON.finditer(source):
        line_start = source.rfind("\n", 0, match.start()) + 1
        before = source[line_start : match.start()]
        opened = before.rfind("{{")  # quotes inside the expression do not end an attribute
        before = before[:opened] + re.sub(r"\"[^\"]*\"|'[^']*'", "''", before[opened:])
        if not MACHINE_PLACES.search(before):
            line_end = source.find("\n", match.end())
            found.append(source[line_start : line_end if line_end >= 0 else None].strip())
    return found


def test_the_scan_tells_machine_values_from_text() -> None:
    assert _display_formatting('<a href="?from={{ day.isoformat() }}">') == []
    assert _display_formatting('{{ field("on", _("Date"), day.isoformat(), errs) }}') == []
    assert _display_formatting("<td>{{ day.isoformat() }}</td>") == [
        "<td>{{ day.isoformat() }}</td>"
    ]
    assert _display_formatting('<p>{{ at.strftime("%H:%M") }}</p>') == [
        '<p>{{ at.strftime("%H:%M") }}</p>'
    ]


def test_no_template_formats_a_date_for_people_by_strftime_or_isoformat() -> None:
    found = {
        str(path.relative_to(TEMPLATES_DIR)): lines
        for path in sorted(TEMPLATES_DIR.rglob("*.html"))
        if (lines := _display_formatting(path.read_text(encoding="utf-8")))
    }
    assert found == {}


def test_every_template_compiles_with_only_the_date_filters_of_app_i18n() -> None:
    """The old `date` and `datetime` filters (CLDR's medium and short formats, a second
    format beside the skeletons) are gone, so a template using them fails to compile."""
    env = build_environment()
    assert {"date", "datetime"} & set(env.filters) == set()
    broken = []
    for path in sorted(TEMPLATES_DIR.rglob("*.html")):
        name = str(path.relative_to(TEMPLATES_DIR))
        try:
            env.get_template(name)
        except TemplateSyntaxError as error:
            broken.append(f"{name}: {error.message}")
    assert broken == []
