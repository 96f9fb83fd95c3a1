"""A newcomer keeps their slot: `next` survives sign-in → sign-up → confirming their contact
and lands on the booking form for that slot; a `next` that is not a path here is dropped."""

import logging
import re

import pytest

from tests.factories import PASSWORD, make_community, make_space, make_user
from tests.fixtures import Browser

# The browser fixture fixes the clock at Monday 2 March 2026, 09:00 in Shanghai.
SLOT_PAGE = "/spaces/music-room?start=2026-03-02T10%3A00%3A00%2B08%3A00#book"
SLOT_NEXT = "/spaces/music-room%3Fstart%3D2026-03-02T10%253A00%253A00%252B08%253A00%23book"
"""`SLOT_PAGE` as a query value (Jinja's `urlencode` keeps slashes)."""
SLOT_NEXT_QUERY = (
    "next=%2Fspaces%2Fmusic-room%3Fstart%3D2026-03-02T10%253A00%253A00%252B08%253A00%23book"
)
"""`SLOT_PAGE` as Python's `urlencode` writes it."""


@pytest.fixture
async def music_room(db: None):
    home = await make_community("bayi", contact_verification=True)
    return await make_space(home, "music-room", weekly_hours={"mon": "09:00-12:00"})


def _code(caplog: pytest.LogCaptureFixture) -> str:
    body = next(r.outgoing.body for r in caplog.records if hasattr(r, "outgoing"))
    return re.search(r"\b(\d{6})\b", body).group(1)


async def test_a_newcomer_signs_up_confirms_and_lands_on_the_booking_form(
    browser: Browser, music_room, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="linli.notify")
    slot = await browser.get("/spaces/music-room?start=2026-03-02T10%3A00%3A00%2B08%3A00")
    assert f'href="/account/signin?next={SLOT_NEXT}"' in slot.text
    signin = await browser.get(f"/account/signin?next={SLOT_NEXT}")
    assert f'<a href="/account/signup?next={SLOT_NEXT}">' in signin.text
    signup = await browser.get(f"/account/signup?next={SLOT_NEXT}")
    assert f'<input type="hidden" name="next" value="{SLOT_PAGE}">' in signup.text
    assert f'<a href="/account/signin?next={SLOT_NEXT}">' in signup.text
    signed_up = await browser.submit(
        "/account/signup",
        {
            "login": "wang@example.com",
            "name": "王阿姨",
            "password": PASSWORD,
            "community": "bayi",
            "accepted_privacy": "1",
            "next": SLOT_PAGE,
        },
    )
    assert signed_up.headers["location"] == f"/account/verify?{SLOT_NEXT_QUERY}"
    verify = await browser.get(signed_up.headers["location"])
    assert verify.text.count(f'<input type="hidden" name="next" value="{SLOT_PAGE}">') == 2
    wrong = await browser.submit("/account/verify", {"code": "000000", "next": SLOT_PAGE})
    assert f'<input type="hidden" name="next" value="{SLOT_PAGE}">' in wrong.text
    confirmed = await browser.submit("/account/verify", {"code": _code(caplog), "next": SLOT_PAGE})
    assert confirmed.headers["location"] == SLOT_PAGE
    form = await browser.get(SLOT_PAGE)
    assert '<input type="hidden" name="start" value="2026-03-02T10:00:00+08:00">' in form.text
    assert '<form method="post" action="/spaces/music-room/book">' in form.text
    again = await browser.get(f"/account/verify?{SLOT_NEXT_QUERY}")
    assert again.headers["location"] == SLOT_PAGE


async def test_signing_in_returns_to_the_slot(browser: Browser, music_room) -> None:
    await make_user("13812345678", community=music_room.community)
    answer = await browser.submit(
        "/account/signin", {"login": "13812345678", "password": PASSWORD, "next": SLOT_PAGE}
    )
    assert answer.headers["location"] == SLOT_PAGE


