import re

import pytest
from babel.messages.pofile import read_po

from app import i18n

PLACEHOLDER = re.compile(r"%\(\w+\)s")


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("zh-CN,zh;q=0.9,en;q=0.8", "zh_CN"),
        ("zh", "zh_CN"),
        ("zh-TW", "zh_CN"),
        ("zh-Hans-CN", "zh_CN"),
        ("en-GB,en;q=0.9", "en"),
        ("fr-FR,en;q=0.5", "en"),
        ("en;q=0.4,zh;q=0.8", "zh_CN"),
        ("fr-FR", None),
        ("", None),
        ("zh;q=0", None),
        ("*", None),
    ],
)
def test_negotiate_accept_language(header: str, expected: str | None) -> None:
    assert i18n.negotiate(header) == expected


def test_choose_locale_prefers_user_then_cookie_then_browser() -> None:
    assert i18n.choose_locale("en", "zh_CN", "zh-CN") == "en"
    assert i18n.choose_locale("", "en", "zh-CN") == "en"
    assert i18n.choose_locale(None, None, "en-US") == "en"
    assert i18n.choose_locale(None, "klingon", None) == "zh_CN"


def test_localized_follows_locale_and_falls_back() -> None:
    row = {"name_zh": "八一社区", "name_en": "Bayi Community"}
    i18n.set_locale("en")
    assert i18n.localized(row, "name") == "Bayi Community"
    assert i18n.localized({"name_zh": "八一社区", "name_en": ""}, "name") == "八一社区"
    i18n.set_locale("zh_CN")
    assert i18n.localized(row, "name") == "八一社区"


def test_zh_cn_catalog_translates_every_message_and_keeps_placeholders() -> None:
    with (i18n.LOCALE_DIR / "zh_CN" / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalog = read_po(po)
    with (i18n.LOCALE_DIR / "messages.pot").open("rb") as pot:
        template = read_po(pot)
    untranslated, broken = [], []
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if "fuzzy" in message.flags or not all(strings):
            untranslated.append(ids[0])
        elif any(set(PLACEHOLDER.findall(s)) != set(PLACEHOLDER.findall(ids[0])) for s in strings):
            broken.append(ids[0])
    assert untranslated == []
    assert broken == []
    assert {m.id for m in template if m.id} == {m.id for m in catalog if m.id}


def test_gettext_formats_variables_in_the_current_locale() -> None:
    i18n.set_locale("zh_CN")
    assert i18n._("Welcome to Linli, %(name)s!", name="王阿姨") == "欢迎来到邻里，王阿姨！"
    i18n.set_locale("en")
    assert i18n._("Welcome to Linli, %(name)s!", name="Wang") == "Welcome to Linli, Wang!"


@pytest.mark.parametrize(
    ("locale", "share", "expected"),
    [
        ("en", 0.95, "95%"),
        ("en", 5 / 6, "83.3%"),
        ("en", 1.0, "100%"),
        ("zh_CN", 0.95, "95%"),
        ("zh_CN", 5 / 9, "55.6%"),
        ("en", None, "—"),
    ],
)
def test_format_percent_per_locale(locale: str, share: float | None, expected: str) -> None:
    i18n.set_locale(locale)
    try:
        assert i18n.format_percent(share) == expected
    finally:
        i18n.set_locale("zh_CN")
