"""Counts read "1 booking", "2 bookings" in English and one form in Chinese (issue 14)."""

import re

import pytest
from babel.messages.pofile import read_po

from app import i18n
from stations.logic.amenities import QUANTITY_LABELS

PLURAL_NOUNS = (
    "bookings|characters|closures|dates|days|events|hours|letters|levels|minutes|needs|people"
    "|ports|ranges|reports|requests|residents|seats|spaces|stations|times|tokens|units|weeks"
)
COUNTED_NOUN = re.compile(rf"%\((\w+)\)[sd] (?:[\w-]+ )?(?:{PLURAL_NOUNS})\b")
NEVER_ONE = {
    # "2 to N letters": N is the longest name allowed, never below 2.
    "Use 2 to %(n)s lower-case letters, digits and hyphens, such as rider-home-2.",
}


def _template() -> list:
    with (i18n.LOCALE_DIR / "messages.pot").open("rb") as pot:
        return [message for message in read_po(pot) if message.id]


def test_every_counted_plural_noun_is_a_plural_entry() -> None:
    singular_only = [
        message.id
        for message in _template()
        if not message.pluralizable
        and COUNTED_NOUN.search(message.id)
        and message.id not in NEVER_ONE
    ]
    assert singular_only == []


def test_zh_cn_has_one_plural_form_for_every_plural_entry() -> None:
    with (i18n.LOCALE_DIR / "zh_CN" / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalog = read_po(po)
    forms = {len(m.string) for m in catalog if m.id and m.pluralizable}
    assert forms == {1}


@pytest.mark.parametrize(
    ("locale", "count", "expected"),
    [
        ("en", 1, "1 booking stands and the resident was told."),
        ("en", 2, "2 bookings stand and the residents were told."),
        ("zh_CN", 1, "1 个预约保留有效，已通知居民。"),
        ("zh_CN", 2, "2 个预约保留有效，已通知居民。"),
    ],
)
def test_ngettext_chooses_the_form_for_the_count(locale: str, count: int, expected: str) -> None:
    i18n.set_locale(locale)
    text = i18n.ngettext(
        "%(n)s booking stands and the resident was told.",
        "%(n)s bookings stand and the residents were told.",
        count,
        n=count,
    )
    assert text == expected


@pytest.mark.parametrize(
    ("locale", "key", "count", "expected"),
    [
        ("en", "charging", 1, "1 charging port"),
        ("en", "charging", 4, "4 charging ports"),
        ("en", "seats", 1, "1 seat"),
        ("zh_CN", "charging", 1, "1 个充电口"),
    ],
)
def test_station_quantities_agree_with_their_count(
    locale: str, key: str, count: int, expected: str
) -> None:
    i18n.set_locale(locale)
    assert QUANTITY_LABELS[key](count) == expected
