"""Template helpers."""

import pytest

from app.i18n import set_locale
from app.web.templating import device_name


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
