import pytest

from app.i18n import set_locale
from app.passwords import hash_password, password_problem, verify_password


@pytest.fixture(autouse=True)
def english() -> None:
    set_locale("en")


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("short1", "Use at least 8 characters."),
        ("x" * 129, "Use at most 128 characters."),
        ("12345678", "This password is too common; choose one that others would not guess."),
        ("WoAiNi1314", "This password is too common; choose one that others would not guess."),
        ("abababab", "Use at least 4 different characters."),
        ("my13812345678pw", "Do not use your phone number, email or name in your password."),
        ("wangayi-garden", "Do not use your phone number, email or name in your password."),
        ("quiet-garden-47", None),
    ],
)
def test_password_policy(password: str, problem: str | None) -> None:
    assert password_problem(password, login="13812345678", name="wangayi") == problem


async def test_hash_verifies_only_the_same_password() -> None:
    hashed = await hash_password("quiet-garden-47")
    assert hashed.startswith("$argon2id$")
    assert await verify_password(hashed, "quiet-garden-47") is True
    assert await verify_password(hashed, "quiet-garden-48") is False
    assert await verify_password("not-a-hash", "quiet-garden-47") is False
