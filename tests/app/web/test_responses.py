"""Redirects that stay on this site; pages rendered once and filled in per answer."""

import pytest

from app.web.responses import CSRF_STAND_IN, RenderedPage, safe_next


def test_safe_next_allows_only_local_paths() -> None:
    assert safe_next("/account") == "/account"
    assert safe_next("//evil.example") == "/"
    assert safe_next("/\\evil.example") == "/"
    assert safe_next("https://evil.example") == "/"
    assert safe_next(None, "/x") == "/x"


def test_safe_next_refuses_control_characters_and_a_trailing_newline() -> None:
    """`$` matched before a final newline, so "/account\\n" passed as a local path."""
    assert safe_next("/account\n") == "/"
    assert safe_next("/account\r\nSet-Cookie: a=b") == "/"
    assert safe_next("/a\x00b") == "/"
    assert safe_next("/a\x7fb") == "/"
    assert safe_next("/\t/evil.example") == "/"
    assert safe_next("/spaces/music-room?start=2026-03-02T10%3A00#book") == (
        "/spaces/music-room?start=2026-03-02T10%3A00#book"
    )


def test_a_rendered_page_takes_text_where_its_stand_in_stands_and_keeps_its_token_cuts() -> None:
    page = RenderedPage.of(f"<form>{CSRF_STAND_IN}</form><!-- here --><p>{CSRF_STAND_IN}</p>")
    filled = page.with_text("<!-- here -->", "<ul><li>09:00</li></ul>")
    assert filled.parts == (b"<form>", b"</form><ul><li>09:00</li></ul><p>", b"</p>")
    with pytest.raises(ValueError):
        page.with_text("<!-- here -->", f"<form>{CSRF_STAND_IN}</form>")
