"""The login field: a mobile number by default (the digit keyboard), email one link away,
on sign-in and sign-up, without JavaScript; `next` and the chosen mode survive a refusal."""

import pytest

from tests.factories import PASSWORD, make_community, make_user
from tests.fixtures import Browser

PHONE_INPUT = (
    '<input id="field-login" name="login" type="tel" value="" autocomplete="tel" '
    'inputmode="tel" maxlength="254" required'
)
EMAIL_INPUT = (
    '<input id="field-login" name="login" type="email" value="" autocomplete="email" '
    'maxlength="254" required'
)


@pytest.mark.parametrize(
    ("page", "email_link", "phone_link"),
    [
        ("signin", "用邮箱登录", "用手机号登录"),
        ("signup", "用邮箱注册", "用手机号注册"),
    ],
)
async def test_login_field_is_a_mobile_number_with_email_a_link_away(
    browser: Browser, db: None, page: str, email_link: str, phone_link: str
) -> None:
    await make_community("caijiaxiang")
    phone = await browser.get(f"/account/{page}?next=/spaces")
    assert '<label for="field-login">手机号</label>' in phone.text
    assert PHONE_INPUT in phone.text
    assert f'<a href="/account/{page}?by=email&amp;next=/spaces">{email_link}</a>' in phone.text
    email = await browser.get(f"/account/{page}?by=email&next=/spaces")
    assert '<label for="field-login">邮箱</label>' in email.text
    assert EMAIL_INPUT in email.text
    assert '<input type="hidden" name="by" value="email">' in email.text
    assert f'<a href="/account/{page}?next=/spaces">{phone_link}</a>' in email.text


async def test_a_refused_email_sign_in_keeps_the_email_field(browser: Browser, db: None) -> None:
    home = await make_community("caijiaxiang")
    await make_user("wang@example.com", community=home)
    refused = await browser.submit(
        "/account/signin",
        {"login": "wang@example.com", "password": "wrong", "by": "email", "next": "/spaces"},
    )
    assert refused.status_code == 400
    assert 'type="email" value="wang@example.com" autocomplete="email"' in refused.text
    signed_in = await browser.submit(
        "/account/signin",
        {"login": "wang@example.com", "password": PASSWORD, "by": "email", "next": "/spaces"},
    )
    assert signed_in.headers["location"] == "/spaces"
