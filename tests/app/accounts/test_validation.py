import pytest

from app.accounts.validation import name_problem, normalise_login
from app.errors import FieldError
from app.i18n import set_locale
from app.tables import LoginKind


@pytest.mark.parametrize(
    "raw",
    [
        "13812345678",
        "138 1234 5678",
        "138-1234-5678",
        "+86 138 1234 5678",
        "008613812345678",
        "8613812345678",
    ],
)
def test_mainland_mobile_numbers_normalise_to_eleven_digits(raw: str) -> None:
    assert normalise_login(raw) == ("13812345678", LoginKind.phone)


@pytest.mark.parametrize(
    "raw", ["12812345678", "1381234567", "138123456789", "23812345678", "138abc45678"]
)
def test_malformed_mobile_numbers_are_refused_with_a_message(raw: str) -> None:
    set_locale("en")
    assert normalise_login(raw) == FieldError(
        "login", "Enter an 11-digit mainland mobile number starting with 1, or an email address."
    )


def test_email_is_lower_cased() -> None:
    assert normalise_login(" Wang.Ayi@Example.COM ") == ("wang.ayi@example.com", LoginKind.email)


def test_malformed_email_is_refused_in_chinese() -> None:
    set_locale("zh_CN")
    assert normalise_login("wang@") == FieldError("login", "邮箱地址格式不正确。")


def test_empty_login_asks_for_one() -> None:
    set_locale("en")
    assert normalise_login("   ") == FieldError(
        "login", "Enter your mobile number or email address."
    )


def test_name_rules() -> None:
    set_locale("en")
    assert name_problem("王阿姨") is None
    assert name_problem("  ") == "Enter the name neighbours and staff will see."
    assert name_problem("名" * 41) == "Use at most 40 characters."
    unshowable = "Remove the invisible control characters (line breaks or direction marks)."
    for bad in (
        "bad\x07name",
        "王\x7f",
        "王\x85姨",
        "王\u2028阿姨",
        "王\u2029姨",
        "\u202e姨阿王",
        "王\u2066",
    ):
        assert name_problem(bad) == unshowable, repr(bad)
    assert name_problem("王\n阿姨") == unshowable
    # Joiners are part of names and emoji.
    assert name_problem("👩\u200d👩\u200d👧 王家") is None
    assert name_problem("ab\u200ccd") is None
