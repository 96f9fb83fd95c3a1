"""Template helpers."""

import pytest

from app.i18n import set_locale
from app.web.templating import build_environment, device_name


@pytest.mark.parametrize(
    ("user_agent", "expected"),
    [
        (
            "Mozilla/5.0 (Linux; Android 13; V2219A) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/116.0 Mobile Safari/537.36 MicroMessenger/8.0.49",
            "微信 · Android",
        ),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 "
            "(KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
            "Safari · iPhone",
        ),
        ("Mozilla/5.0 (Windows NT 10.0) Chrome/120.0 Safari/537.36", "Chrome · Windows"),
        ("", "未知浏览器"),
    ],
)
def test_device_names_for_the_list_of_sessions(user_agent: str, expected: str) -> None:
    set_locale("zh_CN")
    assert device_name(user_agent) == expected


def test_a_sentence_kept_translated_follows_the_language() -> None:
    template = build_environment().from_string('{{ _("Cancel") }}')
    set_locale("zh_CN")
    assert template.render() == "取消预约"
    set_locale("en")
    assert template.render() == "Cancel"
    set_locale("zh_CN")
    assert template.render() == "取消预约"


def test_a_sentence_kept_translated_follows_autoescaping() -> None:
    # Escaped, the translation is markup and `e` leaves it alone; unescaped, it is text.
    set_locale("en")
    template = build_environment().from_string(
        '{{ _("a < b")|e }}|{% autoescape false %}{{ _("a < b")|e }}{% endautoescape %}|'
        '{{ _("a < b")|e }}'
    )
    assert template.render() == "a < b|a &lt; b|a < b"


def test_sentences_with_variables_are_not_kept() -> None:
    set_locale("en")
    template = build_environment().from_string(
        '{{ _("%(browser)s on %(system)s", browser=b, system="iPhone") }}'
    )
    assert template.render(b="Safari") == "Safari on iPhone"
    assert template.render(b="WeChat") == "WeChat on iPhone"
