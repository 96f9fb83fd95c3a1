"""Redirects that stay on this site."""

from app.web.responses import safe_next


def test_safe_next_allows_only_local_paths() -> None:
    assert safe_next("/account") == "/account"
    assert safe_next("//evil.example") == "/"
    assert safe_next("/\\evil.example") == "/"
    assert safe_next("https://evil.example") == "/"
    assert safe_next(None, "/x") == "/x"
