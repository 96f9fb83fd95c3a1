"""A sentence that brings its own stop into another never reads "。。" or ".." (issue 14)."""

import pytest

from app import i18n
from app.web.templating import build_environment
from spaces.logic import notices
from tests.factories import shanghai
from tests.fixtures import DOUBLED_STOP


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("水管维修。。", "水管维修。"),
        ("Pipe burst..", "Pipe burst."),
        ("Pipe burst.。", "Pipe burst."),
        ("水管维修。.", "水管维修。"),
        ("太吵了！。", "太吵了！"),
        ("Really?.", "Really?"),
        ("Wait... and see", "Wait... and see"),
        ("请稍候……。", "请稍候……。"),
        ("version 1.2.", "version 1.2."),
        ("see ../notes..", "see ../notes."),
        ("已取消。您在候补名单中。", "已取消。您在候补名单中。"),
    ],
)
def test_tidy_stops_keeps_one_stop(text: str, expected: str) -> None:
    assert i18n.tidy_stops(text) == expected


@pytest.mark.parametrize(
    ("locale", "sentences", "expected"),
    [
        ("zh_CN", ("预约已取消：漏水", "请改约其他时间。"), "预约已取消：漏水。请改约其他时间。"),
        ("zh_CN", ("预约已取消。", ""), "预约已取消。"),
        ("zh_CN", ("真的吗？", "好"), "真的吗？好。"),
        (
            "en",
            ("Cancelled: a leak", "Book another time."),
            "Cancelled: a leak. Book another time.",
        ),
        ("en", ("Cancelled.", "  "), "Cancelled."),
    ],
)
def test_join_sentences_in_each_language(
    locale: str, sentences: tuple[str, ...], expected: str
) -> None:
    i18n.set_locale(locale)
    assert i18n.join_sentences(*sentences) == expected


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        (
            "zh_CN",
            "为您保留的共享音乐室（3月2日周一 09:00）已无法使用：水管维修。您在候补名单中的位置不变。",
        ),
        (
            "en",
            "The place held for you at Shared music room on Mon, Mar 2 09:00 is no longer free: "
            "the pipes burst. You keep your place on the waitlist.",
        ),
    ],
)
def test_a_reason_typed_with_its_stop_is_not_doubled_in_a_notice(
    locale: str, expected: str
) -> None:
    i18n.set_locale(locale)
    reason = "水管维修。" if locale == "zh_CN" else "the pipes burst."
    when = i18n.format_day_time(shanghai(2, 9))
    space = "共享音乐室" if locale == "zh_CN" else "Shared music room"
    assert i18n._(notices.OFFER_WITHDRAWN, space=space, when=when, reason=reason) == expected


def test_a_template_sentence_does_not_double_a_stop_it_is_given() -> None:
    i18n.set_locale("zh_CN")
    template = build_environment().from_string(
        '{{ _("The community closed your need: %(summary)s. Reason: %(reason)s", '
        "summary=summary, reason=reason) }}"
    )
    assert (
        template.render(summary="楼道灯坏了。", reason="已报修。")
        == "社区已关闭您反映的问题：楼道灯坏了。原因：已报修。"
    )


def test_the_page_check_finds_doubled_stops_and_spares_ellipses() -> None:
    assert DOUBLED_STOP.findall("坏了。。 broke.. ok... ../x 1.2.") == ["。。", "e.."]