@pytest.mark.parametrize(
    "target", ["//evil.example/", "https://evil.example/", "/\\evil.example", "javascript:alert(1)"]
)
async def test_next_outside_the_site_is_dropped(
    browser: Browser, music_room, target: str, caplog: pytest.LogCaptureFixture
) -> None:
    from urllib.parse import quote

    caplog.set_level(logging.WARNING, logger="linli.notify")
    signin = await browser.get(f"/account/signin?next={quote(target, safe='')}")
    assert '<a href="/account/signup">' in signin.text
    assert '<input type="hidden" name="next" value="">' in signin.text
    signup = await browser.get(f"/account/signup?next={quote(target, safe='')}")
    assert '<input type="hidden" name="next" value="">' in signup.text
    signed_up = await browser.submit(
        "/account/signup",
        {
            "login": "wang@example.com",
            "name": "王阿姨",
            "password": PASSWORD,
            "community": "bayi",
            "accepted_privacy": "1",
            "next": target,
        },
    )
    assert signed_up.headers["location"] == "/account/verify"
    confirmed = await browser.submit("/account/verify", {"code": _code(caplog), "next": target})
    assert confirmed.headers["location"] == "/account"
    signed_in = await browser.get(f"/account/signin?next={quote(target, safe='')}")
    assert signed_in.headers["location"] == "/"


async def test_a_refused_sign_in_keeps_a_local_next_and_drops_another(
    browser: Browser, music_room
) -> None:
    kept = await browser.submit(
        "/account/signin", {"login": "13812345678", "password": "wrong", "next": SLOT_PAGE}
    )
    assert kept.status_code == 400
    assert f'<input type="hidden" name="next" value="{SLOT_PAGE}">' in kept.text
    assert f'<a href="/account/signup?next={SLOT_NEXT}">' in kept.text
    dropped = await browser.submit(
        "/account/signin",
        {"login": "13812345678", "password": "wrong", "next": "//evil.example/", "by": "x"},
    )
    assert '<input type="hidden" name="next" value="">' in dropped.text
    assert '<input type="hidden" name="by" value="">' in dropped.text
    assert "evil.example" not in dropped.text


async def test_a_refused_sign_up_keeps_a_local_next(browser: Browser, music_room) -> None:
    refused = await browser.submit(
        "/account/signup",
        {"login": "wang@example.com", "name": "", "password": PASSWORD, "next": SLOT_PAGE},
    )
    assert refused.status_code == 422
    assert f'<input type="hidden" name="next" value="{SLOT_PAGE}">' in refused.text
    assert f'<a href="/account/signin?next={SLOT_NEXT}">' in refused.text
    dropped = await browser.submit(
        "/account/signup",
        {
            "login": "wang@example.com",
            "name": "",
            "password": PASSWORD,
            "next": "https://x.example",
        },
    )
    assert "x.example" not in dropped.text


async def test_next_rides_along_a_forgotten_password(
    browser: Browser, music_room, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="linli.notify")
    await make_user("13812345678", community=music_room.community)
    signin = await browser.get(f"/account/signin?next={SLOT_NEXT}")
    assert f'<a href="/account/reset?next={SLOT_NEXT}">' in signin.text
    reset = await browser.get(f"/account/reset?next={SLOT_NEXT}")
    assert f'<input type="hidden" name="next" value="{SLOT_PAGE}">' in reset.text
    asked = await browser.submit("/account/reset", {"login": "13812345678", "next": SLOT_PAGE})
    assert f'<input type="hidden" name="next" value="{SLOT_PAGE}">' in asked.text
    assert f'<a href="/account/reset?next={SLOT_NEXT}">' in asked.text  # a new code
    wrong = await browser.submit(
        "/account/reset/confirm",
        {"login": "13812345678", "code": "000000", "new_password": "x", "next": SLOT_PAGE},
    )
    assert f'<input type="hidden" name="next" value="{SLOT_PAGE}">' in wrong.text
    done = await browser.submit(
        "/account/reset/confirm",
        {
            "login": "13812345678",
            "code": _code(caplog),
            "new_password": "fresh-start-2026",
            "next": SLOT_PAGE,
        },
    )
    assert done.headers["location"] == f"/account/signin?{SLOT_NEXT_QUERY}"


@pytest.mark.parametrize("foreign", ["//evil.example/x", "https://evil.example/", "/\\evil"])
async def test_a_foreign_next_is_dropped_along_a_forgotten_password(
    browser: Browser, music_room, foreign: str
) -> None:
    reset = await browser.get("/account/reset", params={"next": foreign})
    assert "evil" not in reset.text
    asked = await browser.submit("/account/reset", {"login": "13899999999", "next": foreign})
    assert "evil" not in asked.text
